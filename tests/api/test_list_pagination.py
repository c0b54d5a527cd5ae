"""Every list follows the contract's convention: `limit` 1-500 (default 50), a cursor, and
pages that together hold each item once, in order."""

from __future__ import annotations

from typing import Any

import pytest

from tests.api.test_grants import _program
from tests.api.test_loan_products import _product
from tests.api.test_loans import _apply
from tests.api.test_loans import _setup as _loan_setup
from tests.support import Api, assert_problem, today, unique

CODE_ORDERED = ["/api/funds", "/api/loan-products", "/api/grant-programs"]


@pytest.fixture(scope="module")
def listed(api: Api) -> None:
    """More of each than one small page holds."""
    fund = api.new_fund()
    for _ in range(3):
        assert api.post("/api/loan-products", _product(api, fund), key=None).status_code == 201
        _program(api, fund)
        api.new_fund()


def _walk(api: Api, path: str, limit: int, **params: Any) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    cursor = None
    while True:
        page = api.get(path, params={**params, "limit": limit,
                                     **({"cursor": cursor} if cursor else {})}, role="admin")
        assert page.status_code == 200, page.text
        body = page.json()
        assert len(body["items"]) <= limit
        items += body["items"]
        cursor = body["next_cursor"]
        if cursor is None:
            return items


@pytest.mark.parametrize("path", CODE_ORDERED)
def test_pages_hold_every_item_once_in_code_order(api: Api, listed: None, path: str) -> None:
    everything = api.get(path, params={"limit": 500}).json()
    assert everything["next_cursor"] is None or len(everything["items"]) == 500
    walked = _walk(api, path, 2)
    assert walked == api.every(path)
    codes = [item["code"] for item in walked]
    assert codes == sorted(codes) and len(codes) == len(set(codes))
    assert walked[:len(everything["items"])] == everything["items"]
    assert len(api.get(path).json()["items"]) == min(50, len(walked))


@pytest.mark.parametrize("path", CODE_ORDERED)
@pytest.mark.parametrize(("params", "field"), [
    ({"limit": 501}, "limit"), ({"limit": 0}, "limit"), ({"limit": "x"}, "limit"),
    ({"cursor": "not-a-cursor"}, "cursor"), ({"cursor": "cDEwMA"[:-1] + "!"}, "cursor"),
])
def test_limits_and_cursors_outside_the_convention_are_400(api: Api, path: str,
                                                           params: dict[str, Any],
                                                           field: str) -> None:
    assert_problem(api.get(path, params=params), 400, field)


def test_audit_events_filter_by_fund_and_days_with_a_cursor(api: Api) -> None:
    fund, other = api.new_fund(), api.new_fund()
    for _ in range(3):
        assert api.post(f"/api/funds/{fund}/contributions",
                        {"amount": "1.00", "donor": "D"}).status_code == 201
    assert api.post(f"/api/funds/{other}/contributions",
                    {"amount": "1.00", "donor": "D"}).status_code == 201
    events = _walk(api, "/api/audit/events", 4, fund=fund)
    assert {event["fund"] for event in events} == {fund}
    # fund.created, ten account.created, three postings
    assert [event["action"] for event in events].count("journal_entry.posted") == 3
    assert len(events) == 14
    ids = [event["id"] for event in events]
    assert ids == sorted(ids)
    assert _walk(api, "/api/audit/events", 500, fund=fund, **{"from": today(),
                                                              "to": today()}) == events
    assert _walk(api, "/api/audit/events", 500, fund=fund,
                 **{"from": "2000-01-01", "to": "2000-12-31"}) == []
    assert_problem(api.get("/api/audit/events", params={"from": "2026-12-02",
                                                        "to": "2026-12-01"}), 400, "from")
    assert_problem(api.get("/api/audit/events", params={"from": "yesterday"}), 400, "from")
    assert_problem(api.get("/api/audit/events", params={"fund": unique("none")}), 422, "fund")
    assert_problem(api.get("/api/audit/events", params={"limit": 501}), 400, "limit")


@pytest.mark.parametrize(("path", "filter_by"), [("/api/loans", "person"),
                                                 ("/api/journal", "fund")])
def test_lists_in_posting_order_page_by_cursor_too(api: Api, path: str,
                                                   filter_by: str) -> None:
    setup = _loan_setup(api, credits=False)  # rejected applications are loans too
    for _ in range(3):
        assert _apply(api, setup).status_code == 201
        assert api.post(f"/api/funds/{setup['fund']}/contributions",
                        {"amount": "1.00", "donor": "D"}).status_code == 201
    walked = _walk(api, path, 2, **{filter_by: setup[filter_by]})
    ids = [item["id"] for item in walked]
    assert len(ids) == len(set(ids)) >= 3
    assert walked == _walk(api, path, 500, **{filter_by: setup[filter_by]})
