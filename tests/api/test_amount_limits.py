"""No input can make a fund unreadable: amounts, entries and balances have limits that the
service refuses with a 422 naming the field, and the database refuses too (both engines)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from aidledger.domain.ledger import MAX_BALANCE, MAX_ENTRY_TOTAL
from aidledger.domain.money import format_minor
from tests.support import (
    Api,
    Refused,
    as_database_owner,
    assert_problem,
    entry_insert_sql,
    on_postgres,
    raw_sql,
)

LARGEST_LINE = format_minor(MAX_ENTRY_TOTAL, "HKD")  # "10000000000000.00"


def _readable(api: Api, fund: str) -> dict[str, str]:
    """Every read a fund's users and auditors make still answers."""
    balances = api.balances(fund)
    trial = api.get(f"/api/funds/{fund}/trial-balance")
    assert trial.status_code == 200, trial.text
    assert trial.json()["total_debit"] == trial.json()["total_credit"]
    assert api.verify(fund)["ok"] is True
    return balances


def test_the_reported_attack_is_refused_before_anything_is_written(api: Api) -> None:
    fund = api.new_fund(contribution="100.00")
    lines = ([{"account": "1000", "debit": LARGEST_LINE}] * 250
             + [{"account": "3000", "credit": LARGEST_LINE}] * 250)
    for _ in range(20):
        response = api.post("/api/journal", {"fund": fund, "date": "2026-11-30", "memo": "big",
                                             "lines": lines})
        assert_problem(response, 422, "lines")
        assert "one entry moves at most 10000000000000.00 HKD" in response.text
    assert _readable(api, fund)["1000"] == "100.00"
    assert api.verify(fund)["entries_checked"] == 1


def test_an_entry_of_more_lines_than_allowed_is_refused(api: Api) -> None:
    fund = api.new_fund(contribution="100.00")
    lines = [{"account": "1000", "debit": "0.01"}] * 1000 + [{"account": "3000",
                                                               "credit": "10.00"}]
    assert_problem(api.post("/api/journal", {"fund": fund, "date": "2026-11-30", "memo": "m",
                                             "lines": lines}), 400, "lines")
    assert api.verify(fund)["entries_checked"] == 1


def test_an_account_balance_stops_at_the_limit_and_the_fund_stays_readable(api: Api) -> None:
    fund = api.new_fund()
    entries_to_the_limit = MAX_BALANCE // MAX_ENTRY_TOTAL
    for _ in range(entries_to_the_limit):
        posted = api.post(f"/api/funds/{fund}/contributions",
                          {"amount": LARGEST_LINE, "donor": "A very large donor"})
        assert posted.status_code == 201, posted.text
    over = api.post(f"/api/funds/{fund}/contributions", {"amount": "0.01", "donor": "One more"})
    assert_problem(over, 422, "lines")
    balances = _readable(api, fund)
    assert balances["1000"] == format_minor(MAX_BALANCE, "HKD")
    assert balances["3000"] == format_minor(MAX_BALANCE, "HKD")
    assert api.verify(fund)["entries_checked"] == entries_to_the_limit
    # Money may still leave the fund.
    assert api.entry(fund, [("5000", "debit", "1.00"), ("1000", "credit", "1.00")]
                     ).status_code == 201


def _fund_id(api: Api, fund: str) -> str:
    identifier: str = api.get(f"/api/funds/{fund}").json()["id"]
    return identifier


# PostgreSQL's BIGINT holds whole numbers only (1.5 is cast to 2); SQLite would have kept
# 1.5 as a REAL in a BIGINT column, which migration 0007 forbids.
NOT_WHOLE = [] if on_postgres() else ["1.5"]


@pytest.mark.parametrize("value", ["100000000000000001", "-100000000000000001", "1.5e19",
                                   *NOT_WHOLE])
def test_the_database_refuses_a_balance_out_of_range_or_not_whole(api: Api, value: str) -> None:
    fund = api.new_fund(contribution="100.00")
    fund_id = _fund_id(api, fund)
    with pytest.raises(Refused):
        raw_sql(f"UPDATE account SET balance = {value} WHERE fund_id = '{fund_id}' "
                "AND code = '3000'")
    assert api.balances(fund)["3000"] == "100.00"


