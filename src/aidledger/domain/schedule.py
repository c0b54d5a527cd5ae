"""Repayment schedules and the true cost of a loan (APR).

Conventions follow Apache Fineract where they fit. Amounts are integer minor units; rate
maths is Decimal, rounded to the minor unit with ROUND_HALF_EVEN at each step, and the
last instalment absorbs what rounding left over, so principal always adds up exactly to
the amount lent.
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_EVEN, Decimal, localcontext
from enum import StrEnum
from typing import NamedTuple, Protocol

from dateutil.relativedelta import relativedelta

from aidledger.domain.errors import FieldError
from aidledger.domain.money import format_minor

_PRECISION = 34
# A periodic rate this close moves even a daily loan's APR (x 36,500) by under 1e-6 %.
_CONVERGED = Decimal("1e-14")
_LOWEST_RATE = Decimal("-0.99")


class InterestMethod(StrEnum):
    DECLINING_BALANCE = "declining_balance"
    FLAT = "flat"


class Amortization(StrEnum):
    EQUAL_INSTALLMENTS = "equal_installments"
    EQUAL_PRINCIPAL = "equal_principal"


class InterestPeriod(StrEnum):
    SAME_AS_REPAYMENT = "same_as_repayment"
    DAILY = "daily"


class PeriodUnit(StrEnum):
    DAY = "day"
    WEEK = "week"
    MONTH = "month"


class DayCount(StrEnum):
    THIRTY_360 = "30/360"
    ACTUAL_365 = "actual/365"
    ACTUAL_364 = "actual/364"
    ACTUAL_360 = "actual/360"
    ACTUAL_ACTUAL = "actual/actual"


_PERIODS_PER_YEAR = {PeriodUnit.MONTH: 12, PeriodUnit.WEEK: 52, PeriodUnit.DAY: 365}


@dataclass(frozen=True, slots=True)
class Frequency:
    count: int
    unit: PeriodUnit

    @property
    def periods_per_year(self) -> Decimal:
        return Decimal(_PERIODS_PER_YEAR[self.unit]) / self.count

    def after(self, anchor: date, periods: int) -> date:
        """The date `periods` repayment periods after `anchor`. Months count from the anchor,
        so a loan due on the 31st falls due on Feb 28 (29) and again on Mar 31."""
        if self.unit is PeriodUnit.DAY:
            return anchor + timedelta(days=self.count * periods)
        if self.unit is PeriodUnit.WEEK:
            return anchor + timedelta(weeks=self.count * periods)
        result: date = anchor + relativedelta(months=self.count * periods)
        return result


@dataclass(frozen=True, slots=True)
class LoanTerms:
    principal: int  # minor units
    annual_rate: Decimal  # a fraction: 0.12 for 12 % a year
    interest_method: InterestMethod
    amortization: Amortization
    interest_period: InterestPeriod
    frequency: Frequency
    installments: int
    day_count: DayCount
    installment_multiple_of: int | None = None  # minor units
    grace_on_principal: int = 0
    grace_on_interest_payment: int = 0


class ScheduledInstallment(NamedTuple):
    """One row of a schedule (a tuple: schedules are built often and must be cheap)."""

    number: int
    due_date: date
    principal: int
    interest: int
    balance_after: int  # principal still owed after this instalment
    fees: int = 0
    penalties: int = 0

    @property
    def total(self) -> int:
        return self.principal + self.interest + self.fees + self.penalties


@dataclass(frozen=True, slots=True)
class Schedule:
    disbursement_date: date
    installments: tuple[ScheduledInstallment, ...]
    apr_percent: Decimal  # 2 decimals
    effective_annual_rate_percent: Decimal  # 2 decimals

    @property
    def total_interest(self) -> int:
        return sum(item.interest for item in self.installments)


def terms_errors(terms: LoanTerms) -> list[FieldError]:
    """Every reason these terms cannot make a schedule, as values (empty when fine)."""
    errors = []
    if terms.principal <= 0:
        errors.append(FieldError("amount", "must be greater than zero"))
    if not Decimal(0) <= terms.annual_rate <= Decimal(1):
        errors.append(FieldError("annual_rate_percent", "between 0 and 100"))
    if terms.installments < 1:
        errors.append(FieldError("installments", "at least 1"))
    if not 1 <= terms.frequency.count <= 366:
        errors.append(FieldError("repayment_every.count", "between 1 and 366"))
    for field, grace in (("grace_on_principal", terms.grace_on_principal),
                         ("grace_on_interest_payment", terms.grace_on_interest_payment)):
        if not 0 <= grace < max(terms.installments, 1):
            errors.append(FieldError(field, "from 0 to one less than the instalments"))
    if terms.installment_multiple_of is not None:
        if terms.installment_multiple_of <= 0:
            errors.append(FieldError("installment_multiple_of", "must be greater than zero"))
        if terms.amortization is not Amortization.EQUAL_INSTALLMENTS:
            errors.append(FieldError("installment_multiple_of",
                                     "only with equal_installments amortization"))
    return errors


def _minor(value: Decimal) -> int:
    """To whole minor units, half to even (what round() does for a Decimal)."""
    return round(value)


def _to_multiple(value: int, multiple: int) -> int:
    return _minor(Decimal(value) / multiple) * multiple


def periodic_rate(terms: LoanTerms) -> Decimal:
    """The nominal rate of one repayment period: annual / 12 per month; per day or week,
    annual x days in the period / the day count's year."""
    frequency = terms.frequency
    if frequency.unit is PeriodUnit.MONTH:
        return terms.annual_rate * frequency.count / 12
    days = frequency.count * (7 if frequency.unit is PeriodUnit.WEEK else 1)
    return terms.annual_rate * days / _YEAR_DAYS[terms.day_count]


