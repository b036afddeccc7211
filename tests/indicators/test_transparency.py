"""The transparency group from what the catalog and the exchange know: the share of procedures in
force published with all their components, and of status reports that reached the national node in
time, per province; what has no source stays "not measured"."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from motcua.catalog.models import Procedure, ProcedureVersion
from motcua.catalog.routing import CatalogSnapshot
from motcua.clock import aware
from motcua.exchange.models import OutboxMessage
from motcua.indicators.index import index
from motcua.indicators.transparency import catalog_published_rate
from tests.dossiers.helpers import World

DAY = date(2026, 6, 1)


def test_the_catalogs_rate_counts_procedures_in_force(session: Session) -> None:
    counted = {}
    for p in session.scalars(select(Procedure)):
        in_force = [v for v in p.versions if v.valid_from in (None,) or v.valid_from <= DAY]
        in_force = [v for v in in_force if v.valid_to is None or v.valid_to > DAY]
        if in_force and (p.abolished_on is None or p.abolished_on > DAY):
            counted[p.code] = any(v.status == "published" for v in in_force)
    assert catalog_published_rate(session, DAY) == sum(counted.values()) / len(counted)
    # A draft in force lowers it.
    first = session.scalars(select(ProcedureVersion).where(ProcedureVersion.status == "published")).first()
    assert first is not None
    first.status = "draft"
    session.flush()
    assert catalog_published_rate(session, DAY) < sum(counted.values()) / len(counted)


def test_status_reports_in_time_per_province_and_unmeasured_without_source(
    session: Session, snapshot: CatalogSnapshot
) -> None:
    world = World(session, f"tr-{uuid.uuid4().hex[:6]}", snapshot)
    at = datetime(2026, 6, 1, 9)
    dossiers = [world.submit(at=at + timedelta(minutes=i)) for i in range(4)]
    for i, d in enumerate(dossiers):  # two delivered within the day, one late, one never
        delivered = {0: timedelta(minutes=5), 1: timedelta(hours=3), 2: timedelta(hours=30), 3: None}[i]
        session.add(
            OutboxMessage(
                message_id=str(uuid.uuid4()),
                recipient="national",
                operation="reportStatus",
                method="POST",
                path=f"/exchange/v1/dossiers/{d.code}/status",
                body="{}",
                dossier_code=d.code,
                state="delivered" if delivered else "pending",
                next_attempt_at=aware(at),
                created_at=aware(at),
                delivered_at=aware(at) + delivered if delivered else None,
            )
        )
    session.flush()
    scores = {s.unit: s for s in index(session, DAY, DAY, today=DAY)}
    hcm = scores["79"]
    assert hcm.rates["status_reported_rate"] == 2 / 4
    assert hcm.rates["results_published_rate"] is None  # no source: not measured
    assert hcm.rates["catalog_published_rate"] is not None
    # Transparency counts what is measured: two indicators of three, their points.
    expected = hcm.rates["catalog_published_rate"] * 6 + 0.5 * 6
    assert hcm.groups["transparency"] == expected
