"""POST /api/loans/repayments/batch: a settlement file's repayments in one request, each
allocated exactly as a single repayment is. Figures as in test_loans: 3,000.00 at flat
12 % over 3 months is 1,000.00 principal + 30.00 interest a month."""

from __future__ import annotations

from typing import Any

import pytest

from aidledger.domain.errors import Conflict
from aidledger.services import repayments
from tests.api.test_loans import DISBURSED, _approved, _day, _setup
from tests.support import Api, assert_problem, raw_sql, unique


def _disbursed(api: Api, setup: dict[str, str]) -> str:
    loan = _approved(api, setup)
    disbursed = api.post(f"/api/loans/{loan}/disbursement", {"date": DISBURSED.isoformat()})
    assert disbursed.status_code == 200, disbursed.text
    return loan


def _item(loan: str, amount: str, on: str, reference: str | None = None,
          key: str | None = None) -> dict[str, Any]:
    return {"idempotency_key": key or unique("repayment"), "loan": loan, "amount": amount,
            "date": on, "reference": reference}


def _batch(api: Api, mode: str, items: list[dict[str, Any]], **body: Any) -> Any:
    return api.post("/api/loans/repayments/batch", {"mode": mode, "repayments": items, **body},
                    key=None)


def test_an_atomic_batch_allocates_like_single_repayments(api: Api) -> None:
    setup = _setup(api)
    first = _disbursed(api, setup)
    # Another member of the same fund (one person holds one loan at a time).
    second = _disbursed(api, {**setup, "person": _setup(api)["person"]})
    items = [_item(first, "1030.00", _day(1), "BANK-0001"),
             _item(second, "500.00", _day(1), "BANK-0002"),
             _item(first, "1080.00", _day(2, plus_days=10), "BANK-0003")]
    response = _batch(api, "atomic", items)
    assert response.status_code == 201, response.text
    results = response.json()["results"]
    assert [(result["index"], result["status"]) for result in results] == [
        (0, 201), (1, 201), (2, 201)]
    allocations = [result["repayment"]["allocation"] for result in results]
    assert (allocations[0]["interest"], allocations[0]["principal"]) == ("30.00", "1000.00")
    assert (allocations[1]["interest"], allocations[1]["principal"]) == ("30.00", "470.00")
    # Ten days late on the second instalment: the 50.00 penalty comes first.
    assert (allocations[2]["penalties"], allocations[2]["interest"],
            allocations[2]["principal"]) == ("50.00", "30.00", "1000.00")
    assert results[0]["repayment"]["entry"]["memo"].endswith("reference BANK-0001")
    schedule = api.get(f"/api/loans/{first}/schedule").json()
    assert [row["status"] for row in schedule["installments"]][:2] == ["paid", "paid"]
    balances = api.balances(setup["fund"])
    assert balances["1100"] == "3530.00"  # 6,000 lent, 1,000 + 470 + 1,000 repaid
    assert balances["1000"] == "46610.00"  # 50,000 - 6,000 + 1,030 + 500 + 1,080
    assert api.verify(setup["fund"])["ok"] is True


def test_an_atomic_batch_with_one_bad_repayment_records_none(api: Api) -> None:
    setup = _setup(api)
    loan = _disbursed(api, setup)
    before = api.balances(setup["fund"])
    items = [_item(loan, "1030.00", _day(1)), _item(loan, "10.001", _day(1)),
             _item(unique("no-such-loan"), "1.00", _day(1))]
    refused = _batch(api, "atomic", items)
    assert_problem(refused, 422, "repayments[1].amount")
    assert refused.json()["index"] == 1
    assert api.balances(setup["fund"]) == before
    assert api.get(f"/api/loans/{loan}/schedule").json()["installments"][0]["paid"] == "0.00"


def test_an_independent_batch_answers_each_repayment(api: Api) -> None:
    setup = _setup(api)
    loan = _disbursed(api, setup)
    other_fund = _setup(api)
    elsewhere = _disbursed(api, other_fund)
    items = [_item(loan, "1030.00", _day(1)), _item(unique("no-such-loan"), "1.00", _day(1)),
             _item(loan, "5.00", DISBURSED.isoformat()),  # before the last repayment
             _item(elsewhere, "10.00", _day(1)), _item(loan, "0", _day(1)),
             _item(loan, "1030.00", _day(2))]
    response = _batch(api, "independent", items, fund=setup["fund"])
    assert response.status_code == 200, response.text
    results = response.json()["results"]
    assert [result["status"] for result in results] == [201, 422, 422, 422, 400, 201]
    assert [result["problem"]["errors"][0]["field"] for result in results[1:5]] == [
        "loan", "date", "loan", "amount"]
    assert api.balances(setup["fund"])["1100"] == "1000.00"
    assert api.balances(other_fund["fund"])["1100"] == "3000.00"  # not this fund's loan
    assert api.verify(setup["fund"])["ok"] is True


