"""The pages' Jinja2 environment: templates in `api/templates/`, words through the same
gettext catalogues as the borrower documents (`reports/locale`), in the language the page
is rendered for (its `language` in the template context)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import jinja2
from litestar import Request
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.template.config import TemplateConfig

from aidledger.domain.languages import FALLBACK, negotiated_language
from aidledger.reports.translation import translations

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


def template_config(catalogues: Path) -> TemplateConfig[JinjaTemplateEngine]:
    @jinja2.pass_context
    def gettext(context: jinja2.runtime.Context, message: str) -> str:
        return translations(catalogues, context.get("language", FALLBACK)).gettext(message)

    @jinja2.pass_context
    def ngettext(context: jinja2.runtime.Context, singular: str, plural: str,
                 count: int) -> str:
        return translations(catalogues, context.get("language", FALLBACK)).ngettext(
            singular, plural, count)

    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True,
        undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
        extensions=["jinja2.ext.i18n"])
    environment.install_gettext_callables(  # type: ignore[attr-defined]  # the extension's
        gettext, ngettext, newstyle=True)
    environment.filters["as_date"] = date.fromisoformat
    return TemplateConfig(engine=JinjaTemplateEngine.from_environment(environment))


def page_values(**values: Any) -> dict[str, Any]:
    """Every page's context: English unless the page says otherwise."""
    return {"language": FALLBACK, "message": None, **values}


def reader_language(request: Request[Any, Any, Any]) -> str:
    """The shipped language the reader's browser asks for (Accept-Language), for pages
    shown before the reader is known."""
    return negotiated_language(request.headers.get("accept-language", ""))
