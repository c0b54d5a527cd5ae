"""Double-entry rules and the tamper-evident hash chain.

An entry is a set of lines whose debits equal its credits. Entries of a fund are numbered
1, 2, 3 ... and each one's hash covers the one before it, so changing any stored amount,
date or memo breaks every hash from that entry on.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from enum import StrEnum
from typing import Any

import msgspec

from aidledger.domain.errors import Conflict, FieldError, RuleViolation
from aidledger.domain.money import MAX_MINOR_UNITS, format_minor, money_text

GENESIS_HASH = "0" * 64

# What one entry may hold and move, and what an account may accumulate. With them no sum
# the ledger keeps (balances, day totals, an entry's debits) can overflow a signed 64-bit
# integer (9.2 x 10^18 minor units); the database holds the same limits (migration 0007).
MAX_LINES = 1000
MAX_ENTRY_TOTAL = MAX_MINOR_UNITS
MAX_BALANCE = 100 * MAX_MINOR_UNITS


class AccountType(StrEnum):
    ASSET = "asset"
    LIABILITY = "liability"
    EQUITY = "equity"
    INCOME = "income"
    EXPENSE = "expense"

    @property
    def debit_normal(self) -> bool:
        return self in (AccountType.ASSET, AccountType.EXPENSE)

    def normal_balance(self, debit_minus_credit: int) -> int:
        """The balance on the account's normal side; negative when contrary."""
        return debit_minus_credit if self.debit_normal else -debit_minus_credit


class AccountCode(StrEnum):
    """The default chart's codes: fixed, because loans, grants and contributions post to
    them by code (names are the fund's to choose)."""

    CASH = "1000"
    LOANS_RECEIVABLE = "1100"
    INTEREST_RECEIVABLE = "1110"  # unused on the cash basis
    BORROWER_OVERPAYMENTS = "2000"
    DONOR_CONTRIBUTIONS = "3000"
    INTEREST_INCOME = "4000"
    FEE_AND_PENALTY_INCOME = "4100"
    RECOVERIES = "4200"
    GRANTS_PAID = "5000"
    LOAN_WRITE_OFFS = "5100"


@dataclass(frozen=True, slots=True)
class ChartAccount:
    code: str
    name: str
    type: AccountType


# Created with every fund. Codes are fixed because loans and grants post to them by code.
DEFAULT_CHART: tuple[ChartAccount, ...] = (
    ChartAccount(AccountCode.CASH, "Cash", AccountType.ASSET),
    ChartAccount(AccountCode.LOANS_RECEIVABLE, "Loans receivable", AccountType.ASSET),
    ChartAccount(AccountCode.INTEREST_RECEIVABLE, "Interest receivable", AccountType.ASSET),
    ChartAccount(AccountCode.BORROWER_OVERPAYMENTS, "Borrower overpayments",
                 AccountType.LIABILITY),
    ChartAccount(AccountCode.DONOR_CONTRIBUTIONS, "Donor contributions", AccountType.EQUITY),
    ChartAccount(AccountCode.INTEREST_INCOME, "Interest income", AccountType.INCOME),
    ChartAccount(AccountCode.FEE_AND_PENALTY_INCOME, "Fee and penalty income",
                 AccountType.INCOME),
    ChartAccount(AccountCode.RECOVERIES, "Recoveries of written-off loans", AccountType.INCOME),
    ChartAccount(AccountCode.GRANTS_PAID, "Emergency grants paid", AccountType.EXPENSE),
    ChartAccount(AccountCode.LOAN_WRITE_OFFS, "Loan write-offs", AccountType.EXPENSE),
)


@dataclass(frozen=True, slots=True)
class Line:
    account: str
    debit: int
    credit: int
    memo: str | None = None

    @property
    def debit_minus_credit(self) -> int:
        return self.debit - self.credit


@dataclass(frozen=True, slots=True)
class Source:
    """What business event an entry records (a contribution, a loan disbursement, ...)."""

    kind: str
    id: str


@dataclass(frozen=True, slots=True)
class EntryDraft:
    """An entry as requested, before it is numbered and chained."""

    date: date
    memo: str
    lines: tuple[Line, ...]
    reverses: str | None = None
    source: Source | None = None


@dataclass(frozen=True, slots=True)
class Entry:
    id: str
    fund: str
    currency: str
    seq: int
    date: date
    memo: str
    lines: tuple[Line, ...]
    created_by: str
    created_at: datetime
    reverses: str | None
    source: Source | None
    prev_hash: str
    hash: str = field(default="")


def balance_errors(lines: Sequence[Line], currency: str) -> list[FieldError]:
    """Every reason the lines do not form a balanced entry within the limits, as values
    (empty when fine)."""
    errors: list[FieldError] = []
    if len(lines) < 2:
        errors.append(FieldError("lines", "an entry needs at least two lines"))
    if len(lines) > MAX_LINES:
        errors.append(FieldError("lines", f"an entry has at most {MAX_LINES} lines"))
    for index, line in enumerate(lines):
        if not (isinstance(line.debit, int) and isinstance(line.credit, int)):
            errors.append(FieldError(f"lines[{index}]", "amounts must be whole minor units"))
        elif (line.debit > 0) == (line.credit > 0) or line.debit < 0 or line.credit < 0:
            errors.append(
                FieldError(f"lines[{index}]", "exactly one of debit or credit, greater than zero")
            )
    if errors:
        return errors
    debits = sum(line.debit for line in lines)
    credits = sum(line.credit for line in lines)
    if debits != credits:
        errors.append(FieldError("lines", f"debits ({money_text(debits, currency)}) and "
                                          f"credits ({money_text(credits, currency)}) differ"))
    elif debits > MAX_ENTRY_TOTAL:
        errors.append(FieldError("lines", f"the entry moves {money_text(debits, currency)}; one "
                                          f"entry moves at most "
                                          f"{money_text(MAX_ENTRY_TOTAL, currency)}"))
    return errors