_YEAR_DAYS = {DayCount.THIRTY_360: 360, DayCount.ACTUAL_360: 360, DayCount.ACTUAL_364: 364,
              DayCount.ACTUAL_365: 365, DayCount.ACTUAL_ACTUAL: 365}


_ACTUAL_OVER_FIXED = frozenset({DayCount.ACTUAL_360, DayCount.ACTUAL_364, DayCount.ACTUAL_365})


def year_fraction(day_count: DayCount, start: date, end: date) -> Decimal:
    """The part of a year from `start` to `end` under the day count convention."""
    if day_count in _ACTUAL_OVER_FIXED:
        return Decimal((end - start).days) / _YEAR_DAYS[day_count]
    if day_count is DayCount.THIRTY_360:
        first_day = min(start.day, 30)
        last_day = 30 if end.day == 31 and first_day == 30 else end.day
        days = ((end.year - start.year) * 360 + (end.month - start.month) * 30
                + last_day - first_day)
        return Decimal(days) / 360
    # actual/actual: each day is a 366th of a leap year, a 365th of any other (ISDA).
    fraction, cursor = Decimal(0), start
    while cursor < end:
        year_end = min(date(cursor.year + 1, 1, 1), end)
        length = 366 if calendar.isleap(cursor.year) else 365
        fraction += Decimal((year_end - cursor).days) / length
        cursor = year_end
    return fraction


def due_dates(frequency: Frequency, count: int, disbursed_on: date,
              first_due: date | None = None) -> list[date]:
    anchor, first = (disbursed_on, 1) if first_due is None else (first_due, 0)
    if frequency.unit is PeriodUnit.MONTH:
        return [frequency.after(anchor, number) for number in range(first, first + count)]
    step = timedelta(days=frequency.count * (7 if frequency.unit is PeriodUnit.WEEK else 1))
    return [anchor + step * number for number in range(first, first + count)]


def first_period(frequency: Frequency, disbursed_on: date, first_due: date) -> Decimal:
    """The first period's length in regular periods: 1 when the first instalment falls one
    period after the disbursement; otherwise the whole periods that fit (calendar months
    for a monthly loan) plus the part of the next one, by the day (two years of a
    fortnightly loan: 52; the 15th to the 1st of the month after next: 1 + 14/28)."""
    whole, start = 0, disbursed_on
    while (following := frequency.after(disbursed_on, whole + 1)) <= first_due:
        whole, start = whole + 1, following
    part = Decimal((first_due - start).days) / (following - start).days
    return whole + part


def build_schedule(terms: LoanTerms, disbursed_on: date,
                   first_due: date | None = None) -> Schedule:
    """The schedule for these terms. Call `terms_errors` first: terms are assumed valid.

    Interest runs for the whole first period, however long: a first due date later than
    one period after the disbursement owes interest for every day until then, and the APR
    discounts each payment by when it actually falls due."""
    with localcontext() as context:
        context.prec = _PRECISION
        dates = due_dates(terms.frequency, terms.installments, disbursed_on, first_due)
        first = first_period(terms.frequency, disbursed_on, dates[0])
        if terms.interest_method is InterestMethod.FLAT:
            rows = _flat(terms, dates, first)
        else:
            rows = _declining_balance(terms, dates, disbursed_on, first)
        rows = _defer_interest(rows, terms.grace_on_interest_payment)
        apr, effective = schedule_cost(terms, disbursed_on, rows)
    return Schedule(disbursed_on, tuple(rows), apr, effective)


