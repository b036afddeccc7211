"""A merger applied ahead takes effect at midnight while dossiers keep arriving: those submitted before
00:00 are moved by the sweeps, those after are routed to the successor directly, and every one lands
once, at the right agency, with a log that verifies."""

from __future__ import annotations

import threading
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload, sessionmaker

from motcua import clock, db
from motcua.accounts.service import actor_of, create_user
from motcua.catalog.routing import SnapshotCache
from motcua.dossiers.integrity import verify
from motcua.dossiers.models import Dossier
from motcua.dossiers.service import submit
from motcua.reorganisation.apply import apply
from motcua.reorganisation.effect import take_effect
from motcua.reorganisation.resolution import parse
from tests.dossiers.helpers import calendar_for
from tests.reorganisation.files import BEN_THANH, SAI_GON, merge_into_existing
from tests.reorganisation.test_merger import centre_of, request

pytestmark = pytest.mark.slow
DAY = date(2026, 12, 14)
FIRST = datetime(2026, 12, 13, 23, 59, 48)  # Vietnam wall-clock time
THREADS, EACH = 6, 8  # 48 dossiers over 24 seconds around midnight


def test_submissions_during_the_switch_land_once_at_the_right_agency(own_factory: sessionmaker[Session]) -> None:
    resolution, _ = parse(merge_into_existing(DAY))
    assert resolution is not None
    with db.transaction(own_factory) as s:
        old_centre, new_centre = centre_of(s, BEN_THANH), centre_of(s, SAI_GON)
        citizen = actor_of(create_user(s, "citizen", "citizen", personal_id="079123456789"))
        reception = actor_of(create_user(s, "reception", "reception_officer", unit_code=old_centre))
        apply(s, resolution, datetime(2026, 12, 10, 9, 0))
    snapshots = SnapshotCache(own_factory)
    errors: list[BaseException] = []
    stop = threading.Event()

    def submitter(k: int) -> None:
        try:
            for i in range(EACH):
                at = FIRST + timedelta(seconds=0.5 * (k * EACH + i))
                actor = reception if i % 2 else citizen  # counter receptions (accepted, due dates) and online
                with db.transaction(own_factory) as s:
                    submit(s, actor, request(old_centre, BEN_THANH, k * EACH + i), at, snapshots.get(s), calendar_for)
        except BaseException as exc:  # reported by the test
            errors.append(exc)

    def sweeper() -> None:
        n = 0
        try:
            while not stop.is_set():
                take_effect(own_factory, datetime(2026, 12, 14, 0, 0, 1) + timedelta(seconds=n), calendar_for)
                n += 1
        except BaseException as exc:  # reported by the test
            errors.append(exc)

    threads = [threading.Thread(target=submitter, args=(k,)) for k in range(THREADS)]
    sweeping = threading.Thread(target=sweeper)
    sweeping.start()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    stop.set()
    sweeping.join()
    assert not errors, errors
    take_effect(own_factory, datetime(2026, 12, 14, 0, 5), calendar_for)  # the sweep after the last commit

    midnight = clock.aware(datetime(2026, 12, 14, 0, 0))
    with own_factory() as s:
        dossiers = s.scalars(select(Dossier).options(selectinload(Dossier.events))).all()
        assert len(dossiers) == THREADS * EACH == len({d.code for d in dossiers})
        for d in dossiers:
            assert (d.subject_commune_code, d.deciding_agency_code, d.centre_identifier) == (
                SAI_GON,
                f"{SAI_GON}.UBND",
                new_centre,
            ), d.code
            moved = [e for e in d.events if e.transition == "transferred"]
            if clock.aware(d.submitted_at) < midnight:
                assert len(moved) == 1 and d.code.startswith(old_centre)  # its code keeps its first centre
            else:
                assert not moved and d.code.startswith(new_centre)
            assert verify(d, calendar_for).ok
        before = sum(1 for d in dossiers if clock.aware(d.submitted_at) < midnight)
        assert 0 < before < len(dossiers)
