"""The translation catalogues are complete: every string the borrower's templates hold is
in messages.pot and translated, not fuzzy, with the same placeholders, in every shipped
language. A template string added without its translations fails here."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from aidledger.domain.languages import FALLBACK, SHIPPED

ROOT = Path(__file__).resolve().parents[2]
REPORTS = ROOT / "reports"
# The borrower's documents and the borrower's page share the catalogues.
TEMPLATE_FOLDERS = (REPORTS, ROOT / "src" / "aidledger" / "api" / "templates")
PLACEHOLDER = re.compile(r"%\(\w+\)s")


def _in_templates() -> set[str]:
    """Every message of the templates reports/babel.cfg names, as pybabel extracts them."""
    with (REPORTS / "babel.cfg").open() as mapping:
        method_map, options_map = parse_mapping_cfg(mapping)
    found = set()
    for folder in TEMPLATE_FOLDERS:
        for _, _, message, _, _ in extract_from_dir(
                str(folder), method_map=method_map, options_map=options_map):
            if isinstance(message, str):
                found.add(message)
    return found


MESSAGES = _in_templates()


def test_the_templates_hold_the_documents_words() -> None:
    assert {"Key facts statement", "Repayment schedule", "Loan statement",
            "Page %(page)s of %(pages)s", "My loans", "Sign in", "Wrong username or password.",
            "%(status)s: refused"} <= MESSAGES
    assert len(MESSAGES) > 50


def test_the_template_catalogue_is_current() -> None:
    with (REPORTS / "locale" / "messages.pot").open("rb") as file:
        template = {message.id for message in read_po(file) if message.id}
    assert template == MESSAGES, "run pybabel extract (README: Translations)"


@pytest.mark.parametrize("language", [language for language in SHIPPED if language != FALLBACK])
def test_every_message_is_translated(language: str) -> None:
    path = REPORTS / "locale" / language.replace("-", "_") / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as file:
        catalogue = read_po(file)
    missing = sorted(message for message in MESSAGES
                     if message not in catalogue or not catalogue[message].string)
    assert missing == [], f"{language}: untranslated {missing}"
    fuzzy = sorted(message.id for message in catalogue if message.id and message.fuzzy)
    assert fuzzy == [], f"{language}: fuzzy {fuzzy}"
    for message in MESSAGES:
        translated = catalogue[message].string
        assert isinstance(translated, str)
        assert sorted(PLACEHOLDER.findall(translated)) == sorted(PLACEHOLDER.findall(message)), (
            language, message, translated)