def schedule_cost(terms: LoanTerms, disbursed_on: date,
                  rows: Sequence[ScheduledInstallment]) -> tuple[Decimal, Decimal]:
    """(APR, effective annual rate) of a schedule for these terms: the one place a loan's
    true cost is worked out, for quotes and for disbursed loans alike."""
    return true_cost(terms.principal, [row.principal + row.interest for row in rows],
                     terms.frequency.periods_per_year, hint=periodic_rate(terms),
                     first_period=first_period(terms.frequency, disbursed_on,
                                               rows[0].due_date))


def _amortizing_periods(terms: LoanTerms) -> int:
    return terms.installments - terms.grace_on_principal


def _declining_balance(terms: LoanTerms, dates: list[date], disbursed_on: date,
                       first: Decimal) -> list[ScheduledInstallment]:
    rate = periodic_rate(terms)
    periods = _amortizing_periods(terms)
    if terms.amortization is Amortization.EQUAL_INSTALLMENTS:
        if rate == 0:
            level = _minor(Decimal(terms.principal) / periods)
        else:
            level = _minor(terms.principal * rate / (1 - (1 + rate) ** -periods))
        if terms.installment_multiple_of:
            level = _to_multiple(level, terms.installment_multiple_of)
    else:
        level = _minor(Decimal(terms.principal) / periods)
    rows, balance, start = [], terms.principal, disbursed_on
    for number, due in enumerate(dates, start=1):
        if terms.interest_period is InterestPeriod.DAILY:
            interest = _minor(balance * terms.annual_rate
                              * year_fraction(terms.day_count, start, due))
        else:
            interest = _minor(balance * rate * (first if number == 1 else 1))
        if number <= terms.grace_on_principal:
            principal = 0
        elif number == len(dates):
            principal = balance
        elif terms.amortization is Amortization.EQUAL_INSTALLMENTS:
            # A long first period can owe more interest than the instalment: then that
            # instalment is interest only, never a negative principal.
            principal = min(max(level - interest, 0), balance)
        else:
            principal = min(level, balance)
        balance -= principal
        rows.append(ScheduledInstallment(number, due, principal, interest, balance))
        start = due
    return rows


