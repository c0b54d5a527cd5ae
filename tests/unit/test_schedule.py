"""Schedules against independent references: numpy-financial's pmt/ipmt/rate for the
annuity and the IRR, and figures worked out by hand for flat and equal-principal loans."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from itertools import pairwise

import numpy_financial as npf
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aidledger.domain.schedule import (
    Amortization,
    DayCount,
    Frequency,
    InterestMethod,
    InterestPeriod,
    LoanTerms,
    PeriodUnit,
    build_schedule,
    due_dates,
    periodic_rate,
    terms_errors,
    year_fraction,
)
from tests.support import irr_apr

MONTHLY = Frequency(1, PeriodUnit.MONTH)


def _terms(**changes: object) -> LoanTerms:
    values: dict[str, object] = {
        "principal": 1_000_000, "annual_rate": Decimal("0.12"),
        "interest_method": InterestMethod.DECLINING_BALANCE,
        "amortization": Amortization.EQUAL_INSTALLMENTS,
        "interest_period": InterestPeriod.SAME_AS_REPAYMENT, "frequency": MONTHLY,
        "installments": 12, "day_count": DayCount.ACTUAL_365,
    }
    values.update(changes)
    return LoanTerms(**values)  # type: ignore[arg-type]


def test_declining_balance_annuity_matches_numpy_financial() -> None:
    schedule = build_schedule(_terms(), date(2026, 1, 15))
    rows = schedule.installments
    emi = round(npf.pmt(0.01, 12, -1_000_000))  # 888.49 in cents
    assert emi == 88849
    assert [row.total for row in rows[:-1]] == [emi] * 11
    for number, row in enumerate(rows[:3], start=1):
        expected_interest = round(npf.ipmt(Decimal("0.01"), number, 12, -1_000_000).item())
        assert abs(row.interest - expected_interest) <= 1  # ours rounds each period
    assert rows[0].interest == 10000 and rows[0].principal == 78849
    assert sum(row.principal for row in rows) == 1_000_000
    assert rows[-1].balance_after == 0
    # A declining-balance loan's APR is its nominal rate.
    assert schedule.apr_percent == Decimal("12.00")
    assert schedule.effective_annual_rate_percent == Decimal("12.68")


def test_weekly_annuity_uses_days_over_the_day_count_year() -> None:
    terms = _terms(frequency=Frequency(1, PeriodUnit.WEEK), installments=52,
                   annual_rate=Decimal("0.26"), principal=500_000)
    rate = Decimal("0.26") * 7 / 365
    assert periodic_rate(terms) == rate
    rows = build_schedule(terms, date(2026, 3, 2)).installments
    assert rows[0].total == round(npf.pmt(rate, 52, -500_000))  # Decimal in, Decimal out
    assert rows[0].due_date == date(2026, 3, 9)
    assert rows[-1].due_date == date(2027, 3, 1)  # 52 weeks = 364 days later


def test_equal_principal_worked_by_hand() -> None:
    rows = build_schedule(_terms(principal=1_200_000, amortization=Amortization.EQUAL_PRINCIPAL),
                          date(2026, 1, 1)).installments
    assert {row.principal for row in rows} == {100_000}
    assert [row.interest for row in rows] == [12_000 - 1_000 * k for k in range(12)]
    assert sum(row.interest for row in rows) == 78_000


def test_flat_interest_and_its_true_cost() -> None:
    schedule = build_schedule(_terms(principal=1_200_000, interest_method=InterestMethod.FLAT),
                              date(2026, 1, 1))
    assert {(row.principal, row.interest) for row in schedule.installments} == {
        (100_000, 12_000)}
    periodic = Decimal(str(npf.rate(12, -112_000, 1_200_000, 0)))
    assert schedule.apr_percent == (periodic * 1200).quantize(Decimal("0.01"))
    assert schedule.apr_percent == Decimal("21.46")  # "flat 12 %" costs 21.46 % a year


def test_flat_remainders_go_to_the_last_instalment() -> None:
    rows = build_schedule(_terms(principal=1_000_000, installments=3,
                                 interest_method=InterestMethod.FLAT,
                                 annual_rate=Decimal("0.10")), date(2026, 1, 1)).installments
    # Interest 10,000.00 x 10 % x 3/12 = 250.00: 83.33, 83.33, 83.34; principal 3,333.33 x2 + rest
    assert [row.interest for row in rows] == [8333, 8333, 8334]
    assert [row.principal for row in rows] == [333_333, 333_333, 333_334]


def test_month_ends_follow_the_anchor_day() -> None:
    assert due_dates(MONTHLY, 4, date(2026, 1, 31)) == [
        date(2026, 2, 28), date(2026, 3, 31), date(2026, 4, 30), date(2026, 5, 31)]
    assert due_dates(MONTHLY, 2, date(2024, 1, 31)) == [date(2024, 2, 29), date(2024, 3, 31)]
    assert due_dates(Frequency(2, PeriodUnit.MONTH), 2, date(2026, 1, 15)) == [
        date(2026, 3, 15), date(2026, 5, 15)]
    assert due_dates(MONTHLY, 3, date(2026, 1, 2), first_due=date(2026, 2, 28)) == [
        date(2026, 2, 28), date(2026, 3, 28), date(2026, 4, 28)]
    assert due_dates(Frequency(10, PeriodUnit.DAY), 2, date(2026, 1, 1)) == [
        date(2026, 1, 11), date(2026, 1, 21)]


@pytest.mark.parametrize(("day_count", "start", "end", "fraction"), [
    (DayCount.THIRTY_360, date(2026, 1, 31), date(2026, 2, 28), Decimal(28) / 360),
    (DayCount.THIRTY_360, date(2026, 1, 31), date(2026, 3, 31), Decimal(60) / 360),
    (DayCount.ACTUAL_360, date(2026, 1, 31), date(2026, 2, 28), Decimal(28) / 360),
    (DayCount.ACTUAL_364, date(2026, 1, 31), date(2026, 2, 28), Decimal(28) / 364),
    (DayCount.ACTUAL_365, date(2024, 1, 1), date(2024, 7, 1), Decimal(182) / 365),
    (DayCount.ACTUAL_ACTUAL, date(2024, 1, 1), date(2024, 7, 1), Decimal(182) / 366),
    (DayCount.ACTUAL_ACTUAL, date(2023, 12, 1), date(2024, 2, 1),
     Decimal(31) / 365 + Decimal(31) / 366),
])
def test_day_counts(day_count: DayCount, start: date, end: date, fraction: Decimal) -> None:
    assert year_fraction(day_count, start, end) == fraction


def test_daily_interest_uses_actual_days_but_the_nominal_instalment() -> None:
    nominal = build_schedule(_terms(), date(2026, 1, 31)).installments
    daily = build_schedule(_terms(interest_period=InterestPeriod.DAILY), date(2026, 1, 31))
    rows = daily.installments
    assert rows[0].interest == round(Decimal(1_000_000) * Decimal("0.12") * 28 / 365)  # 9205
    assert rows[0].total == nominal[0].total  # the instalment stays the nominal one
    assert rows[1].interest == round(rows[0].balance_after * Decimal("0.12") * 31 / 365)
    assert sum(row.principal for row in rows) == 1_000_000


def test_grace_on_principal_is_interest_only_then_recomputed() -> None:
    rows = build_schedule(_terms(installments=12, grace_on_principal=2),
                          date(2026, 1, 1)).installments
    assert [(row.principal, row.interest) for row in rows[:2]] == [(0, 10_000), (0, 10_000)]
    assert rows[2].total == round(npf.pmt(0.01, 10, -1_000_000))
    assert sum(row.principal for row in rows) == 1_000_000


def test_grace_on_interest_payment_collects_it_after_the_grace() -> None:
    plain = build_schedule(_terms(), date(2026, 1, 1)).installments
    rows = build_schedule(_terms(grace_on_interest_payment=2), date(2026, 1, 1)).installments
    assert [row.interest for row in rows[:2]] == [0, 0]
    assert rows[2].interest == sum(row.interest for row in plain[:3])
    assert [row.principal for row in rows] == [row.principal for row in plain]
    assert sum(row.interest for row in rows) == sum(row.interest for row in plain)


def test_instalments_rounded_to_a_multiple() -> None:
    rows = build_schedule(_terms(installment_multiple_of=1000), date(2026, 1, 1)).installments
    assert all(row.total % 1000 == 0 for row in rows[:-1])
    assert rows[0].total == 89_000  # 888.49 to the nearest 10.00
    assert sum(row.principal for row in rows) == 1_000_000
    flat = build_schedule(_terms(interest_method=InterestMethod.FLAT, principal=1_000_000,
                                 installment_multiple_of=500), date(2026, 1, 1)).installments
    assert all(row.total % 500 == 0 for row in flat[:-1])
    assert sum(row.principal for row in flat) == 1_000_000


def test_small_flat_interest_never_leaves_a_negative_last_share() -> None:
    rows = build_schedule(_terms(principal=41_729, annual_rate=Decimal("0.0082"),
                                 interest_method=InterestMethod.FLAT,
                                 frequency=Frequency(3, PeriodUnit.DAY), installments=19),
                          date(2020, 2, 13)).installments
    assert sum(row.interest for row in rows) == 53
    assert min(row.interest for row in rows) >= 0


def test_an_interest_free_loan_costs_nothing() -> None:
    schedule = build_schedule(_terms(annual_rate=Decimal(0), principal=100_000,
                                     installments=3), date(2026, 1, 1))
    assert [row.total for row in schedule.installments] == [33_333, 33_333, 33_334]
    assert schedule.apr_percent == Decimal("0.00")


@pytest.mark.parametrize(("changes", "field"), [
    ({"principal": 0}, "amount"),
    ({"annual_rate": Decimal("1.5")}, "annual_rate_percent"),
    ({"installments": 0}, "installments"),
    ({"grace_on_principal": 12}, "grace_on_principal"),
    ({"grace_on_interest_payment": -1}, "grace_on_interest_payment"),
    ({"installment_multiple_of": 0}, "installment_multiple_of"),
    ({"installment_multiple_of": 100, "amortization": Amortization.EQUAL_PRINCIPAL},
     "installment_multiple_of"),
    ({"frequency": Frequency(0, PeriodUnit.WEEK)}, "repayment_every.count"),
])
def test_impossible_terms_are_named(changes: dict[str, object], field: str) -> None:
    assert field in [error.field for error in terms_errors(_terms(**changes))]


loan_terms = st.builds(
    LoanTerms,
    principal=st.integers(min_value=100, max_value=10**10),
    annual_rate=st.decimals(min_value=0, max_value=1, places=4),
    interest_method=st.sampled_from(InterestMethod),
    amortization=st.sampled_from(Amortization),
    interest_period=st.sampled_from(InterestPeriod),
    frequency=st.builds(Frequency, st.integers(1, 4), st.sampled_from(PeriodUnit)),
    installments=st.integers(min_value=1, max_value=60),
    day_count=st.sampled_from(DayCount),
).flatmap(lambda terms: st.builds(
    LoanTerms, st.just(terms.principal), st.just(terms.annual_rate),
    st.just(terms.interest_method), st.just(terms.amortization),
    st.just(terms.interest_period), st.just(terms.frequency), st.just(terms.installments),
    st.just(terms.day_count),
    st.none() | (st.integers(1, 10_000) if terms.amortization
                 is Amortization.EQUAL_INSTALLMENTS else st.none()),
    st.integers(0, terms.installments - 1), st.integers(0, terms.installments - 1)))


@settings(max_examples=300, deadline=None)
@given(terms=loan_terms, disbursed=st.dates(date(2020, 1, 1), date(2030, 12, 31)))
def test_schedule_properties(terms: LoanTerms, disbursed: date) -> None:
    assert terms_errors(terms) == []
    schedule = build_schedule(terms, disbursed)
    rows = schedule.installments
    assert len(rows) == terms.installments
    assert sum(row.principal for row in rows) == terms.principal
    assert all(row.principal >= 0 and row.interest >= 0 for row in rows)
    balances = [terms.principal, *(row.balance_after for row in rows)]
    assert all(later <= earlier for earlier, later in pairwise(balances))
    assert balances[-1] == 0
    assert all(earlier.due_date < later.due_date for earlier, later in pairwise(rows))
    # On a loan of a few minor units, rounding each share of interest moves whole units to
    # the last instalment and can shave the cost; from 1,000.00 on it cannot matter.
    ordinary = (terms.installment_multiple_of is None and terms.grace_on_interest_payment == 0
                and terms.principal >= 100_000)
    if terms.interest_method is InterestMethod.FLAT and ordinary:
        # Flat interest is charged on the whole amount while the balance falls, so the true
        # cost is at least the flat rate the schedule charges (interest per amount-year).
        # (Deferring interest, or rounding instalments so coarsely that principal is repaid
        # late, can legitimately cost less.)
        years = Decimal(terms.installments) / terms.frequency.periods_per_year
        flat_percent = Decimal(schedule.total_interest) * 100 / (terms.principal * years)
        assert schedule.apr_percent >= flat_percent - Decimal("0.01")


FORTNIGHTLY = Frequency(2, PeriodUnit.WEEK)


@pytest.mark.parametrize("method", [InterestMethod.DECLINING_BALANCE, InterestMethod.FLAT])
def test_a_first_due_date_two_years_out_charges_interest_for_all_of_it(
        method: InterestMethod) -> None:
    """The reported case: a fortnightly loan first due two years (52 periods) after
    disbursement used to owe one fortnight's interest on its first instalment."""
    terms = _terms(frequency=FORTNIGHTLY, installments=10, interest_method=method)
    disbursed = date(2026, 1, 5)
    schedule = build_schedule(terms, disbursed, date(2028, 1, 3))  # 104 weeks later
    rows = schedule.installments
    assert rows[0].due_date == date(2028, 1, 3)
    one_period = terms.principal * periodic_rate(terms)
    if method is InterestMethod.DECLINING_BALANCE:
        assert rows[0].interest == round(one_period * 52)
    else:
        assert sum(row.interest for row in rows) == round(one_period * (52 + 9))
    # The borrower's cash flows, paid when they fall due, against an independent IRR.
    assert (schedule.apr_percent, schedule.effective_annual_rate_percent) == irr_apr(
        terms.principal, [row.total for row in rows], 51, 26)


