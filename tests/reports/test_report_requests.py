"""Who may read the reports, what bad requests get, and that reading writes nothing."""

from __future__ import annotations

import csv
import importlib
import io
import json
import os
import subprocess
import sys
import zipfile
from datetime import timedelta
from pathlib import Path
from typing import Any

import pypdf
import pytest

from tests.reports.books import PERIOD_START, TODAY, Books
from tests.support import Api, assert_problem, raw_sql

PERIOD = {"from": PERIOD_START.isoformat(), "to": TODAY.isoformat()}
REPORTS: list[tuple[str, dict[str, str]]] = [
    ("trial-balance", {}), ("general-ledger", PERIOD), ("portfolio", {}),
    ("grants", PERIOD), ("beancount", {"to": TODAY.isoformat()}), ("audit-package", PERIOD)]
FORMATTED = [name for name, _ in REPORTS if name not in ("beancount", "audit-package")]
TABLES = ("fund", "account", "account_day", "journal_entry", "journal_line", "audit_event",
          "idempotency_key", "loan", "loan_repayment", "emergency_grant", "app_user", "person")


def _counts() -> list[Any]:
    return [rows[0][0] for rows in raw_sql(*(f"SELECT count(*) FROM {table}"
                                            for table in TABLES))]


@pytest.mark.parametrize(("name", "params"), REPORTS, ids=[name for name, _ in REPORTS])
def test_admins_and_auditors_read_every_report_borrowers_do_not(
        api: Api, books: Books, name: str, params: dict[str, str]) -> None:
    query = {"fund": books.fund, **params}
    for role in ("admin", "auditor"):
        assert api.get(f"/api/reports/{name}", params=query, role=role).status_code == 200
    assert_problem(api.get(f"/api/reports/{name}", params=query, role="borrower"), 403)
    assert_problem(api.get(f"/api/reports/{name}", params=query, role=None), 401)


def test_reading_every_report_writes_nothing(api: Api, books: Books) -> None:
    before = _counts()
    head = api.get("/api/audit/checkpoint", params={"fund": books.fund}, role="auditor").json()
    for name, params in REPORTS:
        formats = ["json", "csv", "pdf"] if name in FORMATTED else [None]
        for chosen in formats:
            query = {"fund": books.fund, **params, **({"format": chosen} if chosen else {})}
            assert api.get(f"/api/reports/{name}", params=query,
                           role="auditor").status_code == 200
    assert _counts() == before
    after = api.get("/api/audit/checkpoint", params={"fund": books.fund}, role="auditor").json()
    assert (after["seq"], after["hash"]) == (head["seq"], head["hash"])


@pytest.mark.parametrize("name", [name for name, _ in REPORTS])
def test_the_fund_is_required_and_must_exist(api: Api, name: str) -> None:
    params = dict(REPORTS)[name]
    assert_problem(api.get(f"/api/reports/{name}", params=params, role="auditor"), 400, "fund")
    assert_problem(api.get(f"/api/reports/{name}", params={"fund": "no-such-fund", **params},
                           role="auditor"), 404)


TOMORROW = (TODAY + timedelta(days=1)).isoformat()
YESTERDAY = (TODAY - timedelta(days=1)).isoformat()


@pytest.mark.parametrize(("name", "params", "status", "field"), [
    ("general-ledger", {"to": TODAY.isoformat()}, 400, "from"),
    ("general-ledger", {"from": TODAY.isoformat()}, 400, "to"),
    ("general-ledger", {"from": "2026-13-01", "to": TODAY.isoformat()}, 400, "from"),
    ("general-ledger", {"from": "yesterday", "to": TODAY.isoformat()}, 400, "from"),
    ("general-ledger", {"from": TODAY.isoformat(), "to": YESTERDAY}, 400, "from"),
    ("general-ledger", {"from": TODAY.isoformat(), "to": TOMORROW}, 422, "to"),
    ("grants", {"from": TODAY.isoformat(), "to": "2026-02-30"}, 400, "to"),
    ("grants", {"from": TODAY.isoformat(), "to": YESTERDAY}, 400, "from"),
    ("grants", {"from": TODAY.isoformat(), "to": TOMORROW}, 422, "to"),
    ("audit-package", {"from": TODAY.isoformat(), "to": YESTERDAY}, 400, "from"),
    ("audit-package", {"from": TODAY.isoformat()}, 400, "to"),
    ("beancount", {}, 400, "to"),
    ("beancount", {"to": TOMORROW}, 422, "to"),
    ("trial-balance", {"as_of": "02/12/2026"}, 400, "as_of"),
    ("trial-balance", {"as_of": TOMORROW}, 422, "as_of"),
    ("portfolio", {"as_of": TOMORROW}, 422, "as_of"),
    ("portfolio", {"format": "xlsx"}, 400, "format"),
    ("trial-balance", {"format": "PDF"}, 400, "format"),
])
def test_bad_dates_and_formats(api: Api, books: Books, name: str, params: dict[str, str],
                               status: int, field: str) -> None:
    assert_problem(api.get(f"/api/reports/{name}", params={"fund": books.fund, **params},
                           role="auditor"), status, field)


