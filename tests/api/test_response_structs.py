"""The structs are the contract: a real response of every documented operation decodes,
strictly, into the *Out struct the OpenAPI description names for it, and encodes back
to exactly the same JSON, so the services and the structs cannot drift apart."""

from __future__ import annotations

import importlib
import pkgutil
from typing import Any

import msgspec

import aidledger.contract
from aidledger.api.app import create_app
from tests.api.test_grants import _person, _program
from tests.api.test_loans import DISBURSED, _day
from tests.api.test_loans import _apply as _apply_for_loan
from tests.api.test_loans import _setup as _loan_setup
from tests.conftest import PASSWORD
from tests.support import Api, today, unique

SCHEMA = create_app().openapi_schema.to_schema()
STRUCTS = {name: value
           for module in pkgutil.iter_modules(aidledger.contract.__path__)
           for name, value in vars(importlib.import_module(
               f"aidledger.contract.{module.name}")).items()
           if isinstance(value, type) and issubclass(value, msgspec.Struct)}
DOCUMENTED = {(method, path) for path, item in SCHEMA["paths"].items() for method in item}


def _struct(method: str, path: str, status: int) -> type[msgspec.Struct]:
    response = SCHEMA["paths"][path][method]["responses"][str(status)]
    name = response["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    return STRUCTS[name]


class Contract:
    def __init__(self, api: Api) -> None:
        self.api = api
        self.checked: set[tuple[str, str]] = set()

    def __call__(self, method: str, path: str, *, role: str | None = "admin",
                 json: Any = None, params: dict[str, Any] | None = None,
                 **path_values: str) -> Any:
        response = self.api.call(method.upper(), path.format(**path_values), role=role,
                                 json=json, params=params)
        assert response.status_code < 300, (method, path, response.text)
        body = response.json()
        struct = _struct(method, path, response.status_code)
        decoded = msgspec.convert(body, struct, strict=True)
        assert msgspec.to_builtins(decoded) == body, (method, path)
        self.checked.add((method, path))
        return body

    def not_json(self, path: str, params: dict[str, Any], **path_values: str) -> None:
        """A GET whose success is a file: sent in the media type documented for it."""
        response = self.api.get(path.format(**path_values), role="auditor", params=params)
        assert response.status_code == 200, (path, response.text)
        documented = SCHEMA["paths"][path]["get"]["responses"]["200"]["content"]
        assert response.headers["content-type"].split(";")[0] in documented, path
        assert response.content
        self.checked.add(("get", path))


def test_every_documented_response_is_its_struct(api: Api) -> None:
    call = Contract(api)
    call("get", "/health", role=None)
    call("get", "/ready", role=None)
    call("post", "/api/auth/token", role=None, json={"username": "t-admin",
                                                      "password": PASSWORD})
    call("get", "/api/me")
    username = unique("u")
    call("post", "/api/users", json={"username": username, "password": PASSWORD,
                                     "role": "auditor"})
    call("post", "/api/users/{username}/deactivation", username=username)

    fund = call("post", "/api/funds", json={"code": unique("fund"), "name": "F",
                                            "currency": "HKD"})["code"]
    call("get", "/api/funds")
    call("get", "/api/funds/{fund}", fund=fund)
    call("post", "/api/funds/{fund}/accounts", fund=fund,
         json={"code": "5300", "name": "Training", "type": "expense"})
    call("get", "/api/funds/{fund}/accounts", fund=fund)
    call("post", "/api/funds/{fund}/contributions", fund=fund,
         json={"amount": "100.00", "donor": "D"})
    entry = call("post", "/api/journal", json={
        "fund": fund, "date": today(), "memo": "m",
        "lines": [{"account": "5300", "debit": "1.00"}, {"account": "1000", "credit": "1.00"}]})
    line = {"fund": fund, "date": today(), "memo": "m",
            "lines": [{"account": "5300", "debit": "1.00"}, {"account": "1000", "credit": "1.00"}]}
    for mode in ("atomic", "independent"):
        call("post", "/api/journal/batch", json={"mode": mode, "entries": [
            {**line, "idempotency_key": unique("item")},
            {**line, "idempotency_key": unique("item"), "fund": "no-such-fund"}][
                :1 if mode == "atomic" else 2]})
    call("get", "/api/journal", params={"fund": fund})
    call("get", "/api/journal/{entry_id}", entry_id=entry["id"])
    call("post", "/api/journal/{entry_id}/reversal", entry_id=entry["id"], json={})
    call("get", "/api/funds/{fund}/trial-balance", fund=fund)
    call("get", "/api/audit/verify", params={"fund": fund})
    call("get", "/api/audit/events", params={"fund": fund})
    checkpoint = call("get", "/api/audit/checkpoint", params={"fund": fund})
    call("post", "/api/audit/verify-checkpoint", json=checkpoint)

    person = call("post", "/api/people", json={"full_name": "P", "preferred_language": "vi",
                                               "date_of_birth": "1990-01-01"})["id"]
    call("get", "/api/people/{person_id}", person_id=person)
    call("post", "/api/people/{person_id}/course-completions", person_id=person,
         json={"course": "budgeting-basics", "completed_on": "2025-06-01", "score": 90})
    call("get", "/api/people/{person_id}/credits", person_id=person)
    call("get", "/api/policies")
    call("get", "/api/policies/{policy_id}", policy_id="loan-eligibility")
    call("post", "/api/policies/{policy_id}/evaluate", policy_id="approval-thresholds",
         json={"facts": {"application": {"amount": 100, "currency": "HKD",
                                         "installments": 3, "purpose": "Stock"}}})
    call("get", "/api/courses")

    setup = _loan_setup(api)
    call("get", "/api/loan-products")
    call("post", "/api/loan-products", json={
        "code": unique("p"), "name": "P", "fund": setup["fund"], "interest_method": "flat",
        "amortization": "equal_installments", "annual_rate_percent": "12",
        "repayment_every": {"count": 1, "unit": "month"}, "installments": 3,
        "min_amount": "1000.00", "max_amount": "5000.00"})
    call("post", "/api/loan-products/{code}/quote", code=setup["product"],
         json={"amount": "3000.00", "disbursement_date": today()})
    loan = call("post", "/api/loans", json={"person": setup["person"],
                                            "product": setup["product"], "amount": "3000.00",
                                            "purpose": "Stock for a market stall",
                                            "applied_on": DISBURSED.isoformat()})["id"]
    call("get", "/api/loans")
    call("get", "/api/loans/{loan_id}", loan_id=loan)
    call("post", "/api/loans/{loan_id}/approvals", loan_id=loan, role="admin2", json={})
    call("post", "/api/loans/{loan_id}/disbursement", loan_id=loan,
         json={"date": DISBURSED.isoformat()})
    call("get", "/api/loans/{loan_id}/schedule", loan_id=loan)
    call("post", "/api/loans/{loan_id}/repayments", loan_id=loan,
         json={"amount": "1030.00", "date": _day(1)})
    for mode in ("atomic", "independent"):
        call("post", "/api/loans/repayments/batch", json={"mode": mode, "repayments": [
            {"idempotency_key": unique("item"), "loan": loan, "amount": "1.00",
             "date": _day(1), "reference": "T-1"},
            {"idempotency_key": unique("item"), "loan": "no-such-loan", "amount": "1.00",
             "date": _day(1)}][:1 if mode == "atomic" else 2]})
    call("get", "/api/loans/{loan_id}/payoff", loan_id=loan, params={"date": today()})
    call("post", "/api/loans/{loan_id}/write-off", loan_id=loan,
         json={"date": today(), "reason": "Left the country"})
    for move, body in (("rejection", {"reason": "No"}), ("cancellation", {"reason": "No"})):
        other = _apply_for_loan(api, setup).json()["id"]
        if move == "cancellation":
            api.post(f"/api/loans/{other}/approvals", {}, key=None, role="admin2")
        call("post", f"/api/loans/{{loan_id}}/{move}", loan_id=other, json=body)
    call("get", "/api/me/loans", role="borrower")

    program = _program(api, setup["fund"])
    call("get", "/api/grant-programs")
    call("post", "/api/grant-programs", json={"code": unique("food"), "name": "Food",
                                              "fund": setup["fund"], "category": "food",
                                              "max_per_person": "500.00"})
    grants = []
    for _ in range(3):
        grants.append(call("post", "/api/grants", json={
            "person": _person(api), "program": program, "amount": "100.00",
            "reason": "Hospital deposit for emergency surgery"})["id"])
    call("get", "/api/grants/{grant_id}", grant_id=grants[0])
    call("post", "/api/grants/{grant_id}/approvals", grant_id=grants[0], role="admin2",
         json={})
    call("post", "/api/grants/{grant_id}/disbursement", grant_id=grants[0],
         json={"date": today(), "method": "cash"})
    call("post", "/api/grants/{grant_id}/rejection", grant_id=grants[1], json={"reason": "No"})
    api.post(f"/api/grants/{grants[2]}/approvals", {}, key=None, role="admin2")
    call("post", "/api/grants/{grant_id}/cancellation", grant_id=grants[2],
         json={"reason": "No"})

    fund, period = setup["fund"], {"from": DISBURSED.isoformat(), "to": today()}
    for report, params in (("trial-balance", {}), ("portfolio", {}),
                           ("general-ledger", period), ("grants", period)):
        call("get", f"/api/reports/{report}", role="auditor", params={"fund": fund, **params})
    for report, params in (("beancount", {"to": today()}), ("audit-package", period)):
        call.not_json(f"/api/reports/{report}", params={"fund": fund, **params})
    for document in ("schedule", "key-facts", "statement"):
        call.not_json(f"/api/loans/{{loan_id}}/{document}.pdf", params={}, loan_id=loan)

    assert DOCUMENTED - call.checked == set()
