"""The committee's examples in policies/tests/*.yaml, one test each."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml

from aidledger.rules.engine import decide
from aidledger.rules.loader import load_policies

POLICIES = Path(__file__).resolve().parents[2] / "policies"


def _merged(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    return {scope: {**base.get(scope, {}), **override.get(scope, {})}
            for scope in {*base, *override}}


def _cases() -> list[Any]:
    found = []
    for path in sorted((POLICIES / "tests").glob("*.yaml")):
        suite = yaml.safe_load(path.read_text(encoding="utf-8"))
        for case in suite["cases"]:
            found.append(pytest.param(suite["policy"], _merged(suite.get("facts", {}),
                                                               case.get("facts", {})),
                                      case, id=f"{path.stem}: {case['name']}"))
    return found


POLICY_SET = load_policies(POLICIES)


@pytest.mark.parametrize(("policy_id", "facts", "case"), _cases())
def test_policy_case(policy_id: str, facts: dict[str, Any], case: dict[str, Any]) -> None:
    policy = POLICY_SET.get(policy_id)
    assert policy is not None, f"no policy {policy_id!r}"
    on = case["date"] if isinstance(case["date"], date) else date.fromisoformat(case["date"])
    decision = decide(policy, facts, on, datetime.now(UTC))
    assert decision.outcome == case["outcome"], decision.document()
    assert sorted(decision.failing_rules) == sorted(case["failing"]), decision.document()
    if "credits" in case:
        assert sum(credits for _, credits in decision.credits) == case["credits"]


def test_every_shipped_policy_has_test_cases() -> None:
    tested = {yaml.safe_load(path.read_text())["policy"]
              for path in (POLICIES / "tests").glob("*.yaml")}
    assert tested == {policy.id for policy in POLICY_SET}
