from __future__ import annotations

import dataclasses
import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from litestar.testing import TestClient

from tests.support import Api, assert_problem, unique

ROOT = Path(__file__).resolve().parents[2]


def _person(api: Api, born: str = "1990-05-01") -> str:
    response = api.post("/api/people", {"full_name": f"Learner {unique('p')}",
                                        "preferred_language": "tl", "date_of_birth": born})
    assert response.status_code == 201
    person: str = response.json()["id"]
    return person


def _complete(api: Api, person: str, course: str, on: str, score: int | None = 80,
              **options: Any) -> Any:
    body: dict[str, Any] = {"course": course, "completed_on": on}
    if score is not None:
        body["score"] = score
    return api.post(f"/api/people/{person}/course-completions", body, key=None, **options)


def test_policies_are_listed_with_the_version_in_force(api: Api) -> None:
    listed = api.get("/api/policies", role="auditor").json()["items"]
    by_id = {item["id"]: item for item in listed}
    assert set(by_id) == {"loan-eligibility", "grant-eligibility", "approval-thresholds",
                          "course-credits"}
    loan = by_id["loan-eligibility"]
    assert (loan["applies_to"], loan["version"], loan["effective_from"]) == (
        "loan_application", 1, "2026-01-01")
    expected = hashlib.sha256((ROOT / "policies/loan-eligibility.yaml").read_bytes()).hexdigest()
    assert loan["sha256"] == expected
    assert_problem(api.get("/api/policies", role="borrower"), 403)


def test_a_whole_policy_can_be_read(api: Api) -> None:
    policy = api.get("/api/policies/loan-eligibility").json()
    assert policy["file"] == "loan-eligibility.yaml"
    rules = policy["versions"][0]["rules"]
    assert rules[0] == {"id": "adult", "description": "The applicant is at least 18 years old.",
                        "condition": "applicant.age >= params.adult_age"}
    assert policy["versions"][0]["effective_from"] == "2026-01-01"
    assert_problem(api.get("/api/policies/no-such-policy"), 404)


APPROVAL_FACTS = {"application": {"amount": 1500000, "currency": "HKD", "installments": 6,
                                  "purpose": "Stock"}}


def test_evaluate_is_a_dry_run_with_reasons(api: Api) -> None:
    before = len(api.get("/api/audit/events", params={"limit": 500}).json()["items"])
    response = api.post("/api/policies/approval-thresholds/evaluate", {"facts": APPROVAL_FACTS},
                        key=None)
    assert response.status_code == 200
    decision = response.json()
    assert (decision["policy"], decision["version"], decision["outcome"]) == (
        "approval-thresholds", 1, "two_approvers")
    assert decision["reasons"][0]["rule"] == "one-approver-suffices"
    assert decision["reasons"][0]["passed"] is False
    assert decision["reasons"][0]["detail"] == (
        "application.currency = \"HKD\"; params.second_approver_from[HKD] = 10000.00 HKD; "
        "application.amount = 15000.00 HKD")
    small = {"application": {**APPROVAL_FACTS["application"], "amount": 5000}}
    assert api.post("/api/policies/approval-thresholds/evaluate", {"facts": small},
                    key=None).json()["outcome"] == "one_approver"
    after = len(api.get("/api/audit/events", params={"limit": 500}).json()["items"])
    assert after == before


def test_evaluate_refusals(api: Api) -> None:
    path = "/api/policies/approval-thresholds/evaluate"
    assert_problem(api.post(path, {"facts": {"application": {"currency": "HKD"}}}, key=None),
                   422, "facts")
    assert_problem(api.post(path, {"facts": APPROVAL_FACTS, "as_of": "2020-01-01"}, key=None),
                   422, "as_of")
    assert_problem(api.post(path, {"facts": APPROVAL_FACTS, "as_of": "someday"}, key=None),
                   400, "as_of")
    assert_problem(api.post(path, {"facts": "none"}, key=None), 400, "facts")
    assert_problem(api.post("/api/policies/nope/evaluate", {"facts": {}}, key=None), 404)
    for role in ("auditor", "borrower"):
        assert_problem(api.post(path, {"facts": APPROVAL_FACTS}, key=None, role=role), 403)


