"""The sender, run by ``motcua worker``: claims what is due per channel (leased, ``SKIP LOCKED`` on
PostgreSQL so that several workers share the work), sends it through the channel's provider within
the provider's rate limit (shared by every worker through Redis when ``MOTCUA_REDIS_URL`` is set),
several batches at once, and records the outcomes in bulk.

A message is claimed as "sending" with no ``sent_at``; a worker that dies leaves it so, and it is
claimed again once its lease is over. Nothing else sends a message twice: the outbox holds one row
per event, recipient and channel.
"""

from __future__ import annotations

import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

import limits
from limits.storage import Storage, storage_from_string
from limits.strategies import FixedWindowRateLimiter
from sqlalchemy import Select, Table, and_, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from motcua import db
from motcua.clock import now as clock_now
from motcua.notifications.delivery import Attempt, Tally, record
from motcua.notifications.models import OPEN_STATUSES, Notification
from motcua.notifications.outbox import restored
from motcua.notifications.providers import Provider, configured
from motcua.notifications.providers.base import Outgoing, Sent
from motcua.notifications.templates import formatted
from motcua.settings import Settings, get_settings

N = cast(Table, Notification.__table__)
BATCH = 500


@dataclass(frozen=True)
class Claimed:
    attempt: Attempt
    message: Outgoing


def _due(channel: str, now: datetime, limit: int, postgres: bool) -> Select[tuple[Any, ...]]:
    abandoned = and_(N.c.status == "sending", N.c.sent_at.is_(None))  # its worker died mid-lease
    query = (
        select(N)
        .where(N.c.channel == channel, or_(N.c.status.in_(OPEN_STATUSES), abandoned), N.c.next_attempt_at <= now)
        .order_by(N.c.next_attempt_at)
        .limit(limit)
    )
    return query.with_for_update(skip_locked=True) if postgres else query


def claim(
    factory: sessionmaker[Session], provider: Provider, now: datetime, limit: int, lease: timedelta
) -> list[Claimed]:
    """Take up to ``limit`` due messages of the provider's channel for ``lease``; the transaction
    only claims (nothing is sent while it holds locks)."""
    with db.transaction(factory) as s:
        db.lock_for_write(s)
        connection = s.connection()
        rows = connection.execute(_due(provider.channel, now, limit, connection.dialect.name == "postgresql")).all()
        if not rows:
            return []
        connection.execute(
            update(N)
            .where(N.c.id.in_([r.id for r in rows]))
            .values(status="sending", attempts=N.c.attempts + 1, next_attempt_at=now + lease, sent_at=None)
        )
    claimed = []
    for r in rows:
        params = {k: formatted(restored(v), r.language) for k, v in (r.params or {}).items()}
        message = Outgoing(
            r.id, r.channel, r.address, r.language, r.template, r.template_version, r.subject, r.body, r.body, params
        )
        claimed.append(Claimed(Attempt(r.id, r.attempts + 1, r.created_at, provider.name), message))
    return claimed


class Sender:
    """Sends due notifications through the configured providers, one round at a time."""

    def __init__(
        self,
        factory: sessionmaker[Session],
        settings: Settings | None = None,
        providers: dict[str, Provider] | None = None,
        storage: Storage | None = None,
    ) -> None:
        self.settings = settings or get_settings()
        self.factory = factory
        self.providers = configured(self.settings) if providers is None else providers
        url = self.settings.redis_url or "memory://"
        self.limiter = FixedWindowRateLimiter(storage or cast(Storage, storage_from_string(url)))
        self.limits = {p.name: limits.parse(p.rate_limit) for p in self.providers.values()}
        self.pool = ThreadPoolExecutor(max_workers=max(1, sum(p.parallel for p in self.providers.values())))
        self.lease = timedelta(seconds=self.settings.notify_lease_seconds)
        self.retry_for = timedelta(hours=self.settings.notify_retry_hours)

    def _allowance(self, provider: Provider, wanted: int) -> int:
        stats = self.limiter.get_window_stats(self.limits[provider.name], "notifications", provider.name)
        return min(wanted, stats.remaining)

    def wait(self) -> float:
        """Seconds until a provider at its rate limit may send again (0 when none is)."""
        waits = []
        for p in self.providers.values():
            stats = self.limiter.get_window_stats(self.limits[p.name], "notifications", p.name)
            if stats.remaining <= 0:
                waits.append(max(0.0, stats.reset_time - time.time()))
        return min(waits, default=0.0)

    def once(self, now: datetime | None = None, limit: int = BATCH) -> Tally:
        """One round: claim, send and record what is due on every channel; the tally of outcomes."""
        at = now or clock_now()
        futures: list[tuple[list[Claimed], Future[list[Sent]]]] = []
        for provider in self.providers.values():
            allowed = self._allowance(provider, limit)
            if allowed <= 0:
                continue
            claimed = claim(self.factory, provider, at, allowed, self.lease)
            if not claimed:
                continue
            self.limiter.hit(self.limits[provider.name], "notifications", provider.name, cost=len(claimed))
            size = -(-len(claimed) // provider.parallel)
            for start in range(0, len(claimed), size):
                chunk = claimed[start : start + size]
                futures.append((chunk, self.pool.submit(provider.send, [c.message for c in chunk])))
        results: list[tuple[Attempt, Sent]] = []
        for chunk, future in futures:
            try:
                sent = future.result()
            except Exception as exc:  # a provider's bug must not lose the claims: retried later
                sent = [Sent("temporary_failure", error=f"provider error: {exc.__class__.__name__}")] * len(chunk)
            results += [(c.attempt, s) for c, s in zip(chunk, sent, strict=True)]
        if not results:
            return Tally()
        with db.transaction(self.factory) as s:
            return record(s.connection(), results, now or clock_now(), self.retry_for)

    def drain(self, now: datetime | None = None, rounds: int = 1000) -> Tally:
        """Rounds until nothing more is due now (tests, ``motcua notifications send``)."""
        total = Tally()
        for _ in range(rounds):
            tally = self.once(now)
            total.add(tally)
            if tally.total == 0:
                if (pause := self.wait()) <= 0:
                    break
                time.sleep(pause)
        return total

    def close(self) -> None:
        self.pool.shutdown(wait=True)
        for p in self.providers.values():
            p.close()
