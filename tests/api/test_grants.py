"""Emergency grants through HTTP."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support import Api, assert_problem, today, unique


def _program(api: Api, fund: str, **changes: Any) -> str:
    code = unique("medical")
    body = {"code": code, "name": "Medical emergencies", "fund": fund, "category": "medical",
            "max_per_person": "5000.00", "budget": "8000.00", **changes}
    created = api.post("/api/grant-programs", body, key=None)
    assert created.status_code == 201, created.text
    return code


def _person(api: Api) -> str:
    person: str = api.post("/api/people", {"full_name": unique("Member"),
                                           "preferred_language": "ne",
                                           "date_of_birth": "1985-03-03"}).json()["id"]
    return person


def _apply(api: Api, person: str, program: str, amount: str = "3000.00", **options: Any) -> Any:
    return api.post("/api/grants", {"person": person, "program": program, "amount": amount,
                                    "reason": "Hospital deposit for emergency surgery"},
                    key=None, **options)


def test_apply_approve_pay(api: Api) -> None:
    fund = api.new_fund(contribution="20000.00")
    program = _program(api, fund)
    person = _person(api)
    grant = _apply(api, person, program).json()
    assert (grant["status"], grant["decision"]["policy"], grant["approvals_needed"]) == (
        "pending_approval", "grant-eligibility", 1)
    assert_problem(api.post(f"/api/grants/{grant['id']}/approvals", {}, key=None), 403)
    approved = api.post(f"/api/grants/{grant['id']}/approvals", {}, key=None,
                        role="admin2").json()
    assert approved["status"] == "approved"
    listed = next(item for item in api.every("/api/grant-programs", role="auditor")
                  if item["code"] == program)
    assert (listed["committed"], listed["remaining"], listed["currency"]) == (
        "3000.00", "5000.00", "HKD")
    paid = api.post(f"/api/grants/{grant['id']}/disbursement", {
        "date": today(), "method": "paid_to_provider", "reference": "INV-2026-0042",
        "payee": "Queen Elizabeth Hospital"})
    assert paid.status_code == 200, paid.text
    body = paid.json()
    assert body["status"] == "paid" and body["payment"] == {
        "method": "paid_to_provider", "reference": "INV-2026-0042",
        "payee": "Queen Elizabeth Hospital"}
    entry = api.get(f"/api/journal/{body['entry_id']}").json()
    assert [(line["account"], line["debit"], line["credit"]) for line in entry["lines"]] == [
        ("5000", "3000.00", "0.00"), ("1000", "0.00", "3000.00")]
    assert api.balances(fund)["1000"] == "17000.00"
    assert_problem(api.post(f"/api/grants/{grant['id']}/disbursement",
                            {"date": today(), "method": "cash"}), 409)
    trial = api.get(f"/api/funds/{fund}/trial-balance").json()
    assert trial["total_debit"] == trial["total_credit"]
    assert api.verify(fund)["ok"] is True
    events = api.get("/api/audit/events", params={"subject_kind": "grant",
                                                  "subject_id": grant["id"]},
                     role="auditor").json()["items"]
    assert [(event["action"], event["actor"]) for event in events] == [
        ("grant.applied", "t-admin"), ("grant.approved", "t-admin2"), ("grant.paid", "t-admin")]
    assert events[2]["before"] == {"status": "approved"}
    assert events[2]["after"] == {"status": "paid"}


def test_the_per_person_cap_decides_and_is_checked_again_at_approval(api: Api) -> None:
    fund = api.new_fund(contribution="20000.00")
    program = _program(api, fund, budget=None)
    person = _person(api)
    first = _apply(api, person, program, amount="3000.00").json()
    api.post(f"/api/grants/{first['id']}/approvals", {}, key=None, role="admin2")
    over = _apply(api, person, program, amount="2500.00").json()
    assert over["status"] == "rejected"
    assert [reason["rule"] for reason in over["decision"]["reasons"]
            if not reason["passed"]] == ["within-per-person-cap"]
    fits = _apply(api, person, program, amount="2000.00").json()
    assert fits["status"] == "pending_approval"


def test_one_pending_application_per_person_and_programme(api: Api) -> None:
    fund = api.new_fund(contribution="20000.00")
    program = _program(api, fund)
    person = _person(api)
    first = _apply(api, person, program).json()
    second = _apply(api, person, program, amount="100.00")
    assert_problem(second, 409, "person")
    assert second.json()["pending_grant"] == first["id"]


def test_budget_and_cash_are_both_reserved_and_released(api: Api) -> None:
    fund = api.new_fund(contribution="20000.00")
    program = _program(api, fund, budget="5000.00")
    grants = [_apply(api, _person(api), program, amount="3000.00").json()["id"]
              for _ in range(2)]
    assert api.post(f"/api/grants/{grants[0]}/approvals", {}, key=None,
                    role="admin2").status_code == 200
    over_budget = api.post(f"/api/grants/{grants[1]}/approvals", {}, key=None, role="admin2")
    assert_problem(over_budget, 409, "amount")
    cancelled = api.post(f"/api/grants/{grants[0]}/cancellation", {"reason": "Paid by NGO"},
                         key=None).json()
    assert cancelled["status"] == "cancelled"
    assert api.post(f"/api/grants/{grants[1]}/approvals", {}, key=None,
                    role="admin2").json()["status"] == "approved"
    poor = api.new_fund(contribution="1000.00")
    small = _program(api, poor, budget=None)
    short = _apply(api, _person(api), small, amount="1500.00").json()
    assert_problem(api.post(f"/api/grants/{short['id']}/approvals", {}, key=None,
                            role="admin2"), 409, "amount")


@pytest.mark.parametrize(("body", "status", "field"), [
    ({"method": "cheque"}, 400, "method"),
    ({"method": "paid_to_provider"}, 422, "payee"),
    ({"method": "cash", "date": "2999-01-01"}, 422, "date"),
])
def test_bad_payments(api: Api, body: dict[str, Any], status: int, field: str) -> None:
    fund = api.new_fund(contribution="20000.00")
    grant = _apply(api, _person(api), _program(api, fund)).json()["id"]
    api.post(f"/api/grants/{grant}/approvals", {}, key=None, role="admin2")
    assert_problem(api.post(f"/api/grants/{grant}/disbursement", {"date": today(), **body}),
                   status, field)
    assert_problem(api.post(f"/api/grants/{grant}/disbursement",
                            {"date": today(), "method": "cash"}, key=None), 400,
                   "Idempotency-Key")


@pytest.mark.parametrize(("body", "status", "field"), [
    ({"category": "luxury"}, 400, "category"),
    ({"max_per_person": "0"}, 400, "max_per_person"),
    ({"budget": "12.345"}, 400, "budget"),
    ({"fund": "no-such-fund"}, 422, "fund"),
    ({"eligibility_policy": "loan-eligibility"}, 422, "eligibility_policy"),
])
def test_bad_programmes(api: Api, body: dict[str, Any], status: int, field: str) -> None:
    fund = api.new_fund()
    request = {"code": unique("p"), "name": "P", "fund": fund, "category": "food",
               "max_per_person": "100.00", **body}
    assert_problem(api.post("/api/grant-programs", request, key=None), status, field)


def test_grant_roles_and_privacy(api: Api) -> None:
    fund = api.new_fund(contribution="20000.00")
    program = _program(api, fund)
    own = _apply(api, api.people["borrower"], program).json()
    other = _apply(api, _person(api), program).json()
    assert api.get(f"/api/grants/{own['id']}", role="borrower").status_code == 200
    assert_problem(api.get(f"/api/grants/{other['id']}", role="borrower"), 404)
    assert api.get(f"/api/grants/{other['id']}", role="auditor").status_code == 200
    assert_problem(_apply(api, _person(api), program, role="auditor"), 403)
    assert_problem(api.post(f"/api/grants/{other['id']}/approvals", {}, key=None,
                            role="auditor"), 403)
    assert_problem(api.get("/api/grant-programs", role="borrower"), 403)
    assert_problem(_apply(api, _person(api), "no-such-programme"), 422, "program")
    assert_problem(_apply(api, "no-such-person", program), 422, "person")
    rejected = api.post(f"/api/grants/{other['id']}/rejection", {"reason": "Duplicate"},
                        key=None).json()
    assert rejected["status"] == "rejected"


def test_a_loan_decision_sees_the_grants_received(api: Api, tmp_path: Any) -> None:
    import dataclasses
    import shutil
    from pathlib import Path

    from aidledger.rules.loader import load_policies

    root = Path(__file__).resolve().parents[2]
    shutil.copytree(root / "policies", tmp_path / "policies")
    strict = tmp_path / "policies" / "loan-eligibility.yaml"
    strict.write_text(strict.read_text().replace("""    rules:
      - id: adult""", """    rules:
      - id: no-recent-grant
        description: No emergency grant in the last year.
        condition: applicant.grants_received_last_365_days == 0
      - id: adult""", 1))
    fund = api.new_fund(contribution="50000.00")
    person = _person(api)
    for course, on in (("budgeting-basics", "2025-06-01"), ("avoiding-debt-traps", "2025-07-01")):
        api.post(f"/api/people/{person}/course-completions",
                 {"course": course, "completed_on": on, "score": 90}, key=None)
    grant = _apply(api, person, _program(api, fund), amount="1200.00").json()["id"]
    api.post(f"/api/grants/{grant}/approvals", {}, key=None, role="admin2")
    product = unique("loan")
    assert api.post("/api/loan-products", {
        "code": product, "name": "Loan", "fund": fund, "interest_method": "flat",
        "amortization": "equal_installments", "annual_rate_percent": "10",
        "repayment_every": {"count": 1, "unit": "month"}, "installments": 6,
        "min_amount": "100.00", "max_amount": "9000.00"}, key=None).status_code == 201
    state = api.client.app.state
    original = state.context
    state.context = dataclasses.replace(original,
                                        policies=load_policies(tmp_path / "policies"))
    try:
        loan = api.post("/api/loans", {"person": person, "product": product,
                                       "amount": "1000.00", "purpose": "Tools"},
                        key=None).json()
    finally:
        state.context = original
    reason = loan["decision"]["reasons"][0]
    assert (reason["rule"], reason["passed"]) == ("no-recent-grant", False)
    assert reason["detail"] == "applicant.grants_received_last_365_days = 1200.00 HKD"
    assert loan["status"] == "rejected"


def test_the_cap_window_is_the_policys_parameter(api: Api, tmp_path: Any) -> None:
    """The per-person cap counts grants over the programme policy's cap_window_days, at
    application (the decision) and again at approval."""
    import dataclasses
    import shutil
    from datetime import UTC, datetime, timedelta
    from pathlib import Path

    from aidledger.rules.loader import load_policies
    from tests.support import ClockAt

    root = Path(__file__).resolve().parents[2]
    shutil.copytree(root / "policies", tmp_path / "policies")
    policy = tmp_path / "policies" / "grant-eligibility.yaml"
    policy.write_text(policy.read_text().replace("cap_window_days: 365", "cap_window_days: 30"))
    short_window = load_policies(tmp_path / "policies")
    fund = api.new_fund(contribution="20000.00")
    program = _program(api, fund, budget=None)  # cap 5000.00 per person
    person = _person(api)
    state = api.client.app.state
    original = state.context
    forty_days_ago = datetime.now(UTC) - timedelta(days=40)
    state.context = dataclasses.replace(original, clock=ClockAt(forty_days_ago))
    try:
        earlier = _apply(api, person, program, amount="3000.00").json()
        approved = api.post(f"/api/grants/{earlier['id']}/approvals", {}, key=None,
                            role="admin2")
        assert approved.json()["status"] == "approved", approved.text
    finally:
        state.context = original

    # The shipped policy looks back 365 days: 3000 + 3000 is over the cap of 5000.
    refused = _apply(api, person, program, amount="3000.00").json()
    assert refused["status"] == "rejected"
    failing = [reason["rule"] for reason in refused["decision"]["reasons"]
               if not reason["passed"]]
    assert failing == ["within-per-person-cap"]

    # A 30-day window no longer sees the grant of 40 days ago, when deciding or approving.
    state.context = dataclasses.replace(original, policies=short_window)
    try:
        within = _apply(api, person, program, amount="3000.00").json()
        assert within["status"] == "pending_approval", within
        cap_reason = next(reason for reason in within["decision"]["reasons"]
                          if reason["rule"] == "within-per-person-cap")
        assert "applicant.grants_received_last_365_days = 0.00 HKD" in cap_reason["detail"]
        approved = api.post(f"/api/grants/{within['id']}/approvals", {}, key=None,
                            role="admin2")
        assert approved.json()["status"] == "approved", approved.text
    finally:
        state.context = original
