"""Bodies, paths and queries that used to answer 500 now get a 4xx naming the field."""

from __future__ import annotations

import pytest

from tests.support import Api, assert_problem, today, unique

DEEP_ARRAY = b"[" * 1000 + b"]" * 1000
DEEP_OBJECT = b'{"facts":' + b'{"a":' * 1000 + b"1" + b"}" * 1001


@pytest.mark.parametrize("body", [DEEP_ARRAY, DEEP_OBJECT, b'{"a":' * 40 + b"1" + b"}" * 40])
@pytest.mark.parametrize(("path", "role"), [
    ("/api/auth/token", None), ("/api/funds", "admin"),
    ("/api/policies/loan-eligibility/evaluate", "admin"), ("/api/journal", "admin"),
])
def test_deeply_nested_json_is_400(api: Api, path: str, role: str | None, body: bytes) -> None:
    response = api.call("POST", path, role=role, content=body,
                        headers={"Content-Type": "application/json"})
    assert_problem(response, 400, "body" if body is DEEP_ARRAY else None)
    assert "nests deeper than 32 levels" in response.text


def test_nesting_that_a_request_needs_is_accepted(api: Api) -> None:
    nested: dict[str, object] = {"amount": 1}
    for _ in range(20):
        nested = {"inner": nested}
    response = api.post("/api/policies/loan-eligibility/evaluate",
                        {"facts": {"application": nested}})
    assert response.status_code in {200, 422}, response.text


@pytest.mark.parametrize(("path", "field"), [
    ("/api/funds/%00", "fund"), ("/api/funds/a%00b/accounts", "fund"),
    ("/api/journal/%00", "entry_id"), ("/api/loans/%00", "loan_id"),
    ("/api/people/x%00", "person_id"),
])
def test_nul_in_a_path_is_400_naming_the_parameter(api: Api, path: str, field: str) -> None:
    assert_problem(api.get(path), 400, field)


@pytest.mark.parametrize(("path", "query", "field"), [
    ("/api/loans", "status=%00", "status"), ("/api/journal", "fund=%00", "fund"),
    ("/api/journal", "fund=a%00b&limit=5", "fund"),
    ("/api/funds/x/trial-balance", "as_of=2026%0001", "as_of"),
])
def test_nul_in_a_query_is_400_naming_the_parameter(api: Api, path: str, query: str,
                                                    field: str) -> None:
    assert_problem(api.get(f"{path}?{query}"), 400, field)


def test_nul_in_a_body_string_is_400_naming_the_field(api: Api) -> None:
    fund = api.new_fund(contribution="10.00")
    entry = {"fund": "a\u0000b", "date": "2026-11-30", "memo": "m",
             "lines": [{"account": "5000", "debit": "1.00"},
                       {"account": "1000", "credit": "1.00"}]}
    assert_problem(api.post("/api/journal", entry), 400, "fund")
    entry["fund"] = fund
    entry["lines"][1]["memo"] = "tab\u0000"  # type: ignore[index]
    assert_problem(api.post("/api/journal", entry), 400, "lines[1].memo")
    assert_problem(api.post("/api/funds", {"code": unique("f"), "name": "N",
                                           "currency": "HKD", "x\u0000": 1}), 400, "x\\u0000")
    assert api.verify(fund)["entries_checked"] == 1


def test_nul_in_the_username_at_login_is_400(api: Api) -> None:
    response = api.call("POST", "/api/auth/token", role=None,
                        json={"username": "t-admin\u0000", "password": "whatever it is"})
    assert_problem(response, 400, "username")


def _entry_text(fund: str, memo: str, account: str = "5000") -> bytes:
    """An entry's JSON as a client might write it, escapes and all (json.dumps cannot
    write a lone surrogate's escape on purpose)."""
    return (f'{{"fund": "{fund}", "date": "{today()}", "memo": "{memo}", "lines": ['
            f'{{"account": "{account}", "debit": "1.00"}}, '
            f'{{"account": "1000", "credit": "1.00"}}]}}').encode()


@pytest.mark.parametrize(("memo", "account", "field", "shown"), [
    ("rent \\ud800 paid", "5000", "memo", "\\ud800"),
    ("rent", "\\udc00", "lines[0].account", "\\udc00"),
    ("\\udfff\\ud83c", "5000", "memo", "\\udfff"),
])
def test_half_a_surrogate_pair_in_a_body_is_400_and_writes_nothing(
        api: Api, memo: str, account: str, field: str, shown: str) -> None:
    fund = api.new_fund(contribution="10.00")
    response = api.call("POST", "/api/journal", content=_entry_text(fund, memo, account),
                        headers={"Content-Type": "application/json"})
    assert_problem(response, 400, field)
    assert shown in response.json()["errors"][0]["message"]
    batch = (b'{"mode": "atomic", "entries": [' + _entry_text(fund, memo, account)[:-1]
             + b', "idempotency_key": "half-pair"}]}')
    assert_problem(api.call("POST", "/api/journal/batch", content=batch, key=None,
                            headers={"Content-Type": "application/json"}), 400,
                   f"entries[0].{field}")
    assert api.verify(fund)["entries_checked"] == 1


