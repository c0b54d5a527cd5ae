"""Decisions per second for the shipped loan policy on realistic facts (target 5,000/s on
one core): the rule engine must never be what makes an application slow."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from aidledger.rules.engine import decide
from aidledger.rules.loader import load_policies

POLICIES = Path(__file__).resolve().parents[2] / "policies"
FACTS = {
    "applicant": {"age": 34, "course_credits": 3, "loans_active": 0, "loans_in_arrears": 0,
                  "loans_repaid": 1, "max_days_past_due_ever": 4,
                  "grants_received_last_365_days": 150000, "months_in_community": 26,
                  "household_size": 4},
    "application": {"amount": 800000, "currency": "HKD", "installments": 12,
                    "purpose": "Second-hand delivery scooter"},
    "product": {"code": "growth-hkd", "currency": "HKD", "min_amount": 100000,
                "max_amount": 1000000, "installments": 12},
}


def test_loan_decisions_per_second(benchmark: Any) -> None:
    policy = load_policies(POLICIES).get("loan-eligibility")
    assert policy is not None
    on, now = date(2026, 11, 22), datetime.now(UTC)

    def thousand_decisions() -> None:
        for _ in range(1000):
            decide(policy, FACTS, on, now)

    benchmark.pedantic(thousand_decisions, rounds=10, iterations=1)
    assert decide(policy, FACTS, on, now).outcome == "eligible"
    started = time.process_time()
    thousand_decisions()
    per_second = 1000 / (time.process_time() - started)
    benchmark.extra_info["decisions_per_second_cpu"] = round(per_second)
    print(f"\nloan policy: {per_second:.0f} decisions/s (CPU time, one core)")
