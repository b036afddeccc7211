"""The Decision 766 index from the fact tables: points by threshold, groups without data left out,
the ranking, and the rates against a hand count."""

from __future__ import annotations

from datetime import date
from itertools import pairwise

from sqlalchemy import select
from sqlalchemy.orm import Session

from motcua.catalog.routing import CatalogSnapshot
from motcua.dossiers.demo import generate
from motcua.indicators.facts import rebuild
from motcua.indicators.index import Counts, Indicator, config, index, points, score
from motcua.indicators.models import FactDossierDay
from tests.dossiers.helpers import calendar_for


def test_points_follow_the_threshold_rule() -> None:
    online = Indicator("online_rate", threshold=0.5, max_points=12)
    assert points(0.8, online) == 12 and points(0.25, online) == 6 and points(None, online) is None


def test_a_unit_scores_what_can_be_measured() -> None:
    counts = Counts(
        received=100,
        online=30,
        early=50,
        on_time=30,
        late=20,
        digitised=40,
        fee_due=10,
        paid_online=5,
        dissatisfied=2,
        complained=3,  # the 2 dislikes and a complaint about a third dossier
        reused=10,
    )
    s = score("79", counts, config())
    assert s.rates["online_rate"] == 0.3 and s.groups["online_service"] == 0.3 * 12 / 0.5
    assert s.rates["on_time_rate"] == 0.8 and s.groups["progress"] == 16
    assert s.rates["satisfaction_rate"] == 1 - (20 / 100 + 3 / 100)
    # Digitisation: half the points for digitised dossiers, half for reuse (each full at 80%).
    assert s.rates["digitisation_rate"] == 0.4 and s.rates["reuse_rate"] == 0.1
    assert s.groups["digitisation"] == 0.4 * 11 / 0.8 + 0.1 * 11 / 0.8
    assert s.groups["transparency"] is None  # no data: left out of the total and of the reachable points
    assert s.reachable == 20 + 22 + 18 + 12 + 10 and 0 < s.percent < 100
    # Transparency from the catalog and the exchange; an indicator without a source stays unmeasured.
    extra = {"catalog_published_rate": 0.9, "status_reported_rate": 0.5, "results_published_rate": None}
    t = score("79", counts, config(), extra)
    assert t.groups["transparency"] == 0.9 * 6 + 0.5 * 6 and t.reachable == s.reachable + 12


def test_ranking_from_the_facts_matches_a_hand_count(session: Session, snapshot: CatalogSnapshot) -> None:
    today = date(2026, 11, 24)
    generate(session, snapshot, calendar_for, 150, today, seed=11)
    rebuild(session)
    start, end = date(2026, 1, 1), today
    ranking = index(session, start, end, today=today)
    assert [s.rank for s in ranking] == list(range(1, len(ranking) + 1))
    assert all(a.percent >= b.percent for a, b in pairwise(ranking))
    top = ranking[0]
    rows = session.scalars(
        select(FactDossierDay).where(FactDossierDay.province_code == top.unit, FactDossierDay.day.between(start, end))
    ).all()
    assert top.counts.received == sum(r.received for r in rows)
    assert top.rates["online_rate"] == sum(r.online for r in rows) / sum(r.received for r in rows)
    communes = index(session, start, end, level="commune", province=top.unit, today=today)
    assert sum(c.counts.received for c in communes) == top.counts.received


def test_communes_read_whole_months_and_the_edge_days_alike(session: Session, snapshot: CatalogSnapshot) -> None:
    """Per commune, whole months come from the monthly rows and partial months from the daily rows:
    for any period, the same counts as summing the daily rows of every place."""
    today = date(2026, 11, 24)
    generate(session, snapshot, calendar_for, 200, today, seed=13)
    rebuild(session)
    for start, end in (
        (date(2026, 7, 15), date(2026, 10, 20)),  # partial, whole, whole, partial
        (date(2026, 8, 1), date(2026, 10, 31)),  # whole months only
        (date(2026, 9, 3), date(2026, 9, 28)),  # inside one month
        (date(2025, 12, 31), date(2026, 11, 24)),
    ):
        for province in ("79", "01"):
            by_commune = {s.unit: s.counts for s in index(session, start, end, "commune", province, today=today)}
            rows = session.scalars(
                select(FactDossierDay).where(
                    FactDossierDay.province_code == province, FactDossierDay.day.between(start, end)
                )
            ).all()
            expected: dict[str, Counts] = {}
            for r in rows:
                c = expected.setdefault(r.commune_code, Counts())
                for counter in ("received", "online", "early", "on_time", "late", "fee_due", "paid_online"):
                    setattr(c, counter, getattr(c, counter) + getattr(r, counter))
            for commune, c in expected.items():
                got = by_commune[commune]
                assert (got.received, got.online, got.early, got.on_time, got.late, got.fee_due, got.paid_online) == (
                    c.received,
                    c.online,
                    c.early,
                    c.on_time,
                    c.late,
                    c.fee_due,
                    c.paid_online,
                ), (start, end, commune)
            assert sum(c.received for c in expected.values()) > 0 or start.month == 9
