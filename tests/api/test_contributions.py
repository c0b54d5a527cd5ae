from __future__ import annotations

from datetime import date, timedelta

import pytest

from tests.support import Api, assert_problem, today, unique


def test_a_contribution_debits_cash_and_credits_donor_contributions(api: Api) -> None:
    fund = api.new_fund()
    response = api.post(f"/api/funds/{fund}/contributions",
                        {"amount": "2500.50", "donor": "Caritas", "memo": "Winter appeal"})
    assert response.status_code == 201
    entry = response.json()
    assert entry["fund"] == fund and entry["currency"] == "HKD" and entry["seq"] == 1
    assert entry["memo"] == "Winter appeal" and entry["date"] == today()
    assert entry["lines"] == [
        {"account": "1000", "debit": "2500.50", "credit": "0.00", "memo": None},
        {"account": "3000", "debit": "0.00", "credit": "2500.50", "memo": None}]
    assert entry["source"]["kind"] == "contribution"
    assert entry["prev_hash"] == "0" * 64 and len(entry["hash"]) == 64
    assert entry["created_by"] == "t-admin" and entry["reverses"] is None
    balances = api.balances(fund)
    assert (balances["1000"], balances["3000"]) == ("2500.50", "2500.50")


@pytest.mark.parametrize(("currency", "amount", "shown"), [
    ("JPY", "1200", "1200"), ("KWD", "12.5", "12.500"), ("HKD", "7", "7.00")])
def test_amounts_come_back_in_the_currency_digits(api: Api, currency: str, amount: str,
                                                  shown: str) -> None:
    fund = api.new_fund(currency=currency)
    entry = api.post(f"/api/funds/{fund}/contributions", {"amount": amount, "donor": "D"}).json()
    assert entry["lines"][0]["debit"] == shown
    assert api.balances(fund)["1000"] == shown


@pytest.mark.parametrize(("currency", "amount"), [
    ("HKD", 100), ("HKD", 100.5), ("HKD", "-5"), ("HKD", "1e3"), ("HKD", "0"), ("HKD", "0.00"),
    ("HKD", "1.005"), ("JPY", "100.0"), ("KWD", "1.0001"), ("HKD", " 5"), ("HKD", None),
    ("HKD", "five"),
])
def test_bad_amounts_are_400_naming_amount_and_write_nothing(api: Api, currency: str,
                                                             amount: object) -> None:
    fund = api.new_fund(currency=currency)
    response = api.post(f"/api/funds/{fund}/contributions", {"amount": amount, "donor": "D"})
    assert_problem(response, 400, "amount")
    assert api.get("/api/journal", params={"fund": fund}).json()["items"] == []


def test_dates_in_the_future_are_422_and_the_past_is_allowed(api: Api) -> None:
    fund = api.new_fund()
    tomorrow = (date.fromisoformat(today()) + timedelta(days=1)).isoformat()
    assert_problem(api.post(f"/api/funds/{fund}/contributions",
                            {"amount": "5", "donor": "D", "date": tomorrow}), 422, "date")
    assert_problem(api.post(f"/api/funds/{fund}/contributions",
                            {"amount": "5", "donor": "D", "date": "2026-13-01"}), 400, "date")
    past = api.post(f"/api/funds/{fund}/contributions",
                    {"amount": "5", "donor": "D", "date": "2025-01-31"})
    assert past.status_code == 201 and past.json()["date"] == "2025-01-31"


def test_contributions_need_an_idempotency_key(api: Api) -> None:
    fund = api.new_fund()
    assert_problem(api.post(f"/api/funds/{fund}/contributions", {"amount": "5", "donor": "D"},
                            key=None), 400, "Idempotency-Key")
    for bad in ("", "x" * 256, "del\x7fchar", "has space", "tab\there"):
        assert_problem(api.post(f"/api/funds/{fund}/contributions",
                                {"amount": "5", "donor": "D"}, key=bad), 400, "Idempotency-Key")
    assert api.get("/api/journal", params={"fund": fund}).json()["items"] == []


def test_replaying_a_key_returns_the_first_response_and_writes_nothing(api: Api) -> None:
    fund = api.new_fund()
    key = unique("retry")
    first = api.post(f"/api/funds/{fund}/contributions", {"amount": "40.00", "donor": "D"},
                     key=key)
    again = api.post(f"/api/funds/{fund}/contributions", {"donor": "D", "amount": "40.00"},
                     key=key)
    assert first.status_code == again.status_code == 201
    assert again.headers["idempotent-replayed"] == "true"
    assert "idempotent-replayed" not in first.headers
    assert again.json() == first.json()
    assert api.balances(fund)["1000"] == "40.00"
    different = api.post(f"/api/funds/{fund}/contributions", {"amount": "41.00", "donor": "D"},
                         key=key)
    assert_problem(different, 409, "Idempotency-Key")
    assert api.balances(fund)["1000"] == "40.00"


def test_keys_are_scoped_per_user(api: Api) -> None:
    fund = api.new_fund()
    key = unique("shared")
    body = {"amount": "1.00", "donor": "D"}
    assert api.post(f"/api/funds/{fund}/contributions", body, key=key).status_code == 201
    second = api.post(f"/api/funds/{fund}/contributions", body, key=key, role="admin2")
    assert second.status_code == 201 and "idempotent-replayed" not in second.headers
    assert api.balances(fund)["1000"] == "2.00"


def test_contribution_refusals_by_role_and_fund(api: Api) -> None:
    fund = api.new_fund()
    body = {"amount": "1.00", "donor": "D"}
    assert_problem(api.post(f"/api/funds/{fund}/contributions", body, role="auditor"), 403)
    assert_problem(api.post(f"/api/funds/{fund}/contributions", body, role="borrower"), 403)
    assert_problem(api.post("/api/funds/no-such/contributions", body), 404)
    assert_problem(api.post(f"/api/funds/{fund}/contributions", {"amount": "1.00"}), 400, "donor")
