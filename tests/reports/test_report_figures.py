"""Each report's figures against an oracle worked out in the test from other endpoints."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from datetime import timedelta
from decimal import Decimal
from typing import Any

import msgspec

from aidledger.contract.ledger import TrialBalanceOut
from aidledger.contract.reports import GeneralLedgerOut, GrantsReportOut, PortfolioOut
from tests.reports.books import PERIOD_START, TODAY, Books
from tests.support import Api


def _report(api: Api, name: str, role: str = "auditor", **params: str) -> Any:
    response = api.get(f"/api/reports/{name}", params=params, role=role)
    assert response.status_code == 200, response.text
    return response


def journal(api: Api, **params: str) -> list[dict[str, Any]]:
    """Every entry /api/journal lists for these filters, page after page."""
    entries: list[dict[str, Any]] = []
    query: dict[str, str | int] = {**params, "limit": 500}
    while True:
        page = api.get("/api/journal", params=query, role="auditor").json()
        entries += page["items"]
        if page["next_cursor"] is None:
            return entries
        query["cursor"] = page["next_cursor"]


def _csv(response: Any) -> list[dict[str, str]]:
    assert response.headers["content-type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8"))))


def test_trial_balance_is_the_funds_trial_balance_in_every_format(api: Api,
                                                                   books: Books) -> None:
    as_of = (TODAY - timedelta(days=25)).isoformat()
    expected = api.get(f"/api/funds/{books.fund}/trial-balance",
                       params={"as_of": as_of}).json()
    report = _report(api, "trial-balance", fund=books.fund, as_of=as_of)
    assert report.json() == expected
    msgspec.convert(report.json(), TrialBalanceOut)
    rows = _csv(_report(api, "trial-balance", fund=books.fund, as_of=as_of, format="csv"))
    assert rows[:-1] == [{key: line[key] for key in ("account", "name", "type", "debit",
                                                     "credit")} for line in expected["lines"]]
    assert rows[-1] == {"account": "TOTAL", "name": "", "type": "", "debit":
                        expected["total_debit"], "credit": expected["total_credit"]}
    assert Decimal(expected["total_debit"]) > 0


def test_general_ledger_is_the_journal_of_the_period(api: Api, books: Books) -> None:
    start, end = (TODAY - timedelta(days=100)).isoformat(), TODAY.isoformat()
    report = _report(api, "general-ledger", fund=books.fund, **{"from": start, "to": end})
    body = report.json()
    msgspec.convert(body, GeneralLedgerOut)
    listed = journal(api, fund=books.fund, **{"from": start, "to": end})
    assert body["entries"] == sorted(listed, key=lambda entry: entry["seq"])
    assert len(body["entries"]) >= 5
    assert (body["fund"], body["currency"], body["from"], body["to"]) == (
        books.fund, "HKD", start, end)
    # The opening balances are the balances at the end of the day before `from`.
    day_before = (TODAY - timedelta(days=101)).isoformat()
    before = api.get(f"/api/funds/{books.fund}/trial-balance",
                     params={"as_of": day_before}).json()
    opening = {line["account"]: line["balance"] for line in body["opening"]}
    assert opening["1000"] == before["lines"][0]["debit"]  # cash, on its debit side
    assert Decimal(opening["1000"]) > 0
    assert opening["3000"] == next(line["credit"] for line in before["lines"]
                                   if line["account"] == "3000")

    rows = _csv(_report(api, "general-ledger", fund=books.fund, format="csv",
                        **{"from": start, "to": end}))
    assert list(rows[0]) == [
        "fund", "currency", "seq", "entry_id", "date", "memo", "account", "account_name",
        "debit", "credit", "line_memo", "reverses", "source_kind", "source_id", "created_by",
        "created_at", "prev_hash", "hash"]
    from_json = [(entry["seq"], entry["id"], line["account"], line["debit"], line["credit"],
                  entry["hash"]) for entry in body["entries"] for line in entry["lines"]]
    assert [(int(row["seq"]), row["entry_id"], row["account"], row["debit"], row["credit"],
             row["hash"]) for row in rows] == from_json
    names = {item["code"]: item["name"]
             for item in api.get(f"/api/funds/{books.fund}/accounts").json()["items"]}
    assert all(row["account_name"] == names[row["account"]] for row in rows)
    assert "attachment" in _report(api, "general-ledger", fund=books.fund, format="csv",
                                   **{"from": start, "to": end}).headers["content-disposition"]


def _canonical(rows: list[dict[str, str]]) -> str:
    first = rows[0]
    return json.dumps({
        "id": first["entry_id"], "fund": first["fund"], "currency": first["currency"],
        "seq": int(first["seq"]), "date": first["date"], "memo": first["memo"],
        "lines": [{"account": row["account"], "debit": row["debit"], "credit": row["credit"],
                   "memo": row["line_memo"] or None} for row in rows],
        "created_by": first["created_by"], "created_at": first["created_at"],
        "reverses": first["reverses"] or None,
        "source": {"kind": first["source_kind"], "id": first["source_id"]}
        if first["source_kind"] else None,
        "prev_hash": first["prev_hash"],
    }, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def test_the_hash_chain_recomputes_from_the_general_ledger_csv_alone(api: Api,
                                                                     books: Books) -> None:
    rows = _csv(_report(api, "general-ledger", fund=books.fund, format="csv",
                        **{"from": PERIOD_START.isoformat(), "to": TODAY.isoformat()}))
    entries: dict[int, list[dict[str, str]]] = {}
    for row in rows:
        entries.setdefault(int(row["seq"]), []).append(row)
    assert sorted(entries) == list(range(1, len(entries) + 1))  # the whole chain
    previous = "0" * 64
    for seq in sorted(entries):
        first = entries[seq][0]
        assert first["prev_hash"] == previous
        recomputed = hashlib.sha256(
            f"{first['prev_hash']}\n{_canonical(entries[seq])}".encode()).hexdigest()
        assert recomputed == first["hash"], seq
        previous = first["hash"]
    checkpoint = api.get("/api/audit/checkpoint", params={"fund": books.fund},
                         role="auditor").json()
    assert (checkpoint["seq"], checkpoint["hash"]) == (len(entries), previous)


def _loan(api: Api, loan: str) -> dict[str, Any]:
    response = api.get(f"/api/loans/{loan}")
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def test_portfolio_at_risk_follows_the_loans_own_figures(api: Api, books: Books) -> None:
    body = _report(api, "portfolio", fund=books.fund).json()
    msgspec.convert(body, PortfolioOut)
    loans = {name: _loan(api, loan) for name, loan in books.loans.items()}
    active = {name: loan for name, loan in loans.items() if loan["status"] == "active"}
    assert set(active) == {"current", "late-35", "late-95", "late-10"}
    assert loans["written-off"]["status"] == "written_off"
    days = {name: loan["days_past_due"] for name, loan in active.items()}
    assert days["current"] == 0
    assert 31 <= days["late-35"] <= 60 and 91 <= days["late-95"] <= 180
    assert 1 <= days["late-10"] <= 30
    principal = {name: Decimal(loan["outstanding"]["principal"])
                 for name, loan in active.items()}
    gross = sum(principal.values())
    assert Decimal(body["gross_portfolio"]) == gross
    assert body["active_loans"] == 4

    def par(threshold: int) -> str:
        at_risk = sum(principal[name] for name in active if days[name] > threshold)
        return str((at_risk * 100 / gross).quantize(Decimal("0.01")))

    assert body["par"] == {"par1": par(1), "par30": par(30), "par90": par(90)}
    # The whole principal of a late loan is at risk, not only its overdue instalments.
    assert body["par"]["par90"] == str(
        (principal["late-95"] * 100 / gross).quantize(Decimal("0.01")))
    buckets = {line["bucket"]: line for line in body["aging"]}
    assert list(buckets) == ["current", "1-30", "31-60", "61-90", "91-180", "181-365",
                             "over-365"]
    assert (buckets["current"]["loans"], buckets["31-60"]["loans"],
            buckets["91-180"]["loans"], buckets["1-30"]["loans"]) == (1, 1, 1, 1)
    assert Decimal(buckets["91-180"]["principal_outstanding"]) == principal["late-95"]
    assert buckets["61-90"] == {"bucket": "61-90", "loans": 0,
                                "principal_outstanding": "0.00"}
    written_off_principal = Decimal(api.get(
        f"/api/journal/{_write_off_entry(api, books)}").json()["lines"][0]["debit"])
    assert body["written_off"] == {"count": 1, "principal": f"{written_off_principal:.2f}"}
    listed = {loan["loan"]: loan for loan in body["loans"]}
    assert set(listed) == {books.loans[name] for name in active}
    late = listed[books.loans["late-95"]]
    assert (late["days_past_due"], late["bucket"], late["product"], late["person"]) == (
        days["late-95"], "91-180", loans["late-95"]["product"], loans["late-95"]["person"])
    assert late["disbursed_on"] == loans["late-95"]["disbursed_on"]
    rows = _csv(_report(api, "portfolio", fund=books.fund, format="csv"))
    assert rows == [{key: str(value) for key, value in loan.items()} for loan in body["loans"]]


def _write_off_entry(api: Api, books: Books) -> str:
    entries = journal(api, fund=books.fund, account="5100")
    assert len(entries) == 1
    entry_id: str = entries[0]["id"]
    return entry_id


def test_the_portfolio_as_of_a_past_date(api: Api, books: Books) -> None:
    # Ninety days ago only the two oldest loans were out; the write-off came later.
    as_of = TODAY - timedelta(days=90)
    body = _report(api, "portfolio", fund=books.fund, as_of=as_of.isoformat()).json()
    assert {loan["loan"] for loan in body["loans"]} == {books.loans["late-95"],
                                                        books.loans["written-off"]}
    assert body["written_off"] == {"count": 0, "principal": "0.00"}
    written = next(loan for loan in body["loans"] if loan["loan"] == books.loans["written-off"])
    assert Decimal(written["principal_outstanding"]) == Decimal("1500.00")
    assert written["days_past_due"] > 90


def test_grants_report_totals_the_grants_paid(api: Api, books: Books) -> None:
    start, end = (TODAY - timedelta(days=30)).isoformat(), TODAY.isoformat()
    body = _report(api, "grants", fund=books.fund, **{"from": start, "to": end}).json()
    msgspec.convert(body, GrantsReportOut)
    paid = [api.get(f"/api/grants/{grant}").json() for grant in books.grants]
    in_period = [grant for grant in paid if start <= grant["paid_on"] <= end]
    assert len(in_period) == 1
    total = sum(Decimal(grant["amount"]) for grant in in_period)
    assert body["total"] == {"count": 1, "amount": f"{total:.2f}"}
    assert body["by_program"] == [{"program": books.program, "category": "medical",
                                   "count": 1, "amount": f"{total:.2f}"}]
    assert body["by_category"] == [{"category": "medical", "count": 1,
                                    "amount": f"{total:.2f}"}]
    assert body["grants"] == [{"id": grant["id"], "person": grant["person"],
                               "program": grant["program"], "category": "medical",
                               "amount": grant["amount"], "paid_on": grant["paid_on"],
                               "method": grant["payment"]["method"]} for grant in in_period]
    whole = _report(api, "grants", fund=books.fund,
                    **{"from": PERIOD_START.isoformat(), "to": end}).json()
    assert whole["total"] == {"count": 2, "amount": str(sum(Decimal(grant["amount"])
                                                            for grant in paid))}
    rows = _csv(_report(api, "grants", fund=books.fund, format="csv",
                        **{"from": PERIOD_START.isoformat(), "to": end}))
    assert rows == [{key: str(value) for key, value in grant.items()}
                    for grant in whole["grants"]]
