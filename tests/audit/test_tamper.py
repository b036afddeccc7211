"""The tamper suite: every change an attacker holding the database could make is detected — each
field of a dossier row, an event's payload with the chain recomputed (without the chain key), a
consistent truncation of a log's tail, a whole dossier deleted — by ``verify`` and the daily seals;
and the database itself refuses UPDATE and DELETE of the logs."""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import delete, select, update
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session

from motcua.audit.models import AuditEvent, Seal
from motcua.audit.seals import seal_pending, verify_seals
from motcua.audit.trail import record, verify_trail
from motcua.dossiers.chain import RECORD_FIELDS
from motcua.dossiers.integrity import verify
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.dossiers.projection import PROJECTED
from tests.dossiers.helpers import World, calendar_for
from tests.tamper import owner_rights

CHANGED: dict[str, Any] = {
    "centre_identifier": "000.00.00.H99",
    "province_code": "01",
    "procedure_code": "1.000001",
    "version_number": 99,
    "channel": "postal",
    "owner_id": None,
    "created_by": 424242,
    "applicant_kind": "business",
    "applicant_id_number": "001099999999",
    "applicant_name": "Người Khác",
    "applicant_phone": "0999999999",
    "applicant_email": "x@example.org",
    "subject_commune_code": "00004",
    "subject_address": "Nơi khác",
    "subject_address_as_written": "Nơi khác",
    "deciding_agency_code": "00004.UBND",
    "handling_unit_code": "00004.economy",
    "form_data": {"business_name": "Khác"},
    "fees": [{"amount_vnd": 1}],
    "time_limit": 99.0,
    "time_limit_kind": "days",
    "submitted_at": datetime(2020, 1, 1, 9),
}


def _field_values() -> list[tuple[str, Any]]:
    fields = [(f, CHANGED[f]) for f in RECORD_FIELDS if f not in ("code", "procedure_version_id")]
    projected = {
        "status": "returned",
        "status_code": 10,
        "outcome": "approved",
        "assigned_to": 7,
        "complete_at": datetime(2020, 1, 1, 9),
        "received_on": date(2020, 1, 1),
        "due_on": date(2030, 1, 1),
        "finished_at": datetime(2020, 1, 2, 9),
        "returned_at": datetime(2020, 1, 3, 9),
        "supplement_count": 0,
        "extended": True,
        "paid_online": True,
    }
    return fields + [(f, projected[f]) for f in PROJECTED]


def test_each_field_of_a_dossier_row_is_covered(session: Session) -> None:
    world = World(session, "tamper-fields")
    d = world.in_state("processing")
    assert verify(d, calendar_for).ok
    undetected = []
    for field, value in _field_values():
        if field == "supplement_count":
            value = d.supplement_count + 1
        if field == "assigned_to":
            value = world.officer.user_id  # an existing account (the column is a foreign key)
        change = session.begin_nested()
        session.execute(update(Dossier).where(Dossier.id == d.id).values({field: value}))
        session.expire_all()
        changed = session.scalars(select(Dossier).where(Dossier.id == d.id)).one()
        if verify(changed, calendar_for).ok:
            undetected.append(field)
        change.rollback()
        session.expire_all()
    assert undetected == []
    assert len(_field_values()) == len(RECORD_FIELDS) - 2 + len(PROJECTED)


def test_a_payload_changed_with_the_chain_recomputed_without_the_key_is_detected(session: Session) -> None:
    world = World(session, "tamper-recompute")
    d = world.in_state("processed")
    events = sorted(d.events, key=lambda e: e.seq)
    prev = "0" * 64
    with owner_rights(session):
        for e in events:  # the attacker rewrites a payload and recomputes every hash with plain SHA-256
            payload = dict(e.payload, reason="sửa") if e.seq == 2 else e.payload
            body = json.dumps({"seq": e.seq, "payload": payload, "prev": prev}, sort_keys=True)
            digest = hashlib.sha256(body.encode()).hexdigest()
            session.execute(
                update(DossierEvent).where(DossierEvent.id == e.id).values(payload=payload, prev_hash=prev, hash=digest)
            )
            prev = digest
        session.execute(update(Dossier).where(Dossier.id == d.id).values(last_hash=prev))
    session.expire_all()
    d = session.scalars(select(Dossier).where(Dossier.id == d.id)).one()
    problems = verify(d, calendar_for).problems
    assert any("was changed after it was written" in p for p in problems)