def test_csv_is_named_for_the_report_the_fund_and_the_day(api: Api, books: Books) -> None:
    day = (TODAY - timedelta(days=7)).isoformat()
    response = api.get("/api/reports/trial-balance", role="auditor",
                       params={"fund": books.fund, "as_of": day, "format": "csv"})
    assert response.headers["content-disposition"] == (
        f'attachment; filename="trial-balance-{books.fund}-{day}.csv"')
    assert response.headers["content-type"] == "text/csv; charset=utf-8"


def test_without_pango_pdfs_answer_503_and_everything_else_works(
        api: Api, books: Books, monkeypatch: pytest.MonkeyPatch) -> None:
    real_import = importlib.import_module

    def no_pango(name: str, package: str | None = None) -> Any:
        if name == "weasyprint":
            # What WeasyPrint's import raises (through cffi) when pango is not installed.
            raise OSError("cannot load library 'libpango-1.0-0': libpango-1.0-0: cannot open "
                          "shared object file: No such file or directory")
        return real_import(name, package)

    monkeypatch.setattr(importlib, "import_module", no_pango)
    # Api.get holds every answer below 500; this one is meant to be a 503.
    refused = api.client.get("/api/reports/trial-balance",
                             params={"fund": books.fund, "format": "pdf"},
                             headers={"Authorization": f"Bearer {api.tokens['auditor']}"})
    assert_problem(refused, 503, "format")
    assert refused.json()["missing_library"] == "libpango-1.0-0"
    assert "libpango-1.0-0" in refused.json()["detail"]
    assert api.get("/api/reports/trial-balance", role="auditor",
                   params={"fund": books.fund, "format": "csv"}).status_code == 200
    package = api.get("/api/reports/audit-package", role="auditor",
                      params={"fund": books.fund, **PERIOD})
    assert package.status_code == 200
    with zipfile.ZipFile(io.BytesIO(package.content)) as archive:
        assert "trial-balance.pdf" not in archive.namelist()
        assert json.loads(archive.read("MANIFEST.json"))["missing"] == ["trial-balance.pdf"]
        assert "NOT INCLUDED" in archive.read("README.txt").decode()


def _cli(*arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "aidledger.cli", "report", *arguments],
                          capture_output=True, text=True, check=False, timeout=120,
                          env={**os.environ, "COLUMNS": "100"})


def test_the_report_command_writes_what_the_api_sends(api: Api, books: Books,
                                                      tmp_path: Path) -> None:
    ledger = tmp_path / "ledger.csv"
    written = _cli("general-ledger", "--fund", books.fund, "--from", PERIOD["from"],
                   "--to", PERIOD["to"], "--format", "csv", "--output", str(ledger))
    assert written.returncode == 0, written.stderr
    assert f"wrote {ledger}" in written.stdout
    assert "general-ledger lines" in written.stderr  # the progress bar
    sent = api.get("/api/reports/general-ledger", role="auditor",
                   params={"fund": books.fund, "format": "csv", **PERIOD})
    assert ledger.read_bytes() == sent.content
    assert len(list(csv.reader(io.StringIO(ledger.read_text())))) > 10
    pdf = tmp_path / "portfolio.pdf"
    assert _cli("portfolio", "--fund", books.fund, "--format", "pdf",
                "--output", str(pdf)).returncode == 0
    portfolio = api.get("/api/reports/portfolio", role="auditor",
                        params={"fund": books.fund}).json()
    text = "".join(page.extract_text() for page in pypdf.PdfReader(pdf).pages)
    assert portfolio["gross_portfolio"] in text
    package = tmp_path / "package.zip"
    assert _cli("audit-package", "--fund", books.fund, "--from", PERIOD["from"],
                "--to", PERIOD["to"], "--output", str(package)).returncode == 0
    assert package.read_bytes().startswith(b"PK")
    refused = _cli("beancount", "--fund", books.fund, "--to", TOMORROW,
                   "--output", str(tmp_path / "books.beancount"))
    assert refused.returncode == 1 and "to:" in refused.stderr
    unknown = _cli("trial-balance", "--fund", "no-such-fund", "--output",
                   str(tmp_path / "tb.csv"))
    assert unknown.returncode == 1 and "no-such-fund" in unknown.stderr
