"""The Litestar application factory."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from litestar import Litestar, Request
from litestar.config.csrf import CSRFConfig
from litestar.di import Provide
from litestar.middleware import DefineMiddleware
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import RedocRenderPlugin, SwaggerRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme
from litestar.plugins.htmx import HTMXPlugin
from litestar.static_files import create_static_files_router

from aidledger.api.auth import PUBLIC_PATHS, BearerTokenMiddleware
from aidledger.api.controllers import (
    audit,
    auth,
    documents,
    funds,
    grants,
    health,
    journal,
    loans,
    people,
    policies,
    reports,
    users,
)
from aidledger.api.errors import handle_exception
from aidledger.api.openapi import document_public_paths
from aidledger.api.pages.router import PAGE_PATHS, PAGES
from aidledger.api.pages.session_keys import KeyRenewingSessionConfig
from aidledger.api.pages.session_store import DatabaseSessionStore
from aidledger.api.pages.templating import template_config
from aidledger.api.parameters import Context
from aidledger.api.request import StrictRequest, refuse_nul_in_path_and_query
from aidledger.bootstrap import open_services
from aidledger.services.context import Actor, Clock, ServiceContext
from aidledger.services.reading import Reading, for_reading
from aidledger.settings import Settings, load_settings, resolve_secrets


def _context(request: Request[Any, Any, Any]) -> ServiceContext:
    context: ServiceContext = request.app.state.context
    return context


async def _reading(context: Context) -> Reading:
    return await for_reading(context)


def _actor(request: Request[Actor, Any, Any], context: Context) -> Actor:
    # Asks for `context` only so that Litestar resolves the two one after the other:
    # dependencies it may resolve side by side cost a task group on every request.
    return request.user


# The API description pages' scripts ship with the app (api/static/README.md says whence),
# so the pages work without reaching any CDN.
STATIC = Path(__file__).parent / "static"
SWAGGER_UI_VERSION = "5.35.0"
REDOC_VERSION = "2.5.4"
_NO_FAVICON = "<link rel='icon' href='data:,'>"  # Litestar's default is fetched from a CDN
_DOCUMENTATION_PAGES = [
    RedocRenderPlugin(version=REDOC_VERSION, js_url="/static/redoc/redoc.standalone.js",
                      google_fonts=False, favicon=_NO_FAVICON),
    SwaggerRenderPlugin(
        version=SWAGGER_UI_VERSION, js_url="/static/swagger-ui/swagger-ui-bundle.js",
        css_url="/static/swagger-ui/swagger-ui.css",
        standalone_preset_js_url="/static/swagger-ui/swagger-ui-standalone-preset.js",
        favicon=_NO_FAVICON),
]


def create_app(settings: Settings | None = None, clock: Clock | None = None) -> Litestar:
    """Build the app; the database is opened when the app starts, not here. `clock` is
    for tests that set the time (see `open_services`)."""
    configured = settings or load_settings()

    sessions = DatabaseSessionStore()

    @asynccontextmanager
    async def open_database(app: Litestar) -> AsyncIterator[None]:
        async with open_services(configured, clock) as context:
            app.state.context = context
            sessions.bind(context)
            yield

    # The pages' CSRF tokens are signed with a key of their own, derived from the token
    # secret (resolved now: on SQLite the secrets are made once and kept by the database).
    csrf_secret = hmac.new(resolve_secrets(configured).jwt_secret.encode(),
                           b"aidledger page csrf v1", hashlib.sha256).hexdigest()
    not_pages = ["^/api/", "^/health$", "^/ready$", "^/schema", "^/static/"]

    app = Litestar(
        route_handlers=[*health.ROUTES, *auth.ROUTES, *users.ROUTES, *funds.ROUTES,
                        *journal.ROUTES, *people.ROUTES, *audit.ROUTES, *policies.ROUTES,
                        *loans.ROUTES, *grants.ROUTES, *reports.ROUTES,
                        *documents.ROUTES, PAGES,
                        create_static_files_router(path="/static", directories=[STATIC],
                                                   include_in_schema=False)],
        lifespan=[open_database],
        request_class=StrictRequest,
        before_request=refuse_nul_in_path_and_query,
        dependencies={
            "context": Provide(_context, sync_to_thread=False),
            "actor": Provide(_actor, sync_to_thread=False),
            "reading": Provide(_reading),
        },
        middleware=[
            KeyRenewingSessionConfig(
                store="sessions", key="aidledger_session", httponly=True, samesite="lax",
                secure=configured.secure_cookies, max_age=8 * 3600,
                exclude=not_pages).middleware,
            DefineMiddleware(BearerTokenMiddleware, exclude=PUBLIC_PATHS + PAGE_PATHS)],
        stores={"sessions": sessions},
        csrf_config=CSRFConfig(secret=csrf_secret, cookie_secure=configured.secure_cookies,
                               cookie_samesite="strict", exclude=not_pages),
        template_config=template_config(configured.reports_path),
        plugins=[HTMXPlugin()],
        exception_handlers={Exception: handle_exception},
        openapi_config=OpenAPIConfig(
            title="AidLedger",
            version="1",
            path="/schema",
            description="Double-entry books for community funds: see API.md for the contract.",
            components=Components(security_schemes={
                "BearerToken": SecurityScheme(type="http", scheme="bearer", bearer_format="JWT"),
            }),
            security=[{"BearerToken": []}],
            render_plugins=_DOCUMENTATION_PAGES,
        ),
    )
    document_public_paths(app, PUBLIC_PATHS)
    return app