def require_balanced(lines: Sequence[Line], currency: str) -> None:
    errors = balance_errors(lines, currency)
    if errors:
        raise RuleViolation("The entry does not balance or is too large.", errors)


def cash_movement(lines: Iterable[Line]) -> int:
    return sum(line.debit_minus_credit for line in lines if line.account == AccountCode.CASH)


def require_cash_available(cash: int, movement: int, reserved: int, currency: str) -> None:
    """Cash may never go below zero, nor below what approvals have already promised."""
    after = cash + movement
    if movement < 0 and after < reserved:
        raise Conflict(
            "Insufficient funds: this would take cash below "
            + ("zero." if reserved == 0 else "what is reserved for approved payments."),
            [FieldError("lines", f"cash after the entry would be {money_text(after, currency)}, "
                                 f"reserved {money_text(reserved, currency)}")],
        )


def reversal_lines(lines: Iterable[Line]) -> tuple[Line, ...]:
    return tuple(Line(line.account, line.credit, line.debit, line.memo) for line in lines)


def format_created_at(moment: datetime) -> str:
    """RFC 3339 UTC with microseconds: the exact text the hash covers (what
    `strftime("%Y-%m-%dT%H:%M:%S.%fZ")` wrote, for years from 1000, in two thirds the time)."""
    return moment.isoformat(timespec="microseconds")[:26] + "Z"  # the offset cut off


def entry_document(entry: Entry, reversed_by: str | None) -> dict[str, Any]:
    """The entry as the API returns it."""
    document = _document_without_hash(entry)
    document["hash"] = entry.hash
    document["reversed_by"] = reversed_by
    return document


def _document_without_hash(entry: Entry) -> dict[str, Any]:
    return {
        "id": entry.id,
        "fund": entry.fund,
        "currency": entry.currency,
        "seq": entry.seq,
        "date": entry.date.isoformat(),
        "memo": entry.memo,
        "lines": [
            {
                "account": line.account,
                "debit": format_minor(line.debit, entry.currency),
                "credit": format_minor(line.credit, entry.currency),
                "memo": line.memo,
            }
            for line in entry.lines
        ],
        "created_by": entry.created_by,
        "created_at": format_created_at(entry.created_at),
        "reverses": entry.reverses,
        "source": None if entry.source is None else {"kind": entry.source.kind,
                                                     "id": entry.source.id},
        "prev_hash": entry.prev_hash,
    }


def canonical_form(entry: Entry) -> str:
    """JSON of the entry as returned, without `hash` and `reversed_by`, keys sorted,
    no spaces, UTF-8 characters kept as they are: byte for byte what
    `json.dumps(sort_keys=True, separators=(",", ":"), ensure_ascii=False)` writes, which
    the chains were first hashed with, in half the time (tests/unit/test_ledger.py)."""
    return msgspec.json.encode(_document_without_hash(entry), order="sorted").decode()


def chain_hash(prev_hash: str, canonical: str) -> str:
    return hashlib.sha256(f"{prev_hash}\n{canonical}".encode()).hexdigest()


def seal(entry: Entry) -> Entry:
    """The entry with its hash filled in from its content and its predecessor's hash."""
    return replace(entry, hash=chain_hash(entry.prev_hash, canonical_form(entry)))


@dataclass(frozen=True, slots=True)
class ChainFault:
    seq: int
    entry_id: str
    reason: str


def chain_fault(entry: Entry, expected_seq: int, expected_prev_hash: str) -> ChainFault | None:
    """Why this stored entry does not continue the chain, or None when it does."""
    if entry.seq != expected_seq:
        return ChainFault(entry.seq, entry.id, f"seq {entry.seq} where {expected_seq} was expected")
    if entry.prev_hash != expected_prev_hash:
        return ChainFault(entry.seq, entry.id, "prev_hash does not match the previous entry")
    if not all(isinstance(line.debit, int) and isinstance(line.credit, int)
               for line in entry.lines):
        # A damaged store (an SQLite column that once took a REAL) cannot even be hashed.
        return ChainFault(entry.seq, entry.id, "a line amount is not a whole number of "
                                               "minor units")
    recomputed = chain_hash(entry.prev_hash, canonical_form(entry))
    if recomputed != entry.hash:
        return ChainFault(entry.seq, entry.id, "hash does not match the entry's content")
    errors = balance_errors(entry.lines, entry.currency)
    if errors:
        return ChainFault(entry.seq, entry.id, "lines do not balance: " + errors[0].message)
    return None


def trial_balance_columns(debit_minus_credit: int) -> tuple[int, int]:
    """(debit, credit) columns of a trial balance line: the net on its own side."""
    if debit_minus_credit >= 0:
        return debit_minus_credit, 0
    return 0, -debit_minus_credit
