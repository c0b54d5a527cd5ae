"""Signing in and out of the pages."""

from __future__ import annotations

from typing import Any

from litestar import Request, get, post
from litestar.response import Redirect, Template

from aidledger.domain.errors import TooManyAttempts, Unauthenticated
from aidledger.services.web_sessions import page_log_in

from .forms import form_of
from .session import HOME, SignInNeeded, context_of, sign_in, signed_in
from .templating import page_values


@get("/", include_in_schema=False)
async def start(request: Request[Any, Any, Any]) -> Redirect:
    try:
        actor = await signed_in(request)
    except SignInNeeded:
        return Redirect("/login")
    return Redirect(HOME[actor.role])


@get("/login", include_in_schema=False)
async def login_page() -> Template:
    return Template("login.html", context=page_values(username=""))


@post("/login", include_in_schema=False)
async def log_in(request: Request[Any, Any, Any]) -> Template | Redirect:
    form = await form_of(request)
    username = form.get("username", "").strip()
    try:
        actor = await page_log_in(context_of(request), username=username,
                                  password=form.get("password", ""))
    except (Unauthenticated, TooManyAttempts) as refused:
        status = 429 if isinstance(refused, TooManyAttempts) else 401
        return Template("login.html", status_code=status,
                        context=page_values(username=username, message=refused.detail))
    sign_in(request, actor)
    return Redirect(HOME[actor.role], status_code=303)


@post("/logout", include_in_schema=False)
async def log_out(request: Request[Any, Any, Any]) -> Redirect:
    request.clear_session()
    return Redirect("/login", status_code=303)


ROUTES = [start, login_page, log_in, log_out]
