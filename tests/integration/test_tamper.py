"""An operator with table-owner rights edits an amount; verification must name the entry."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.support import Api, on_postgres, raw_sql


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