def _flat(terms: LoanTerms, dates: list[date], first: Decimal) -> list[ScheduledInstallment]:
    """Interest on the original amount for the whole term (the first period as long as it
    is), spread evenly."""
    count = len(dates)
    periods = _amortizing_periods(terms)
    total_interest = _minor(terms.principal * periodic_rate(terms) * (count - 1 + first))
    interest_each = _minor(Decimal(total_interest) / count)
    if count > 1:
        # Rounding each share up may not leave the last instalment a negative remainder
        # (53 over 19 instalments is 3 each for 18 of them only if 54 <= 53: it is not).
        interest_each = min(interest_each, total_interest // (count - 1))
    principal_each = _minor(Decimal(terms.principal) / periods)
    rows, balance, interest_left = [], terms.principal, total_interest
    for number, due in enumerate(dates, start=1):
        last = number == count
        interest = interest_left if last else interest_each
        if number <= terms.grace_on_principal:
            principal = 0
        elif last:
            principal = balance
        else:
            principal = principal_each
            if terms.installment_multiple_of:
                # The instalment is rounded to the multiple; the difference is principal.
                rounded = _to_multiple(principal + interest, terms.installment_multiple_of)
                principal = max(rounded - interest, 0)
            principal = min(principal, balance)
        balance -= principal
        interest_left -= interest
        rows.append(ScheduledInstallment(number, due, principal, interest, balance))
    return rows


def _defer_interest(rows: list[ScheduledInstallment],
                    grace: int) -> list[ScheduledInstallment]:
    """Grace on interest payment: interest still accrues in the first `grace` periods but is
    collected with the first instalment after them."""
    if grace == 0:
        return rows
    deferred = sum(row.interest for row in rows[:grace])
    moved = [ScheduledInstallment(row.number, row.due_date, row.principal, 0, row.balance_after)
             for row in rows[:grace]]
    first = rows[grace]
    moved.append(ScheduledInstallment(first.number, first.due_date, first.principal,
                                      first.interest + deferred, first.balance_after))
    return moved + rows[grace + 1:]


def true_cost(principal: int, payments: list[int], periods_per_year: Decimal,
              hint: Decimal | None = None,
              first_period: Decimal = Decimal(1)) -> tuple[Decimal, Decimal]:
    """(APR, effective annual rate), percent with 2 decimals. APR is the periodic internal
    rate of return of the borrower's cash flows (the amount received now, the first
    payment `first_period` periods later, each next one a period after the one before)
    times the periods in a year; the effective annual rate compounds that periodic rate
    over a year."""
    with localcontext() as context:
        context.prec = _PRECISION
        periodic = _internal_rate(principal, payments, hint, first_period)
        apr = periodic * periods_per_year * 100
        effective = ((1 + periodic) ** periods_per_year - 1) * 100
        hundredth = Decimal("0.01")
        return (apr.quantize(hundredth, rounding=ROUND_HALF_EVEN),
                effective.quantize(hundredth, rounding=ROUND_HALF_EVEN))


def _internal_rate(principal: int, payments: list[int], hint: Decimal | None,
                   first_period: Decimal) -> Decimal:
    """The rate r with sum(payment_k / (1 + r)^t_k) = principal, t_k = first_period + k - 1,
    by Newton's method. The
    present value falls and is convex in r, so from below the root Newton climbs to it
    monotonically, and from a little above it the first step lands below it. It starts
    from the hint (the nominal periodic rate: for a declining-balance loan, the root but
    for rounding) or the N-ratio estimate 2 x interest / (principal x (n + 1)); should a
    far start overshoot below -100 %, it starts again from zero."""
    interest = sum(payments) - principal
    if interest <= 0:
        return Decimal(0)
    amounts = [Decimal(payment) for payment in payments]
    times = [first_period + number for number in range(len(amounts))]
    weighted = [time * amount for time, amount in zip(times, amounts, strict=True)]
    estimate = Decimal(2 * interest) / (principal * (len(payments) - 1 + first_period + 1))
    rate = hint if hint is not None and hint > 0 else estimate
    for _ in range(100):
        if rate <= _LOWEST_RATE:
            rate = Decimal(0)
        value, slope = _present_value(principal, amounts, weighted, rate, first_period)
        step = value / slope
        rate -= step
        if abs(step) < _CONVERGED:
            break
    return rate


def _present_value(principal: int, amounts: list[Decimal], weighted: list[Decimal],
                   rate: Decimal, first_period: Decimal) -> tuple[Decimal, Decimal]:
    """(present value of the payments less the principal, its derivative in the rate)."""
    discount = 1 / (1 + rate)
    value, slope = -Decimal(principal), Decimal(0)
    # The first payment is discounted over the first period, each later one a period more.
    factor = discount if first_period == 1 else discount ** first_period
    for amount, weight in zip(amounts, weighted, strict=True):
        value += amount * factor
        slope -= weight * factor
        factor *= discount
    return value, slope * discount


class Progress(Protocol):
    """How far one instalment has been paid (a loan's position supplies it)."""

    @property
    def paid(self) -> int: ...

    @property
    def status(self) -> str: ...


def schedule_document(schedule: Schedule, currency: str,
                      progress: Sequence[Progress] | None = None) -> dict[str, object]:
    """The schedule as the API shows it; with `progress` (each instalment's `paid` amount
    and `status`, once a loan is disbursed) those are shown too."""

    def amount(minor: int) -> str:
        return format_minor(minor, currency)

    rows = schedule.installments
    return {
        "currency": currency,
        "disbursement_date": schedule.disbursement_date.isoformat(),
        "installments": [{
            "number": row.number, "due_date": row.due_date.isoformat(),
            "principal": amount(row.principal), "interest": amount(row.interest),
            "fees": amount(row.fees), "penalties": amount(row.penalties),
            "total": amount(row.total), "balance_after": amount(row.balance_after),
            **({} if progress is None else {"paid": amount(progress[index].paid),
                                            "status": progress[index].status}),
        } for index, row in enumerate(rows)],
        "totals": {
            "principal": amount(sum(row.principal for row in rows)),
            "interest": amount(sum(row.interest for row in rows)),
            "fees": amount(sum(row.fees for row in rows)),
            "penalties": amount(sum(row.penalties for row in rows)),
            "total": amount(sum(row.total for row in rows)),
        },
        "apr_percent": str(schedule.apr_percent),
        "effective_annual_rate_percent": str(schedule.effective_annual_rate_percent),
    }
