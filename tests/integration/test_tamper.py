"""An operator with table-owner rights edits an amount; verification must name the entry."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.support import Api, Refused, as_database_owner, assert_problem, on_postgres, raw_sql


def _bypassing_append_only(statement: str) -> None:
    """Edits the books the way only the table owner could: with the guard switched off."""
    if on_postgres():
        raw_sql("ALTER TABLE journal_line DISABLE TRIGGER journal_line_append_only",
                statement,
                "ALTER TABLE journal_line ENABLE TRIGGER journal_line_append_only")
        return
    definition = raw_sql("SELECT sql FROM sqlite_master WHERE type = 'trigger' "
                         "AND name = 'journal_line_append_only_update'")[0][0][0]
    raw_sql("DROP TRIGGER journal_line_append_only_update", statement, definition)


def _verify_cli(fund: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "aidledger.cli", "verify", "--fund", fund],
                          capture_output=True, text=True, env=os.environ, check=False, timeout=60)


def test_verify_names_the_entry_whose_amount_was_changed(api: Api) -> None:
    fund = api.new_fund(contribution="1000.00")
    for amount in ("10.00", "20.00", "30.00"):
        assert api.entry(fund, [("5000", "debit", amount), ("1000", "credit", amount)]
                         ).status_code == 201
    entries = api.get("/api/journal", params={"fund": fund}).json()["items"]
    target = entries[2]  # seq 3: the 20.00 grant
    assert target["seq"] == 3
    clean = _verify_cli(fund)
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert "4 entries" in clean.stdout

    _bypassing_append_only(
        f"UPDATE journal_line SET debit = 2500 WHERE entry_id = '{target['id']}' AND debit > 0")

    tampered = _verify_cli(fund)
    assert tampered.returncode == 1
    assert f"entry seq 3 id {target['id']}" in tampered.stdout
    assert "hash does not match" in tampered.stdout
    report = api.verify(fund)
    assert report["ok"] is False
    assert report["entries_checked"] == 2
    assert report["first_bad"] == {"seq": 3, "entry_id": target["id"],
                                   "reason": "hash does not match the entry's content"}


def test_verify_notices_a_running_balance_that_disagrees_with_the_lines(api: Api) -> None:
    fund = api.new_fund(contribution="100.00")
    fund_id = api.get(f"/api/funds/{fund}").json()["id"]
    raw_sql(f"UPDATE account SET balance = balance + 1 WHERE fund_id = '{fund_id}' "
            "AND code = '3000'")
    report = api.verify(fund)
    assert report["ok"] is False
    assert "account 3000" in report["first_bad"]["reason"]
    assert _verify_cli(fund).returncode == 1


def _fund_id(api: Api, fund: str) -> str:
    identifier: str = api.get(f"/api/funds/{fund}").json()["id"]
    return identifier


def test_verify_recomputes_the_day_totals_that_as_of_balances_read(api: Api) -> None:
    fund = api.new_fund(contribution="100.00")
    raw_sql("UPDATE account_day SET credit = credit + 5000 WHERE account_id = (SELECT id "
            f"FROM account WHERE fund_id = '{_fund_id(api, fund)}' AND code = '3000')")
    report = api.verify(fund)
    assert report["ok"] is False
    assert report["first_bad"]["reason"].startswith("account 3000: the movements kept for ")
    assert _verify_cli(fund).returncode == 1


def test_verify_recomputes_the_reservations_from_the_approvals(api: Api) -> None:
    fund = api.new_fund(contribution="100.00")
    raw_sql(f"UPDATE fund SET reserved = 4000 WHERE id = '{_fund_id(api, fund)}'")
    report = api.verify(fund)
    assert report["first_bad"]["reason"] == (
        "the fund's reservations 40.00 HKD differ from the approved, unpaid loans and grants "
        "0.00 HKD")


def test_an_account_type_or_name_cannot_change_and_verify_sees_it_if_forced(
        api: Api) -> None:
    fund = api.new_fund(contribution="100.00")
    fund_id = _fund_id(api, fund)
    for change in ("type = 'asset'", "name = 'Petty cash'", "code = '5001'"):
        with pytest.raises(Refused, match="never change"):
            raw_sql(f"UPDATE account SET {change} WHERE fund_id = '{fund_id}' "
                    "AND code = '5000'")
    with pytest.raises(Refused, match="never deleted"):
        raw_sql(f"DELETE FROM account WHERE fund_id = '{fund_id}' AND code = '5100'")
    assert api.verify(fund)["ok"] is True
    as_database_owner(f"UPDATE account SET type = 'liability' WHERE fund_id = '{fund_id}' "
                      "AND code = '5000'")
    reason = api.verify(fund)["first_bad"]["reason"]
    assert reason.startswith("account 5000: name and type") and "expense" in reason


def test_an_added_account_is_held_against_its_creation_too(api: Api) -> None:
    fund = api.new_fund()
    created = api.post(f"/api/funds/{fund}/accounts",
                       {"code": "5200", "name": "Training costs", "type": "expense"})
    assert created.status_code == 201, created.text
    assert api.verify(fund)["ok"] is True
    as_database_owner(f"UPDATE account SET name = 'Other' WHERE fund_id = "
                      f"'{_fund_id(api, fund)}' AND code = '5200'")
    assert "account 5200" in api.verify(fund)["first_bad"]["reason"]


def test_a_line_moved_to_another_funds_account_is_named(api: Api) -> None:
    fund, other = api.new_fund(contribution="100.00"), api.new_fund()
    spent = api.entry(fund, [("5000", "debit", "3.00"), ("1000", "credit", "3.00")])
    assert spent.status_code == 201
    as_database_owner(
        "UPDATE journal_line SET account_id = (SELECT id FROM account WHERE fund_id = "
        f"'{_fund_id(api, other)}' AND code = '5000') WHERE entry_id = '{spent.json()['id']}' "
        "AND debit > 0")
    report = api.verify(fund)
    assert report["first_bad"]["seq"] == 2
    assert report["first_bad"]["reason"] == (
        f"a line names account 5000 of another fund ({_fund_id(api, other)})")


def test_an_altered_stored_reply_is_not_replayed(api: Api) -> None:
    fund = api.new_fund(contribution="100.00")
    key = "forged-reply-" + fund
    lines = [("5000", "debit", "3.00"), ("1000", "credit", "3.00")]
    first = api.entry(fund, lines, key=key, date="2026-11-30")
    assert first.status_code == 201
    forged = first.text.replace('"3.00"', '"0.30"')
    raw_sql(f"UPDATE idempotency_key SET body = '{forged}' WHERE key = '{key}'")
    replay = api.entry(fund, lines, key=key, date="2026-11-30")
    assert_problem(replay, 409, "Idempotency-Key")
    assert "fails its integrity check" in replay.json()["detail"]
    assert api.verify(fund)["entries_checked"] == 2  # nothing was posted twice
    everything = subprocess.run([sys.executable, "-m", "aidledger.cli", "verify"],
                                capture_output=True, text=True, env=os.environ, check=False,
                                timeout=120)
    assert f"FAIL stored replies: the reply kept for t-admin/{key} was altered" in \
        everything.stdout
