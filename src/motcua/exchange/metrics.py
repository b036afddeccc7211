"""The exchange in Prometheus' text format (``GET /metrics``): gauges read from the outbox and inbox
at each scrape, per member. No personal data and no error texts: those are on the operator page."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy.orm import Session, sessionmaker

from motcua.exchange.models import utc_now
from motcua.exchange.monitor import member_statuses

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class ExchangeCollector(Collector):
    def __init__(self, factory: sessionmaker[Session]) -> None:
        self.factory = factory

    def collect(self) -> Iterator[GaugeMetricFamily]:
        now = utc_now()
        with self.factory() as s:
            statuses = member_statuses(s, now)

        def gauge(name: str, documentation: str) -> GaugeMetricFamily:
            return GaugeMetricFamily(f"motcua_exchange_{name}", documentation, labels=["member"])

        families = {
            "pending": gauge("queue_depth", "Messages waiting in the outbox for the member"),
            "dead": gauge("dead_messages", "Messages set aside after a refusal"),
            "oldest": gauge("oldest_pending_seconds", "Age of the oldest waiting message"),
            "delivered": gauge("delivered_last_hour", "Messages delivered to the member in the last hour"),
            "received": gauge("received_last_hour", "Messages received from the member in the last hour"),
            "contact": gauge("last_contact_timestamp_seconds", "When the member last answered (Unix time)"),
            "up": gauge("member_failing", "1 when the member has dead letters or answers with errors"),
        }
        for m in statuses:
            labels = [m.identifier]
            families["pending"].add_metric(labels, m.pending)
            families["dead"].add_metric(labels, m.dead)
            families["oldest"].add_metric(labels, m.oldest_pending_seconds or 0.0)
            families["delivered"].add_metric(labels, m.delivered_last_hour)
            families["received"].add_metric(labels, m.received_last_hour)
            if m.last_contact_at is not None:
                families["contact"].add_metric(labels, (m.last_contact_at - EPOCH).total_seconds())
            families["up"].add_metric(labels, 1.0 if m.state == "failing" else 0.0)
        yield from families.values()


def exposition(factory: sessionmaker[Session]) -> bytes:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(ExchangeCollector(factory))
    return generate_latest(registry)
