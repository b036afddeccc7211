"""Demo data for the embedded database: the schema, the demo catalog, agencies and centres."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from motcua import db
from motcua.catalog import agencies, service
from motcua.catalog.models import Agency, Procedure


def prepare_demo(url: str | None = None) -> str:
    """Bring the database up to date and load what is missing; safe to run again."""
    db.upgrade(url)
    factory = db.session_factory(db.make_engine(url))
    lines = []
    with db.transaction(factory) as session:
        if not session.scalar(select(func.count()).select_from(Procedure)):
            result = service.load_demo(session)
            lines.append(f"demo catalog: {result.added} procedures")
        if not session.scalar(select(func.count()).select_from(Agency)):
            report = agencies.generate(session, date.today())
            lines.append(f"agencies: {report.agencies_added}, service centres: {report.centres_added}")
    return "; ".join(lines) or "demo data already loaded"
