"""The pages' router: its own request class (HTMX), and its own answer to a refusal:
a page (or, for HTMX, the message area) saying why, instead of problem details."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, Router
from litestar.exceptions import HTTPException
from litestar.plugins.htmx import HTMXRequest
from litestar.response import Redirect, Template

from aidledger.api.errors import status_of
from aidledger.domain.errors import DomainError

from . import audit, borrower, login, queue
from .session import SignInNeeded, session_language
from .templating import page_values, reader_language

# Where the pages live: the bearer-token middleware leaves these to the session.
PAGE_PATHS = ["^/$", "^/login$", "^/logout$", "^/my$", "^/queue", "^/audit",
              "^/documents/"]


def _refused(request: Request[Any, Any, Any], error: Exception) -> Response[Any]:
    if isinstance(error, SignInNeeded):
        return Redirect("/login", status_code=303)
    if isinstance(error, DomainError):
        status, message = status_of(error), error.detail
    elif isinstance(error, HTTPException) and error.status_code < 500:
        status, message = error.status_code, str(error.detail)
    else:
        raise error
    if request.headers.get("hx-request") == "true":
        # The message area shows why; the rest of the page stays as it was.
        return Template("message.html", context=page_values(message=message),
                        status_code=200, headers={"HX-Retarget": "#message",
                                                  "HX-Reswap": "innerHTML"})
    return Template("refused.html", status_code=status, context=page_values(
        message=message, status=status,
        language=session_language(request) or reader_language(request)))


PAGES = Router(path="/", route_handlers=[*login.ROUTES, *borrower.ROUTES, *queue.ROUTES,
                                         *audit.ROUTES],
               request_class=HTMXRequest, include_in_schema=False,
               exception_handlers={SignInNeeded: _refused, DomainError: _refused,
                                   HTTPException: _refused})
