"""At a province's node, each dossier a reorganisation moves is reported to the national node like any
step: a status change (same status, same due date) naming the successor agency, in sequence."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from motcua import db
from motcua.dossiers.models import Dossier
from motcua.exchange.models import OutboxMessage
from motcua.exchange.node import this_node
from motcua.reorganisation.apply import apply
from motcua.reorganisation.effect import take_effect
from motcua.reorganisation.resolution import parse
from tests.dossiers.helpers import calendar_for
from tests.exchange.nodes import province_node
from tests.reorganisation.files import BEN_THANH, SAI_GON, merge_into_existing
from tests.reorganisation.test_merger import DAY, MIDNIGHT, open_work


@pytest.fixture
def as_province(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    province_node(tmp_path, monkeypatch)
    yield
    monkeypatch.undo()
    this_node.cache_clear()


def test_each_move_is_reported_to_the_national_node(as_province: None, own_factory: sessionmaker[Session]) -> None:
    work = open_work(own_factory)
    resolution, _ = parse(merge_into_existing(DAY))
    assert resolution is not None
    with db.transaction(own_factory) as s:
        apply(s, resolution, datetime(2026, 12, 8, 10, 0))
    assert take_effect(own_factory, MIDNIGHT, calendar_for).dossiers == 3
    with own_factory() as s:
        for code in work["codes"][:3]:  # type: ignore[index]
            d = s.scalars(select(Dossier).where(Dossier.code == code)).one()
            last = s.scalars(
                select(OutboxMessage)
                .where(OutboxMessage.dossier_code == code, OutboxMessage.operation == "reportStatus")
                .order_by(OutboxMessage.id.desc())
            ).first()
            assert last is not None
            body = json.loads(last.body)
            assert body["sequence"] == d.event_count and body["processingUnit"] == f"{SAI_GON}.UBND"
            assert body["dueOn"] == (d.due_on.isoformat() if d.due_on else None)
            assert f"{BEN_THANH}" not in body["processingUnit"]
