"""The borrower documents' words in each shipped language: gettext catalogues kept the
standard way (`reports/locale/<locale>/LC_MESSAGES/messages.po`, maintained with
`pybabel extract / update`), compiled in memory the first time a language is used, so no
compiled `.mo` file is ever committed or out of date. A fuzzy or empty translation is
left out (English shows instead) and the catalogue test names it."""

from __future__ import annotations

import gettext
import io
from functools import cache
from pathlib import Path

import jinja2
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations
from markupsafe import Markup

from aidledger.domain.languages import FALLBACK, babel_locale


def catalogue_path(folder: Path, language: str) -> Path:
    return folder / "locale" / babel_locale(language) / "LC_MESSAGES" / "messages.po"


@cache
def translations(folder: Path, language: str) -> gettext.NullTranslations:
    if language == FALLBACK:
        return gettext.NullTranslations()  # the templates are written in English
    with catalogue_path(folder, language).open("rb") as file:
        catalogue = read_po(file, locale=babel_locale(language))
    compiled = io.BytesIO()
    write_mo(compiled, catalogue)
    compiled.seek(0)
    return Translations(compiled)


def page_counter(text: str) -> Markup:
    """A translated "Page \\1 of \\2" as CSS `content`: the page counters in the places
    the language puts them."""
    escaped = str(text).replace("\\", "\\\\").replace('"', '\\"')
    content = ('"' + escaped.replace("\u0001", '" counter(page) "')
               .replace("\u0002", '" counter(pages) "') + '"')
    return Markup(content)  # noqa: S704  # quotes and backslashes escaped above


@cache
def document_templates(folder: Path, language: str) -> jinja2.Environment:
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(folder), autoescape=jinja2.select_autoescape(["html"]),
        undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
        extensions=["jinja2.ext.i18n"])
    environment.install_gettext_translations(  # type: ignore[attr-defined]  # the extension's
        translations(folder, language), newstyle=True)
    environment.filters["page_counter"] = page_counter
    return environment
