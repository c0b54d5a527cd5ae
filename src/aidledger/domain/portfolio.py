"""Portfolio quality as the SEEP Microfinance Financial Reporting Standards define it.

Portfolio at risk counts the whole outstanding principal of a loan with any instalment
overdue more than N days, not just the overdue part: one late instalment puts the whole
loan at risk. Written-off loans have left the gross portfolio.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Literal

BucketName = Literal["current", "1-30", "31-60", "61-90", "91-180", "181-365", "over-365"]

# (name, the most days past due it holds); the last holds everything above.
AGING_BUCKETS: tuple[tuple[BucketName, int | None], ...] = (
    ("current", 0), ("1-30", 30), ("31-60", 60), ("61-90", 90), ("91-180", 180),
    ("181-365", 365), ("over-365", None),
)
PAR_THRESHOLDS = (1, 30, 90)


def aging_bucket(days_past_due: int) -> BucketName:
    """The bucket of a loan by its oldest overdue instalment."""
    for name, most in AGING_BUCKETS:
        if most is None or days_past_due <= most:
            return name
    raise AssertionError("the last bucket holds every loan")  # pragma: no cover


def percent_of(part: int, whole: int) -> str:
    """`part` as a percent of `whole`, 2 decimals; "0.00" when there is no whole."""
    if whole == 0:
        return "0.00"
    return str((Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.01"),
                                                               ROUND_HALF_EVEN))


@dataclass(frozen=True, slots=True)
class LoanStanding:
    """One loan as the portfolio sees it on a date."""

    loan: str
    person: str
    product: str
    disbursed_on: date
    principal_outstanding: int
    days_past_due: int
    written_off: bool

    @property
    def bucket(self) -> BucketName:
        return aging_bucket(self.days_past_due)


@dataclass(frozen=True, slots=True)
class AgingLine:
    bucket: BucketName
    loans: int
    principal_outstanding: int


@dataclass(frozen=True, slots=True)
class Portfolio:
    active: tuple[LoanStanding, ...]
    gross_portfolio: int
    par: dict[int, str]  # threshold in days -> percent of the gross portfolio
    aging: tuple[AgingLine, ...]
    written_off_count: int
    written_off_principal: int


def portfolio(standings: Sequence[LoanStanding]) -> Portfolio:
    active = tuple(item for item in standings if not item.written_off)
    written_off = [item for item in standings if item.written_off]
    gross = sum(item.principal_outstanding for item in active)
    par = {days: percent_of(sum(item.principal_outstanding for item in active
                                if item.days_past_due > days), gross)
           for days in PAR_THRESHOLDS}
    aging = tuple(
        AgingLine(name, len(members), sum(item.principal_outstanding for item in members))
        for name, _ in AGING_BUCKETS
        for members in [[item for item in active if item.bucket == name]])
    return Portfolio(active=active, gross_portfolio=gross, par=par, aging=aging,
                     written_off_count=len(written_off),
                     written_off_principal=sum(item.principal_outstanding
                                               for item in written_off))
