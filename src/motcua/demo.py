"""Demo data for the embedded database: the schema, the demo catalog, agencies and centres."""

from __future__ import annotations

from sqlalchemy import func, select

from motcua import clock, db
from motcua.catalog import agencies, service
from motcua.catalog.models import Agency, Procedure
from motcua.dossiers.models import Dossier
from motcua.feedback.models import FeedbackMessage

DEMO_DOSSIERS = 3000
DEMO_FEEDBACK = 300


def prepare_demo(url: str | None = None, dossiers: int = DEMO_DOSSIERS, feedback: int = DEMO_FEEDBACK) -> str:
    """Bring the database up to date and load what is missing; safe to run again."""
    db.upgrade(url)
    factory = db.session_factory(db.make_engine(url))
    lines = []
    with db.transaction(factory) as session:
        if not session.scalar(select(func.count()).select_from(Procedure)):
            result = service.load_demo(session)
            lines.append(f"demo catalog: {result.added} procedures")
        if not session.scalar(select(func.count()).select_from(Agency)):
            report = agencies.generate(session, clock.today())
            lines.append(f"agencies: {report.agencies_added}, service centres: {report.centres_added}")
    with db.transaction(factory) as session:
        if dossiers and not session.scalar(select(func.count()).select_from(Dossier)):
            from motcua.calendar.service import CalendarCache
            from motcua.catalog.routing import CatalogSnapshot
            from motcua.dossiers.demo import generate

            calendars = CalendarCache(factory)
            demo = generate(session, CatalogSnapshot.load(session), calendars.get, dossiers, clock.today())
            states = ", ".join(f"{k} {v}" for k, v in demo.by_state.most_common())
            lines.append(f"dossiers: {demo.dossiers} ({states})")
            lines.append(
                "demo accounts (password 'demo'): demo-citizen, demo-00004-reception, "
                "demo-00004-officer, demo-00004-leader, … (one set per demo commune), demo-supervisor-79, "
                "demo-inspector-79, demo-admin"
            )
    with db.transaction(factory) as session:
        # Demo feedback goes with the demo dossiers (their citizen, officials and codes).
        dossiers_there = dossiers and session.scalar(select(func.count()).select_from(Dossier))
        if feedback and dossiers_there and not session.scalar(select(func.count()).select_from(FeedbackMessage)):
            from motcua.calendar.service import CalendarCache
            from motcua.catalog.routing import CatalogSnapshot
            from motcua.feedback.demo import generate as generate_feedback

            made = generate_feedback(
                session, CatalogSnapshot.load(session), CalendarCache(factory).get, feedback, clock.today()
            )
            states = ", ".join(f"{k} {v}" for k, v in made.by_state.most_common())
            lines.append(f"feedback: {made.messages} ({states})")
    return "; ".join(lines) or "demo data already loaded"