def test_the_course_catalogue_is_open_to_every_role(api: Api) -> None:
    courses = api.get("/api/courses", role="borrower").json()["items"]
    debt = next(course for course in courses if course["code"] == "avoiding-debt-traps")
    assert debt == {"code": "avoiding-debt-traps", "title": debt["title"], "credits": 2,
                    "passing_score": 70, "languages": ["en", "zh-Hant", "tl", "id", "ne", "es"]}
    assert_problem(api.get("/api/courses", role=None), 401)


def test_credits_award_once_and_again_after_12_months(api: Api) -> None:
    person = _person(api)
    first = _complete(api, person, "avoiding-debt-traps", "2025-03-01")
    assert first.status_code == 201, first.text
    body = first.json()
    assert body["credits_awarded"] == [{"rule": "first-completion", "credits": 2}]
    assert body["total_credits"] == 2
    assert body["completion"]["decision"]["policy"] == "course-credits"
    again = _complete(api, person, "avoiding-debt-traps", "2025-09-01").json()
    assert again["credits_awarded"] == [] and again["total_credits"] == 2
    refresher = _complete(api, person, "avoiding-debt-traps", "2026-03-01").json()
    assert refresher["credits_awarded"] == [{"rule": "refresher", "credits": 2}]
    assert refresher["total_credits"] == 4
    other = _complete(api, person, "budgeting-basics", "2026-03-02", score=None).json()
    assert other["credits_awarded"] == [{"rule": "first-completion", "credits": 1}]
    credits = api.get(f"/api/people/{person}/credits", role="auditor").json()
    assert credits["total"] == 5
    assert [(award["course"], award["rule"], award["credits"], award["awarded_on"])
            for award in credits["awards"]] == [
        ("avoiding-debt-traps", "first-completion", 2, "2025-03-01"),
        ("avoiding-debt-traps", "refresher", 2, "2026-03-01"),
        ("budgeting-basics", "first-completion", 1, "2026-03-02")]
    assert {award["policy_version"] for award in credits["awards"]} == {1}


def test_a_failing_score_earns_nothing(api: Api) -> None:
    person = _person(api)
    failed = _complete(api, person, "avoiding-debt-traps", "2026-02-01", score=69).json()
    assert failed["credits_awarded"] == [] and failed["total_credits"] == 0
    assert failed["completion"]["decision"]["outcome"] == "ineligible"
    passed = _complete(api, person, "avoiding-debt-traps", "2026-02-08", score=70).json()
    assert passed["credits_awarded"] == [{"rule": "first-completion", "credits": 2}]


@pytest.mark.parametrize(("body", "status", "field"), [
    ({"course": "juggling", "completed_on": "2026-02-01"}, 422, "course"),
    ({"course": "budgeting-basics", "completed_on": "2999-01-01"}, 422, "completed_on"),
    ({"course": "budgeting-basics", "completed_on": "2024-06-01"}, 422, "completed_on"),
    ({"course": "budgeting-basics", "completed_on": "1 Feb"}, 400, "completed_on"),
    ({"course": "budgeting-basics", "completed_on": "2026-02-01", "score": 101}, 400, "score"),
    ({"course": "budgeting-basics", "completed_on": "2026-02-01", "score": "high"}, 400,
     "score"),
    ({"completed_on": "2026-02-01"}, 400, "course"),
])
def test_completion_refusals(api: Api, body: dict[str, Any], status: int, field: str) -> None:
    person = _person(api)
    assert_problem(api.post(f"/api/people/{person}/course-completions", body, key=None),
                   status, field)
    assert api.get(f"/api/people/{person}/credits").json()["total"] == 0


def test_completion_roles_and_unknown_people(api: Api) -> None:
    person = _person(api)
    assert_problem(_complete(api, "no-such-person", "budgeting-basics", "2026-02-01"), 404)
    for role in ("auditor", "borrower"):
        assert_problem(_complete(api, person, "budgeting-basics", "2026-02-01", role=role), 403)


