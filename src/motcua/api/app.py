"""The ASGI application: REST API, pages and static files."""

from __future__ import annotations

import contextvars
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from anyio import to_thread
from fastapi import FastAPI, Response
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from sqlalchemy import event, make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker
from starlette.middleware.sessions import SessionMiddleware

from motcua import __version__, db
from motcua.api import (
    admission,
    catalog,
    digitisation,
    dossiers,
    errors,
    exchange,
    feedback,
    indicators,
    metrics,
    notifications,
    request_log,
    supervision,
    units,
)
from motcua.api import limits as limits_middleware
from motcua.calendar.service import CalendarCache
from motcua.catalog.routing import SnapshotCache
from motcua.documents.signing import signing_config
from motcua.dossiers.storage import configured_storage
from motcua.exchange.node import this_node
from motcua.logs import configure_logging
from motcua.replica import Reads
from motcua.settings import Settings, UnsafeConfiguration, get_settings, unsafe
from motcua.web import account as web_account
from motcua.web import admin as web_admin
from motcua.web import citizen as web_citizen
from motcua.web import dashboard as web_dashboard
from motcua.web import digitisation as web_digitisation
from motcua.web import exchange as web_exchange
from motcua.web import feedback as web_feedback
from motcua.web import oidc as web_oidc
from motcua.web import payments as web_payments
from motcua.web import routes as web_routes
from motcua.web import security
from motcua.web import staff as web_staff
from motcua.web import supervision as web_supervision
from motcua.web import work as web_work


class QueryCounter:
    """Benchmarks: say in ``X-SQL-Queries`` how many SQL statements a request ran (pure ASGI)."""

    current: contextvars.ContextVar[list[int] | None] = contextvars.ContextVar("sql_queries", default=None)

    def __init__(self, app: Any) -> None:
        self.app = app

    @classmethod
    def listen(cls, factory: sessionmaker[Session]) -> None:
        @event.listens_for(factory.kw["bind"], "before_cursor_execute")
        def _count(*_args: Any) -> None:
            box = cls.current.get()
            if box is not None:
                box[0] += 1

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        box = [0]
        token = self.current.set(box)

        async def send_with_count(message: Any) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), (b"x-sql-queries", str(box[0]).encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_with_count)
        finally:
            self.current.reset(token)


def _async_pool(url: str, settings: Settings) -> Any:
    """An async psycopg pool for the hot public read, on PostgreSQL only (opened with the app)."""
    if not url.startswith("postgresql"):
        return None
    from psycopg_pool import AsyncConnectionPool

    conninfo = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    options = "-c TimeZone=UTC"
    if settings.db_statement_timeout_ms:
        options += f" -c statement_timeout={settings.db_statement_timeout_ms}"
    kwargs: dict[str, Any] = {"autocommit": True, "options": options}
    if db.through_pgbouncer(url):  # see db.make_engine
        kwargs = {"autocommit": True, "prepare_threshold": None}
    return AsyncConnectionPool(
        conninfo,
        min_size=2,
        max_size=settings.db_pool_size,
        open=False,
        timeout=settings.db_pool_timeout,
        kwargs=kwargs,
    )


def _settle_long_lived(app: FastAPI) -> None:
    """Load what every request shares (the unit registry, the catalog snapshot), then move it out of
    the garbage collector's sight: a full collection would otherwise walk these millions of objects
    and stall a request for 100-200 ms (the tail of the dashboards' latency). Collections also run
    less often: each request makes many short-lived objects, few of them in cycles."""
    import gc

    from motcua.units import get_registry

    get_registry()
    try:
        app.state.snapshots.get()
    except SQLAlchemyError:  # a database not migrated yet: nothing to keep
        logging.getLogger("motcua").info("catalog snapshot not loaded at start-up")
    gc.collect()
    gc.freeze()
    gc.set_threshold(GC_THRESHOLD, 20, 100)


GC_THRESHOLD = 50_000


