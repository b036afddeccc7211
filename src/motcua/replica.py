"""Reads that tolerate a few seconds of lag (public tracking, open data) go to a PostgreSQL streaming
replica when one is configured (``MOTCUA_REPLICA_URL``); writes and every signed-in read stay on the
primary, so a citizen always reads what they just wrote.

When the replica fails (down, restarting, unreachable), its reads go to the primary at once and the
replica is left alone for ``PAUSE`` seconds: a dead replica costs one failed attempt, not a timeout per
request. A miss on the replica (a dossier submitted a moment ago, not replayed yet) is asked again of
the primary."""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import Session, sessionmaker

T = TypeVar("T")
PAUSE = 5.0
log = logging.getLogger("motcua.replica")


class ReplicaState:
    """Whether the replica is worth trying now (shared by the sync and async readers of one process)."""

    def __init__(self, configured: bool) -> None:
        self.configured = configured
        self.down_until = 0.0

    def usable(self) -> bool:
        return self.configured and time.monotonic() >= self.down_until

    def failed(self, exc: BaseException) -> None:
        if time.monotonic() >= self.down_until:  # once per pause, not once per request
            log.warning("replica unavailable (%s): reads go to the primary for %.0f s", type(exc).__name__, PAUSE)
        self.down_until = time.monotonic() + PAUSE


class Reads:
    """Run a read on the replica if it is usable, else (or if it fails, or finds nothing) on the primary."""

    def __init__(self, primary: sessionmaker[Session], replica: sessionmaker[Session] | None) -> None:
        self.primary = primary
        self.replica = replica
        self.state = ReplicaState(replica is not None)

    def run(self, read: Callable[[Session], T], *, retry_empty: bool = True) -> T:
        if self.replica is not None and self.state.usable():
            try:
                with self.replica() as s:
                    found = read(s)
                if found is not None or not retry_empty:
                    return found
            except (OperationalError, PoolTimeout) as exc:  # down, restarting, cut off, or too slow
                self.state.failed(exc)
        with self.primary() as s:
            return read(s)

    async def run_async(
        self,
        on_replica: Callable[[], Awaitable[T | None]],
        on_primary: Callable[[], Awaitable[T]],
        failures: tuple[type[BaseException], ...],
    ) -> T:
        """``run`` for a read that awaits (the async pool on the replica): the same rules."""
        if self.state.usable():
            try:
                found = await on_replica()
                if found is not None:
                    return found
            except failures as exc:
                self.state.failed(exc)
        return await on_primary()
