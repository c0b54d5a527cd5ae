from __future__ import annotations

from typing import Any

import pytest

from tests.support import Api, Refused, assert_problem, irr_apr, raw_sql, unique


def _product(api: Api, fund_code: str, **changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "code": unique("starter"), "name": "Starter loan", "fund": fund_code,
        "interest_method": "declining_balance", "amortization": "equal_installments",
        "annual_rate_percent": "12", "repayment_every": {"count": 1, "unit": "month"},
        "installments": 12, "min_installments": 6, "max_installments": 24,
        "min_amount": "1000.00", "max_amount": "20000.00",
        "late_penalty": {"amount": "50.00", "after_days": 7},
    }
    body.update(changes)
    return body


def test_a_product_is_created_with_explicit_defaults(api: Api) -> None:
    fund = api.new_fund()
    body = _product(api, fund)
    response = api.post("/api/loan-products", body, key=None)
    assert response.status_code == 201, response.text
    product = response.json()
    assert product["currency"] == "HKD" and product["fund"] == fund
    assert (product["min_amount"], product["max_amount"]) == ("1000.00", "20000.00")
    assert product["interest_period"] == "same_as_repayment"
    assert product["day_count"] == "actual/365"
    assert product["eligibility_policy"] == "loan-eligibility"
    assert product["late_penalty"] == {"amount": "50.00", "after_days": 7}
    assert product in api.every("/api/loan-products", role="borrower")


@pytest.mark.parametrize(("changes", "status", "field"), [
    ({"max_amount": "500.00"}, 400, "max_amount"),
    ({"annual_rate_percent": "150"}, 400, "annual_rate_percent"),
    ({"annual_rate_percent": "12.12345"}, 400, "annual_rate_percent"),
    ({"annual_rate_percent": 12}, 400, "annual_rate_percent"),
    ({"installments": 30}, 400, "installments"),
    ({"amortization": "equal_principal", "installment_multiple_of": "10.00"}, 400,
     "installment_multiple_of"),
    ({"grace_on_principal": 6}, 400, "grace_on_principal"),
    ({"interest_method": "compound"}, 400, "interest_method"),
    ({"repayment_every": {"count": 1, "unit": "year"}}, 400, "repayment_every.unit"),
    ({"min_amount": "10.001"}, 400, "min_amount"),
    ({"late_penalty": {"amount": "0", "after_days": 7}}, 400, "late_penalty.amount"),
    ({"fund": "no-such-fund"}, 422, "fund"),
    ({"eligibility_policy": "no-such-policy"}, 422, "eligibility_policy"),
    ({"eligibility_policy": "grant-eligibility"}, 422, "eligibility_policy"),
])
def test_bad_products_are_refused_naming_the_field(api: Api, changes: dict[str, Any],
                                                   status: int, field: str) -> None:
    fund = api.new_fund()
    assert_problem(api.post("/api/loan-products", _product(api, fund, **changes), key=None),
                   status, field)


def test_product_codes_are_unique_and_products_immutable(api: Api) -> None:
    fund = api.new_fund()
    body = _product(api, fund)
    assert api.post("/api/loan-products", body, key=None).status_code == 201
    assert_problem(api.post("/api/loan-products", body, key=None), 409, "code")
    with pytest.raises(Refused, match="append-only"):
        raw_sql(f"UPDATE loan_product SET name = 'x' WHERE code = '{body['code']}'")


def test_only_admins_define_products(api: Api) -> None:
    fund = api.new_fund()
    for role in ("auditor", "borrower"):
        assert_problem(api.post("/api/loan-products", _product(api, fund), key=None, role=role),
                       403)


def _quote(api: Api, code: str, role: str = "borrower", **body: Any) -> Any:
    request = {"amount": "10000.00", "disbursement_date": "2026-01-15", **body}
    return api.post(f"/api/loan-products/{code}/quote", request, key=None, role=role)