# The API's documentation: Swagger UI from the assets built at install time, under the same CSP as
# every page (its start-up script is a file, not inline).
API_DOCS = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>motcua API</title><link rel="icon" href="/static/dist/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/static/dist/swagger-ui.css"></head>
<body><div id="swagger-ui"></div><script src="/static/dist/swagger-ui-bundle.js"></script>
<script src="/static/dist/swagger-init.js"></script></body></html>
"""


def create_app(database_url: str | None = None) -> FastAPI:
    """The application. In production it refuses to start with an unsafe setting (``settings.unsafe``)."""
    settings = get_settings()
    problems = unsafe(settings)
    if problems:
        raise UnsafeConfiguration(problems)
    configure_logging(settings)
    url = database_url or db.database_url()
    replica_url = settings.replica_url
    pool = _async_pool(replica_url or url, settings)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        if pool is not None:
            await pool.open()
        # Handlers that talk to the database run in threads; the waits are short on a nearby
        # database, so a few threads keep the cores busy and many only fight over the GIL.
        to_thread.current_default_thread_limiter().total_tokens = settings.threads
        if settings.gc_freeze:
            await to_thread.run_sync(_settle_long_lived, _app)
        try:
            yield
        finally:
            if pool is not None:
                await pool.close()

    app = FastAPI(
        lifespan=lifespan,
        title="motcua",
        version=__version__,
        description="One-stop public services for Vietnam's two-level local government.",
        openapi_url="/api/v1/openapi.json",
        docs_url=None,  # served below from the packaged Swagger UI (no CDN)
        redoc_url=None,
    )
    factory = db.session_factory(db.make_engine(url, bounded=True))
    replica = db.session_factory(db.make_engine(replica_url, bounded=True, pool_timeout=1.0)) if replica_url else None
    app.state.async_pool = pool
    app.state.reads = Reads(factory, replica)  # lag-tolerant reads: the replica if any, else the primary
    app.state.token_cache = dossiers.TokenCache()
    app.state.session_factory = factory
    app.state.snapshots = SnapshotCache(factory)
    app.state.calendars = CalendarCache(factory)
    app.state.storage = configured_storage()
    app.state.signing = signing_config()
    app.state.exchange_node = this_node()  # None: a standalone node serving every province
    if settings.count_queries:
        QueryCounter.listen(factory)
        app.add_middleware(QueryCounter)
    errors.install(app)
    app.include_router(units.router)
    app.include_router(catalog.router)
    app.include_router(dossiers.router)
    app.include_router(digitisation.router)
    app.include_router(indicators.router)
    app.include_router(exchange.router)
    app.include_router(feedback.router)
    app.include_router(notifications.router)
    app.include_router(supervision.router)
    app.include_router(metrics.router)
    app.include_router(web_routes.router)
    app.include_router(web_account.router)
    app.include_router(web_citizen.router)
    app.include_router(web_work.router)
    app.include_router(web_digitisation.router)
    app.include_router(web_admin.router)
    app.include_router(web_oidc.router)
    app.include_router(web_payments.router)
    app.include_router(web_dashboard.router)
    app.include_router(web_exchange.router)
    app.include_router(web_staff.router)
    app.include_router(web_supervision.router)
    app.include_router(web_feedback.router)
    app.add_middleware(
        SessionMiddleware,
        secret_key=security.secret_key(),
        session_cookie="motcua_session",
        max_age=security.SESSION_MAX_AGE,
        same_site="lax",
        https_only=security.secure_cookies(),
    )
    app.add_middleware(security.SecurityHeaders, hsts=settings.secure_cookies)
    app.add_middleware(
        limits_middleware.BodyLimit,
        max_bytes=settings.max_body_bytes,
        max_upload=settings.max_attachment_bytes,
        max_exchange=settings.max_exchange_bytes,
    )
    app.add_middleware(admission.Admission, limit=settings.max_in_flight)
    app.add_middleware(request_log.RequestLog)
    app.mount("/static", StaticFiles(directory=Path(__file__).parent.parent / "web" / "static"), name="static")

    @app.get("/api/v1/docs", include_in_schema=False)
    def api_docs() -> HTMLResponse:
        return HTMLResponse(API_DOCS)

    @app.get("/api/v1/health", tags=["health"], summary="Liveness: the process answers")
    def health() -> dict[str, str]:
        return {"status": "ok", "version": __version__}

    @app.get(
        "/api/v1/ready",
        tags=["health"],
        summary="Readiness: the database answers (a load balancer sends traffic only then)",
        responses={503: {"description": "The database does not answer"}},
    )
    def ready() -> Response:
        from sqlalchemy import text

        try:
            with factory() as s:
                s.execute(text("SELECT 1"))
        except SQLAlchemyError:
            body = b'{"status":"unavailable","database":"unreachable"}'
            return Response(body, status_code=503, media_type="application/json", headers={"Retry-After": "5"})
        return Response(b'{"status":"ready","database":"ok"}', media_type="application/json")

    return app
