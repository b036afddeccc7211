"""Per-application resources (database sessions, catalog snapshots) for the route handlers."""

from __future__ import annotations

from fastapi import Request
from sqlalchemy.orm import Session, sessionmaker

from motcua.catalog.routing import SnapshotCache
from motcua.settings import get_settings


def open_session(request: Request) -> Session:
    """A session for one handler, to use as ``with open_session(request) as s:`` inside it.

    Not a ``yield`` dependency: FastAPI runs a sync dependency's exit in a worker thread from the same
    limited pool as the handlers, so under load a finished handler's connection waited (idle in
    transaction) for a thread while every thread waited for a connection — the wedge of issue 14.
    Closing the session in the handler's own thread returns the connection before the answer is sent."""
    factory: sessionmaker[Session] = request.app.state.session_factory
    return factory()


async def snapshots(request: Request) -> SnapshotCache:  # async: no thread for returning an object
    cache: SnapshotCache = request.app.state.snapshots
    return cache


def public_cache_headers() -> dict[str, str]:
    """A public read the same for every visitor: a shared cache may keep it a second or two (the
    staleness the portal accepts for search and tracking; never for signed-in answers)."""
    seconds = get_settings().public_cache_seconds
    return {"Cache-Control": f"public, max-age={seconds}"} if seconds else {}
