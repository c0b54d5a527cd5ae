"""The loan lifecycle through HTTP, figures worked out by hand on a flat loan:
3,000.00 at flat 12 % over 3 months is 1,000.00 principal + 30.00 interest a month."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from tests.support import Api, assert_problem, today, unique

TODAY = date.fromisoformat(today())
DISBURSED = TODAY - timedelta(days=100)


def _day(offset_months: int, plus_days: int = 0) -> str:
    months = DISBURSED.month - 1 + offset_months
    year, month = DISBURSED.year + months // 12, months % 12 + 1
    return (date(year, month, min(DISBURSED.day, 28)) + timedelta(days=plus_days)).isoformat()


def _setup(api: Api, *, credits: bool = True, cash: str = "50000.00",
           amount_max: str = "20000.00") -> dict[str, str]:
    fund = api.new_fund(contribution=cash)
    product = unique("flat")
    created = api.post("/api/loan-products", {
        "code": product, "name": "Flat starter", "fund": fund, "interest_method": "flat",
        "amortization": "equal_installments", "annual_rate_percent": "12",
        "repayment_every": {"count": 1, "unit": "month"}, "installments": 3,
        "min_amount": "1000.00", "max_amount": amount_max,
        "late_penalty": {"amount": "50.00", "after_days": 5}}, key=None)
    assert created.status_code == 201, created.text
    person = api.post("/api/people", {"full_name": unique("Borrower"),
                                      "preferred_language": "id",
                                      "date_of_birth": "1992-08-17"}).json()["id"]
    if credits:
        for course, on in (("budgeting-basics", "2025-06-01"),
                           ("avoiding-debt-traps", "2025-07-01")):
            recorded = api.post(f"/api/people/{person}/course-completions",
                                {"course": course, "completed_on": on, "score": 90}, key=None)
            assert recorded.status_code == 201
    return {"fund": fund, "product": product, "person": person}


def _apply(api: Api, setup: dict[str, str], amount: str = "3000.00",
           **options: Any) -> Any:
    return api.post("/api/loans", {"person": setup["person"], "product": setup["product"],
                                   "amount": amount, "purpose": "Stock for a market stall",
                                   "applied_on": DISBURSED.isoformat()}, key=None, **options)


def _approved(api: Api, setup: dict[str, str], amount: str = "3000.00") -> str:
    loan = _apply(api, setup, amount).json()
    approved = api.post(f"/api/loans/{loan['id']}/approvals", {"note": "ok"}, key=None,
                        role="admin2")
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    loan_id: str = loan["id"]
    return loan_id


def test_apply_approve_disburse_repay_close(api: Api) -> None:
    setup = _setup(api)
    applied = _apply(api, setup)
    assert applied.status_code == 201, applied.text
    loan = applied.json()
    assert (loan["status"], loan["amount"], loan["approvals_needed"]) == (
        "pending_approval", "3000.00", 1)
    assert loan["decision"]["policy"] == "loan-eligibility"
    assert loan["decision"]["outcome"] == "eligible"
    assert_problem(api.post(f"/api/loans/{loan['id']}/approvals", {}, key=None), 403)
    approved = api.post(f"/api/loans/{loan['id']}/approvals", {"note": "Visited the stall"},
                        key=None, role="admin2").json()
    assert approved["status"] == "approved"
    assert approved["approvals"][0]["by"] == "t-admin2"
    disbursed = api.post(f"/api/loans/{loan['id']}/disbursement",
                         {"date": DISBURSED.isoformat()})
    assert disbursed.status_code == 200, disbursed.text
    assert disbursed.json()["status"] == "active"
    entry = api.get(f"/api/journal/{disbursed.json()['disbursement_entry_id']}").json()
    assert [(line["account"], line["debit"], line["credit"]) for line in entry["lines"]] == [
        ("1100", "3000.00", "0.00"), ("1000", "0.00", "3000.00")]
    assert api.balances(setup["fund"])["1100"] == "3000.00"

    on_time = api.post(f"/api/loans/{loan['id']}/repayments",
                       {"amount": "1030.00", "date": _day(1)}).json()
    assert on_time["allocation"] == {"penalties": "0.00", "fees": "0.00", "interest": "30.00",
                                     "principal": "1000.00", "overpayment": "0.00",
                                     "recovery": "0.00"}
    assert [(line["account"], line["debit"], line["credit"])
            for line in on_time["entry"]["lines"]] == [
        ("1000", "1030.00", "0.00"), ("1100", "0.00", "1000.00"), ("4000", "0.00", "30.00")]
    late = api.post(f"/api/loans/{loan['id']}/repayments",
                    {"amount": "1080.00", "date": _day(2, plus_days=10)}).json()
    assert (late["allocation"]["penalties"], late["allocation"]["interest"],
            late["allocation"]["principal"]) == ("50.00", "30.00", "1000.00")
    last = api.post(f"/api/loans/{loan['id']}/repayments",
                    {"amount": "1100.00", "date": _day(3, plus_days=2)})
    assert last.status_code == 201, last.text
    assert last.json()["allocation"]["overpayment"] == "70.00"
    assert last.json()["outstanding"]["total"] == "0.00"
    assert api.get(f"/api/loans/{loan['id']}").json()["status"] == "closed"
    balances = api.balances(setup["fund"])
    assert (balances["1100"], balances["4000"], balances["4100"], balances["2000"]) == (
        "0.00", "90.00", "50.00", "70.00")
    assert balances["1000"] == "50210.00"  # 50,000 - 3,000 + 1,030 + 1,080 + 1,100
    schedule = api.get(f"/api/loans/{loan['id']}/schedule", role="auditor").json()
    assert [(row["status"], row["paid"], row["penalties"])
            for row in schedule["installments"]] == [
        ("paid", "1030.00", "0.00"), ("paid", "1080.00", "50.00"), ("paid", "1030.00", "0.00")]
    assert (schedule["totals"]["penalties"], schedule["totals"]["total"]) == ("50.00", "3140.00")
    quoted = api.post(f"/api/loan-products/{setup['product']}/quote",
                      {"amount": "3000.00", "disbursement_date": DISBURSED.isoformat()},
                      key=None).json()
    assert schedule["apr_percent"] == quoted["apr_percent"]  # the contract's true cost
    assert [row["due_date"] for row in schedule["installments"]] == [
        row["due_date"] for row in quoted["installments"]]
    trial = api.get(f"/api/funds/{setup['fund']}/trial-balance").json()
    assert trial["total_debit"] == trial["total_credit"]
    assert api.verify(setup["fund"])["ok"] is True


def test_an_ineligible_application_is_stored_rejected_with_reasons(api: Api) -> None:
    setup = _setup(api, credits=False)
    loan = _apply(api, setup).json()
    assert loan["status"] == "rejected"
    failing = [reason["rule"] for reason in loan["decision"]["reasons"] if not reason["passed"]]
    assert failing == ["first-loan-needs-course-credits"]
    assert_problem(api.post(f"/api/loans/{loan['id']}/approvals", {}, key=None,
                            role="admin2"), 409)


def test_large_loans_need_two_different_approvers(api: Api) -> None:
    setup = _setup(api)
    api.post(f"/api/people/{setup['person']}/course-completions",
             {"course": "small-business-planning", "completed_on": "2025-08-01", "score": 80},
             key=None)  # 5 credits: the full product maximum
    loan = _apply(api, setup, amount="12000.00").json()
    assert loan["approvals_needed"] == 2
    once = api.post(f"/api/loans/{loan['id']}/approvals", {}, key=None, role="admin2").json()
    assert once["status"] == "pending_approval"
    assert_problem(api.post(f"/api/loans/{loan['id']}/approvals", {}, key=None,
                            role="admin2"), 409)
    third = unique("approver")
    api.post("/api/users", {"username": third, "password": "correct horse battery staple",
                            "role": "admin"})
    token = api.client.post("/api/auth/token", json={
        "username": third, "password": "correct horse battery staple"}).json()["access_token"]
    twice = api.client.post(f"/api/loans/{loan['id']}/approvals", json={},
                            headers={"Authorization": f"Bearer {token}"})
    assert twice.status_code == 200 and twice.json()["status"] == "approved"


def test_approval_reserves_cash_and_refuses_what_is_not_there(api: Api) -> None:
    setup = _setup(api, cash="5000.00")
    first = _approved(api, setup, amount="3000.00")
    # 5,000.00 cash, 3,000.00 reserved: a manual payment may take only 2,000.00.
    lines = [("5000", "debit", "2000.01"), ("1000", "credit", "2000.01")]
    assert_problem(api.entry(setup["fund"], lines), 409)
    second = _apply(api, setup, amount="2500.00").json()
    short = api.post(f"/api/loans/{second['id']}/approvals", {}, key=None, role="admin2")
    assert_problem(short, 409, "amount")
    assert api.get(f"/api/loans/{second['id']}").json()["status"] == "pending_approval"
    cancelled = api.post(f"/api/loans/{first}/cancellation", {"reason": "Found work"},
                         key=None).json()
    assert cancelled["status"] == "cancelled"
    again = api.post(f"/api/loans/{second['id']}/approvals", {}, key=None, role="admin2")
    assert again.status_code == 200 and again.json()["status"] == "approved"


def test_disbursement_happens_once(api: Api) -> None:
    setup = _setup(api)
    loan = _approved(api, setup)
    body = {"date": DISBURSED.isoformat()}
    first = api.post(f"/api/loans/{loan}/disbursement", body, key="pay-out-once")
    replay = api.post(f"/api/loans/{loan}/disbursement", body, key="pay-out-once")
    assert replay.headers["idempotent-replayed"] == "true" and replay.json() == first.json()
    assert_problem(api.post(f"/api/loans/{loan}/disbursement", body), 409)
    assert_problem(api.post(f"/api/loans/{loan}/disbursement", body, key=None), 400,
                   "Idempotency-Key")
    assert api.balances(setup["fund"])["1100"] == "3000.00"


def test_payoff_closes_the_loan(api: Api) -> None:
    setup = _setup(api)
    loan = _approved(api, setup)
    api.post(f"/api/loans/{loan}/disbursement", {"date": DISBURSED.isoformat()})
    payoff = api.get(f"/api/loans/{loan}/payoff", params={"date": _day(1, plus_days=-5)},
                     role="auditor").json()
    assert (payoff["principal"], payoff["interest"], payoff["total"]) == (
        "3000.00", "90.00", "3090.00")  # a flat loan's interest is all due
    paid = api.post(f"/api/loans/{loan}/repayments",
                    {"amount": payoff["total"], "date": payoff["date"]}).json()
    assert paid["outstanding"]["total"] == "0.00"
    assert api.get(f"/api/loans/{loan}").json()["status"] == "closed"
    assert_problem(api.get(f"/api/loans/{loan}/payoff"), 409)


def test_write_off_and_recovery(api: Api) -> None:
    setup = _setup(api)
    loan = _approved(api, setup)
    api.post(f"/api/loans/{loan}/disbursement", {"date": DISBURSED.isoformat()})
    api.post(f"/api/loans/{loan}/repayments", {"amount": "1030.00", "date": _day(1)})
    written = api.post(f"/api/loans/{loan}/write-off",
                       {"date": _day(3), "reason": "Left Hong Kong; no contact"})
    assert written.status_code == 200 and written.json()["status"] == "written_off"
    balances = api.balances(setup["fund"])
    assert (balances["1100"], balances["5100"]) == ("0.00", "2000.00")
    recovery = api.post(f"/api/loans/{loan}/repayments", {"amount": "500.00",
                                                          "date": today()}).json()
    assert recovery["allocation"]["recovery"] == "500.00"
    assert [(line["account"], line["credit"]) for line in recovery["entry"]["lines"]][1] == (
        "4200", "500.00")
    assert_problem(api.post(f"/api/loans/{loan}/write-off",
                            {"date": today(), "reason": "again"}), 409)
    assert api.verify(setup["fund"])["ok"] is True


def test_borrowers_see_their_own_loans_only(api: Api) -> None:
    setup = _setup(api)
    borrower = api.people["borrower"]
    for course, on in (("budgeting-basics", "2025-06-01"), ("avoiding-debt-traps", "2025-07-01")):
        api.post(f"/api/people/{borrower}/course-completions",
                 {"course": course, "completed_on": on, "score": 90}, key=None)
    own = api.post("/api/loans", {"person": borrower, "product": setup["product"],
                                  "amount": "1500.00", "purpose": "Sewing machine"}, key=None)
    assert own.status_code == 201, own.text
    other = _apply(api, setup).json()
    mine = api.get("/api/me/loans", role="borrower").json()["items"]
    assert own.json()["id"] in [loan["id"] for loan in mine]
    assert other["id"] not in [loan["id"] for loan in mine]
    listed = api.get("/api/loans", role="borrower", params={"person": setup["person"]})
    assert other["id"] not in [loan["id"] for loan in listed.json()["items"]]
    for path in (f"/api/loans/{other['id']}", f"/api/loans/{other['id']}/schedule"):
        assert_problem(api.get(path, role="borrower"), 404)
    assert api.get(f"/api/loans/{own.json()['id']}/schedule", role="borrower").status_code == 200
    assert_problem(api.get("/api/me/loans", role="auditor"), 403)
    assert_problem(_apply(api, setup, role="borrower"), 403)
    assert_problem(api.post(f"/api/loans/{other['id']}/approvals", {}, key=None,
                            role="auditor"), 403)


@pytest.mark.parametrize(("change", "status", "field"), [
    ({"amount": "999.99"}, 422, "amount"),
    ({"amount": "25000.00"}, 422, "amount"),
    ({"installments": 5}, 422, "installments"),
    ({"product": "no-such-product"}, 422, "product"),
    ({"person": "no-such-person"}, 422, "person"),
    ({"applied_on": "2999-01-01"}, 422, "applied_on"),
    ({"amount": 3000}, 400, "amount"),
    ({"purpose": ""}, 400, "purpose"),
])
def test_bad_applications(api: Api, change: dict[str, Any], status: int, field: str) -> None:
    setup = _setup(api, credits=False)
    body = {"person": setup["person"], "product": setup["product"], "amount": "3000.00",
            "purpose": "Stock", **change}
    assert_problem(api.post("/api/loans", body, key=None), status, field)


def test_dates_must_follow_the_loan(api: Api) -> None:
    setup = _setup(api)
    loan = _approved(api, setup)
    early = (DISBURSED - timedelta(days=1)).isoformat()
    assert_problem(api.post(f"/api/loans/{loan}/disbursement", {"date": early}), 422, "date")
    api.post(f"/api/loans/{loan}/disbursement", {"date": DISBURSED.isoformat()})
    assert_problem(api.post(f"/api/loans/{loan}/repayments", {"amount": "10.00",
                                                              "date": early}), 422, "date")
    api.post(f"/api/loans/{loan}/repayments", {"amount": "10.00", "date": _day(1)})
    assert_problem(api.post(f"/api/loans/{loan}/repayments",
                            {"amount": "10.00", "date": _day(0, plus_days=3)}), 422, "date")
    assert_problem(api.post(f"/api/loans/{loan}/repayments", {"amount": "0", "date": _day(1)}),
                   400, "amount")


def test_rejection_with_a_reason(api: Api) -> None:
    setup = _setup(api)
    loan = _apply(api, setup).json()
    assert_problem(api.post(f"/api/loans/{loan['id']}/rejection", {"reason": "x"}, key=None,
                            role="auditor"), 403)
    assert_problem(api.post(f"/api/loans/{loan['id']}/rejection", {}, key=None), 400, "reason")
    rejected = api.post(f"/api/loans/{loan['id']}/rejection",
                        {"reason": "Business plan not viable yet"}, key=None).json()
    assert (rejected["status"], rejected["status_reason"]) == (
        "rejected", "Business plan not viable yet")
    assert_problem(api.post(f"/api/loans/{loan['id']}/rejection", {"reason": "again"},
                            key=None), 409)
    approved = _approved(api, setup)
    assert_problem(api.post(f"/api/loans/{approved}/rejection", {"reason": "late"}, key=None),
                   409)
    events = api.get("/api/audit/events", params={"subject_kind": "loan",
                                                  "subject_id": loan["id"]}).json()["items"]
    assert [event["action"] for event in events] == ["loan.applied", "loan.rejected"]
    assert events[1]["before"] == {"status": "pending_approval"}


def test_a_partial_payment_and_a_borrowers_payoff(api: Api) -> None:
    borrower = api.people["borrower2"]
    for course, on in (("budgeting-basics", "2025-06-01"), ("avoiding-debt-traps", "2025-07-01")):
        api.post(f"/api/people/{borrower}/course-completions",
                 {"course": course, "completed_on": on, "score": 90}, key=None)
    setup = {**_setup(api, credits=False), "person": borrower}
    loan = _approved(api, setup)
    api.post(f"/api/loans/{loan}/disbursement", {"date": TODAY.isoformat()})
    partial = api.post(f"/api/loans/{loan}/repayments", {"amount": "500.00",
                                                         "date": today()}).json()
    assert (partial["allocation"]["interest"], partial["allocation"]["principal"]) == (
        "30.00", "470.00")
    rows = api.get(f"/api/loans/{loan}/schedule", role="borrower2").json()["installments"]
    assert (rows[0]["status"], rows[0]["paid"]) == ("partial", "500.00")
    assert rows[1]["status"] == "upcoming"
    own = api.get(f"/api/loans/{loan}/payoff", role="borrower2").json()
    assert own["total"] == "2590.00"  # 3,090.00 of a flat loan, less 500.00 paid
    assert_problem(api.get(f"/api/loans/{loan}/payoff", role="borrower"), 404)
    assert_problem(api.get(f"/api/loans/{loan}/payoff", params={"date": "soon"}), 400, "date")


def test_zero_instalments_is_refused_not_read_as_the_default(api: Api) -> None:
    setup = _setup(api)
    body = {"person": setup["person"], "product": setup["product"], "amount": "3000.00",
            "purpose": "Stock", "installments": 0}
    assert_problem(api.post("/api/loans", body, key=None), 422, "installments")
    assert_problem(api.post(f"/api/loan-products/{setup['product']}/quote",
                            {"amount": "3000.00", "disbursement_date": today(),
                             "installments": 0}, key=None), 422, "installments")
