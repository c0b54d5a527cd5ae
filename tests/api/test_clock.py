"""Every rule reads the one clock the services are opened with (`open_services(settings,
clock)`), so a test can set the time instead of waiting for it."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

from tests.support import Api, ClockAt, assert_problem, today


def test_business_dates_and_timestamps_follow_the_services_clock(api: Api) -> None:
    fund = api.new_fund(contribution="100.00")
    lines = [("5000", "debit", "1.00"), ("1000", "credit", "1.00")]
    state = api.client.app.state
    original = state.context
    # The same services with a clock of the test's: as open_services(settings, clock) makes
    # them (a second app would share Piccolo's one engine and its pool).
    state.context = dataclasses.replace(
        original, clock=ClockAt(datetime(2026, 6, 30, 12, 0, tzinfo=UTC)))
    try:
        ahead = api.entry(fund, lines, date="2026-07-01")
        assert_problem(ahead, 422, "date")
        assert "today is 2026-06-30" in ahead.text
        posted = api.entry(fund, lines, date="2026-06-30")
        assert posted.status_code == 201, posted.text
        assert posted.json()["created_at"].startswith("2026-06-30T12:00:00")
    finally:
        state.context = original
    assert api.entry(fund, lines, date=today()).status_code == 201
