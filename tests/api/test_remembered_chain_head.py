"""Each process remembers every fund's chain head and posts against it. These tests post
through a second service context, with caches of its own, as another server process
would, so the first one's remembered head goes out of date, and check that the books
stay right and the refusals stay the rules' own."""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager

from aidledger.services.context import PostingQueue
from tests.support import Api, assert_problem, raw_sql, unique


@contextmanager
def another_process(api: Api) -> Iterator[None]:
    state = api.client.app.state
    original = state.context
    state.context = dataclasses.replace(original, chain_heads={}, shared_funds=set(),
                                        posting_queues=defaultdict(PostingQueue))
    try:
        yield
    finally:
        state.context = original


def _spend(api: Api, fund: str, amount: str) -> dict[str, object]:
    response = api.entry(fund, [("5000", "debit", amount), ("1000", "credit", amount)])
    assert response.status_code == 201, response.text
    posted: dict[str, object] = response.json()
    return posted


def test_postings_from_another_process_keep_one_gapless_chain(api: Api) -> None:
    fund = api.new_fund(contribution="100.00")
    first = _spend(api, fund, "1.00")
    with another_process(api):
        second = _spend(api, fund, "2.00")
    third = _spend(api, fund, "3.00")  # the first context still remembers `first`
    assert [first["seq"], second["seq"], third["seq"]] == [2, 3, 4]
    assert third["prev_hash"] == second["hash"] and second["prev_hash"] == first["hash"]
    entries = api.get("/api/journal", params={"fund": fund}).json()["items"]
    assert [entry["seq"] for entry in entries] == [1, 2, 3, 4]
    assert api.balances(fund)["1000"] == "94.00"
    assert api.verify(fund)["ok"] is True


def test_cash_spent_elsewhere_is_refused_by_the_cash_rule(api: Api) -> None:
    fund = api.new_fund(contribution="100.00")
    _spend(api, fund, "10.00")  # this process now remembers 90.00 of cash
    with another_process(api):
        _spend(api, fund, "85.00")
    refused = api.entry(fund, [("5000", "debit", "50.00"), ("1000", "credit", "50.00")])
    assert_problem(refused, 409, "lines")
    assert refused.json()["detail"] == "Insufficient funds: this would take cash below zero."
    assert api.balances(fund)["1000"] == "5.00"
    assert api.verify(fund) | {"head": None} == {"ok": True, "entries_checked": 3,
                                                  "head": None, "first_bad": None}


def test_cash_added_elsewhere_may_be_spent(api: Api) -> None:
    fund = api.new_fund(contribution="100.00")
    _spend(api, fund, "10.00")  # remembered: 90.00
    with another_process(api):
        added = api.post(f"/api/funds/{fund}/contributions",
                         {"amount": "500.00", "donor": "Late donor"})
        assert added.status_code == 201, added.text
    assert _spend(api, fund, "300.00")["seq"] == 4
    assert api.balances(fund)["1000"] == "290.00"
    assert api.verify(fund)["ok"] is True


def test_a_reservation_made_elsewhere_is_respected(api: Api) -> None:
    fund = api.new_fund(contribution="100.00")
    _spend(api, fund, "10.00")  # remembered: 90.00 cash, nothing reserved
    # An approval in another process promised 60.00 of the cash.
    raw_sql(f"UPDATE fund SET reserved = 6000 WHERE code = '{fund}'")
    refused = api.entry(fund, [("5000", "debit", "40.00"), ("1000", "credit", "40.00")])
    assert_problem(refused, 409, "lines")
    assert refused.json()["detail"] == ("Insufficient funds: this would take cash below what is "
                                        "reserved for approved payments.")
    assert _spend(api, fund, "30.00")["seq"] == 3
    assert api.balances(fund)["1000"] == "60.00"


def test_a_replay_from_another_process_answers_with_the_first_response(api: Api) -> None:
    fund = api.new_fund(contribution="100.00")
    key = unique("key")
    lines = [("5000", "debit", "70.00"), ("1000", "credit", "70.00")]
    first = api.entry(fund, lines, key=key)
    assert first.status_code == 201, first.text
    with another_process(api):
        replayed = api.entry(fund, lines, key=key)  # would overdraw if it were posted again
        different = api.entry(fund, [("5000", "debit", "1.00"), ("1000", "credit", "1.00")],
                              key=key)
    assert replayed.status_code == 201 and replayed.headers["Idempotent-Replayed"] == "true"
    assert replayed.json() == first.json()
    assert_problem(different, 409, "Idempotency-Key")
    assert api.balances(fund)["1000"] == "30.00"
    assert api.verify(fund)["entries_checked"] == 2


def test_a_fund_another_process_posts_to_is_locked_first_until_that_process_stops(
        api: Api) -> None:
    fund = api.new_fund(contribution="100.00")
    context = api.client.app.state.context
    ((fund_id,),) = raw_sql(f"SELECT id FROM fund WHERE code = '{fund}'")[0]
    _spend(api, fund, "1.00")
    assert fund_id not in context.shared_funds
    with another_process(api):
        _spend(api, fund, "2.00")
    _spend(api, fund, "3.00")  # met the head the other process moved
    assert fund_id in context.shared_funds
    fourth = _spend(api, fund, "4.00")  # under the lock: the head is as it was left
    assert fund_id not in context.shared_funds  # nobody else moved it: the cheaper way again
    assert fourth["seq"] == 5
    assert api.balances(fund)["1000"] == "90.00"
    assert api.verify(fund)["ok"] is True
