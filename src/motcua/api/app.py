"""The ASGI application: REST API, pages and static files."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from motcua import __version__, db
from motcua.api import catalog, dossiers, errors, units
from motcua.calendar.service import CalendarCache
from motcua.catalog.routing import SnapshotCache
from motcua.documents.signing import signing_config
from motcua.dossiers.storage import storage_from_env
from motcua.web import routes as web_routes


def create_app(database_url: str | None = None) -> FastAPI:
    app = FastAPI(
        title="motcua",
        version=__version__,
        description="One-stop public services for Vietnam's two-level local government.",
        openapi_url="/api/v1/openapi.json",
        docs_url="/api/v1/docs",
        redoc_url=None,
    )
    factory = db.session_factory(db.make_engine(database_url))
    app.state.session_factory = factory
    app.state.snapshots = SnapshotCache(factory)
    app.state.calendars = CalendarCache(factory)
    app.state.storage = storage_from_env()
    app.state.signing = signing_config()
    errors.install(app)
    app.include_router(units.router)
    app.include_router(catalog.router)
    app.include_router(dossiers.router)
    app.include_router(web_routes.router)
    app.mount("/static", StaticFiles(directory=Path(__file__).parent.parent / "web" / "static"), name="static")

    @app.get("/api/v1/health", tags=["health"], summary="Liveness")
    def health() -> dict[str, str]:
        return {"status": "ok", "version": __version__}

    return app
