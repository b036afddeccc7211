"""Synthetic feedback (``motcua demo generate``): every log verifies, the facts equal a replay of
the events, codes are gap-free per day and live filings continue the numbering, and complaints about
dossiers reach Decision 766's satisfaction."""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from sqlalchemy import func, select

from motcua import db
from motcua.accounts.service import Actor
from motcua.calendar.service import CalendarCache
from motcua.clock import aware
from motcua.demo import prepare_demo
from motcua.dossiers.models import Dossier
from motcua.dossiers.synthetic import generate_activity
from motcua.feedback import messages as fb
from motcua.feedback.models import FeedbackEvent, FeedbackMessage, Rating
from motcua.feedback.synthetic import generate_feedback
from motcua.indicators import facts, feedback_facts
from motcua.indicators.models import FactDossierDay
from tests.indicators.test_feedback_facts import _table

NOW = datetime(2026, 11, 24, 12)


def test_generated_feedback_verifies_counts_and_numbers_on(empty_database_url: str) -> None:
    prepare_demo(empty_database_url, dossiers=0)
    engine = db.make_engine(empty_database_url)
    factory = db.session_factory(engine)
    generate_activity(engine, 600, 3, NOW, seed=4)
    report = generate_feedback(engine, 900, 3, NOW, seed=4, batch_size=400)
    assert report.messages == 900 and report.events > 2 * 900
    assert {"received", "handling", "published", "declined"} <= set(report.by_status)
    with db.transaction(factory) as s:
        assert fb.verify(s) == []
        messages = s.scalars(select(FeedbackMessage)).all()
        assert min(m.filed_at for m in messages) >= aware(datetime(2026, 8, 24))
        assert max(e.at for e in s.scalars(select(FeedbackEvent))) <= aware(NOW)
        by_day: dict[str, list[int]] = {}
        for m in messages:
            _, day, number = m.code.split(".")
            by_day.setdefault(day, []).append(int(number))
        assert all(sorted(numbers) == list(range(1, len(numbers) + 1)) for numbers in by_day.values())
        assert sum(m.forwarded for m in messages) > 0 and any(m.late_stages for m in messages)
        assert len(Counter(m.province_code for m in messages)) > 20
        generated = _table(s)
        feedback_facts.replay(s)
        assert _table(s) == generated and sum(v for k, v in generated.items() if k[-1] == "received") == 900
        # Complaints: each dossier with feedback about it, or a dislike, counted once.
        facts.rebuild(s)
        complained = s.scalar(select(func.sum(FactDossierDay.complained))) or 0
        about = set(s.scalars(select(FeedbackMessage.dossier_code).where(FeedbackMessage.dossier_code.is_not(None))))
        disliked = set(
            s.scalars(
                select(Dossier.code).join(Rating, Rating.dossier_id == Dossier.id).where(Rating.value == "dissatisfied")
            )
        )
        assert about and complained == len(about | disliked)
        # A live filing takes the next number of its day.
        day = max(by_day)
        calendars = CalendarCache(factory)
        r = fb.FeedbackRequest("regulation", "Kiến nghị", "Đề nghị xem xét mức phí.", fb.Sender("A", "B", "0901234567"),
                               commune_code="26740", channel="counter")  # fmt: skip
        officer = Actor(0, "x", "reception_officer", "26740.UBND")
        live = fb.file_feedback(s, officer, r, aware(datetime.strptime(day, "%Y%m%d").replace(hour=10)), calendars.get)
        assert live.code == f"PAKN.{day}.{len(by_day[day]) + 1:04d}"
    engine.dispose()
