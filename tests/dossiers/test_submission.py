"""Submission: validation, idempotency, codes under concurrency, attachments, tamper detection."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, delete, select, update
from sqlalchemy.orm import Session, sessionmaker

from motcua import db
from motcua.catalog.routing import CatalogSnapshot
from motcua.dossiers.attachments import MAX_BYTES, add_attachment, read_attachment
from motcua.dossiers.errors import Conflict, DossierError, NotFound
from motcua.dossiers.integrity import verify
from motcua.dossiers.models import Dossier, DossierEvent, DossierSequence
from motcua.dossiers.service import Applicant, act, submit, submit_in_transaction
from motcua.dossiers.storage import LocalStorage
from tests.dossiers.helpers import T0, World, calendar_for
from tests.tamper import owner_rights

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def world(session: Session, snapshot: CatalogSnapshot, request: pytest.FixtureRequest) -> World:
    return World(session, request.node.name[:40], snapshot)


def test_invalid_form_data_is_refused_with_every_problem(world: World) -> None:
    with pytest.raises(DossierError) as err:
        world.submit(form={"business_name": "", "activities": [], "capital_vnd": -5, "extra": 1})
    problems = err.value.details["problems"]
    assert err.value.code == "invalid_form"
    assert any(p.startswith("form.business_name") for p in problems)
    assert any(p.startswith("form.capital_vnd") for p in problems)
    assert any("business_address" in p for p in problems)
    assert any("extra" in p for p in problems)


def test_bad_applicant_and_unknown_procedure(world: World) -> None:
    with pytest.raises(DossierError) as err:
        world.submit(applicant=Applicant("citizen", "123", "", "abc"))
    assert err.value.details["problems"] == [
        "applicant.id_number: a personal identification number has 12 digits",
        "applicant.name: empty",
        "applicant.phone: not a phone number",
    ]
    with pytest.raises(DossierError) as err:
        world.submit(applicant=Applicant("citizen", "001099000123", "An", "0992123456", "an@", ["email", "app", "fax"]))
    problems = err.value.details["problems"]
    assert problems[0] == "applicant.phone: not a valid phone number in Vietnam's numbering plan"
    assert (
        problems[1].startswith("applicant.email: ")
        and problems[2] == "applicant.channels: fax not among email, sms, app"
    )
    with pytest.raises(DossierError) as err:
        world.submit(procedure_code="9.999999")
    assert err.value.code == "unknown_procedure"
    with pytest.raises(DossierError) as err:
        world.submit(centre_identifier="000.00.01.H01")
    assert err.value.code == "centre_outside_province"


def test_subject_given_as_an_old_address_is_converted(world: World) -> None:
    d = world.submit(subject_commune_code=None, subject_address="12 Lê Lợi, P. Bến Nghé, Q.1, TP.HCM")
    assert d.subject_commune_code == "26740" and d.subject_address_as_written.startswith("12 Lê Lợi")
    with pytest.raises(DossierError) as err:
        world.submit(subject_commune_code=None, subject_address="Xã Cổ Bi, Gia Lâm, Hà Nội")
    assert "ambiguous" in err.value.details["problems"][0]


def test_submission_is_idempotent_by_key(world: World) -> None:
    first, created = submit(
        world.session, world.citizen, world.request(idempotency_key="k-1"), T0, world.snapshot, calendar_for
    )
    again, created_again = submit(
        world.session, world.citizen, world.request(idempotency_key="k-1"), T0, world.snapshot, calendar_for
    )
    assert created and not created_again and again.id == first.id
    with pytest.raises(Conflict):
        submit(
            world.session,
            world.citizen,
            world.request(idempotency_key="k-1", channel="postal"),
            T0,
            world.snapshot,
            calendar_for,
        )


def test_a_forged_event_is_detected(world: World) -> None:
    d = world.in_state("processed")
    with owner_rights(world.session):
        world.session.execute(
            update(DossierEvent)
            .where(DossierEvent.dossier_id == d.id, DossierEvent.seq == 2)
            .values(actor_unit="someone-else")
        )
    world.session.refresh(d)
    result = verify(d, calendar_for)
    assert not result.ok and result.problems == ["event 2 (accept) was changed after it was written"]
    with owner_rights(world.session):
        world.session.execute(delete(DossierEvent).where(DossierEvent.dossier_id == d.id, DossierEvent.seq == 3))
    world.session.refresh(d)
    assert any("missing" in p for p in verify(d, calendar_for).problems)


def test_a_tampered_projection_is_detected(world: World) -> None:
    d = world.in_state("processing")
    d.due_on = date(2030, 1, 1)
    world.session.flush()
    assert any(p.startswith("due_on") for p in verify(d, calendar_for).problems)


def test_attachments_are_sniffed_limited_and_served_only_to_who_may_read(world: World, tmp_path: Path) -> None:
    storage = LocalStorage(tmp_path)
    d = world.in_state("submitted")
    row = add_attachment(world.session, storage, world.citizen, d, "cccd.pdf", PDF, "applicant", T0)
    assert row.content_type == "application/pdf" and row.size == len(PDF)
    assert read_attachment(world.session, storage, world.reception, d, row.id)[1] == PDF
    with pytest.raises(NotFound):
        read_attachment(world.session, storage, world.stranger, d, row.id)
    with pytest.raises(NotFound):
        read_attachment(world.session, storage, world.other_reception, d, row.id)
    with pytest.raises(DossierError) as err:
        add_attachment(
            world.session, storage, world.citizen, d, "big.pdf", PDF + b"0" * (10 * 1024 * 1024), "applicant", T0
        )
    assert err.value.code == "attachment_too_large" and err.value.details["limit"] == MAX_BYTES
    with pytest.raises(DossierError) as err:
        add_attachment(
            world.session, storage, world.citizen, d, "virus.exe", b"MZ\x90\x00" + b"\x00" * 200, "applicant", T0
        )
    assert err.value.code == "attachment_type"
    (tmp_path / row.storage_key).write_bytes(PDF + b"changed")
    with pytest.raises(DossierError) as err:
        read_attachment(world.session, storage, world.citizen, d, row.id)
    assert err.value.code == "attachment_corrupt"


def test_codes_are_unique_and_gap_free_under_concurrent_receptions(engine: Engine) -> None:
    factory = db.session_factory(engine)
    with db.transaction(factory) as s:
        world = World(s, f"concurrency-{engine.dialect.name}")
        centre, citizen, request = world.centre, world.citizen, world.request()
        snapshot = world.snapshot
    day = datetime(2027, 3, 1, 9, 0)
    codes: list[str] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def worker(n: int) -> None:
        for i in range(5):
            try:
                with db.transaction(factory) as s:
                    d, _ = submit(s, citizen, request, day, snapshot, calendar_for)
                    if (n + i) % 4 == 0:
                        raise RuntimeError("rolled back on purpose")
                    with lock:
                        codes.append(d.code)
            except RuntimeError:
                pass
            except BaseException as exc:
                errors.append(exc)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    try:
        assert not errors, errors
        numbers = sorted(int(c.rsplit("-", 1)[1]) for c in codes)
        assert numbers == list(range(1, len(codes) + 1)) and len(codes) == 30
        assert all(c.startswith(f"{centre}-270301-") for c in codes)
    finally:
        with db.transaction(factory) as s, owner_rights(s):
            ids = s.scalars(select(Dossier.id).where(Dossier.code.in_(codes))).all()
            s.execute(delete(DossierEvent).where(DossierEvent.dossier_id.in_(ids)))
            s.execute(delete(Dossier).where(Dossier.id.in_(ids)))
            s.execute(delete(DossierSequence).where(DossierSequence.day == day.date()))


def _cleanup(factory: sessionmaker[Session], codes: list[str], day: date) -> None:
    with db.transaction(factory) as s, owner_rights(s):
        ids = s.scalars(select(Dossier.id).where(Dossier.code.in_(codes))).all()
        s.execute(delete(DossierEvent).where(DossierEvent.dossier_id.in_(ids)))
        s.execute(delete(Dossier).where(Dossier.id.in_(ids)))
        s.execute(delete(DossierSequence).where(DossierSequence.day == day))


def _in_threads(count: int, work: Callable[[int], None]) -> list[BaseException]:
    errors: list[BaseException] = []
    barrier = threading.Barrier(count)

    def run(n: int) -> None:
        barrier.wait()
        try:
            work(n)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return errors


def test_concurrent_retries_with_one_idempotency_key_make_one_dossier(engine: Engine) -> None:
    factory = db.session_factory(engine)
    with db.transaction(factory) as s:
        world = World(s, f"idem-race-{engine.dialect.name}")
        citizen, request, snapshot = world.citizen, world.request(idempotency_key="retry-1"), world.snapshot
    day = datetime(2027, 3, 2, 9, 0)
    results: list[tuple[str, bool]] = []

    def work(_n: int) -> None:
        d, created = submit_in_transaction(factory, citizen, request, day, lambda _s: snapshot, lambda _s: calendar_for)
        results.append((d.code, created))

    errors = _in_threads(6, work)
    try:
        assert not errors, errors
        assert len({code for code, _ in results}) == 1 and sum(created for _, created in results) == 1
    finally:
        _cleanup(factory, [code for code, _ in results], day.date())


def test_concurrent_steps_on_one_dossier_are_serialised(engine: Engine) -> None:
    """Officials acting at once on one dossier: every step lands in order, the chain holds."""
    factory = db.session_factory(engine)
    with db.transaction(factory) as s:
        world = World(s, f"step-race-{engine.dialect.name}")
        d = world.in_state("processing")
        code, before, officer = d.code, d.event_count, world.officer
    at = T0 + timedelta(days=1)

    def work(_n: int) -> None:
        with db.transaction(factory) as s:
            act(s, officer, code, "assign", at, calendar_for, {"user_id": officer.user_id})

    errors = _in_threads(6, work)
    try:
        assert not errors, errors
        with factory() as s:
            d = s.scalars(select(Dossier).where(Dossier.code == code)).one()
            assert d.event_count == before + 6 and [e.seq for e in d.events] == list(range(1, before + 7))
            assert verify(d, calendar_for).ok
    finally:
        _cleanup(factory, [code], T0.date())
