"""The fact tables: kept on each event, rebuilt from the event logs to the same rows, and equal to an
independent count from the raw dossiers (supplements, extensions and ratings included)."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta

from sqlalchemy import Engine, delete, select
from sqlalchemy.orm import Session

from motcua.accounts.models import User
from motcua.accounts.service import actor_of
from motcua.catalog.routing import CatalogSnapshot
from motcua.clock import aware, local_date
from motcua.digitisation.models import Digitisation, DocumentReuse, StoredDocument
from motcua.dossiers.demo import generate
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.dossiers.service import submit
from motcua.dossiers.states import FINAL
from motcua.dossiers.timeliness import classify
from motcua.feedback import messages as fb
from motcua.feedback.models import FeedbackMessage, Rating
from motcua.feedback.service import rate
from motcua.indicators.facts import place_of, rebuild, replay
from motcua.indicators.models import DAY_COUNTERS, DAY_TABLES, GRAINS, OPEN_TABLES, FactCommuneMonth
from tests.dossiers.helpers import World, calendar_for
from tests.feedback.test_messages import SENDER
from tests.tamper import owner_rights

TODAY = date(2026, 11, 24)


Tables = tuple[Counter[tuple[object, ...]], Counter[tuple[object, ...]]]


def _tables(session: Session, grain: str = "place") -> Tables:
    keys = GRAINS[grain]
    days: Counter[tuple[object, ...]] = Counter()
    for row in session.scalars(select(DAY_TABLES[grain])):
        for counter in DAY_COUNTERS:
            if getattr(row, counter):
                days[(row.day, *(getattr(row, k) for k in keys), counter)] += getattr(row, counter)
    opens: Counter[tuple[object, ...]] = Counter()
    for o in session.scalars(select(OPEN_TABLES[grain])):
        if o.open:
            opens[(o.due_on, *(getattr(o, k) for k in keys))] += o.open
    return days, opens


def _months(session: Session) -> Counter[tuple[object, ...]]:
    out: Counter[tuple[object, ...]] = Counter()
    for row in session.scalars(select(FactCommuneMonth)):
        for counter in DAY_COUNTERS:
            out[(row.month, row.province_code, row.commune_code, counter)] += getattr(row, counter)
    return +out


def _months_from_days(session: Session) -> Counter[tuple[object, ...]]:
    out: Counter[tuple[object, ...]] = Counter()
    for row in session.scalars(select(DAY_TABLES["commune"])):
        for counter in DAY_COUNTERS:
            out[(row.day.replace(day=1), row.province_code, row.commune_code, counter)] += getattr(row, counter)
    return +out


def _coarser(tables: Tables, grain: str) -> Tables:
    """Place-grain counts summed to a coarser grain (the keys are a prefix of the place's)."""
    width = len(GRAINS[grain])
    days: Counter[tuple[object, ...]] = Counter()
    for key, n in tables[0].items():
        days[(key[0], *key[1 : 1 + width], key[-1])] += n
    opens: Counter[tuple[object, ...]] = Counter()
    for key, n in tables[1].items():
        opens[key[: 1 + width]] += n
    return days, opens


def _independent(session: Session) -> tuple[Counter[tuple[object, ...]], Counter[tuple[object, ...]]]:
    """From the dossier rows and ratings alone: no event, no projection, no fact code."""
    days: Counter[tuple[object, ...]] = Counter()
    opens: Counter[tuple[object, ...]] = Counter()
    confirmed: dict[int, list[datetime]] = {}  # components digitised at the counter, by dossier
    for job in session.scalars(select(Digitisation).where(Digitisation.status == "confirmed")):
        confirmed.setdefault(job.dossier_id, []).append(job.confirmed_at)  # type: ignore[arg-type]
    reusing = set(session.scalars(select(DocumentReuse.dossier_id)))
    for d in session.scalars(select(Dossier)):
        place = place_of(d)
        days[(local_date(d.submitted_at), *place, "received")] += 1
        if d.channel == "online":
            days[(local_date(d.submitted_at), *place, "online")] += 1
        if d.id in reusing:
            days[(local_date(d.submitted_at), *place, "reused")] += 1
        if d.outcome and d.finished_at:
            when = classify(d.status, d.outcome, d.due_on, d.finished_at, d.supplement_count, TODAY)
            days[(local_date(d.finished_at), *place, when)] += 1
            digitised = any(at <= d.finished_at for at in confirmed.get(d.id, []))
            if d.channel == "online" or digitised:
                days[(local_date(d.finished_at), *place, "digitised")] += 1
        for e in d.events:
            if e.transition == "request_payment":
                days[(local_date(e.at), *place, "fee_due")] += 1
        if d.paid_online:
            paid = next(e.at for e in d.events if e.transition == "pay")
            days[(local_date(paid), *place, "paid_online")] += 1
        if d.due_on and d.finished_at is None and d.status not in FINAL:
            opens[(d.due_on, *place)] += 1
    for r, d in session.execute(select(Rating, Dossier).join(Dossier, Dossier.id == Rating.dossier_id)):
        days[(local_date(r.at), *place_of(d), "rated")] += 1
        if r.value == "dissatisfied":
            days[(local_date(r.at), *place_of(d), "dissatisfied")] += 1
    first: dict[int, datetime] = {}  # a dossier's first complaint or dislike
    disliked = select(Rating.dossier_id, Rating.at).where(Rating.value == "dissatisfied")
    complained = select(Dossier.id, FeedbackMessage.filed_at).join(
        FeedbackMessage, FeedbackMessage.dossier_code == Dossier.code
    )
    for dossier_id, at in [*session.execute(disliked), *session.execute(complained)]:
        first[dossier_id] = min(first.get(dossier_id, at), at)
    for dossier_id, at in first.items():
        days[(local_date(at), *place_of(session.get_one(Dossier, dossier_id)), "complained")] += 1
    return days, opens


def _disliked(session: Session) -> set[int]:
    return set(session.scalars(select(Rating.dossier_id).where(Rating.value == "dissatisfied")))


def test_facts_kept_live_equal_the_rebuild_and_an_independent_count(
    session: Session, snapshot: CatalogSnapshot
) -> None:
    rebuild(session)  # start from what the database holds
    report = generate(session, snapshot, calendar_for, 250, TODAY, seed=7)
    assert {"returned", "supplement_requested", "payment_requested", "processing"} <= set(report.by_state)
    citizen = actor_of(session.scalars(select(User).where(User.username == "demo-citizen")).one())
    returned = session.scalars(
        select(Dossier).where(Dossier.status == "returned", Dossier.owner_id == citizen.user_id).limit(40)
    ).all()
    for i, d in enumerate(returned):
        rate(session, citizen, d, ("satisfied", "neutral", "dissatisfied")[i % 3], "", datetime(2026, 11, 24, 10))
    # Complaints about dossiers: some already disliked, some not, one dossier twice (it counts once).
    for i, d in enumerate([*returned[:6], returned[3]]):
        complaint = fb.FeedbackRequest("dossier", "Hồ sơ trễ hạn", "Hồ sơ của tôi được trả chậm.", SENDER, d.code)
        fb.file_feedback(session, citizen, complaint, datetime(2026, 11, 25 + i % 3, 10), calendar_for, snapshot)
    world = World(session, "digitised")
    for scanned in (True, False):  # paper dossiers received at the counter, digitised or not
        at = datetime(2026, 11, 2, 9)
        d = submit(session, world.reception, world.request(channel="in_person"), at, snapshot, calendar_for)[0]
        if scanned:  # read and checked (motcua.digitisation.jobs.confirm takes this step)
            job = Digitisation(
                dossier_id=d.id, component="Đơn", status="confirmed", next_attempt_at=at, requested_at=at,
                originals=[], suggestions=[], confirmed={}, pages=1, text="", error_code="", attempts=1,
                confirmed_at=aware(at),
            )  # fmt: skip
            session.add(job)
            session.flush()
            world.act(d, "digitise", world.reception, at=at, digitisation=job.id, component="Đơn")
        world.act(d, "transfer", world.reception, at=at + timedelta(hours=1))
        world.act(d, "approve", at=at + timedelta(days=1))
        assert d.events[-1].payload["digitised"] is scanned
        if scanned:  # its result, in the applicant's store, reused by their next dossier
            kept = session.scalars(select(StoredDocument).where(StoredDocument.dossier_code == d.code)).one()
            kept.doc_type = "land_use_right_certificate"  # as if the approved result were one
            session.flush()
            permit = {"site_address": "12 Lê Lợi", "works_type": "nhà ở riêng lẻ", "floor_area_m2": 120, "floors": 3}
            later = world.request(procedure_code="1.013225", form=permit, reuse=[kept.id])
            again = submit(session, world.citizen, later, at + timedelta(days=2), snapshot, calendar_for)[0]
            assert again.events[0].payload["reused"] is True
    live = _tables(session)
    assert sum(n for k, n in live[0].items() if k[-1] == "dissatisfied") >= 13
    complained = sum(n for k, n in live[0].items() if k[-1] == "complained")
    assert complained == len(_disliked(session) | {d.id for d in returned[:6]})
    assert sum(n for k, n in live[0].items() if k[-1] == "digitised") > 0
    assert sum(n for k, n in live[0].items() if k[-1] == "reused") == 1
    assert sum(n for k, n in live[0].items() if k[-1] == "late") > 0
    live_grains = {grain: _tables(session, grain) for grain in GRAINS}
    independent = _independent(session)
    assert independent[0] == live[0]
    assert independent[1] == live[1]
    for grain in GRAINS:
        assert live_grains[grain] == _coarser(independent, grain), grain
    live_months = _months(session)
    assert live_months == _months_from_days(session)
    rebuild(session)
    assert {grain: _tables(session, grain) for grain in GRAINS} == live_grains
    assert _months(session) == live_months
    replay(session)
    assert {grain: _tables(session, grain) for grain in GRAINS} == live_grains
    assert _months(session) == live_months


def test_the_rebuild_and_index_commands(engine: Engine, database_url: str) -> None:
    from typer.testing import CliRunner

    from motcua import db
    from motcua.cli import app
    from tests.dossiers.helpers import World

    factory = db.session_factory(engine)
    with db.transaction(factory) as s:
        code = World(s, f"cli-index-{engine.dialect.name}").submit(at=datetime(2026, 2, 2, 9)).code

    result = CliRunner().invoke(app, ["indicators", "rebuild", "--url", database_url])
    assert result.exit_code == 0 and "fact tables rebuilt" in result.output
    replayed = CliRunner().invoke(app, ["indicators", "rebuild", "--replay", "--url", database_url])
    assert replayed.exit_code == 0 and replayed.output.split(" in ")[0] == result.output.split(" in ")[0]
    args = ["indicators", "index", "--from", "2026-01-01", "--to", "2026-12-31", "--url", database_url, "--json"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0 and '"rank": 1' in result.output
    bad = CliRunner().invoke(app, ["indicators", "index", "--from", "2026-1-1", "--to", "x", "--url", database_url])
    assert bad.exit_code == 2 and "YYYY-MM-DD" in bad.output
    with db.transaction(factory) as s, owner_rights(s):
        d = s.scalars(select(Dossier).where(Dossier.code == code)).one()
        s.execute(delete(DossierEvent).where(DossierEvent.dossier_id == d.id))
        s.delete(d)
        rebuild(s)