def test_a_batch_splits_each_repayment_as_single_repayments_in_that_order_would(
        api: Api) -> None:
    """The batch splits repayments against the loans' books kept in memory; the same
    repayments sent one by one to a twin loan are the oracle."""
    setup = _setup(api)
    batched = _disbursed(api, setup)
    single = _disbursed(api, {**setup, "person": _setup(api)["person"]})
    payments = [("400.00", _day(1)), ("400.00", _day(1)), ("700.00", _day(2, plus_days=9)),
                ("0.01", _day(2, plus_days=9)), ("900.00", _day(3))]
    response = _batch(api, "atomic", [_item(batched, amount, on) for amount, on in payments])
    assert response.status_code == 201, response.text
    one_by_one = []
    for amount, on in payments:
        answered = api.post(f"/api/loans/{single}/repayments", {"amount": amount, "date": on})
        assert answered.status_code == 201, answered.text
        one_by_one.append(answered.json())
    results = [result["repayment"] for result in response.json()["results"]]
    assert [(result["allocation"], result["outstanding"]) for result in results] == [
        (result["allocation"], result["outstanding"]) for result in one_by_one]
    # Not a trivial oracle: the first instalment (part paid) and the second were both more
    # than 5 days late by the third repayment, and each repayment is split differently.
    assert results[2]["allocation"]["penalties"] == "100.00"
    assert len({str(result["allocation"]) for result in results}) == len(payments)
    assert (api.get(f"/api/loans/{batched}/schedule").json()["installments"]
            == api.get(f"/api/loans/{single}/schedule").json()["installments"])
    assert [entry["seq"] for entry in (result["entry"] for result in results)] == sorted(
        result["entry"]["seq"] for result in results)
    assert api.verify(setup["fund"])["ok"] is True


def test_a_batch_that_pays_a_loan_off_closes_it_and_refuses_what_follows(api: Api) -> None:
    setup = _setup(api)
    loan = _disbursed(api, setup)
    items = [_item(loan, "1030.00", _day(1)), _item(loan, "1030.00", _day(2)),
             _item(loan, "1030.00", _day(3)),  # the last instalment: the loan is paid off
             _item(loan, "10.00", _day(3))]
    response = _batch(api, "independent", items)
    assert response.status_code == 200, response.text
    results = response.json()["results"]
    assert [result["status"] for result in results] == [201, 201, 201, 409]
    assert results[2]["repayment"]["outstanding"]["principal"] == "0.00"
    assert api.get(f"/api/loans/{loan}").json()["status"] == "closed"
    assert api.balances(setup["fund"])["1100"] == "0.00"
    assert api.balances(setup["fund"])["1000"] == "50090.00"  # 50,000 - 3,000 + 3 x 1,030
    events = api.get("/api/audit/events", params={"subject_kind": "loan", "subject_id": loan},
                     role="auditor").json()["items"]
    repaid = [(event["before"], event["after"]) for event in events
              if event["action"] == "loan.repaid"]
    assert repaid == [({"status": "active"}, {"status": "active"}),
                      ({"status": "active"}, {"status": "active"}),
                      ({"status": "active"}, {"status": "closed"})]
    assert api.verify(setup["fund"])["ok"] is True


def test_loans_paid_off_in_one_batch_all_close_on_their_own_days(api: Api) -> None:
    setup = _setup(api)
    early, late = (_disbursed(api, {**setup, "person": _setup(api)["person"]})
                   for _ in range(2))
    payoff = api.get(f"/api/loans/{early}/payoff", params={"date": _day(1)}).json()["total"]
    response = _batch(api, "atomic", [_item(early, payoff, _day(1)),
                                      _item(late, payoff, _day(1)),
                                      _item(late, "1.00", _day(1))])  # after it closed
    assert_problem(response, 422, "repayments[2].status")
    assert response.json()["index"] == 2
    assert {api.get(f"/api/loans/{loan}").json()["status"] for loan in (early, late)} == {
        "active"}  # atomic: nothing was written
    later = api.get(f"/api/loans/{late}/payoff", params={"date": _day(2)}).json()["total"]
    closed = _batch(api, "atomic", [_item(early, payoff, _day(1)), _item(late, later, _day(2))])
    assert closed.status_code == 201, closed.text
    assert [api.get(f"/api/loans/{loan}").json()["status"] for loan in (early, late)] == [
        "closed", "closed"]
    closed_on = {row[0]: row[1] for row in raw_sql(
        f"SELECT id, closed_on FROM loan WHERE id IN ('{early}', '{late}')")[0]}
    assert {loan: str(on)[:10] for loan, on in closed_on.items()} == {early: _day(1),
                                                                      late: _day(2)}
    assert api.balances(setup["fund"])["1100"] == "0.00"
    assert api.verify(setup["fund"])["ok"] is True