def test_the_database_refuses_a_day_total_or_reservation_that_is_not_whole(api: Api) -> None:
    fund = api.new_fund(contribution="100.00")
    fund_id = _fund_id(api, fund)
    with pytest.raises(Refused):
        raw_sql("UPDATE account_day SET debit = 1.5e19 WHERE account_id IN "
                f"(SELECT id FROM account WHERE fund_id = '{fund_id}')")
    with pytest.raises(Refused):
        raw_sql(f"UPDATE fund SET reserved = 1.5e19 WHERE id = '{fund_id}'")


def test_the_database_refuses_an_entry_over_the_limit(api: Api) -> None:
    """Lines over the per-entry total, inserted by hand with a correct chain head."""
    fund = api.new_fund(contribution="100.00")
    fund_id = _fund_id(api, fund)
    head = raw_sql(f"SELECT last_seq, last_hash FROM fund WHERE id = '{fund_id}'")[0][0]
    accounts = dict(raw_sql(f"SELECT code, id FROM account WHERE fund_id = '{fund_id}'")[0])
    half = MAX_ENTRY_TOTAL // 2 + 1
    with pytest.raises(Refused, match=r"limit|entry moves"):
        raw_sql(*entry_insert_sql(fund_id, head[0] + 1, head[1], [
            (accounts["1000"], half, 0), (accounts["1000"], half, 0),
            (accounts["3000"], 0, 2 * half)]))
    assert api.verify(fund)["entries_checked"] == 1


def test_a_line_over_the_limit_is_refused_by_the_database(api: Api) -> None:
    fund = api.new_fund(contribution="100.00")
    fund_id = _fund_id(api, fund)
    account = raw_sql(f"SELECT id FROM account WHERE fund_id = '{fund_id}' AND code = '1000'")
    with pytest.raises(Refused):
        raw_sql("INSERT INTO journal_line (entry_id, line_no, account_id, debit, credit) "
                f"VALUES ('loose', 1, {account[0][0][0]}, {MAX_ENTRY_TOTAL + 1}, 0)")


def test_verify_reports_a_damaged_fund_and_goes_on_to_the_next(api: Api) -> None:
    damaged, clean = api.new_fund(contribution="100.00"), api.new_fund(contribution="5.00")
    raw_sql(f"UPDATE account SET balance = balance + 7 WHERE fund_id = "
            f"'{_fund_id(api, damaged)}' AND code = '3000'")
    verified = subprocess.run([sys.executable, "-m", "aidledger.cli", "verify"],
                              capture_output=True, text=True, env=os.environ, check=False,
                              timeout=120)
    assert verified.returncode == 1, verified.stdout + verified.stderr
    assert f"FAIL fund {damaged}: " in verified.stdout
    assert f"ok   fund {clean}: 1 entries" in verified.stdout
    assert "Traceback" not in verified.stderr


def test_verify_names_a_balance_damaged_before_the_limits_existed(api: Api) -> None:
    """The issue's fund: on SQLite a running balance that overflowed into a REAL. verify
    (API and CLI) names the account instead of failing on it, and goes on."""
    fund = api.new_fund(contribution="100.00")
    damaged = "1.05e19" if not on_postgres() else str(MAX_BALANCE)  # BIGINT holds no REAL
    as_database_owner(f"UPDATE account SET balance = {damaged} WHERE fund_id = "
                      f"'{_fund_id(api, fund)}' AND code = '3000'")
    report = api.verify(fund)
    assert report["ok"] is False
    assert report["first_bad"]["reason"].startswith(
        "account 3000: running balance (debits less credits) ")
    # Donor contributions are a credit balance: 100.00 HKD of credits.
    assert report["first_bad"]["reason"].endswith(
        "differs from the sum of its lines -100.00 HKD")
    verified = subprocess.run([sys.executable, "-m", "aidledger.cli", "verify", "--fund", fund],
                              capture_output=True, text=True, env=os.environ, check=False,
                              timeout=60)
    assert verified.returncode == 1 and f"FAIL fund {fund}: " in verified.stdout
    assert "Traceback" not in verified.stderr
