from __future__ import annotations

from tests.support import Api, assert_problem


def test_trial_balance_lists_every_account_and_balances(api: Api) -> None:
    fund = api.new_fund(contribution="1000.00")
    api.entry(fund, [("5000", "debit", "200.00"), ("1000", "credit", "200.00")])
    report = api.get(f"/api/funds/{fund}/trial-balance", role="auditor").json()
    assert report["fund"] == fund and report["currency"] == "HKD"
    lines = {line["account"]: (line["debit"], line["credit"]) for line in report["lines"]}
    assert len(lines) == 10
    assert lines["1000"] == ("800.00", "0.00")
    assert lines["3000"] == ("0.00", "1000.00")
    assert lines["5000"] == ("200.00", "0.00")
    assert lines["4000"] == ("0.00", "0.00")
    assert report["total_debit"] == report["total_credit"] == "1000.00"


def test_trial_balance_as_of_leaves_out_later_entries(api: Api) -> None:
    fund = api.new_fund()
    api.post(f"/api/funds/{fund}/contributions",
             {"amount": "300.00", "donor": "D", "date": "2026-01-15"})
    api.post(f"/api/funds/{fund}/contributions",
             {"amount": "700.00", "donor": "D", "date": "2026-03-15"})
    api.entry(fund, [("5000", "debit", "50.00"), ("1000", "credit", "50.00")], date="2026-02-01")

    def cash(as_of: str) -> tuple[str, str, str]:
        report = api.get(f"/api/funds/{fund}/trial-balance", params={"as_of": as_of}).json()
        assert report["as_of"] == as_of
        line = next(line for line in report["lines"] if line["account"] == "1000")
        return line["debit"], report["total_debit"], report["total_credit"]

    assert cash("2026-01-14") == ("0.00", "0.00", "0.00")
    assert cash("2026-01-15") == ("300.00", "300.00", "300.00")
    assert cash("2026-02-28") == ("250.00", "300.00", "300.00")
    assert cash("2026-03-15") == ("950.00", "1000.00", "1000.00")


def test_contrary_balances_go_to_the_other_column(api: Api) -> None:
    fund = api.new_fund(contribution="100.00")
    api.post(f"/api/funds/{fund}/accounts", {"code": "1200", "name": "Advances", "type": "asset"})
    # A mistaken credit to an asset account leaves it with a contrary (credit) balance.
    api.entry(fund, [("1000", "debit", "10.00"), ("1200", "credit", "10.00")])
    report = api.get(f"/api/funds/{fund}/trial-balance").json()
    line = next(line for line in report["lines"] if line["account"] == "1200")
    assert (line["debit"], line["credit"]) == ("0.00", "10.00")
    assert api.balances(fund)["1200"] == "-10.00"
    assert report["total_debit"] == report["total_credit"] == "110.00"


def test_trial_balance_refusals(api: Api) -> None:
    fund = api.new_fund()
    assert_problem(api.get(f"/api/funds/{fund}/trial-balance", params={"as_of": "soon"}), 400,
                   "as_of")
    assert_problem(api.get("/api/funds/no-such/trial-balance"), 404)
    assert_problem(api.get(f"/api/funds/{fund}/trial-balance", role="borrower"), 403)


def test_verify_refusals(api: Api) -> None:
    assert_problem(api.get("/api/audit/verify"), 400, "fund")
    assert_problem(api.get("/api/audit/verify", params={"fund": "no-such"}), 404)
    assert_problem(api.get("/api/audit/verify", params={"fund": api.new_fund()},
                           role="borrower"), 403)


def test_verify_of_an_empty_fund_is_ok_at_genesis(api: Api) -> None:
    report = api.verify(api.new_fund())
    assert report == {"ok": True, "entries_checked": 0, "head": {"seq": 0, "hash": "0" * 64},
                      "first_bad": None}
