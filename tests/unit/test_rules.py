from __future__ import annotations

import textwrap
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from aidledger.rules.engine import decide
from aidledger.rules.facts import FACTS_BY_KIND
from aidledger.rules.loader import load_policies, load_policy
from aidledger.rules.model import FactError, NoPolicyInForce, PolicyError

NOW = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)
POLICIES = Path(__file__).resolve().parents[2] / "policies"

TWO_VERSIONS = """
id: age-check
applies_to: approval
title: Test
versions:
  - version: 1
    effective_from: 2026-01-01
    params: {limit: 1000}
    rules:
      - id: small
        description: Small amounts only.
        condition: application.amount < params.limit
  - version: 2
    effective_from: 2026-07-01
    params: {limit: 5000}
    rules:
      - id: small
        description: Small amounts only, more generously.
        condition: application.amount < params.limit
"""


def _write(tmp_path: Path, text: str, name: str = "age-check.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return path


def _facts(amount: int) -> dict[str, dict[str, object]]:
    return {"application": {"amount": amount, "currency": "HKD", "installments": 0,
                            "purpose": "p"}}


def test_the_version_in_force_on_the_decision_date_decides(tmp_path: Path) -> None:
    policy = load_policy(_write(tmp_path, TWO_VERSIONS))
    before = decide(policy, _facts(3000), date(2026, 6, 30), NOW)
    after = decide(policy, _facts(3000), date(2026, 7, 1), NOW)
    # An approval policy's outcome says how many approvers it asks for.
    assert (before.version, before.outcome, before.passed) == (1, "two_approvers", False)
    assert (after.version, after.outcome, after.passed) == (2, "one_approver", True)
    assert before.sha256 == after.sha256 == policy.sha256
    with pytest.raises(NoPolicyInForce, match="first takes effect on 2026-01-01"):
        decide(policy, _facts(1), date(2025, 12, 31), NOW)


def test_a_decision_explains_every_rule_with_the_values_it_read() -> None:
    policy = load_policies(POLICIES).get("loan-eligibility")
    assert policy is not None
    facts = {
        "applicant": {"age": 17, "course_credits": 2, "loans_active": 0, "loans_in_arrears": 0,
                      "loans_repaid": 0, "max_days_past_due_ever": 0,
                      "grants_received_last_365_days": 0, "months_in_community": 2,
                      "household_size": 1},
        "application": {"amount": 200000, "currency": "HKD", "installments": 6,
                        "purpose": "Tools"},
        "product": {"code": "p", "currency": "HKD", "min_amount": 100000,
                    "max_amount": 1000000, "installments": 6},
    }
    document = decide(policy, facts, date(2026, 6, 1), NOW).document()
    assert document["policy"] == "loan-eligibility" and document["version"] == 1
    assert document["outcome"] == "ineligible"
    assert document["evaluated_at"] == "2026-11-22T09:00:00Z"
    assert [reason["rule"] for reason in document["reasons"]] == [
        "adult", "no-loan-in-arrears", "one-loan-at-a-time", "first-loan-needs-course-credits",
        "amount-within-product-range", "amount-within-borrower-limit"]
    adult = document["reasons"][0]
    assert adult == {"rule": "adult", "passed": False,
                     "description": "The applicant is at least 18 years old.",
                     "detail": "applicant.age = 17; params.adult_age = 18"}
    in_range = next(reason for reason in document["reasons"]
                    if reason["rule"] == "amount-within-product-range")
    # Money facts are minor units inside the rules, and money in what a person reads.
    assert "application.amount = 2000.00 HKD" in in_range["detail"]
    assert "product.min_amount = 1000.00 HKD" in in_range["detail"]
    assert "200000" not in in_range["detail"]


def test_missing_facts_and_wrong_types_are_errors_not_false(tmp_path: Path) -> None:
    policy = load_policy(_write(tmp_path, TWO_VERSIONS))
    with pytest.raises(FactError, match=r"^age-check\.yaml, rule 'small'.*missing fact 'amount'"):
        decide(policy, {"application": {"currency": "HKD"}}, date(2026, 2, 1), NOW)
    with pytest.raises(FactError, match="rule 'small'"):
        decide(policy, {"application": {"amount": "lots"}}, date(2026, 2, 1), NOW)


@pytest.mark.parametrize(("text", "message"), [
    ("id: age-check\napplies_to: approval\ntitle: T\nversions:\n  - version: 1\n"
     "    effective_from: 2026-01-01\n    rules: [\n", "line"),
    (TWO_VERSIONS.replace("application.amount < params.limit\n  - version: 2",
                          "application.amount <\n  - version: 2"), "not valid CEL"),
    (TWO_VERSIONS.replace("application.amount < params.limit",
                          "applicant.salary > 1", 1), "unknown fact 'applicant'"),
    (TWO_VERSIONS.replace("application.amount < params.limit",
                          "application.salary > 1", 1), "unknown fact 'application.salary'"),
    (TWO_VERSIONS.replace("application.amount < params.limit",
                          "application.amount < params.ceiling", 1),
     "unknown fact 'params.ceiling'"),
    (TWO_VERSIONS.replace("        description: Small amounts only.\n", "", 1),
     "description is missing"),
    (TWO_VERSIONS.replace("2026-07-01", "2026-01-01"), "both take effect on 2026-01-01"),
    (TWO_VERSIONS.replace("application.amount < params.limit",
                          "application.amount + 1", 1), "not true or false"),
    (TWO_VERSIONS.replace("application.amount < params.limit",
                          "application.purpose > 5", 1), "rule 'small'"),
    (TWO_VERSIONS.replace("applies_to: approval", "applies_to: everything"),
     "applies_to must be one of"),
    (TWO_VERSIONS.replace("id: age-check", "id: other-name"), "must match the file name"),
    (TWO_VERSIONS.replace("    params: {limit: 1000}\n", "    params: {limit: 1000}\n"
                          "    colour: blue\n", 1), "unknown key(s) colour"),
])
def test_broken_policies_are_refused_naming_file_and_problem(tmp_path: Path, text: str,
                                                             message: str) -> None:
    with pytest.raises(PolicyError) as refused:
        load_policy(_write(tmp_path, text))
    assert str(refused.value).startswith("age-check.yaml")
    assert message in str(refused.value)


def test_yaml_errors_give_the_line(tmp_path: Path) -> None:
    text = TWO_VERSIONS.replace("    params: {limit: 5000}", "    params: {limit: 5000")
    with pytest.raises(PolicyError) as refused:
        load_policy(_write(tmp_path, text))
    assert refused.value.line is not None and refused.value.line > 10


def test_a_broken_file_stops_the_whole_set_from_loading(tmp_path: Path) -> None:
    _write(tmp_path, TWO_VERSIONS)
    _write(tmp_path, "id: broken\n", name="broken.yaml")
    with pytest.raises(PolicyError, match=r"broken\.yaml"):
        load_policies(tmp_path)


def test_the_readme_documents_every_fact_a_rule_may_read() -> None:
    readme = (POLICIES / "README.md").read_text(encoding="utf-8")
    for facts in FACTS_BY_KIND.values():
        for scope, fields in facts.items():
            for field in fields:
                assert f"{scope}.{field}" in readme, f"{scope}.{field} not documented"


def test_shipped_policies_load_and_cover_every_kind() -> None:
    kinds = {policy.applies_to for policy in load_policies(POLICIES)}
    assert kinds == {"loan_application", "grant_application", "course_completion", "approval"}
