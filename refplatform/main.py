"""The application factory: wires settings, database, middleware, error handlers and routes.

``create_app(settings)`` builds a FastAPI application; ``app_from_env()`` is the factory uvicorn
imports (``uvicorn --factory refplatform.main:app_from_env``), reading ``REFPLATFORM_*``
variables. Nothing else lives here: each concern is its own module.
"""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from refplatform.accesslog import AccessLogMiddleware, configure_access_log
from refplatform.credit import HistoryCache
from refplatform.db import Database, upgrade
from refplatform.declaration_store import DeclarationStore
from refplatform.errors import HEALTH_RESPONSES, PROBLEM_RESPONSES, install_handlers
from refplatform.idempotency import IdempotencyMiddleware
from refplatform.limits import BodyLimitMiddleware
from refplatform.lookups import Lookups
from refplatform.routes import (
    audit,
    batch_exit,
    books,
    credit,
    declarations,
    entities,
    health,
    notifications,
    tokens,
    transfers,
    travellers,
)
from refplatform.settings import Settings

__all__ = ["app_from_env", "create_app"]

API_VERSION = "1.0.0"


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the platform application.

    Args:
        settings: Configuration; ``Settings.from_env()`` when None.

    Returns:
        The ASGI application. Its database is opened (and migrated, unless disabled) now, so a
        bad URL fails here rather than on the first request; it is closed on shutdown.
    """
    settings = settings or Settings.from_env()
    db = Database(
        settings.db_url,
        busy_timeout_ms=settings.sqlite_busy_timeout_ms,
        pool_size=settings.pool_size,
    )
    if settings.migrate_on_start:
        upgrade(db)

    @asynccontextmanager
    async def _lifespan(_app: FastAPI) -> AsyncIterator[None]:
        # Everything loaded so far (modules, tables, compiled statements) lives as long as the
        # process: move it out of the collector's sight so full collections stay short.
        gc.freeze()
        yield
        db.dispose()

    app = FastAPI(
        title="Hainan second-line reference customs platform",
        version=API_VERSION,
        description=(
            "Reference implementation of the second-line customs platform API: credit "
            "classification, account books, second-line declarations with channel decisions, "
            "batch exit and travellers' duty-free checks. Every decision comes from sim.rules."
        ),
        lifespan=_lifespan,
        # No /docs or /redoc: they load their scripts from a CDN, and every route but /healthz
        # and /openapi.json needs a token. The OpenAPI document is the documentation.
        docs_url=None,
        redoc_url=None,
        # The platform exports no OpenTelemetry data; with this off, FastAPI skips probing the
        # global providers on every request.
        telemetry={"tracing": False, "metrics": False, "logs": False},
    )
    app.state.settings = settings
    app.state.db = db
    app.state.lookups = lookups = Lookups(db, settings.admin_token)
    app.state.histories = HistoryCache()
    app.state.declaration_store = DeclarationStore(db)
    install_handlers(app)
    # Requests are matched against the routers in this order: the hot path first (no two
    # routers share a path, so the order changes nothing else).
    routers = (
        declarations,
        health,
        tokens,
        entities,
        credit,
        notifications,
        books,
        transfers,
        batch_exit,
        travellers,
        audit,
    )
    for module in routers:
        responses = HEALTH_RESPONSES if module is health else PROBLEM_RESPONSES
        app.include_router(module.router, responses=responses)
    # Outermost last: the body limit before anything reads a body, the token and idempotency
    # keys before any route.
    app.add_middleware(
        IdempotencyMiddleware, db=db, lookups=lookups, ttl_s=settings.idempotency_ttl_s
    )
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes)
    if settings.access_log:
        configure_access_log(True)
        app.add_middleware(AccessLogMiddleware)
    return app


def app_from_env() -> FastAPI:
    """The uvicorn factory: ``create_app(Settings.from_env())``."""
    return create_app(Settings.from_env())
