"""Per-application resources (database sessions, catalog snapshots) for the route handlers."""

from __future__ import annotations

from collections.abc import Iterator

from fastapi import Request
from sqlalchemy.orm import Session, sessionmaker

from motcua.catalog.routing import SnapshotCache


def session(request: Request) -> Iterator[Session]:
    """A session for one handler. Use it with ``Depends(session, scope="function")``: it is closed (its
    connection back in the pool) when the handler returns, not after a slow client has read the answer."""
    factory: sessionmaker[Session] = request.app.state.session_factory
    with factory() as s:
        yield s


def snapshots(request: Request) -> SnapshotCache:
    cache: SnapshotCache = request.app.state.snapshots
    return cache
