"""PDF through WeasyPrint from the Jinja2 templates and the one style sheet in the
top-level `reports/` folder.

WeasyPrint needs pango and its companions from the operating system. It is loaded on the
first PDF asked for, not at start, so a machine without them serves everything else and
answers a PDF request with a 503 that names the missing library.
"""

from __future__ import annotations

import importlib
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any

import anyio.to_thread
import jinja2

from aidledger.domain.errors import FieldError, Unavailable

_LIBRARY_NAMED = re.compile(r"cannot load library '([^']+)'")


@dataclass(frozen=True, slots=True)
class Heading:
    """What every page of a report carries, so a printed page is tied to the books."""

    title: str
    fund: str
    fund_name: str
    currency: str
    period: str  # "as of 2026-11-30" or "2026-11-01 to 2026-11-30"
    generated_at: str
    head_seq: int
    head_hash: str


def load_weasyprint() -> ModuleType:
    try:
        return importlib.import_module("weasyprint")
    except (OSError, ImportError) as error:
        named = _LIBRARY_NAMED.search(str(error))
        library = named.group(1) if named else "pango (WeasyPrint's system libraries)"
        raise Unavailable(
            f"PDF is not available on this server: the system library {library} could not "
            "be loaded. Install pango (Debian: libpango-1.0-0 libpangoft2-1.0-0) or ask "
            "for format=csv.",
            [FieldError("format", f"pdf needs {library}, which is missing")],
            missing_library=library,
        ) from error


@cache
def _templates(folder: Path) -> jinja2.Environment:
    return jinja2.Environment(loader=jinja2.FileSystemLoader(folder),
                              autoescape=jinja2.select_autoescape(["html"]),
                              undefined=jinja2.StrictUndefined, trim_blocks=True,
                              lstrip_blocks=True)


def render_text(folder: Path, template: str, values: dict[str, Any]) -> str:
    """A plain-text template (the audit package's README.txt)."""
    return _templates(folder).get_template(template).render(**values)


def render_html(folder: Path, template: str, heading: Heading, values: dict[str, Any]) -> str:
    return _templates(folder).get_template(template).render(heading=heading, **values)


async def render_pdf(folder: Path, template: str, heading: Heading,
                     values: dict[str, Any]) -> bytes:
    return await html_to_pdf(folder, render_html(folder, template, heading, values))


async def html_to_pdf(folder: Path, html: str) -> bytes:
    """HTML laid out as PDF; the layout work runs on a worker thread, off the event loop."""
    weasyprint = load_weasyprint()

    def layout() -> bytes:
        document: bytes = weasyprint.HTML(string=html, base_url=str(folder)).write_pdf()
        return document

    return await anyio.to_thread.run_sync(layout)
