"""``motcua demo generate``: synthetic activity whose logs verify, whose facts the replay confirms, and
whose volumes and channels follow the profile."""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from motcua import db
from motcua.accounts.models import User
from motcua.calendar.service import CalendarCache
from motcua.cli import app
from motcua.clock import aware
from motcua.demo import prepare_demo
from motcua.dossiers.integrity import verify_all
from motcua.dossiers.models import Dossier
from motcua.dossiers.synthetic import generate_activity
from motcua.feedback.models import Rating
from motcua.indicators.facts import replay
from motcua.indicators.models import DAY_COUNTERS, DAY_TABLES, GRAINS, OPEN_TABLES

NOW = datetime(2026, 11, 24, 12)


def _facts(session: Session) -> dict[str, Counter[tuple[object, ...]]]:
    out: dict[str, Counter[tuple[object, ...]]] = {}
    for grain, keys in GRAINS.items():
        counts: Counter[tuple[object, ...]] = Counter()
        for row in session.scalars(select(DAY_TABLES[grain])):
            for c in DAY_COUNTERS:
                counts[(row.day, *(getattr(row, k) for k in keys), c)] += getattr(row, c)
        for row in session.scalars(select(OPEN_TABLES[grain])):
            counts[(row.due_on, *(getattr(row, k) for k in keys), "open")] += row.open
        out[grain] = +counts
    return out


def test_generated_activity_verifies_follows_the_profile_and_can_grow(empty_database_url: str) -> None:
    prepare_demo(empty_database_url, dossiers=0)
    engine = db.make_engine(empty_database_url)
    factory = db.session_factory(engine)
    report = generate_activity(engine, 1500, 6, NOW, seed=3)
    assert report.dossiers == 1500 and report.events > 4 * 1500 and report.ratings > 0 and report.officials > 0
    with factory() as s:
        problems = [v for v in verify_all(s, CalendarCache(factory).get) if not v.ok]
        assert problems == []
        dossiers = s.scalars(select(Dossier)).all()
    assert min(d.submitted_at for d in dossiers) >= aware(datetime(2026, 5, 24))
    assert max(d.submitted_at for d in dossiers) <= aware(NOW)
    by_province = Counter(d.province_code for d in dossiers)
    assert len(by_province) == 34 and by_province["79"] > 5 * by_province["04"]  # Hồ Chí Minh City, Cao Bằng
    online = Counter(d.province_code for d in dossiers if d.channel == "online")
    national = sum(online.values()) / len(dossiers)
    assert online["46"] / by_province["46"] > national + 0.15  # Huế: 95.9% quoted, less the growth
    states = Counter(d.status for d in dossiers)
    assert {"returned", "processing", "rejected"} <= set(states)
    assert any(d.supplement_count for d in dossiers) and any(d.extended for d in dossiers)
    assert any(d.paid_online for d in dossiers)
    with db.transaction(factory) as s:
        generated = _facts(s)
        replay(s)  # event by event through the live rule
        assert _facts(s) == generated
        assert sum(n for k, n in generated["province"].items() if k[-1] == "received") == 1500

    result = CliRunner().invoke(
        app, ["demo", "generate", "--dossiers", "200", "--months", "2", "--url", empty_database_url]
    )
    assert result.exit_code == 0, result.output
    assert "200 dossiers" in result.output and "fact tables rebuilt" in result.output
    assert "2 feedback messages" in result.output  # 8 per 1,000 dossiers (feedback/data/activity.toml)
    with factory() as s:
        assert s.scalar(select(func.count()).select_from(Dossier)) == 1700
        assert s.scalar(select(func.count(func.distinct(Dossier.code)))) == 1700
        assert s.scalar(select(func.count()).select_from(Rating)) >= report.ratings
        officials = s.scalars(select(User.username).where(User.username.like("syn-%"))).all()
        assert len(officials) == len(set(officials)) == report.officials  # not made twice
    engine.dispose()
