"""Borrower documents in every shipped language: the figures as Babel writes them, the
script's own characters in a font that has them, no English left behind, and who may
read them."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pypdf
import pytest
from babel.messages.pofile import read_po
from babel.numbers import format_currency, format_decimal

from aidledger.domain.languages import SHIPPED
from tests.reports.books import TODAY, Books, disbursed_loan, loan_product, member
from tests.support import Api, assert_problem

ROOT = Path(__file__).resolve().parents[2]
DOCUMENTS = ("key-facts", "schedule", "statement")
SCRIPTS = {"zh-Hans": r"[\u4e00-\u9fff]", "zh-Hant": r"[\u4e00-\u9fff]",
           "ne": r"[\u0900-\u097f]"}
FONTS = {"zh-Hans": "CJK-SC", "zh-Hant": "CJK-TC", "ne": "Devanagari"}


def _locale(language: str) -> str:
    return language.replace("-", "_")


def _english_left_over(language: str) -> list[str]:
    """The template strings a document in `language` must not show in English."""
    with (ROOT / "reports" / "locale" / _locale(language) / "LC_MESSAGES"
          / "messages.po").open("rb") as file:
        catalogue = read_po(file)
    return [message.id for message in catalogue if message.id and "%(" not in message.id
            and len(message.id) >= 6 and message.string != message.id]


def _text(content: bytes) -> tuple[str, pypdf.PdfReader]:
    reader = pypdf.PdfReader(io.BytesIO(content))
    text = "\n".join(page.extract_text() for page in reader.pages)
    # Lines break where the layout wraps them; compare with single spaces.
    return re.sub(r"[\s\u00a0\u202f]+", " ", text), reader


def _fonts(reader: pypdf.PdfReader) -> set[str]:
    names = set()
    for page in reader.pages:
        for font in page["/Resources"].get_object().get("/Font", {}).values():
            names.add(str(font.get_object()["/BaseFont"]))
    return names


def _money(amount: str, language: str) -> str:
    return format_currency(Decimal(amount), "HKD", locale=_locale(language)).replace(
        "\u00a0", " ")


def _document(api: Api, loan: str, kind: str, role: str = "auditor",
              **params: str) -> Any:
    response = api.get(f"/api/loans/{loan}/{kind}.pdf", params=params, role=role)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    return response


@pytest.mark.parametrize("language", SHIPPED)
def test_every_document_in_every_language(api: Api, books: Books, language: str) -> None:
    loan = books.loans["late-10"]
    schedule = api.get(f"/api/loans/{loan}/schedule").json()
    apr = format_decimal(Decimal(schedule["apr_percent"]), format="#,##0.00",
                         locale=_locale(language))
    for kind in DOCUMENTS:
        response = _document(api, loan, kind, lang=language)
        assert response.headers["content-language"] == language
        text, reader = _text(response.content)
        if kind == "key-facts":
            assert len(reader.pages) == 1
            assert _money("6000.00", language) in text  # the amount
            totals = schedule["totals"]
            # What the contract costs: penalties are not part of it.
            assert _money(str(sum(Decimal(totals[part]) for part in
                                  ("principal", "interest", "fees"))), language) in text
            assert apr in text
        elif kind == "schedule":
            assert _money(schedule["installments"][0]["total"], language) in text
            assert apr in text
        else:
            assert _money("1060.00", language) in text  # the payment received
        if language in SCRIPTS:
            assert re.search(SCRIPTS[language], text), kind
            assert any(FONTS[language] in name for name in _fonts(reader)), _fonts(reader)
        if language.startswith("zh"):
            # One CJK face only: a bold one is a second 20 MB font to subset on every render.
            assert [name for name in _fonts(reader) if "CJK" in name and "Bold" in name] == []
        if language != "en":
            left = [message for message in _english_left_over(language) if message in text]
            assert left == [], (kind, left)


def test_one_language_rendered_to_pictures(api: Api, books: Books,
                                           tmp_path_factory: pytest.TempPathFactory) -> None:
    """Kept under pytest's temporary folder (…/documents-as-png0) for a person to look."""
    folder = tmp_path_factory.mktemp("documents-as-png")
    converter = shutil.which("pdftoppm")
    assert converter is not None, "pdftoppm (Debian: poppler-utils) is needed"
    for kind in DOCUMENTS:
        pdf = folder / f"{kind}-zh-Hant.pdf"
        pdf.write_bytes(_document(api, books.loans["late-10"], kind, lang="zh-Hant").content)
        subprocess.run([converter, "-r", "80", "-png", "-f", "1", "-l", "1", str(pdf),
                        str(folder / f"{kind}-zh-Hant")], check=True, timeout=60)
        pictures = list(folder.glob(f"{kind}-zh-Hant*.png"))
        assert len(pictures) == 1 and pictures[0].stat().st_size > 10_000


