"""Signing in and out of the pages. The sign-in page speaks the reader's language before
anyone is known: the one chosen on it (`?lang=`), else the browser's Accept-Language."""

from __future__ import annotations

from functools import cache
from typing import Any

from litestar import Request, get, post
from litestar.params import FromQuery
from litestar.response import Redirect, Template

from aidledger.domain.errors import LoginDisabled, TooManyAttempts, Unauthenticated
from aidledger.domain.languages import SHIPPED, native_name, nearest_language
from aidledger.reports.loan_documents import document_language
from aidledger.services.context import Actor, ServiceContext
from aidledger.services.people import get_person
from aidledger.services.web_sessions import FAILURE_WINDOW, page_log_in

from .forms import form_of
from .session import HOME, SignInNeeded, context_of, sign_in, signed_in
from .templating import page_values, reader_language


@cache
def _language_menu() -> tuple[tuple[str, str], ...]:
    """Each shipped language as the page's menu offers it, in itself. Made on the first
    sign-in page, not at import: Babel's locale data takes some 50 ms to load."""
    return tuple((language, native_name(language)) for language in SHIPPED)


@get("/", include_in_schema=False)
async def start(request: Request[Any, Any, Any]) -> Redirect:
    try:
        actor = await signed_in(request)
    except SignInNeeded:
        return Redirect("/login")
    return Redirect(HOME[actor.role])


@get("/login", include_in_schema=False)
async def login_page(request: Request[Any, Any, Any],
                     lang: FromQuery[str | None] = None) -> Template:
    return _login_page(_language(request, lang))


@post("/login", include_in_schema=False)
async def log_in(request: Request[Any, Any, Any]) -> Template | Redirect:
    form = await form_of(request)
    username = form.get("username", "").strip()
    language = _language(request, form.get("lang") or None)
    try:
        actor = await page_log_in(context_of(request), username=username,
                                  password=form.get("password", ""))
    except TooManyAttempts:
        return _login_page(language, username=username, refusal="throttled", status=429)
    except LoginDisabled:
        return _login_page(language, username=username, refusal="disabled", status=401)
    except Unauthenticated:
        return _login_page(language, username=username, refusal="wrong", status=401)
    sign_in(request, actor, await _own_language(context_of(request), actor))
    return Redirect(HOME[actor.role], status_code=303)


async def _own_language(context: ServiceContext, actor: Actor) -> str | None:
    """A borrower's language, from their person record; staff have none recorded."""
    if actor.person_id is None:
        return None
    person = await get_person(context, actor, actor.person_id)
    return document_language(None, person.preferred_language)


def _language(request: Request[Any, Any, Any], chosen: str | None) -> str:
    """The language chosen on the page (a 400 if it is not a language tag), else the
    browser's."""
    return nearest_language(chosen) if chosen is not None else reader_language(request)


def _login_page(language: str, *, username: str = "", refusal: str | None = None,
                status: int = 200) -> Template:
    """The sign-in form; `refusal` says why the last try was refused (the template words
    it in the page's language)."""
    return Template("login.html", status_code=status, context=page_values(
        language=language, username=username, refusal=refusal, languages=_language_menu(),
        minutes=FAILURE_WINDOW.seconds // 60))


@post("/logout", include_in_schema=False)
async def log_out(request: Request[Any, Any, Any]) -> Redirect:
    request.clear_session()
    return Redirect("/login", status_code=303)


ROUTES = [start, login_page, log_in, log_out]
