"""Schedule generation: a 52-instalment weekly declining-balance schedule (target < 0.5 ms)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from aidledger.domain.schedule import (
    Amortization,
    DayCount,
    Frequency,
    InterestMethod,
    InterestPeriod,
    LoanTerms,
    PeriodUnit,
    build_schedule,
)

WEEKLY_52 = LoanTerms(
    principal=800_000, annual_rate=Decimal("0.24"),
    interest_method=InterestMethod.DECLINING_BALANCE,
    amortization=Amortization.EQUAL_INSTALLMENTS, interest_period=InterestPeriod.DAILY,
    frequency=Frequency(1, PeriodUnit.WEEK), installments=52, day_count=DayCount.ACTUAL_365,
)


def test_weekly_52_declining_balance(benchmark: Any) -> None:
    schedule = benchmark(build_schedule, WEEKLY_52, date(2026, 11, 22))
    assert len(schedule.installments) == 52
    assert sum(row.principal for row in schedule.installments) == 800_000
    benchmark.extra_info["median_ms"] = round(benchmark.stats.stats.median * 1000, 3)