@pytest.mark.parametrize(("asked", "sent"), [
    ("zh-HK", "zh-Hant"), ("zh-TW", "zh-Hant"), ("zh-CN", "zh-Hans"), ("zh", "zh-Hans"),
    ("pt-BR", "en"), ("fil-PH", "tl"), ("es-MX", "es"), ("ne-NP", "ne"), ("en-GB", "en")])
def test_a_language_not_shipped_falls_back_to_the_nearest(api: Api, books: Books, asked: str,
                                                          sent: str) -> None:
    response = _document(api, books.loans["current"], "key-facts", lang=asked)
    assert response.headers["content-language"] == sent


def test_the_default_is_the_persons_preferred_language(api: Api, books: Books) -> None:
    # The books' borrowers prefer Vietnamese.
    response = _document(api, books.loans["current"], "schedule")
    assert response.headers["content-language"] == "vi"
    assert "Lịch trả nợ" in _text(response.content)[0]


def test_a_malformed_language_tag_is_400(api: Api, books: Books) -> None:
    refused = api.get(f"/api/loans/{books.loans['current']}/key-facts.pdf",
                      params={"lang": "not a tag!"}, role="auditor")
    assert_problem(refused, 400, "lang")


def test_borrowers_get_their_own_documents_only(api: Api) -> None:
    fund = api.new_fund(contribution="20000.00")
    product = loan_product(api, fund)
    own = api.post("/api/loans", {"person": api.people["borrower"], "product": product,
                                  "amount": "2000.00", "purpose": "Training course"},
                   key=None)
    assert own.status_code == 201, own.text
    others = disbursed_loan(api, fund, product, "1500.00", TODAY - timedelta(days=3))
    for kind in DOCUMENTS:
        mine = _document(api, own.json()["id"], kind, role="borrower")
        assert mine.headers["content-language"] == "tl"  # the borrower's own preference
        assert_problem(api.get(f"/api/loans/{others}/{kind}.pdf", role="borrower"), 404)
        assert_problem(api.get(f"/api/loans/no-such-loan/{kind}.pdf"), 404)
        assert_problem(api.get(f"/api/loans/{others}/{kind}.pdf", role=None), 401)
        for role in ("admin", "auditor"):
            _document(api, others, kind, role=role)


def test_key_facts_before_approval(api: Api) -> None:
    fund = api.new_fund(contribution="20000.00")
    product = loan_product(api, fund)
    pending = api.post("/api/loans", {"person": member(api), "product": product,
                                      "amount": "3000.00", "purpose": "Stall"}, key=None).json()
    assert pending["status"] == "pending_approval"
    quote = api.get(f"/api/loans/{pending['id']}/schedule").json()
    text, reader = _text(_document(api, pending["id"], "key-facts", lang="en").content)
    assert len(reader.pages) == 1
    assert "HK$3,000.00" in text and f"{quote['apr_percent']}%" in text
    assert "HK$" + f"{Decimal(quote['totals']['total']):,.2f}" in text
    assert "HK$50.00 for each instalment more than 5 days late" in text


def test_the_statement_covers_its_period(api: Api, books: Books) -> None:
    loan = books.loans["late-10"]
    whole = _text(_document(api, loan, "statement", lang="en").content)[0]
    assert "Loan paid out to you" in whole and "Payment received, thank you" in whole
    assert "Late penalty on instalment 2" in whole
    after = (TODAY - timedelta(days=20)).isoformat()
    later = _text(_document(api, loan, "statement", lang="en",
                            **{"from": after}).content)[0]
    assert "Payment received" not in later and "Loan paid out" not in later
    written_off = _text(_document(api, books.loans["written-off"], "statement",
                                  lang="en").content)[0]
    assert "Loan written off" in written_off
    for params, status, field in (({"from": "2026-02-30"}, 400, "from"),
                                  ({"to": (TODAY + timedelta(days=1)).isoformat()}, 422, "to"),
                                  ({"from": TODAY.isoformat(),
                                    "to": (TODAY - timedelta(days=1)).isoformat()}, 400,
                                   "from")):
        assert_problem(api.get(f"/api/loans/{loan}/statement.pdf", params=params,
                               role="auditor"), status, field)
