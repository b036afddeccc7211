"""The feedback facts: kept on each step, counted against the agency that had the message (a
forwarded message at both agencies), every stage on time or late by its deadline, and rebuilt from the
event logs (SQL and replay) to the same rows."""

from __future__ import annotations

import uuid
from collections import Counter
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from motcua.feedback import messages as fb
from motcua.indicators import feedback_facts
from motcua.indicators.models import FEEDBACK_COUNTERS, FEEDBACK_KEYS, FactFeedbackDay
from tests.dossiers.helpers import SAI_GON, World
from tests.feedback.test_messages import PAYLOAD, SENDER, for_province

Table = Counter[tuple[object, ...]]
MONDAY = datetime(2026, 6, 1, 9)


def _table(session: Session, agencies: set[str] | None = None) -> Table:
    out: Table = Counter()
    for row in session.scalars(select(FactFeedbackDay)):
        if agencies is not None and row.agency_code not in agencies:
            continue
        for counter in FEEDBACK_COUNTERS:
            if getattr(row, counter):
                out[(row.day, *(getattr(row, k) for k in FEEDBACK_KEYS), counter)] += getattr(row, counter)
    return out


@pytest.fixture
def world(session: Session) -> World:
    return World(session, f"fbf-{uuid.uuid4().hex[:8]}")


def _file(w: World, at: datetime) -> fb.FeedbackMessage:
    body = "Vỉa hè trước số 12 bị lấn chiếm."
    r = fb.FeedbackRequest("agency", "Vỉa hè bị lấn chiếm", body, SENDER, f"{SAI_GON}.UBND", SAI_GON)
    return fb.file_feedback(w.session, w.citizen, r, at, for_province, w.snapshot)


def _act(w: World, m: fb.FeedbackMessage, step: str, at: datetime, actor: object = None, **payload: object) -> None:
    who = actor or (w.citizen if step in ("rate", "request_reopen", "provide_info") else w.leader)
    fb.act(w.session, who, m.code, step, at, for_province, {**PAYLOAD.get(step, {}), **payload})  # type: ignore[arg-type]


def test_each_stage_counted_on_time_or_late_against_the_agency_that_had_it(world: World) -> None:
    s = world.session
    here, there = f"{SAI_GON}.UBND", "25747.UBND"
    before = _table(s, {here, there})
    # On time all the way, then rated unhappy, reopened.
    a = _file(world, MONDAY)
    _act(world, a, "accept", MONDAY + timedelta(hours=2))
    _act(world, a, "draft_answer", MONDAY + timedelta(days=1))
    _act(world, a, "approve_answer", MONDAY + timedelta(days=1, hours=1))
    _act(world, a, "publish", MONDAY + timedelta(days=1, hours=2))
    _act(world, a, "rate", MONDAY + timedelta(days=2), value="dissatisfied")
    _act(world, a, "request_reopen", MONDAY + timedelta(days=2, hours=1))
    _act(world, a, "accept_reopen", MONDAY + timedelta(days=3))
    # Classified a week late, by forwarding (within the 5 days the forward is on time), then accepted late there.
    b = _file(world, MONDAY)
    _act(world, b, "forward", MONDAY + timedelta(days=3))
    _act(world, b, "accept", MONDAY + timedelta(days=10), actor=world.other_leader)
    # Declined late; a duplicate merged on time.
    c = _file(world, MONDAY)
    _act(world, c, "decline", MONDAY + timedelta(days=7))
    d = _file(world, MONDAY)
    _act(world, d, "merge", MONDAY + timedelta(hours=3), original=a.code)
    got = _table(s, {here, there}) - before

    def n(agency: str, counter: str) -> int:
        return sum(v for k, v in got.items() if k[3] == agency and k[-1] == counter)

    assert n(here, "received") == 4 and n(here, "forwarded") == 1 and n(there, "transferred_in") == 1
    assert n(here, "accepted") == 1 and n(there, "accepted") == 1
    assert (n(here, "classify_on_time"), n(here, "classify_late")) == (2, 1)  # a, d on time; c late
    assert (n(there, "classify_on_time"), n(there, "classify_late")) == (0, 1)
    assert (n(here, "forward_on_time"), n(here, "forward_late")) == (1, 0)
    assert n(here, "handle_on_time") == 1 and n(here, "publish_on_time") == 1 and n(here, "published") == 1
    assert n(here, "declined") == 1 and n(here, "merged") == 1
    assert (n(here, "rated"), n(here, "dissatisfied"), n(here, "reopen_requested"), n(here, "reopened")) == (1, 1, 1, 1)
    assert all(k[1] == "79" and k[2] == SAI_GON and k[4] == "agency" for k in got)  # place and topic
    live = _table(s)
    feedback_facts.rebuild(s)
    assert _table(s) == live
    feedback_facts.replay(s)
    assert _table(s) == live
