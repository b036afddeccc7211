"""The supervision rules fire on the right working day, across Tết: two working days before the due
date to the assignee, on the due date to the unit's leaders, overdue to the province's supervisors
(not another province's); once each, however often the day runs."""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from motcua.accounts.service import create_user
from motcua.catalog.routing import CatalogSnapshot
from motcua.dossiers.models import Dossier
from motcua.notifications.models import Notification
from motcua.supervision.alerts import run_day
from motcua.supervision.rules import RulesError, parse
from tests.dossiers.helpers import World

DUE = date(2027, 2, 12)  # a Friday, the second working day after Tết (4–10 February 2027 off)


@pytest.fixture
def world(session: Session, snapshot: CatalogSnapshot, request: pytest.FixtureRequest) -> World:
    return World(session, request.node.name[:40], snapshot)


def test_alerts_fire_on_the_right_working_day_across_tet(world: World, session: Session) -> None:
    s = session
    supervisor = create_user(s, f"{world.citizen.username}-sup", "supervisor", unit_code="79")
    elsewhere = create_user(s, f"{world.citizen.username}-sup-hn", "supervisor", unit_code="01")
    d = world.in_state("processing", at=datetime(2027, 1, 4, 9, 0))
    world.act(d, "assign", world.leader, at=datetime(2027, 1, 4, 11, 0), user_id=world.officer.user_id)
    s.execute(update(Dossier).where(Dossier.id == d.id).values(due_on=DUE))  # the case under test
    fired: dict[date, set[tuple[str, str]]] = defaultdict(set)
    seen: set[int] = set()
    day = date(2027, 1, 25)
    while day <= date(2027, 2, 18):
        at = datetime.combine(day, datetime.min.time()).replace(hour=1)
        report = run_day(s, day, at=at)
        run_day(s, day, at=at + timedelta(hours=3))  # a second run of the day writes nothing more
        assert report.working_day == (day.weekday() < 5 and not date(2027, 2, 4) <= day <= date(2027, 2, 10))
        for n in s.scalars(select(Notification).where(Notification.dossier_code == d.code)):
            if n.id not in seen and n.source.startswith("supervision:"):
                seen.add(n.id)
                fired[day].add((n.template, n.recipient))
        day += timedelta(days=1)
    officer, leader = f"user:{world.officer.user_id}", f"user:{world.leader.user_id}"
    assert sorted(fired) == [date(2027, 2, 3), date(2027, 2, 12), date(2027, 2, 15)]
    assert fired[date(2027, 2, 3)] == {("deadline_near", officer)}  # before Tết, not on 10 February
    assert ("deadline_today", leader) in fired[date(2027, 2, 12)]
    assert {t for t, _ in fired[date(2027, 2, 12)]} == {"deadline_today"}
    overdue = fired[date(2027, 2, 15)]  # Monday: not the Saturday after the due date
    assert ("deadline_overdue", f"user:{supervisor.id}") in overdue
    assert ("deadline_overdue", f"user:{elsewhere.id}") not in overdue
    near = s.scalars(
        select(Notification).where(Notification.dossier_code == d.code, Notification.template == "deadline_near")
    ).one()
    assert (near.channel, near.status) == ("inbox", "delivered")
    assert "còn 2 ngày làm việc" in near.subject and "12/02/2027" in near.subject
    digest = s.scalars(
        select(Notification).where(
            Notification.user_id == world.leader.user_id, Notification.source == "digest:2027-02-12"
        )
    ).one()
    # Other tests' dossiers share the database, so the counts are read, not fixed: d is due today.
    due_today = re.search(r"(\d+) đến hạn hôm nay", digest.body)
    assert due_today is not None and int(due_today.group(1)) >= 1 and "12/02/2027" in digest.body


def test_an_extension_moves_the_alerts_to_the_new_due_date(world: World, session: Session) -> None:
    d = world.in_state("processing", at=datetime(2027, 1, 4, 9, 0))
    session.execute(update(Dossier).where(Dossier.id == d.id).values(due_on=DUE))
    run_day(session, date(2027, 2, 12), at=datetime(2027, 2, 12, 1))
    session.execute(update(Dossier).where(Dossier.id == d.id).values(due_on=date(2027, 2, 19)))
    run_day(session, date(2027, 2, 19), at=datetime(2027, 2, 19, 1))
    sources = set(session.scalars(select(Notification.source).where(Notification.dossier_code == d.code)))
    assert f"supervision:deadline_today:{d.code}:2027-02-12" in sources
    assert f"supervision:deadline_today:{d.code}:2027-02-19" in sources


def test_a_wrong_rule_is_named() -> None:
    with pytest.raises(RulesError, match=r"rule 1 \(x\): when must be one of"):
        parse({"rule": [{"name": "x", "when": "sometimes", "to": "assignee", "template": "t"}]})
    with pytest.raises(RulesError, match="before_due needs working_days"):
        parse({"rule": [{"name": "y", "when": "before_due", "to": "assignee", "template": "t"}]})
