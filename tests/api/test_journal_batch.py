"""POST /api/journal/batch: many entries in one request, atomic or independent, each with
its own idempotency key."""

from __future__ import annotations

from typing import Any

import pytest

from aidledger.domain.ledger import MAX_BALANCE, MAX_ENTRY_TOTAL
from aidledger.domain.money import format_minor
from tests.support import Api, assert_problem, today, unique


def _item(fund: str, debit_account: str, amount: str, *, key: str | None = None,
          memo: str = "Batch entry", credit_account: str = "1000") -> dict[str, Any]:
    return {"idempotency_key": key or unique("item"), "fund": fund, "date": today(),
            "memo": memo, "lines": [{"account": debit_account, "debit": amount},
                                    {"account": credit_account, "credit": amount}]}


def _batch(api: Api, mode: str, entries: list[dict[str, Any]], **options: Any) -> Any:
    return api.post("/api/journal/batch", {"mode": mode, "entries": entries}, key=None,
                    **options)


def _journal(api: Api, fund: str) -> list[dict[str, Any]]:
    response = api.get("/api/journal", params={"fund": fund, "limit": 500})
    assert response.status_code == 200 and response.json()["next_cursor"] is None
    items: list[dict[str, Any]] = response.json()["items"]
    return items


def test_an_atomic_batch_posts_every_entry_in_order_on_the_chain(api: Api) -> None:
    fund = api.new_fund(contribution="1000.00")
    entries = [_item(fund, "5000", amount, memo=f"Grant {number}")
               for number, amount in enumerate(("100.00", "250.50", "49.50"), start=1)]
    response = _batch(api, "atomic", entries)
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["mode"] == "atomic"
    assert [(result["index"], result["status"], result["replayed"], result["problem"])
            for result in body["results"]] == [(0, 201, False, None), (1, 201, False, None),
                                               (2, 201, False, None)]
    posted = [result["entry"] for result in body["results"]]
    assert [entry["memo"] for entry in posted] == ["Grant 1", "Grant 2", "Grant 3"]
    assert [entry["seq"] for entry in posted] == [2, 3, 4]
    journal = _journal(api, fund)
    assert journal[1:] == posted  # what the batch answered is what the books hold
    assert [entry["prev_hash"] for entry in posted] == [entry["hash"] for entry in journal[:3]]
    assert api.balances(fund)["1000"] == "600.00" and api.balances(fund)["5000"] == "400.00"
    assert api.verify(fund)["ok"] is True


def test_an_atomic_batch_with_one_bad_entry_writes_nothing(api: Api) -> None:
    fund = api.new_fund(contribution="1000.00")
    entries = [_item(fund, "5000", "10.00"), _item(fund, "9999", "10.00"),
               _item(fund, "5000", "10.00")]
    refused = _batch(api, "atomic", entries)
    assert_problem(refused, 422, "entries[1].lines[0].account")
    assert refused.json()["index"] == 1
    assert len(_journal(api, fund)) == 1 and api.balances(fund)["1000"] == "1000.00"
    # Nothing was kept under the keys either: the corrected batch posts with the same keys.
    entries[1]["lines"][0]["account"] = "5000"
    accepted = _batch(api, "atomic", entries)
    assert accepted.status_code == 201, accepted.text
    assert [result["replayed"] for result in accepted.json()["results"]] == [False] * 3
    assert api.balances(fund)["1000"] == "970.00"


def test_cash_is_checked_entry_after_entry_within_a_batch(api: Api) -> None:
    fund = api.new_fund(contribution="100.00")
    refused = _batch(api, "atomic", [_item(fund, "5000", "80.00"), _item(fund, "5000", "30.00")])
    assert_problem(refused, 422)
    assert refused.json()["index"] == 1
    assert refused.json()["errors"][0]["field"].startswith("entries[1]")
    assert api.balances(fund)["1000"] == "100.00"