def test_a_quote_shows_the_schedule_and_its_true_cost(api: Api) -> None:
    fund = api.new_fund()
    code = api.post("/api/loan-products", _product(api, fund), key=None).json()["code"]
    schedule = _quote(api, code).json()
    assert schedule["currency"] == "HKD" and schedule["disbursement_date"] == "2026-01-15"
    rows = schedule["installments"]
    assert len(rows) == 12
    assert rows[0] == {"number": 1, "due_date": "2026-02-15", "principal": "788.49",
                       "interest": "100.00", "fees": "0.00", "penalties": "0.00",
                       "total": "888.49", "balance_after": "9211.51"}
    assert rows[-1]["balance_after"] == "0.00"
    assert schedule["totals"]["principal"] == "10000.00"
    assert schedule["apr_percent"] == "12.00"
    assert schedule["effective_annual_rate_percent"] == "12.68"
    flat = api.post("/api/loan-products", _product(api, fund, interest_method="flat"),
                    key=None).json()["code"]
    assert _quote(api, flat, role="auditor", amount="12000.00").json()["apr_percent"] == "21.46"


def test_quote_options_and_refusals(api: Api) -> None:
    fund = api.new_fund()
    code = api.post("/api/loan-products", _product(api, fund), key=None).json()["code"]
    six = _quote(api, code, installments=6, first_due_date="2026-02-28").json()
    assert [row["due_date"] for row in six["installments"][:3]] == [
        "2026-02-28", "2026-03-28", "2026-04-28"]
    assert_problem(_quote(api, code, amount="999.99"), 422, "amount")
    assert_problem(_quote(api, code, installments=25), 422, "installments")
    assert_problem(_quote(api, code, amount="10000.001"), 400, "amount")
    assert_problem(_quote(api, code, disbursement_date="15/01/2026"), 400, "disbursement_date")
    assert_problem(_quote(api, code, first_due_date="2026-01-15"), 422, "first_due_date")
    assert_problem(_quote(api, "no-such-product"), 404)
    assert_problem(_quote(api, code, role=None), 401)


def test_quotes_in_currencies_without_and_with_three_decimals(api: Api) -> None:
    yen = api.new_fund(currency="JPY")
    code = api.post("/api/loan-products", _product(
        api, yen, min_amount="10000", max_amount="500000",
        late_penalty={"amount": "500", "after_days": 7}), key=None).json()["code"]
    rows = _quote(api, code, amount="120000").json()["installments"]
    assert rows[0]["total"] == "10662" and rows[0]["interest"] == "1200"
    dinar = api.new_fund(currency="KWD")
    code = api.post("/api/loan-products", _product(
        api, dinar, min_amount="100.000", max_amount="5000.000",
        late_penalty={"amount": "5.000", "after_days": 7}), key=None).json()["code"]
    assert _quote(api, code, amount="1200.000").json()["installments"][0]["interest"] == "12.000"


def test_zero_minimum_instalments_is_refused(api: Api) -> None:
    fund = api.new_fund()
    assert_problem(api.post("/api/loan-products", _product(api, fund, min_installments=0),
                            key=None), 400, "min_installments")


def test_a_first_due_date_two_years_out_owes_two_years_of_interest(api: Api) -> None:
    fund = api.new_fund()
    code = api.post("/api/loan-products", _product(api, fund), key=None).json()["code"]
    regular = _quote(api, code, installments=6).json()
    late = _quote(api, code, installments=6, first_due_date="2028-01-15").json()
    # 10,000.00 at 1 % a month: 100.00 for one month, 2,400.00 for the 24 months to the
    # first due date.
    assert regular["installments"][0]["interest"] == "100.00"
    assert late["installments"][0]["interest"] == "2400.00"
    assert late["installments"][0]["due_date"] == "2028-01-15"
    # The APR discounts each payment by when it falls due (months 24 to 29): interest on
    # the first period is simple, so it comes out below the nominal 12 %.
    payments = [int(row["total"].replace(".", "")) for row in late["installments"]]
    apr, effective = irr_apr(1_000_000, payments, 23, 12)
    assert (late["apr_percent"], late["effective_annual_rate_percent"]) == (str(apr),
                                                                          str(effective))
    assert regular["apr_percent"] == "12.00"
