"""A fund with books worth reporting on: donations, manual entries on several days, loans
current, about 35 and about 95 days late and one written off, and grants paid."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from dateutil.relativedelta import relativedelta

from tests.support import Api, ClockAt, today, unique

TODAY = date.fromisoformat(today())
PERIOD_START = TODAY - timedelta(days=400)


@contextmanager
def clock_at(api: Api, day: date) -> Iterator[None]:
    """The service's clock on `day` (at this time of day) while the block runs."""
    state = api.client.app.state
    original = state.context
    moment = datetime.now(UTC) - timedelta(days=(TODAY - day).days)
    state.context = dataclasses.replace(original, clock=ClockAt(moment))
    try:
        yield
    finally:
        state.context = original


@dataclass
class Books:
    fund: str
    loans: dict[str, str] = field(default_factory=dict)  # what it shows -> loan id
    grants: list[str] = field(default_factory=list)
    program: str = ""


def loan_product(api: Api, fund: str) -> str:
    product = unique("flat")
    created = api.post("/api/loan-products", {
        "code": product, "name": "Flat starter", "fund": fund, "interest_method": "flat",
        "amortization": "equal_installments", "annual_rate_percent": "12",
        "repayment_every": {"count": 1, "unit": "month"}, "installments": 6,
        "min_amount": "1000.00", "max_amount": "20000.00",
        "late_penalty": {"amount": "50.00", "after_days": 5}}, key=None)
    assert created.status_code == 201, created.text
    return product


def member(api: Api) -> str:
    person = api.post("/api/people", {"full_name": unique("Borrower"),
                                      "preferred_language": "vi",
                                      "date_of_birth": "1990-05-01"}).json()["id"]
    for course, on in (("budgeting-basics", "2025-06-01"), ("avoiding-debt-traps", "2025-07-01")):
        recorded = api.post(f"/api/people/{person}/course-completions",
                            {"course": course, "completed_on": on, "score": 90}, key=None)
        assert recorded.status_code == 201, recorded.text
    identifier: str = person
    return identifier


def disbursed_loan(api: Api, fund: str, product: str, amount: str, on: date) -> str:
    loan = api.post("/api/loans", {"person": member(api), "product": product, "amount": amount,
                                   "purpose": "Sewing machine", "applied_on": on.isoformat()},
                    key=None)
    assert loan.status_code == 201, loan.text
    loan_id: str = loan.json()["id"]
    approved = api.post(f"/api/loans/{loan_id}/approvals", {"note": "ok"}, key=None,
                        role="admin2")
    assert approved.json()["status"] == "approved", approved.text
    disbursed = api.post(f"/api/loans/{loan_id}/disbursement", {"date": on.isoformat()})
    assert disbursed.status_code == 200, disbursed.text
    return loan_id


def make_books(api: Api) -> Books:
    fund = api.new_fund()
    books = Books(fund)
    for days_ago, amount in ((390, "60000.00"), (200, "15000.50"), (3, "1234.56")):
        contributed = api.post(f"/api/funds/{fund}/contributions", {
            "amount": amount, "donor": "Kowloon \"Friends\", of migrants",
            "date": (TODAY - timedelta(days=days_ago)).isoformat()})
        assert contributed.status_code == 201, contributed.text
    rent = api.entry(fund, [("5000", "debit", "800.00"), ("1000", "credit", "800.00")],
                     date=(TODAY - timedelta(days=30)).isoformat(), memo="Hall rent, 3/F")
    assert rent.status_code == 201, rent.text
    product = loan_product(api, fund)
    # First instalments fall due a month after disbursement; "late-10" pays its first on
    # time and owes its second since about ten days.
    books.loans["current"] = disbursed_loan(api, fund, product, "3000.00",
                                            TODAY - timedelta(days=10))
    books.loans["late-35"] = disbursed_loan(
        api, fund, product, "2000.00", TODAY - timedelta(days=35) - relativedelta(months=1))
    books.loans["late-95"] = disbursed_loan(
        api, fund, product, "4000.00", TODAY - timedelta(days=95) - relativedelta(months=1))
    paid_up = books.loans["late-10"] = disbursed_loan(
        api, fund, product, "6000.00", TODAY - timedelta(days=70))
    repaid = api.post(f"/api/loans/{paid_up}/repayments",
                      {"amount": "1060.00", "date": (TODAY - timedelta(days=40)).isoformat()})
    assert repaid.status_code == 201, repaid.text
    written = books.loans["written-off"] = disbursed_loan(
        api, fund, product, "1500.00", TODAY - timedelta(days=300))
    wrote_off = api.post(f"/api/loans/{written}/write-off",
                         {"date": (TODAY - timedelta(days=20)).isoformat(),
                          "reason": "Returned home; no contact"})
    assert wrote_off.status_code == 200, wrote_off.text
    books.program = unique("medical")
    created = api.post("/api/grant-programs", {
        "code": books.program, "name": "Medical emergencies", "fund": fund,
        "category": "medical", "max_per_person": "5000.00", "budget": "20000.00"}, key=None)
    assert created.status_code == 201, created.text
    for amount, days_ago, method in (("1200.00", 60, "cash"), ("800.25", 5, "bank_transfer")):
        # Grants are applied for today: the clock goes back to the day of the payment.
        with clock_at(api, TODAY - timedelta(days=days_ago)):
            grant = api.post("/api/grants", {"person": member(api), "program": books.program,
                                             "amount": amount, "reason": "Hospital deposit"},
                             key=None).json()
            approved = api.post(f"/api/grants/{grant['id']}/approvals", {}, key=None,
                                role="admin2")
            assert approved.json()["status"] == "approved", approved.text
            paid = api.post(f"/api/grants/{grant['id']}/disbursement", {
                "date": (TODAY - timedelta(days=days_ago)).isoformat(), "method": method})
            assert paid.status_code == 200, paid.text
        books.grants.append(grant["id"])
    return books