def test_an_independent_batch_answers_each_entry_on_its_own(api: Api) -> None:
    fund = api.new_fund(contribution="100.00")
    entries = [_item(fund, "5000", "60.00"), _item(fund, "9999", "1.00"),
               _item(fund, "5000", "30.00"), _item(fund, "5000", "20.00"),
               {**_item(fund, "5000", "1.00"), "date": "2026-02-30"}]
    response = _batch(api, "independent", entries)
    assert response.status_code == 200, response.text
    results = response.json()["results"]
    assert [result["status"] for result in results] == [201, 422, 201, 409, 400]
    assert results[1]["problem"]["errors"][0]["field"] == "lines[0].account"
    assert results[3]["problem"]["type"] == "urn:aidledger:problem:conflict"
    assert results[4]["problem"]["errors"][0]["field"] == "date"
    assert [result["entry"] is None for result in results] == [False, True, False, True, True]
    # The refused entries left no gap in the chain.
    assert [results[index]["entry"]["seq"] for index in (0, 2)] == [2, 3]
    assert api.balances(fund)["1000"] == "10.00"
    assert api.verify(fund) == {"ok": True, "entries_checked": 3,
                                "head": {"seq": 3, "hash": results[2]["entry"]["hash"]},
                                "first_bad": None}
    # A refused entry stored nothing under its key: sent again, fixed, it posts.
    entries[1]["lines"][0]["account"] = "5000"
    again = _batch(api, "independent", entries)
    assert [(result["status"], result["replayed"]) for result in again.json()["results"]] == [
        (201, True), (201, False), (201, True), (409, False), (400, False)]


@pytest.mark.parametrize("mode", ["atomic", "independent"])
def test_a_batch_sent_again_replays_and_writes_nothing(api: Api, mode: str) -> None:
    fund = api.new_fund(contribution="500.00")
    entries = [_item(fund, "5000", "10.00"), _item(fund, "5000", "20.00")]
    first = _batch(api, mode, entries)
    again = _batch(api, mode, entries)
    assert again.status_code == first.status_code
    assert [result["replayed"] for result in again.json()["results"]] == [True, True]
    assert ([result["entry"] for result in again.json()["results"]]
            == [result["entry"] for result in first.json()["results"]])
    assert len(_journal(api, fund)) == 3 and api.balances(fund)["1000"] == "470.00"


def test_a_key_reused_with_another_entry_is_refused(api: Api) -> None:
    fund = api.new_fund(contribution="500.00")
    key = unique("item")
    assert _batch(api, "atomic", [_item(fund, "5000", "10.00", key=key)]).status_code == 201
    other = [_item(fund, "5000", "1.00"), _item(fund, "5000", "99.00", key=key)]
    assert_problem(_batch(api, "atomic", other), 422, "entries[1].idempotency_key")
    independent = _batch(api, "independent", other).json()["results"]
    assert [result["status"] for result in independent] == [201, 409]
    assert independent[1]["problem"]["errors"][0]["field"] == "idempotency_key"
    assert api.balances(fund)["1000"] == "489.00"


def test_two_items_of_one_batch_may_not_share_a_key(api: Api) -> None:
    fund = api.new_fund(contribution="500.00")
    key = unique("item")
    entries = [_item(fund, "5000", "10.00", key=key), _item(fund, "5000", "10.00", key=key)]
    assert_problem(_batch(api, "atomic", entries), 422, "entries[1].idempotency_key")
    assert len(_journal(api, fund)) == 1
    results = _batch(api, "independent", entries).json()["results"]
    assert [result["status"] for result in results] == [201, 422]
    assert api.balances(fund)["1000"] == "490.00"