def test_the_log_refuses_update_and_delete_in_the_database(session: Session) -> None:
    world = World(session, "tamper-trigger")
    d = world.in_state("accepted")
    for statement in (
        update(DossierEvent).where(DossierEvent.dossier_id == d.id).values(actor_unit="x"),
        delete(DossierEvent).where(DossierEvent.dossier_id == d.id),
        delete(Dossier).where(Dossier.id == d.id),  # its events go with it: refused too
    ):
        nested = session.begin_nested()
        with pytest.raises((IntegrityError, DBAPIError)) as refused:
            session.execute(statement)
        nested.rollback()
        assert "append-only" in str(refused.value)


def _sealed_world(session: Session, tag: str) -> tuple[World, list[Dossier], date]:
    """Dossiers whose events all fall on one day long past, then every pending day sealed."""
    world = World(session, tag)
    day = datetime(2026, 3, 2, 8)  # a Monday
    dossiers = [world.in_state("processed", at=day + timedelta(minutes=i)) for i in range(3)]
    seal_pending(session, now=datetime(2026, 11, 30, 12))
    assert verify_seals(session) == []
    return world, dossiers, date(2026, 3, 2)


def test_seals_detect_a_truncated_tail_a_deleted_dossier_and_a_recomputed_row(session: Session) -> None:
    _world, dossiers, day = _sealed_world(session, "tamper-seal")
    first, second = dossiers[0], dossiers[1]
    with owner_rights(session):
        # A consistent truncation: the last event removed and the row made to agree with the rest.
        last = max(first.events, key=lambda e: e.seq)
        previous = max((e for e in first.events if e.seq < last.seq), key=lambda e: e.seq)
        session.execute(delete(DossierEvent).where(DossierEvent.id == last.id))
        session.execute(
            update(Dossier)
            .where(Dossier.id == first.id)
            .values(event_count=previous.seq, last_hash=previous.hash, status=previous.to_status)
        )
        # A whole dossier deleted, its events with it.
        session.execute(delete(DossierEvent).where(DossierEvent.dossier_id == second.id))
        session.execute(delete(Dossier).where(Dossier.id == second.id))
    session.expire_all()
    failures = verify_seals(session)
    assert [f.day for f in failures] == [day]
    assert "events were changed, removed or added after the day was sealed" in failures[0].problems[0]


def test_seals_are_chained_signed_and_append_only(session: Session) -> None:
    _sealed_world(session, "tamper-seal-chain")
    seal = session.scalars(select(Seal).order_by(Seal.day.desc())).first()
    assert seal is not None
    nested = session.begin_nested()
    with pytest.raises((IntegrityError, DBAPIError)):
        session.execute(update(Seal).where(Seal.day == seal.day).values(dossier_events=0))
    nested.rollback()
    with owner_rights(session):
        session.execute(update(Seal).where(Seal.day == seal.day).values(signature="x.y.z"))
    session.expire_all()
    assert any("signature" in p for f in verify_seals(session) for p in f.problems)


def test_the_audit_trail_is_chained_and_append_only(session: Session) -> None:
    record(session, "catalog_import", actor_id=1, actor_role="admin", channel="cli", details={"procedures": 3})
    record(session, "sign_in", actor_id=2, actor_role="citizen", channel="web", subject="user:2")
    assert verify_trail(session) == []
    entry = session.scalars(select(AuditEvent).order_by(AuditEvent.seq.desc())).first()
    assert entry is not None
    nested = session.begin_nested()
    with pytest.raises((IntegrityError, DBAPIError)):
        session.execute(delete(AuditEvent).where(AuditEvent.id == entry.id))
    nested.rollback()
    with owner_rights(session):
        session.execute(update(AuditEvent).where(AuditEvent.id == entry.id).values(details={"procedures": 4}))
    session.expire_all()
    assert any("was changed after it was written" in p for p in verify_trail(session))
