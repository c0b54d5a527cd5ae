"""Pure domain: money, ledger rules, hash chain. No I/O, no framework imports."""
