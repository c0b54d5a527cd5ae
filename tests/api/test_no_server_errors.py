"""However malformed the request, the answer is a 4xx problem, never a 500."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.support import Api, assert_problem

POSTS = ["/api/funds", "/api/journal", "/api/people", "/api/users", "/api/auth/token",
         "/api/funds/{fund}/contributions", "/api/funds/{fund}/accounts",
         "/api/journal/{entry}/reversal", "/api/loan-products", "/api/loans",
         "/api/loan-products/no-such-product/quote", "/api/loans/no-such-loan/approvals",
         "/api/loans/no-such-loan/repayments", "/api/loans/no-such-loan/disbursement",
         "/api/loans/no-such-loan/write-off", "/api/loans/no-such-loan/rejection",
         "/api/grant-programs", "/api/grants", "/api/grants/no-such-grant/disbursement",
         "/api/grants/no-such-grant/approvals", "/api/people/{person}/course-completions",
         "/api/policies/loan-eligibility/evaluate"]

RAW_BODIES = [b"", b"{", b"null", b"[]", b"42", b'"text"', b"\xff\xfe", b'{"a":' * 50,
              b'{"amount": 1e999}', b'{"lines": [null]}', b"{}" * 3]


@pytest.fixture(scope="module")
def targets(api: Api) -> dict[str, str]:
    fund = api.new_fund(contribution="100.00")
    entry = api.get("/api/journal", params={"fund": fund}).json()["items"][0]["id"]
    person = api.post("/api/people", {"full_name": "Fuzz", "preferred_language": "en",
                                      "date_of_birth": "1990-01-01"}).json()["id"]
    return {"fund": fund, "entry": entry, "person": person}


@pytest.mark.parametrize("path", POSTS)
@pytest.mark.parametrize("body", RAW_BODIES)
def test_malformed_bodies_are_4xx(api: Api, targets: dict[str, str], path: str,
                                  body: bytes) -> None:
    response = api.call("POST", path.format(**targets), content=body,
                        headers={"Content-Type": "application/json"},
                        role=None if path == "/api/auth/token" else "admin")
    # A reversal's body is optional: no body, or null, asks for the defaults.
    optional_body = path.endswith(("/reversal", "/approvals")) and body in (b"", b"null")
    if optional_body:
        assert response.status_code in {201, 404, 409}, response.text
    else:
        assert 400 <= response.status_code < 500, response.text
        assert response.headers["content-type"].startswith("application/problem+json")


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20)
    | st.floats(allow_nan=False, allow_infinity=False),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8),
                                                                      children, max_size=4),
    max_leaves=12,
)
entry_like = st.fixed_dictionaries({}, optional={
    "fund": json_values, "date": json_values, "memo": json_values,
    "lines": st.lists(st.fixed_dictionaries({}, optional={
        "account": json_values, "debit": json_values, "credit": json_values,
        "memo": json_values}), max_size=4) | json_values,
})


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(body=entry_like)
def test_random_journal_bodies_never_500(api: Api, targets: dict[str, str],
                                         body: dict[str, object]) -> None:
    response = api.post("/api/journal", body)
    assert response.status_code in {201, 400, 409, 422}, response.text
    if response.status_code != 201:
        assert_problem(response, response.status_code)


@settings(max_examples=100, deadline=None, suppress_health_check=list(HealthCheck))
@given(amount=json_values, donor=json_values, date=json_values)
def test_random_contributions_never_500(api: Api, targets: dict[str, str], amount: object,
                                        donor: object, date: object) -> None:
    body = json.loads(json.dumps({"amount": amount, "donor": donor, "date": date}))
    response = api.post(f"/api/funds/{targets['fund']}/contributions", body)
    assert response.status_code in {201, 400, 409, 422}, response.text


@pytest.mark.parametrize("query", ["limit=-1", "limit=99999999999999999999", "cursor=%00",
                                   "from=2026-99-99", "to=x", "fund=%FF", "limit=1.5"])
def test_malformed_query_strings_are_4xx(api: Api, query: str) -> None:
    response = api.get(f"/api/journal?{query}")
    assert 400 <= response.status_code < 500, response.text


def test_a_forged_cursor_beyond_64_bits_is_400(api: Api) -> None:
    import base64

    forged = base64.urlsafe_b64encode(b"p" + b"9" * 30).decode().rstrip("=")
    for path in ("/api/journal", "/api/audit/events"):
        assert_problem(api.get(path, params={"cursor": forged}), 400, "cursor")


application_like = st.fixed_dictionaries({}, optional={
    "person": json_values, "product": json_values, "program": json_values,
    "amount": json_values, "installments": json_values, "purpose": json_values,
    "reason": json_values, "applied_on": json_values,
})


@settings(max_examples=80, deadline=None, suppress_health_check=list(HealthCheck))
@given(body=application_like, path=st.sampled_from(["/api/loans", "/api/grants"]))
def test_random_applications_never_500(api: Api, targets: dict[str, str],
                                       body: dict[str, object], path: str) -> None:
    response = api.post(path, body, key=None)
    assert response.status_code in {201, 400, 409, 422}, response.text
