from __future__ import annotations

import pytest

from tests.support import Api, assert_problem, unique

DEFAULT_CODES = ["1000", "1100", "1110", "2000", "3000", "4000", "4100", "4200", "5000", "5100"]


def test_a_new_fund_has_the_default_chart_at_zero(api: Api) -> None:
    code = unique("fund")
    created = api.post("/api/funds", {"code": code, "name": "Relief", "currency": "KWD"})
    assert created.status_code == 201
    fund = created.json()
    assert {key: fund[key] for key in ("code", "name", "currency")} == {
        "code": code, "name": "Relief", "currency": "KWD"}
    assert fund["id"] and fund["created_at"].endswith("Z")
    assert fund["contact"] is None
    accounts = api.get(f"/api/funds/{code}/accounts").json()
    assert accounts["currency"] == "KWD"
    assert [item["code"] for item in accounts["items"]] == DEFAULT_CODES
    assert {item["balance"] for item in accounts["items"]} == {"0.000"}
    types = {item["code"]: item["type"] for item in accounts["items"]}
    assert (types["1000"], types["2000"], types["3000"], types["4000"], types["5000"]) == (
        "asset", "liability", "equity", "income", "expense")


def test_a_funds_contact_is_kept_for_borrower_documents(api: Api) -> None:
    code = unique("fund")
    contact = "Fund office, 3/F, 12 Nathan Road; WhatsApp 2345 6789, Sundays 10:00-17:00"
    created = api.post("/api/funds", {"code": code, "name": "Relief", "currency": "HKD",
                                      "contact": f"  {contact} "})
    assert created.status_code == 201, created.text
    assert created.json()["contact"] == contact
    assert api.get(f"/api/funds/{code}", role="auditor").json()["contact"] == contact


def test_fund_by_id_or_code_and_in_the_list(api: Api) -> None:
    code = api.new_fund()
    by_code = api.get(f"/api/funds/{code}", role="auditor").json()
    assert api.get(f"/api/funds/{by_code['id']}").json() == by_code
    assert by_code in api.every("/api/funds", role="auditor")
    assert_problem(api.get("/api/funds/no-such-fund"), 404)
    assert_problem(api.get("/api/funds/no-such-fund/accounts"), 404)


@pytest.mark.parametrize(("body", "status", "field"), [
    ({"name": "x", "currency": "HKD"}, 400, "code"),
    ({"code": "bad code!", "name": "x", "currency": "HKD"}, 400, "code"),
    ({"code": "ok-code", "name": "  ", "currency": "HKD"}, 400, "name"),
    ({"code": "ok-code", "name": "x", "currency": "ZZZ"}, 400, "currency"),
    ({"code": "ok-code", "name": "x", "currency": "XXX"}, 400, "currency"),
    ({"code": "ok-code", "name": "x", "currency": 344}, 400, "currency"),
    ({"code": "ok-code", "name": "x", "currency": "HKD", "contact": " "}, 400, "contact"),
    ({"code": "ok-code", "name": "x", "currency": "HKD", "contact": "a\nb"}, 400, "contact"),
    ({"code": "ok-code", "name": "x", "currency": "HKD", "contact": 5}, 400, "contact"),
])
def test_bad_fund_input_is_400_naming_the_field(api: Api, body: dict[str, object], status: int,
                                                field: str) -> None:
    assert_problem(api.post("/api/funds", body), status, field)


def test_duplicate_fund_code_is_409(api: Api) -> None:
    code = api.new_fund()
    assert_problem(api.post("/api/funds", {"code": code, "name": "x", "currency": "HKD"}),
                   409, "code")


def test_only_admins_create_and_borrowers_cannot_read_funds(api: Api) -> None:
    body = {"code": unique("fund"), "name": "x", "currency": "HKD"}
    assert_problem(api.post("/api/funds", body, role="auditor"), 403)
    assert_problem(api.post("/api/funds", body, role="borrower"), 403)
    for path in ("/api/funds", f"/api/funds/{api.new_fund()}",
                 f"/api/funds/{api.new_fund()}/accounts"):
        assert_problem(api.get(path, role="borrower"), 403)


def test_extra_accounts(api: Api) -> None:
    fund = api.new_fund()
    created = api.post(f"/api/funds/{fund}/accounts",
                       {"code": "5200", "name": "Literacy classes", "type": "expense"})
    assert created.status_code == 201
    assert created.json() == {"code": "5200", "name": "Literacy classes", "type": "expense",
                              "balance": "0.00"}
    assert "5200" in api.balances(fund)
    assert_problem(api.post(f"/api/funds/{fund}/accounts",
                            {"code": "5200", "name": "Again", "type": "expense"}), 409, "code")
    assert_problem(api.post(f"/api/funds/{fund}/accounts",
                            {"code": "5300", "name": "x", "type": "asset-ish"}), 400, "type")
    assert_problem(api.post("/api/funds/nope/accounts",
                            {"code": "5300", "name": "x", "type": "asset"}), 404)
    assert_problem(api.post(f"/api/funds/{fund}/accounts",
                            {"code": "5300", "name": "x", "type": "asset"}, role="auditor"), 403)
