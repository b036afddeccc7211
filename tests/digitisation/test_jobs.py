"""A paper component from its scan to digitised: queued at the counter, read in the background by a
leased job (taken over when its worker dies, retried, given up), confirmed field by field by the
officer, recorded in the dossier's log and kept in the holder's store; bad input and the wrong
official refused with nothing changed."""

from __future__ import annotations

import random
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from motcua import clock
from motcua.catalog.routing import CatalogSnapshot
from motcua.digitisation import jobs
from motcua.digitisation.models import Digitisation, StoredDocument
from motcua.digitisation.ocr import OcrFailed, OcrResult
from motcua.digitisation.specimens import pages, papers, scanned
from motcua.dossiers.errors import DossierError, Forbidden, NotFound
from motcua.dossiers.integrity import verify
from motcua.dossiers.models import Dossier
from motcua.dossiers.service import submit
from motcua.dossiers.storage import LocalStorage
from motcua.settings import Settings
from tests.digitisation.test_ocr import pytestmark as ocr_marks  # noqa: F401 (skips without ocrmypdf)
from tests.dossiers.helpers import World, calendar_for

pytestmark = pytest.mark.slow


@pytest.fixture
def world(factory: sessionmaker[Session], snapshot: CatalogSnapshot) -> World:
    s = factory()
    w = World(s, f"dig-{uuid.uuid4().hex[:6]}", snapshot)
    s.commit()
    return w


def _paper_dossier(world: World) -> Dossier:
    """A dossier received at the counter (paper), committed."""
    request = world.request(channel="in_person")
    d, _ = submit(world.session, world.reception, request, clock.now(), world.snapshot, calendar_for)
    world.session.commit()
    return d


def _scan() -> list[tuple[str, bytes]]:
    rng = random.Random(4)
    return [(f"trang-{i}.jpg", scanned(pages(p.pdf)[0], rng)) for i, p in enumerate(papers(seed=11)[:2])]


def test_a_scanned_component_is_read_checked_and_kept(
    world: World, factory: sessionmaker[Session], tmp_path: Path
) -> None:
    storage = LocalStorage(tmp_path)
    d = _paper_dossier(world)
    s = world.session
    with pytest.raises(NotFound):  # the officer of another centre: as if the dossier did not exist
        jobs.request(s, storage, world.other_reception, d, "Đơn đề nghị", _scan(), clock.now())
    with pytest.raises(Forbidden):  # the deciding agency's officer: scanning is the counter's
        jobs.request(s, storage, world.officer, d, "Đơn đề nghị", _scan(), clock.now())
    with pytest.raises(DossierError) as err:
        jobs.request(s, storage, world.reception, d, "Đơn đề nghị", [("a.txt", b"not a scan")], clock.now())
    assert err.value.code == "scan_type"
    s.rollback()
    job = jobs.request(s, storage, world.reception, d, "Giấy chứng nhận quyền sử dụng đất", _scan(), clock.now())
    s.commit()
    assert job.status == "queued" and job.pages == 2 and len(job.originals) == 2

    assert jobs.run_once(factory, storage, Settings()) == 1  # the worker reads it
    s.expire_all()
    row = s.get(Digitisation, job.id)
    assert row is not None and row.status == "read" and row.pdfa_attachment_id is not None
    suggested = {x["field"]: x["value"] for x in row.suggestions}
    truth = papers(seed=11)[0].fields
    assert suggested["id_number"] == truth["id_number"] and suggested["full_name"] == truth["full_name"]

    with pytest.raises(DossierError) as err:  # the officer's word is checked as the form checks it
        jobs.confirm(s, storage, world.reception, d, job.id, {"date_of_birth": "2090-01-01"}, clock.now(), calendar_for)
    assert err.value.code == "invalid_request"
    s.rollback()
    checked = {**suggested, "full_name": truth["full_name"]}
    jobs.confirm(s, storage, world.reception, d, job.id, checked, clock.now(), calendar_for)
    s.commit()
    s.expire_all()
    dossier = s.scalars(select(Dossier).where(Dossier.code == d.code)).one()
    last = dossier.events[-1]
    assert last.transition == "digitise" and last.payload["digitisation"] == job.id
    assert "079" not in str(last.payload["fields"])  # the log names the fields checked, not their values
    assert verify(dossier, calendar_for).ok
    kept = s.scalars(select(StoredDocument).where(StoredDocument.source_ref == f"digitisation:{job.id}")).one()
    assert (kept.holder_id, kept.doc_type, kept.origin) == (
        truth["id_number"],
        "land_use_right_certificate",
        "digitised",
    )


def test_a_dead_workers_job_is_taken_over_and_failures_are_retried_then_given_up(
    world: World, factory: sessionmaker[Session], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    storage = LocalStorage(tmp_path)
    d = _paper_dossier(world)
    job = jobs.request(world.session, storage, world.reception, d, "Đơn", _scan()[:1], clock.now())
    world.session.commit()
    now = clock.now()
    first = jobs.claim(factory, now, timedelta(seconds=60), limit=50)
    assert job.id in [c.id for c in first]
    assert job.id not in [c.id for c in jobs.claim(factory, now, timedelta(seconds=60), limit=50)]  # leased
    # Its worker died: once the lease is over another takes it, and the first one's late answer is dropped.
    second = [c for c in jobs.claim(factory, now + timedelta(seconds=61), timedelta(seconds=60), limit=50)]
    mine = next(c for c in second if c.id == job.id)
    stale = next(c for c in first if c.id == job.id)
    outcomes = iter([OcrFailed("ocr_timeout", True), OcrResult(b"%PDF-1.7 x", "", 1, 1.0)])

    def fake(pdf: bytes, settings: Settings) -> OcrResult:
        outcome = next(outcomes)
        if isinstance(outcome, OcrFailed):
            raise outcome
        return outcome

    monkeypatch.setattr(jobs, "run_ocr", fake)
    assert jobs.process(factory, storage, mine, Settings()) == "queued"  # retried later, with back-off
    assert jobs.process(factory, storage, stale, Settings()) == "lost"
    with factory() as s:
        row = s.get(Digitisation, job.id)
        assert row is not None and row.status == "queued" and row.error_code == "ocr_timeout"
        assert row.next_attempt_at > clock.now()
    monkeypatch.setattr(jobs, "run_ocr", lambda pdf, settings: (_ for _ in ()).throw(OcrFailed("ocr_error", True)))
    with factory() as s:
        s.get(Digitisation, job.id).next_attempt_at = clock.now()  # type: ignore[union-attr]
        s.commit()
    again = next(c for c in jobs.claim(factory, clock.now(), timedelta(seconds=60), limit=50) if c.id == job.id)
    assert jobs.process(factory, storage, again, Settings(ocr_attempts=3)) == "failed"  # the third try
    with factory() as s:
        assert s.get(Digitisation, job.id).status == "failed"  # type: ignore[union-attr]
