from __future__ import annotations

from datetime import date, timedelta

import pytest

from tests.support import Api, assert_problem, today


def test_a_balanced_entry_is_posted_and_chained(api: Api) -> None:
    fund = api.new_fund(contribution="1000.00")
    response = api.entry(fund, [("5000", "debit", "150.00"), ("1000", "credit", "150.00")],
                         memo="Hospital deposit for R.")
    assert response.status_code == 201, response.text
    entry = response.json()
    first = api.get("/api/journal", params={"fund": fund}).json()["items"][0]
    assert entry["seq"] == 2 and entry["prev_hash"] == first["hash"]
    assert entry["source"] is None and entry["reversed_by"] is None
    assert api.get(f"/api/journal/{entry['id']}", role="auditor").json() == entry
    balances = api.balances(fund)
    assert (balances["1000"], balances["5000"], balances["3000"]) == ("850.00", "150.00",
                                                                      "1000.00")
    assert api.verify(fund) == {"ok": True, "entries_checked": 2,
                                "head": {"seq": 2, "hash": entry["hash"]}, "first_bad": None}


@pytest.mark.parametrize(("lines", "field"), [
    ([("5000", "debit", "10.00"), ("1000", "credit", "9.99")], "lines"),
    ([("5000", "debit", "10.00")], "lines"),
    ([("5000", "debit", "10.00"), ("9999", "credit", "10.00")], "lines[1].account"),
])
def test_rule_breaking_entries_are_422_and_write_nothing(api: Api, lines: list[tuple[str, str,
                                                                                      str]],
                                                         field: str) -> None:
    fund = api.new_fund(contribution="100.00")
    assert_problem(api.entry(fund, lines), 422, field)
    assert len(api.get("/api/journal", params={"fund": fund}).json()["items"]) == 1
    assert api.verify(fund)["entries_checked"] == 1


def test_a_line_with_both_or_neither_side_is_422(api: Api) -> None:
    fund = api.new_fund(contribution="100.00")
    both = {"fund": fund, "date": today(), "memo": "m", "lines": [
        {"account": "5000", "debit": "1.00", "credit": "1.00"},
        {"account": "1000", "credit": "1.00"}]}
    assert_problem(api.post("/api/journal", both), 422, "lines[0]")
    neither = {**both, "lines": [{"account": "5000"}, {"account": "1000", "credit": "1.00"}]}
    assert_problem(api.post("/api/journal", neither), 422, "lines[0]")


@pytest.mark.parametrize(("change", "status", "field"), [
    ({"fund": "no-such-fund"}, 422, "fund"),
    ({"date": "2026-02-30"}, 400, "date"),
    ({"date": "yesterday"}, 400, "date"),
    ({"memo": ""}, 400, "memo"),
    ({"lines": [{"account": "5000", "debit": 10}, {"account": "1000", "credit": "10"}]}, 400,
     "lines[0].debit"),
    ({"lines": [{"account": "5000", "debit": "10.001"}, {"account": "1000", "credit": "10"}]},
     400, "lines[0].debit"),
    ({"lines": [{"account": "5000", "debit": "0"}, {"account": "1000", "credit": "0"}]}, 400,
     "lines[0].debit"),
    ({"lines": [{"debit": "1"}, {"account": "1000", "credit": "1"}]}, 400, "lines[0].account"),
    ({"lines": "nope"}, 400, "lines"),
    ({"surprise": True}, 400, "surprise"),
])
def test_malformed_entries_name_the_field(api: Api, change: dict[str, object], status: int,
                                          field: str) -> None:
    fund = api.new_fund(contribution="100.00")
    body = {"fund": fund, "date": today(), "memo": "m",
            "lines": [{"account": "5000", "debit": "1.00"}, {"account": "1000", "credit": "1.00"}],
            **change}
    assert_problem(api.post("/api/journal", body), status, field)
    assert api.balances(fund)["1000"] == "100.00"


def test_future_dates_are_422(api: Api) -> None:
    fund = api.new_fund(contribution="100.00")
    tomorrow = (date.fromisoformat(today()) + timedelta(days=1)).isoformat()
    assert_problem(api.entry(fund, [("5000", "debit", "1"), ("1000", "credit", "1")],
                             date=tomorrow), 422, "date")


def test_cash_can_never_go_below_zero(api: Api) -> None:
    fund = api.new_fund(contribution="100.00")
    assert_problem(api.entry(fund, [("5000", "debit", "100.01"), ("1000", "credit", "100.01")]),
                   409)
    assert api.balances(fund)["1000"] == "100.00"
    exact = api.entry(fund, [("5000", "debit", "100.00"), ("1000", "credit", "100.00")])
    assert exact.status_code == 201
    assert api.balances(fund)["1000"] == "0.00"
    assert_problem(api.entry(fund, [("5000", "debit", "0.01"), ("1000", "credit", "0.01")]), 409)
    assert api.verify(fund)["ok"] is True


def test_journal_posting_needs_an_admin_and_a_key(api: Api) -> None:
    fund = api.new_fund(contribution="10.00")
    lines = [("5000", "debit", "1"), ("1000", "credit", "1")]
    assert_problem(api.entry(fund, lines, role="auditor"), 403)
    assert_problem(api.entry(fund, lines, role="borrower"), 403)
    assert_problem(api.entry(fund, lines, role=None), 401)
    assert_problem(api.entry(fund, lines, key=None), 400, "Idempotency-Key")
    assert api.balances(fund)["1000"] == "10.00"


