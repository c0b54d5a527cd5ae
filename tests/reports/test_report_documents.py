"""The PDF, Beancount and audit-package forms of the reports, checked by independent
readers: pypdf for the PDFs, Beancount's own loader and bean-check for the ledger, the
shipped verify_chain.py for the package."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import shutil
import subprocess
import sys
import zipfile
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pypdf
from beancount import loader
from beancount.core import realization

from tests.reports.books import PERIOD_START, TODAY, Books
from tests.support import Api, assert_problem


def _pdf_text(content: bytes) -> tuple[str, int]:
    reader = pypdf.PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() for page in reader.pages), len(reader.pages)


def _get(api: Api, name: str, **params: str) -> Any:
    response = api.get(f"/api/reports/{name}", params=params, role="auditor")
    assert response.status_code == 200, response.text
    return response


def test_trial_balance_pdf_shows_the_totals_and_the_chain_head(api: Api, books: Books) -> None:
    expected = api.get(f"/api/funds/{books.fund}/trial-balance").json()
    response = _get(api, "trial-balance", fund=books.fund, format="pdf")
    assert response.headers["content-type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    text, pages = _pdf_text(response.content)
    head = api.get("/api/audit/checkpoint", params={"fund": books.fund}, role="auditor").json()
    assert expected["total_debit"] in text and expected["total_credit"] in text
    assert f"seq {head['seq']}" in text and head["hash"] in text.replace("\n", "")
    assert f"page 1 of {pages}" in text
    assert books.fund in text and f"as of {TODAY.isoformat()}" in text


def test_portfolio_and_grants_pdfs_carry_their_figures(api: Api, books: Books) -> None:
    portfolio = _get(api, "portfolio", fund=books.fund).json()
    text, _ = _pdf_text(_get(api, "portfolio", fund=books.fund, format="pdf").content)
    assert portfolio["gross_portfolio"] in text and f"{portfolio['par']['par30']} %" in text
    period = {"from": PERIOD_START.isoformat(), "to": TODAY.isoformat()}
    grants = _get(api, "grants", fund=books.fund, **period).json()
    text, _ = _pdf_text(_get(api, "grants", fund=books.fund, format="pdf", **period).content)
    assert grants["total"]["amount"] in text and books.program in text


def test_general_ledger_pdf_lists_the_entries(api: Api, books: Books) -> None:
    period = {"from": (TODAY - timedelta(days=40)).isoformat(), "to": TODAY.isoformat()}
    ledger = _get(api, "general-ledger", fund=books.fund, **period).json()
    text, _ = _pdf_text(_get(api, "general-ledger", fund=books.fund, format="pdf",
                             **period).content)
    assert "Hall rent, 3/F" in text
    # Each entry's own line starts with its seq and date; each journal line shows its amount.
    assert all(re.search(rf"(^|\s){entry['seq']}\s+{entry['date']}", text)
               for entry in ledger["entries"])
    assert all(amount in text for entry in ledger["entries"] for line in entry["lines"]
               for amount in (line["debit"], line["credit"]) if amount != "0.00")


def test_a_general_ledger_pdf_above_5000_lines_is_refused(api: Api) -> None:
    fund = api.new_fund(contribution="100000.00")
    lines = [("5000", "debit", "0.01")] * 999 + [("1000", "credit", "9.99")]
    for _ in range(5):
        assert api.entry(fund, lines).status_code == 201
    period = {"from": TODAY.isoformat(), "to": TODAY.isoformat()}
    refused = api.get("/api/reports/general-ledger", role="auditor",
                      params={"fund": fund, "format": "pdf", **period})
    assert_problem(refused, 422, "format")
    assert "5,002 lines" in refused.json()["detail"]
    rows = list(csv.reader(io.StringIO(_get(api, "general-ledger", fund=fund, format="csv",
                                            **period).text)))
    assert len(rows) == 1 + 5002


def test_beancount_export_passes_bean_check_with_the_same_balances(api: Api, books: Books,
                                                                   tmp_path: Path) -> None:
    response = _get(api, "beancount", fund=books.fund, to=TODAY.isoformat())
    assert response.headers["content-type"].startswith("text/plain")
    entries, errors, _ = loader.load_string(response.text)
    assert errors == []
    transactions = [entry for entry in entries if type(entry).__name__ == "Transaction"]
    journal = api.get("/api/audit/checkpoint", params={"fund": books.fund},
                      role="auditor").json()
    assert len(transactions) == journal["seq"]
    assert sorted(entry.meta["seq"] for entry in transactions) == list(
        range(1, journal["seq"] + 1))
    assert all(len(entry.meta["hash"]) == 64 for entry in transactions)
    trial = api.get(f"/api/funds/{books.fund}/trial-balance").json()
    tree = realization.realize(entries)
    for line in trial["lines"]:
        net = Decimal(line["debit"]) - Decimal(line["credit"])
        account = next(name for name in _open_accounts(entries)
                       if name.split(":")[1].startswith(line["account"] + "-"))
        balance = realization.compute_balance(realization.get(tree, account))
        held = balance.get_currency_units("HKD").number
        assert held == net, line["account"]
    ledger = tmp_path / "books.beancount"
    ledger.write_text(response.text, encoding="utf-8")
    bean_check = Path(sys.executable).with_name("bean-check")
    checked = subprocess.run([str(bean_check), str(ledger)], capture_output=True, text=True,
                             check=False)
    assert checked.returncode == 0, checked.stdout + checked.stderr


def _open_accounts(entries: list[Any]) -> list[str]:
    return [entry.account for entry in entries if type(entry).__name__ == "Open"]


def test_beancount_keeps_a_memo_with_quotes_and_a_past_day(api: Api) -> None:
    fund = api.new_fund(contribution="500.00")
    memo = 'Rent for "Unit 3", Kwun Tong \\ back office'
    assert api.entry(fund, [("5000", "debit", "100.00"), ("1000", "credit", "100.00")],
                     memo=memo).status_code == 201
    yesterday = (TODAY - timedelta(days=1)).isoformat()
    text = _get(api, "beancount", fund=fund, to=yesterday).text
    entries, errors, _ = loader.load_string(text)
    assert errors == [] and [e for e in entries if type(e).__name__ == "Transaction"] == []
    entries, errors, _ = loader.load_string(_get(api, "beancount", fund=fund,
                                                 to=TODAY.isoformat()).text)
    assert errors == []
    assert [entry.narration for entry in entries
            if type(entry).__name__ == "Transaction"][-1] == memo


def _package(api: Api, books: Books, tmp_path: Path) -> Path:
    response = _get(api, "audit-package", fund=books.fund,
                    **{"from": PERIOD_START.isoformat(), "to": TODAY.isoformat()})
    assert response.headers["content-type"] == "application/zip"
    assert response.headers["content-disposition"] == (
        f'attachment; filename="audit-package-{books.fund}-{TODAY.isoformat()}.zip"')
    folder = tmp_path / "package"
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        archive.extractall(folder)
    return folder


def test_audit_package_holds_every_report_and_a_manifest(api: Api, books: Books,
                                                         tmp_path: Path) -> None:
    folder = _package(api, books, tmp_path)
    names = {path.name for path in folder.iterdir()}
    assert names == {"trial-balance.csv", "trial-balance.pdf", "general-ledger.csv",
                     "portfolio.csv", "grants.csv", "books.beancount", "verify.json",
                     "checkpoint.json", "MANIFEST.json", "README.txt", "verify_chain.py"}
    manifest = json.loads((folder / "MANIFEST.json").read_text())
    assert set(manifest["sha256"]) == names - {"MANIFEST.json"}
    for name, digest in manifest["sha256"].items():
        assert hashlib.sha256((folder / name).read_bytes()).hexdigest() == digest, name
    assert json.loads((folder / "verify.json").read_text())["ok"] is True
    checkpoint = json.loads((folder / "checkpoint.json").read_text())
    checked = api.post("/api/audit/verify-checkpoint", checkpoint, role="auditor", key=None)
    assert checked.json() == {"ok": True, "reason": None}
    assert manifest["chain_head"] == {"seq": checkpoint["seq"], "hash": checkpoint["hash"]}
    trial = api.get(f"/api/funds/{books.fund}/trial-balance").json()
    rows = list(csv.DictReader(io.StringIO((folder / "trial-balance.csv").read_text())))
    assert rows[-1]["debit"] == trial["total_debit"]
    entries, errors, _ = loader.load_file(str(folder / "books.beancount"))
    assert errors == [] and len(entries) > manifest["chain_head"]["seq"]
    readme = (folder / "README.txt").read_text()
    assert "sha256" in readme and books.fund in readme and "NOT INCLUDED" not in readme


def _run_verify_chain(folder: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-I", "verify_chain.py"], cwd=folder,
                          capture_output=True, text=True, check=False, timeout=60)


def test_the_packaged_script_recomputes_the_chain_and_names_a_changed_cell(
        api: Api, books: Books, tmp_path: Path) -> None:
    folder = _package(api, books, tmp_path)
    # Nothing but the unpacked files and a bare interpreter: -I ignores our environment.
    alone = tmp_path / "alone"
    shutil.copytree(folder, alone)
    good = _run_verify_chain(alone)
    assert good.returncode == 0, good.stdout + good.stderr
    assert good.stdout.startswith("OK: ")
    ledger = alone / "general-ledger.csv"
    rows = list(csv.DictReader(io.StringIO(ledger.read_text(encoding="utf-8"))))
    victim = next(index for index, row in enumerate(rows) if row["debit"] == "800.00")
    seq = rows[victim]["seq"]
    rows[victim]["debit"] = "8000.00"
    rows[victim + 1]["credit"] = "8000.00"  # still balanced: only the hash can tell
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]), lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    ledger.write_text(buffer.getvalue(), encoding="utf-8")
    bad = _run_verify_chain(alone)
    assert bad.returncode == 1
    assert bad.stdout.startswith(f"WRONG at seq {seq}: hash does not match"), bad.stdout
