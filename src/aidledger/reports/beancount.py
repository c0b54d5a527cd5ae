"""The fund's books up to a day as a Beancount ledger, so an auditor can load them into
an independent double-entry tool (bean-check, Fava) and see the same balances.

Beancount signs amounts as we store them (debits positive, credits negative) and wants
account names of the form `Assets:1000-Cash`; balance assertions hold at the start of
their date, hence the day after `to`.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Sequence
from datetime import date, timedelta

from aidledger.domain.dates import Period, report_end, timestamp
from aidledger.domain.ledger import AccountType, Entry
from aidledger.domain.money import format_minor
from aidledger.persistence import journal
from aidledger.persistence.funds import AccountRecord
from aidledger.persistence.journal import PeriodSpan
from aidledger.reports.basis import Basis, read_basis
from aidledger.reports.general_ledger import entries_of
from aidledger.reports.output import Progress, Rendered
from aidledger.services.context import ServiceContext

NAME = "books"
_ROOTS = {AccountType.ASSET: "Assets", AccountType.LIABILITY: "Liabilities",
          AccountType.EQUITY: "Equity", AccountType.INCOME: "Income",
          AccountType.EXPENSE: "Expenses"}
_NOT_IN_NAME = re.compile(r"[^A-Za-z0-9]+")


def account_names(accounts: Sequence[AccountRecord]) -> dict[str, str]:
    """A Beancount name for each account code, e.g. `Income:4100-Interest-income`, unique
    even where two codes differ only in `.` and `_`."""
    names: dict[str, str] = {}
    taken: set[str] = set()
    for account in accounts:
        code = _NOT_IN_NAME.sub("-", account.code)
        words = _NOT_IN_NAME.sub("-", account.name).strip("-")
        base = f"{_ROOTS[AccountType(account.type)]}:{code[0].upper()}{code[1:]}"
        name = f"{base}-{words}" if words else base
        number = 2
        while name in taken:
            name, number = f"{base}-{number}", number + 1
        taken.add(name)
        names[account.code] = name
    return names


def quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def preamble(basis: Basis, accounts: dict[str, str], opened_on: date) -> str:
    fund = basis.fund
    lines = [f"; {fund.name} ({fund.code}), exported by AidLedger at "
             f"{timestamp(basis.generated_at)}; chain head seq {basis.head.last_seq} "
             f"hash {basis.head.last_hash}",
             f"option \"title\" {quoted(fund.name)}",
             f"option \"operating_currency\" \"{fund.currency}\"", ""]
    lines += [f"{opened_on.isoformat()} open {name} {fund.currency}"
              for name in accounts.values()]
    return "\n".join(lines) + "\n"


def transaction(entry: Entry, accounts: dict[str, str]) -> str:
    lines = [f"\n{entry.date.isoformat()} * {quoted(entry.memo)}",
             f"  seq: {entry.seq}", f"  entry_id: {quoted(entry.id)}",
             f"  hash: {quoted(entry.hash)}"]
    if entry.reverses is not None:
        lines.append(f"  reverses: {quoted(entry.reverses)}")
    for line in entry.lines:
        amount = (format_minor(line.debit, entry.currency) if line.debit
                  else "-" + format_minor(line.credit, entry.currency))
        lines.append(f"  {accounts[line.account]}  {amount} {entry.currency}")
    return "\n".join(lines) + "\n"


def assertions(balances: Sequence[AccountRecord], accounts: dict[str, str], currency: str,
               after: date) -> str:
    day = (after + timedelta(days=1)).isoformat()
    return "\n" + "".join(
        f"{day} balance {accounts[account.code]}  "
        f"{format_minor(account.balance, currency)} {currency}\n" for account in balances)


async def _chunks(context: ServiceContext, basis: Basis, period: Period,
                  span: PeriodSpan | None, balances: Sequence[AccountRecord],
                  progress: Progress | None) -> AsyncIterator[bytes]:
    accounts = account_names(balances)
    yield preamble(basis, accounts, period.start).encode()
    async for batch in entries_of(context, basis.fund.id, period, span, progress):
        yield "".join(transaction(stored.entry, accounts) for stored in batch).encode()
    yield assertions(balances, accounts, basis.fund.currency, period.end).encode()


async def beancount_report(context: ServiceContext, fund_reference: str, end: str | None,
                           progress: Progress | None = None) -> Rendered:
    to = report_end(context.clock.today(), end)
    async with context.database.snapshot():
        basis = await read_basis(context, fund_reference)
        balances = await journal.balances_as_of(context.database, basis.fund.id, to)
        first = await journal.first_entry_date(context.database, basis.fund.id)
        # Accounts open on the day of the first entry (or on `to` if there is none yet).
        period = Period(min(first or to, to), to)
        span = await journal.period_span(context.database, basis.fund.id, period.start, to,
                                         basis.head.last_seq)
    return Rendered(NAME, basis.fund.code, to, "beancount",
                    _chunks(context, basis, period, span, balances, progress))