def test_reversal_mirrors_the_entry_once(api: Api) -> None:
    fund = api.new_fund(contribution="500.00")
    original = api.entry(fund, [("5000", "debit", "120.00", ), ("1000", "credit", "120.00")]
                         ).json()
    reversal = api.post(f"/api/journal/{original['id']}/reversal", {"memo": "Paid twice"})
    assert reversal.status_code == 201, reversal.text
    body = reversal.json()
    assert body["reverses"] == original["id"] and body["memo"] == "Paid twice"
    assert [(line["account"], line["debit"], line["credit"]) for line in body["lines"]] == [
        ("5000", "0.00", "120.00"), ("1000", "120.00", "0.00")]
    assert api.get(f"/api/journal/{original['id']}").json()["reversed_by"] == body["id"]
    assert api.balances(fund)["1000"] == "500.00"
    assert_problem(api.post(f"/api/journal/{original['id']}/reversal", {}), 409)
    assert_problem(api.post("/api/journal/no-such-entry/reversal", {}), 404)
    assert_problem(api.post(f"/api/journal/{body['id']}/reversal", {}, role="auditor"), 403)
    assert api.verify(fund)["ok"] is True


def test_reversal_without_a_body_defaults_date_and_memo(api: Api) -> None:
    fund = api.new_fund(contribution="50.00")
    original = api.entry(fund, [("5000", "debit", "5"), ("1000", "credit", "5")],
                         memo="Food parcel").json()
    reversal = api.post(f"/api/journal/{original['id']}/reversal", None)
    assert reversal.status_code == 201, reversal.text
    assert reversal.json()["date"] == today()
    assert "Food parcel" in reversal.json()["memo"]


def test_reversal_may_not_predate_the_entry_or_overdraw(api: Api) -> None:
    fund = api.new_fund(contribution="50.00")
    contribution = api.get("/api/journal", params={"fund": fund}).json()["items"][0]
    assert_problem(api.post(f"/api/journal/{contribution['id']}/reversal",
                            {"date": "2020-01-01"}), 422, "date")
    api.entry(fund, [("5000", "debit", "30"), ("1000", "credit", "30")])
    # Reversing the contribution would take cash to -30.00.
    assert_problem(api.post(f"/api/journal/{contribution['id']}/reversal", {}), 409)


def test_listing_filters_and_paginates(api: Api) -> None:
    fund = api.new_fund(contribution="1000.00")
    other = api.new_fund(contribution="5.00")
    for day, amount in (("2026-01-10", "1"), ("2026-02-10", "2"), ("2026-03-10", "3")):
        assert api.entry(fund, [("5000", "debit", amount), ("1000", "credit", amount)],
                         date=day).status_code == 201
    api.entry(fund, [("5100", "debit", "4"), ("1000", "credit", "4")], date="2026-03-11")
    everything = api.get("/api/journal", params={"fund": fund}).json()
    assert [entry["seq"] for entry in everything["items"]] == [1, 2, 3, 4, 5]
    assert everything["next_cursor"] is None
    seen, cursor = [], None
    while True:
        params = {"fund": fund, "limit": 2, **({"cursor": cursor} if cursor else {})}
        page = api.get("/api/journal", params=params, role="auditor").json()
        seen += [entry["seq"] for entry in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [1, 2, 3, 4, 5]
    grants = api.get("/api/journal", params={"fund": fund, "account": "5000"}).json()["items"]
    assert [entry["seq"] for entry in grants] == [2, 3, 4]
    ranged = api.get("/api/journal", params={"fund": fund, "from": "2026-02-01",
                                             "to": "2026-03-10"}).json()["items"]
    assert [entry["date"] for entry in ranged] == ["2026-02-10", "2026-03-10"]
    everyone = api.get("/api/journal", params={"limit": 500}).json()["items"]
    assert {entry["fund"] for entry in everyone} >= {fund, other}


@pytest.mark.parametrize(("params", "status", "field"), [
    ({"limit": 0}, 400, "limit"), ({"limit": 501}, 400, "limit"), ({"limit": "x"}, 400, "limit"),
    ({"cursor": "garbage!"}, 400, "cursor"), ({"from": "01/02/2026"}, 400, "from"),
    ({"account": "1000"}, 400, "account"), ({"fund": "no-such-fund"}, 422, "fund"),
])
def test_bad_list_parameters(api: Api, params: dict[str, object], status: int,
                             field: str) -> None:
    assert_problem(api.get("/api/journal", params=params), status, field)


def test_journal_reads_are_for_admins_and_auditors(api: Api) -> None:
    fund = api.new_fund(contribution="5.00")
    entry = api.get("/api/journal", params={"fund": fund}).json()["items"][0]
    assert_problem(api.get("/api/journal", role="borrower"), 403)
    assert_problem(api.get(f"/api/journal/{entry['id']}", role="borrower"), 403)
    assert_problem(api.get("/api/journal/no-such-entry"), 404)


def test_replaying_a_reversal_returns_the_first_response_not_a_conflict(api: Api) -> None:
    fund = api.new_fund(contribution="80.00")
    original = api.entry(fund, [("5000", "debit", "8"), ("1000", "credit", "8")]).json()
    first = api.post(f"/api/journal/{original['id']}/reversal", {}, key="reverse-once")
    again = api.post(f"/api/journal/{original['id']}/reversal", {}, key="reverse-once")
    assert first.status_code == again.status_code == 201
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json() == first.json()


def test_replaying_a_payment_after_cash_ran_out_still_replays(api: Api) -> None:
    fund = api.new_fund(contribution="10.00")
    lines = [("5000", "debit", "10"), ("1000", "credit", "10")]
    first = api.entry(fund, lines, key="pay-once", memo="Rent")
    again = api.entry(fund, lines, key="pay-once", memo="Rent")
    assert first.status_code == again.status_code == 201
    assert again.json()["id"] == first.json()["id"]