def test_a_first_period_of_whole_periods_costs_what_the_irr_says() -> None:
    terms = _terms(interest_method=InterestMethod.FLAT)
    schedule = build_schedule(terms, date(2026, 1, 15), date(2026, 4, 15))  # 3 months
    rows = schedule.installments
    assert sum(row.interest for row in rows) == round(1_000_000 * Decimal("0.01") * 14)
    assert (schedule.apr_percent, schedule.effective_annual_rate_percent) == irr_apr(
        1_000_000, [row.total for row in rows], 2, 12)


def test_a_first_period_of_part_periods_is_charged_by_the_day() -> None:
    regular = build_schedule(_terms(), date(2026, 1, 15))
    # A month to 15 February, then 14 of the 28 days to 15 March.
    longer = build_schedule(_terms(), date(2026, 1, 15), date(2026, 3, 1))
    shorter = build_schedule(_terms(), date(2026, 1, 15), date(2026, 2, 1))  # 17 of 31 days
    assert regular.installments[0].interest == 10000
    assert longer.installments[0].interest == 15000
    assert shorter.installments[0].interest == round(Decimal(10000) * 17 / 31)
    # Paying later for the same interest rate leaves the APR at the nominal rate or near it;
    # what changes is the total interest, not a hidden cost.
    assert longer.total_interest > regular.total_interest > shorter.total_interest
    assert abs(longer.apr_percent - Decimal("12.00")) <= Decimal("0.05")
