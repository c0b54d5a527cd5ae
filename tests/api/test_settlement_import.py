"""`aidledger import repayments FILE --fund CODE`: a settlement file through the batch path,
with a progress bar and a report of what was refused and why."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

from tests.api.test_loans import _day, _setup
from tests.api.test_repayment_batch import _disbursed
from tests.support import Api, unique


def _import(*arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "aidledger.cli", "import", "repayments",
                           *arguments], capture_output=True, text=True, check=False,
                          timeout=120, env={**os.environ, "COLUMNS": "100"})


def _file(folder: Path, rows: list[list[str]], header: str = "loan,amount,date,reference"
          ) -> Path:
    path = folder / f"{unique('settlement')}.csv"
    with path.open("w", newline="") as file:
        file.write(header + "\n")
        csv.writer(file).writerows(rows)
    return path


def test_a_settlement_file_is_recorded_once_and_its_refusals_reported(api: Api,
                                                                      tmp_path: Path) -> None:
    setup = _setup(api)
    loan = _disbursed(api, setup)
    wallet = unique("WALLET")
    rows = [[loan, "1030.00", _day(1), f"{wallet}-1"],
            [unique("no-such-loan"), "5.00", _day(1), f"{wallet}-2"],
            [loan, "12.345", _day(1), f"{wallet}-3"],
            [loan, "1030.00", _day(2), ""],
            [loan, "1030.00", _day(2), f"{wallet}-1"],
            [loan, "1030.00", _day(2), f"{wallet}-6"]]
    settlement = _file(tmp_path, rows)
    refused_file = tmp_path / "refused.csv"
    first = _import(str(settlement), "--fund", setup["fund"], "--user", "t-admin",
                    "--refused", str(refused_file))
    assert first.returncode == 1, first.stderr  # some rows were refused
    assert "recorded 2, already recorded earlier 0, refused 4 of 6 rows" in first.stdout
    assert "repayments" in first.stderr  # the progress bar
    report = list(csv.DictReader(refused_file.open()))
    assert [(row["line"], row["reason"].split(":")[0]) for row in report] == [
        ("3", "loan"), ("4", "amount"), ("5", "reference"), ("6", "reference")]
    assert "repeats line 2" in report[3]["reason"]
    assert api.balances(setup["fund"])["1100"] == "1000.00"  # two instalments' principal
    journal = api.get("/api/journal", params={"fund": setup["fund"], "limit": 500}).json()
    repayments = [entry for entry in journal["items"] if entry["memo"].startswith("Loan rep")]
    assert [(entry["created_by"], entry["memo"].rsplit(" ", 1)[-1])
            for entry in repayments] == [("t-admin", f"{wallet}-1"), ("t-admin", f"{wallet}-6")]

    again = _import(str(settlement), "--fund", setup["fund"], "--user", "t-admin")
    assert "recorded 0, already recorded earlier 2, refused 4 of 6 rows" in again.stdout
    assert api.balances(setup["fund"])["1100"] == "1000.00"
    # The same row sent through the API with the key the import gave it is the same request.
    sent = api.post("/api/loans/repayments/batch", {"mode": "atomic", "repayments": [
        {"idempotency_key": f"settlement:{wallet}-1", "loan": loan, "amount": "1030.00",
         "date": _day(1), "reference": f"{wallet}-1"}]}, key=None, role="admin")
    assert sent.status_code == 201 and sent.json()["results"][0]["replayed"] is True


def test_a_loan_of_another_fund_is_refused(api: Api, tmp_path: Path) -> None:
    mine, theirs = _setup(api), _setup(api)
    loan = _disbursed(api, theirs)
    settlement = _file(tmp_path, [[loan, "1030.00", _day(1), unique("R")]])
    imported = _import(str(settlement), "--fund", mine["fund"])
    assert imported.returncode == 1
    assert "loan: is not one of the batch's fund's loans" in imported.stdout
    assert api.balances(theirs["fund"])["1100"] == "3000.00"


def test_a_file_without_the_columns_or_an_unknown_user_is_refused(api: Api,
                                                                    tmp_path: Path) -> None:
    setup = _setup(api)
    wrong = _file(tmp_path, [["x", "1.00"]], header="loan,amount")
    refused = _import(str(wrong), "--fund", setup["fund"])
    assert refused.returncode == 1 and "date, reference" in refused.stderr
    settlement = _file(tmp_path, [["x", "1.00", _day(1), "R-1"]])
    for user in ("nobody-at-all", "t-auditor"):
        refused = _import(str(settlement), "--fund", setup["fund"], "--user", user)
        assert refused.returncode == 1 and "not an active admin" in refused.stderr
    unknown_fund = _import(str(settlement), "--fund", unique("no-such-fund"))
    assert unknown_fund.returncode == 1 and "no-such-fund" in unknown_fund.stderr