def test_half_a_surrogate_pair_in_a_key_or_at_login_is_400(api: Api) -> None:
    response = api.call("POST", "/api/funds", headers={"Content-Type": "application/json"},
                        content=b'{"code": "x", "name": "N", "currency": "HKD", "n\\ud800": 1}')
    assert_problem(response, 400, "n\\ud800")
    response = api.call("POST", "/api/auth/token", role=None,
                        headers={"Content-Type": "application/json"},
                        content=b'{"username": "t-admin\\ud800", "password": "whatever"}')
    assert_problem(response, 400, "username")


def test_a_whole_surrogate_pair_is_the_character_it_stands_for(api: Api) -> None:
    fund = api.new_fund(contribution="10.00")
    response = api.call("POST", "/api/journal", content=_entry_text(fund, "party \\ud83c\\udf89"),
                        headers={"Content-Type": "application/json"})
    assert response.status_code == 201, response.text
    assert response.json()["memo"] == "party \U0001f389"
    assert api.verify(fund)["ok"] is True


@pytest.mark.parametrize(("number", "message"), [
    (b"1" * 5000, "is a number of 5000 digits"),  # beyond what Python reads at all
    (b"-" + b"9" * 4400, "is a number of 4400 digits"),
    (b"1" * 101, "is a number of 101 digits"),
    (b"1e999", "is a number too large to hold"),
    (b"-1e999", "is a number too large to hold"),
])
def test_a_number_no_field_can_take_is_400_naming_the_field(api: Api, number: bytes,
                                                              message: str) -> None:
    body = b'{"facts": {"applicant": {"age": ' + number + b"}}}"
    response = api.call("POST", "/api/policies/loan-eligibility/evaluate", content=body,
                        headers={"Content-Type": "application/json"})
    assert_problem(response, 400, "facts.applicant.age")
    assert message in response.json()["errors"][0]["message"]
    code = unique("fund")
    response = api.call("POST", "/api/funds", headers={"Content-Type": "application/json"},
                        content=b'{"code": "' + code.encode() + b'", "name": "N", '
                                b'"currency": "HKD", "contact": [' + number + b"]}")
    assert_problem(response, 400, "contact[0]")
    assert api.get(f"/api/funds/{code}").status_code == 404


def test_a_long_number_within_the_limit_reaches_the_field_rules(api: Api) -> None:
    response = api.call("POST", "/api/funds", headers={"Content-Type": "application/json"},
                        content=b'{"code": ' + b"9" * 100 + b', "name": "N", "currency": "HKD"}')
    assert_problem(response, 400, "code")
    assert "Expected `str`, got `int`" in response.json()["errors"][0]["message"]


def test_a_repeated_key_is_400_and_writes_nothing(api: Api) -> None:
    fund = api.new_fund()
    first, second = unique("dup"), unique("dup")
    body = (f'{{"code": "{first}", "code": "{second}", "name": "Twice", '
            f'"currency": "HKD"}}').encode()
    response = api.call("POST", "/api/funds", content=body,
                        headers={"Content-Type": "application/json"})
    assert_problem(response, 400, "code")
    assert "is given more than once" in response.text
    for code in (first, second):
        assert api.get(f"/api/funds/{code}").status_code == 404
    contribution = b'{"amount": "1.00", "amount": "2.00", "donor": "D"}'
    assert_problem(api.call("POST", f"/api/funds/{fund}/contributions", content=contribution,
                            headers={"Content-Type": "application/json"}), 400, "amount")
    assert api.balances(fund)["1000"] == "0.00"


@pytest.mark.parametrize("media_type", ["text/plain", "application/x-www-form-urlencoded",
                                        "application/xml"])
def test_a_body_that_is_not_json_is_415(api: Api, media_type: str) -> None:
    code = unique("fund")
    body = f'{{"code": "{code}", "name": "N", "currency": "HKD"}}'.encode()
    response = api.call("POST", "/api/funds", content=body,
                        headers={"Content-Type": media_type})
    assert_problem(response, 415)
    assert api.get(f"/api/funds/{code}").status_code == 404


def test_json_with_a_charset_or_a_json_suffix_is_accepted(api: Api) -> None:
    for media_type in ("application/json; charset=utf-8", "application/merge-patch+json"):
        code = unique("fund")
        body = f'{{"code": "{code}", "name": "N", "currency": "HKD"}}'.encode()
        response = api.call("POST", "/api/funds", content=body,
                            headers={"Content-Type": media_type})
        assert response.status_code == 201, response.text


def test_a_body_that_is_not_utf8_or_holds_nan_is_400(api: Api) -> None:
    for body in (b'{"code": "\xff"}', b'{"amount": NaN}', b'{"amount": Infinity}'):
        assert_problem(api.call("POST", "/api/funds", content=body,
                                headers={"Content-Type": "application/json"}), 400, "body")


def test_method_not_allowed_says_which_are(api: Api) -> None:
    response = api.call("DELETE", "/api/funds")
    assert_problem(response, 405)
    assert set(response.headers["allow"].replace(" ", "").split(",")) >= {"GET", "POST"}