def test_one_batch_may_post_to_several_funds(api: Api) -> None:
    first, second = api.new_fund(contribution="100.00"), api.new_fund(contribution="100.00")
    response = _batch(api, "atomic", [_item(first, "5000", "1.00"), _item(second, "5000", "2.00"),
                                      _item(first, "5000", "3.00")])
    assert response.status_code == 201, response.text
    assert [result["entry"]["fund"] for result in response.json()["results"]] == [
        first, second, first]
    assert (api.balances(first)["1000"], api.balances(second)["1000"]) == ("96.00", "98.00")
    assert api.verify(first)["ok"] and api.verify(second)["ok"]


def test_single_postings_go_on_from_where_a_batch_left_the_chain(api: Api) -> None:
    fund = api.new_fund(contribution="100.00")
    assert api.entry(fund, [("5000", "debit", "1.00"), ("1000", "credit", "1.00")]
                     ).status_code == 201
    assert _batch(api, "atomic", [_item(fund, "5000", "2.00")] * 1 + [
        _item(fund, "5000", "3.00")]).status_code == 201
    single = api.entry(fund, [("5000", "debit", "4.00"), ("1000", "credit", "4.00")])
    assert single.status_code == 201 and single.json()["seq"] == 5
    assert api.verify(fund)["ok"] is True


@pytest.mark.parametrize(("body", "field"), [
    ({"mode": "atomic", "entries": []}, "entries"),
    ({"mode": "sometimes", "entries": "ENTRY"}, "mode"),
    ({"entries": "ENTRY"}, "mode"),
    ({"mode": "atomic", "entries": ["ENTRY"] * 1001}, "entries"),
    ({"mode": "atomic", "entries": [{"fund": "x", "date": "2026-01-01", "memo": "m",
                                     "lines": []}]}, "entries[0].idempotency_key"),
])
def test_malformed_batches_are_400(api: Api, body: dict[str, Any], field: str) -> None:
    fund = api.new_fund(contribution="10.00")
    entry = _item(fund, "5000", "1.00")
    if isinstance(body.get("entries"), str):
        body = {**body, "entries": [entry]}
    elif body.get("entries") and body["entries"][0] == "ENTRY":
        body = {**body, "entries": [{**entry, "idempotency_key": unique("item")}
                                    for _ in body["entries"]]}
    assert_problem(api.post("/api/journal/batch", body, key=None), 400, field)
    assert len(_journal(api, fund)) == 1


def test_an_item_key_must_be_visible_ascii(api: Api) -> None:
    fund = api.new_fund(contribution="10.00")
    bad = [_item(fund, "5000", "1.00"), _item(fund, "5000", "1.00", key="has space")]
    assert_problem(_batch(api, "independent", bad), 400, "entries[1].idempotency_key")
    assert len(_journal(api, fund)) == 1


@pytest.mark.parametrize("role", ["borrower", "auditor"])
def test_only_admins_post_batches(api: Api, role: str) -> None:
    fund = api.new_fund(contribution="10.00")
    assert_problem(_batch(api, "atomic", [_item(fund, "5000", "1.00")], role=role), 403)
    assert len(_journal(api, fund)) == 1


def test_what_only_the_database_refuses_is_found_item_by_item(api: Api) -> None:
    """An account's balance has a limit only the database checks: a batch that crosses it
    is rolled back and run again entry by entry, so the entry that crosses is named."""
    fund = api.new_fund()
    largest = format_minor(MAX_ENTRY_TOTAL, "HKD")
    count = MAX_BALANCE // MAX_ENTRY_TOTAL + 1
    entries = [_item(fund, "5000", largest, credit_account="3000") for _ in range(count)]
    refused = _batch(api, "atomic", entries)
    assert_problem(refused, 422, f"entries[{count - 1}].lines")
    assert len(_journal(api, fund)) == 0
    results = _batch(api, "independent", entries).json()["results"]
    assert [result["status"] for result in results] == [201] * (count - 1) + [422]
    assert api.balances(fund)["5000"] == format_minor(MAX_BALANCE, "HKD")
    assert api.verify(fund)["ok"] is True