def test_borrowers_read_only_their_own_credits(api: Api) -> None:
    own = api.get(f"/api/people/{api.people['borrower']}/credits", role="borrower")
    assert own.status_code == 200 and own.json()["total"] >= 0
    assert_problem(api.get(f"/api/people/{api.people['borrower2']}/credits", role="borrower"),
                   404)
    assert_problem(api.get("/api/people/no-such-person/credits"), 404)


def test_recording_a_completion_is_idempotent_with_a_key(api: Api) -> None:
    person = _person(api)
    body = {"course": "remittances-and-savings", "completed_on": "2026-04-04", "score": 90}
    first = api.post(f"/api/people/{person}/course-completions", body, key="course-once")
    again = api.post(f"/api/people/{person}/course-completions", body, key="course-once")
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json() and again.headers["idempotent-replayed"] == "true"
    assert api.get(f"/api/people/{person}/credits").json()["total"] == 1


def _project_copy(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "policies", tmp_path / "policies")
    shutil.copytree(ROOT / "migrations", tmp_path / "migrations",
                    ignore=shutil.ignore_patterns("__pycache__"))
    return tmp_path


def test_stored_decisions_keep_the_version_and_sha256_they_were_made_with(
        api: Api, tmp_path: Path) -> None:
    from aidledger.rules.loader import load_policies

    person = _person(api)
    old = _complete(api, person, "budgeting-basics", "2026-05-01").json()
    old_sha = old["completion"]["decision"]["sha256"]
    project = _project_copy(tmp_path)
    course_file = project / "policies/course-credits.yaml"
    course_file.write_text(course_file.read_text().replace(
        "versions:\n", "versions:\n", 1) + """  - version: 2
    effective_from: 2026-06-01
    params:
      refresher_after_months: 6
    courses:
      - code: budgeting-basics
        title: "Budgeting basics"
        credits: 3
        passing_score: 50
        languages: [en]
    rules:
      - id: first-completion
        description: A course earns its credits the first time it is passed.
        condition: "!history.credited_before"
        credits: course.credits
      - id: refresher
        description: Again after 6 months.
        condition: >-
          history.credited_before
          && history.months_since_last_credit >= params.refresher_after_months
        credits: course.credits
""")
    # What a restart with the edited file amounts to: the app decides with the new set.
    state = api.client.app.state
    original = state.context
    state.context = dataclasses.replace(original,
                                        policies=load_policies(project / "policies"))
    try:
        policy = api.get("/api/policies/course-credits").json()
        assert policy["sha256"] != old_sha and len(policy["versions"]) == 2
        new = _complete(api, person, "budgeting-basics", "2026-11-02", score=None).json()
        assert new["completion"]["decision"]["version"] == 2
        assert new["credits_awarded"] == [{"rule": "refresher", "credits": 3}]
        credits = api.get(f"/api/people/{person}/credits").json()
    finally:
        state.context = original
    first, second = credits["awards"]
    assert (first["policy_version"], first["policy_sha256"], first["credits"]) == (1, old_sha, 1)
    assert (second["policy_version"], second["policy_sha256"]) == (2, policy["sha256"])


def test_a_broken_policy_file_stops_start_up(api: Api, tmp_path: Path) -> None:
    from aidledger.api.app import create_app
    from aidledger.rules.model import PolicyError
    from aidledger.settings import load_settings

    project = _project_copy(tmp_path)
    path = project / "policies/loan-eligibility.yaml"
    path.write_text(path.read_text().replace("applicant.age >= params.adult_age",
                                             "applicant.agee >= params.adult_age"))
    settings = dataclasses.replace(load_settings(), project_root=project)
    # The test client runs start-up in a task group, which wraps what it raises.
    with pytest.raises(ExceptionGroup) as refused, TestClient(app=create_app(settings)):
        pass
    assert refused.group_contains(PolicyError, match=r"loan-eligibility\.yaml.*rule 'adult'")
    checked = subprocess.run([sys.executable, "-m", "aidledger.cli", "policies", "check"],
                             env={**os.environ, "AIDLEDGER_ROOT": str(project)},
                             capture_output=True, text=True, check=False)
    assert checked.returncode == 2
    assert "loan-eligibility.yaml" in checked.stderr and "applicant.agee" in checked.stderr