def test_a_batch_repayment_on_a_written_off_loan_is_a_recovery(api: Api) -> None:
    setup = _setup(api)
    loan = _disbursed(api, setup)
    written = api.post(f"/api/loans/{loan}/write-off",
                       {"date": _day(1), "reason": "Left Hong Kong; no contact"})
    assert written.status_code == 200, written.text
    response = _batch(api, "atomic", [_item(loan, "200.00", _day(2)),
                                      _item(loan, "300.00", _day(2))])
    assert response.status_code == 201, response.text
    results = [result["repayment"] for result in response.json()["results"]]
    assert [result["allocation"]["recovery"] for result in results] == ["200.00", "300.00"]
    assert [(line["account"], line["credit"]) for line in results[1]["entry"]["lines"]] == [
        ("1000", "0.00"), ("4200", "300.00")]
    assert api.get(f"/api/loans/{loan}").json()["status"] == "written_off"
    assert api.balances(setup["fund"])["4200"] == "500.00"  # income: its credit balance
    assert api.verify(setup["fund"])["ok"] is True


def test_a_batch_whose_entries_are_refused_together_goes_again_one_by_one(
        api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    """Should the ledger refuse a repayment's entry when the batch is written together
    (it cannot: a repayment only brings cash in), the repayments after it on that loan
    were split on a wrong basis; the batch is then rolled back and run one by one."""
    setup = _setup(api)
    loan = _disbursed(api, setup)
    refused_together: list[int] = []

    async def refusing(context: Any, actor: Any, drafts: Any) -> list[Any]:
        refused_together.append(len(drafts))
        return [Conflict("refused for the test")] * len(drafts)

    monkeypatch.setattr(repayments, "append_entries", refusing)
    response = _batch(api, "atomic", [_item(loan, "1030.00", _day(1)),
                                      _item(loan, "1030.00", _day(2))])
    assert refused_together == [2]
    assert response.status_code == 201, response.text
    assert [result["repayment"]["outstanding"]["principal"]
            for result in response.json()["results"]] == ["2000.00", "1000.00"]
    assert api.balances(setup["fund"])["1100"] == "1000.00"
    assert api.verify(setup["fund"])["ok"] is True


def test_a_settlement_sent_twice_is_recorded_once(api: Api) -> None:
    setup = _setup(api)
    loan = _disbursed(api, setup)
    items = [_item(loan, "1030.00", _day(1), "W-1"), _item(loan, "1030.00", _day(2), "W-2")]
    first = _batch(api, "independent", items)
    again = _batch(api, "independent", items)
    assert [result["replayed"] for result in again.json()["results"]] == [True, True]
    assert again.json()["results"] == [{**result, "replayed": True}
                                       for result in first.json()["results"]]
    assert api.balances(setup["fund"])["1100"] == "1000.00"


def test_the_batch_fund_must_exist(api: Api) -> None:
    setup = _setup(api)
    loan = _disbursed(api, setup)
    assert_problem(_batch(api, "atomic", [_item(loan, "1.00", _day(1))],
                          fund=unique("no-such-fund")), 422, "fund")


@pytest.mark.parametrize(("body", "field"), [
    ({"mode": "atomic", "repayments": []}, "repayments"),
    ({"mode": "all", "repayments": None}, "mode"),
    ({"mode": "atomic", "repayments": [{"loan": "x", "amount": "1.00", "date": "2026-01-01"}]},
     "repayments[0].idempotency_key"),
    ({"mode": "atomic", "repayments": [{"idempotency_key": "k", "loan": "x", "amount": 1,
                                        "date": "2026-01-01"}]}, "repayments[0].amount"),
])
def test_malformed_repayment_batches_are_400(api: Api, body: dict[str, Any], field: str) -> None:
    if body["repayments"] is None:
        body = {**body, "repayments": [_item("x", "1.00", _day(1))]}
    assert_problem(api.post("/api/loans/repayments/batch", body, key=None), 400, field)


def test_more_than_a_thousand_repayments_are_400(api: Api) -> None:
    items = [_item("x", "1.00", _day(1)) for _ in range(1001)]
    assert_problem(_batch(api, "independent", items), 400, "repayments")


@pytest.mark.parametrize("role", ["borrower", "auditor"])
def test_only_admins_record_repayment_batches(api: Api, role: str) -> None:
    setup = _setup(api)
    loan = _disbursed(api, setup)
    response = api.post("/api/loans/repayments/batch",
                        {"mode": "atomic", "repayments": [_item(loan, "1030.00", _day(1))]},
                        key=None, role=role)
    assert_problem(response, 403)
    assert api.get(f"/api/loans/{loan}/schedule").json()["installments"][0]["paid"] == "0.00"
