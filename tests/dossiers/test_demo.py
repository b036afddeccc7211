"""Demo dossiers are made by the real operations and verify."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from motcua.catalog.routing import CatalogSnapshot
from motcua.dossiers.demo import generate
from motcua.dossiers.integrity import verify
from motcua.dossiers.models import Dossier
from tests.dossiers.helpers import calendar_for


def test_demo_dossiers_cover_the_states_and_their_logs_verify(session: Session, snapshot: CatalogSnapshot) -> None:
    report = generate(session, snapshot, calendar_for, 150, date(2026, 11, 24), seed=7)
    assert report.dossiers == 150 and "demo-citizen" in report.accounts
    assert {"returned", "processing", "submitted", "accepted", "supplement_requested"} <= set(report.by_state)
    dossiers = session.scalars(select(Dossier).options(selectinload(Dossier.events))).all()
    assert all(verify(d, calendar_for).ok for d in dossiers)
