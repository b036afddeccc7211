"""A 2026-style merger of two wards, applied ahead of its date: nothing changes until 00:00 Vietnam
time of the date; then officials, open dossiers and feedback are at the successor, with their codes,
histories and due dates unchanged, and every log verifies."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from motcua import db
from motcua.accounts.models import User
from motcua.accounts.service import actor_of, create_user
from motcua.catalog.models import Agency, ServiceCentre
from motcua.catalog.routing import CatalogSnapshot, route
from motcua.dossiers.integrity import verify_all
from motcua.dossiers.models import Dossier
from motcua.dossiers.service import Applicant, SubmitRequest, act, submit
from motcua.feedback import messages as fb
from motcua.feedback.models import FeedbackMessage
from motcua.indicators import facts
from motcua.indicators.index import Counts, index
from motcua.indicators.lineage import origin
from motcua.indicators.models import FactOpenDossiers
from motcua.reorganisation.apply import Refused, apply, decide
from motcua.reorganisation.effect import take_effect
from motcua.reorganisation.models import JournalEntry, Reorganisation
from motcua.reorganisation.plan import make_plan, render_html
from motcua.reorganisation.resolution import parse
from motcua.units.address import convert_address
from motcua.units.registry import get_registry
from tests.dossiers.helpers import calendar_for
from tests.reorganisation.files import (
    BEN_THANH,
    CAU_ONG_LANH,
    SAI_GON,
    merge_into_existing,
    merge_into_new,
    split_by_address,
)

DAY = date(2026, 12, 14)  # a Monday
EVE = datetime(2026, 12, 13, 23, 59, 50)  # Vietnam wall-clock time (naive)
MIDNIGHT = datetime(2026, 12, 14, 0, 0, 5)


def centre_of(session: Session, commune: str) -> str:
    return session.scalars(select(ServiceCentre.identifier).where(ServiceCentre.commune_code == commune)).one()


def request(centre: str, commune: str, n: int) -> SubmitRequest:
    return SubmitRequest(
        procedure_code="1.001612",
        centre_identifier=centre,
        subject_commune_code=commune,
        applicant=Applicant("citizen", "079123456789", "Nguyễn Văn An", "0901234567"),
        form={
            "business_name": f"Tạp hóa {n}",
            "business_address": "12 Lê Lợi, Phường Bến Thành",
            "activities": ["Bán lẻ"],
            "capital_vnd": 50_000_000,
        },
    )


def open_work(factory: sessionmaker[Session]) -> dict[str, object]:
    """Officials, dossiers and a feedback message at Bến Thành, before the resolution."""
    with db.transaction(factory) as s:
        centre = centre_of(s, BEN_THANH)
        citizen = actor_of(create_user(s, "citizen", "citizen", personal_id="079123456789"))
        reception = actor_of(create_user(s, "ben-thanh-reception", "reception_officer", unit_code=centre))
        create_user(s, "ben-thanh-officer", "processing_officer", unit_code=f"{BEN_THANH}.economy")
        leader = actor_of(create_user(s, "ben-thanh-leader", "leader", unit_code=f"{BEN_THANH}.UBND"))
        snapshot = CatalogSnapshot.load(s)
        at = datetime(2026, 12, 7, 9, 0)
        codes = []
        for n in range(4):
            d, _ = submit(s, citizen, request(centre, BEN_THANH, n), at + timedelta(minutes=n), snapshot, calendar_for)
            codes.append(d.code)
        act(s, reception, codes[1], "accept", at + timedelta(hours=1), calendar_for)
        act(s, reception, codes[2], "accept", at + timedelta(hours=1), calendar_for)
        act(s, reception, codes[2], "transfer", at + timedelta(hours=2), calendar_for)
        act(s, reception, codes[3], "accept", at + timedelta(hours=1), calendar_for)
        act(s, reception, codes[3], "transfer", at + timedelta(hours=2), calendar_for)
        act(s, leader, codes[3], "approve", at + timedelta(hours=3), calendar_for)
        act(s, reception, codes[3], "return_result", at + timedelta(hours=4), calendar_for)  # closed: stays
        message = fb.file_feedback(
            s,
            citizen,
            fb.FeedbackRequest(
                "agency",
                "Vỉa hè bị lấn chiếm",
                "Vỉa hè trước số 12 Lê Lợi bị lấn chiếm đã lâu.",
                fb.Sender("Nguyễn Văn An", "12 Lê Lợi", "0901234567"),
                about_ref=f"{BEN_THANH}.UBND",
                commune_code=BEN_THANH,
            ),
            at,
            calendar_for,
            snapshot,
        )
        dues = {c: s.scalars(select(Dossier.due_on).where(Dossier.code == c)).one() for c in codes}
        return {"codes": codes, "feedback": message.code, "dues": dues}


def test_a_merger_applied_ahead_takes_effect_at_midnight(own_factory: sessionmaker[Session]) -> None:
    before = open_work(own_factory)
    resolution, problems = parse(merge_into_existing(DAY))
    assert resolution is not None and not problems
    with db.transaction(own_factory) as s:
        plan = make_plan(s, resolution, date(2026, 12, 8))
        s.rollback()
    assert plan.ok, plan.problems
    assert plan.totals["units_ended"] == 1 and plan.totals["dossiers"] == 3 and plan.totals["feedback"] == 1
    assert plan.totals["officials"] == 3 and plan.totals["decisions"] == 0
    assert {(f.source, f.target, f.count) for f in plan.dossiers} == {(f"{BEN_THANH}.UBND", f"{SAI_GON}.UBND", 3)}
    with db.transaction(own_factory) as s:  # planned after its date: what was decided since stays, said so
        late = make_plan(s, resolution, DAY + timedelta(days=3))
        s.rollback()
    assert any("dossiers decided since stay where they were decided" in n for n in late.notes)
    html = render_html(plan, "vi")
    assert "Kế hoạch sắp xếp đơn vị hành chính" in html and "26743.economy" in html
    assert "Plan de réorganisation" in render_html(plan, "fr")

    with own_factory() as s:
        index_before = {x.unit: x.counts for x in index(s, date(2026, 12, 1), date(2026, 12, 31), "commune", "79")}
    with db.transaction(own_factory) as s:
        apply(s, resolution, datetime(2026, 12, 8, 10, 0), applied_by="test")
    with db.transaction(own_factory) as s:  # applied twice: refused, nothing changes
        try:
            apply(s, resolution, datetime(2026, 12, 8, 10, 5))
            raise AssertionError("applied twice")
        except Refused as refused:
            assert "already applied" in str(refused)

    # Before the date: routing, addresses and the work stay where they were.
    registry = get_registry()
    ben_thanh = registry.get("commune", BEN_THANH, era="new")
    assert ben_thanh.valid_to == DAY
    with own_factory() as s:
        snapshot = CatalogSnapshot.load(s)
        centre = centre_of(s, BEN_THANH)
    on_eve = route(snapshot, "1.001612", BEN_THANH, centre, date(2026, 12, 13))
    assert on_eve.deciding_agency["code"] == f"{BEN_THANH}.UBND"
    after = route(snapshot, "1.001612", BEN_THANH, centre, DAY)  # the day itself: the successor
    assert after.deciding_agency["code"] == f"{SAI_GON}.UBND" and after.subject["code"] == SAI_GON
    assert after.receiving_centre["identifier"] == centre_of_successor(own_factory)
    assert convert_address("12 Lê Lợi, Phường Bến Thành, Thành phố Hồ Chí Minh", DAY).commune_code == SAI_GON
    assert (
        convert_address("12 Lê Lợi, Phường Bến Thành, Thành phố Hồ Chí Minh", date(2026, 12, 13)).commune_code
        == BEN_THANH
    )

    calendars = calendar_for
    nothing = take_effect(own_factory, EVE, calendars)
    assert not nothing.started and nothing.dossiers == 0

    done = take_effect(own_factory, MIDNIGHT, calendars)
    assert done.started == [resolution.reference]
    assert (done.dossiers, done.feedback, done.officials, done.waiting) == (3, 1, 3, 0)
    again = take_effect(own_factory, MIDNIGHT + timedelta(minutes=1), calendars)
    assert (again.dossiers, again.feedback, again.officials) == (0, 0, 0)

    with own_factory() as s:
        successor_centre = centre_of(s, SAI_GON)
        dossiers = {d.code: d for d in s.scalars(select(Dossier))}
        for code in before["codes"][:3]:  # type: ignore[index]
            d = dossiers[code]
            assert (d.subject_commune_code, d.deciding_agency_code, d.centre_identifier) == (
                SAI_GON,
                f"{SAI_GON}.UBND",
                successor_centre,
            )
            assert d.due_on == before["dues"][code]  # type: ignore[index]
            assert d.events[-1].transition == "transferred"
            assert d.events[-1].payload["from"]["deciding_agency_code"] == f"{BEN_THANH}.UBND"
        closed = dossiers[before["codes"][3]]  # type: ignore[index]
        assert closed.deciding_agency_code == f"{BEN_THANH}.UBND"  # its history stays where it happened
        assert all(v.ok for v in verify_all(s, calendar_for)), [v.problems for v in verify_all(s, calendar_for)]
        message = s.scalars(select(FeedbackMessage)).one()
        assert message.agency_code == f"{SAI_GON}.UBND" and message.events[-1].transition == "transferred"
        assert fb.verify(s) == []
        units = dict(s.execute(select(User.username, User.unit_code)).all())
        assert units["ben-thanh-reception"] == successor_centre
        assert units["ben-thanh-officer"] == f"{SAI_GON}.economy"
        assert units["ben-thanh-leader"] == f"{SAI_GON}.UBND"
        old = s.scalars(select(Agency).where(Agency.code == f"{BEN_THANH}.UBND")).one()
        assert (old.valid_to, old.successor) == (DAY, f"{SAI_GON}.UBND")
        row = s.scalars(select(Reorganisation)).one()
        assert (row.status, row.moved_dossiers, row.moved_officials) == ("in_effect", 3, 3)
        assert s.scalar(select(func.count()).select_from(JournalEntry).where(JournalEntry.kind == "official")) == 3
        # The open dossiers are counted at the successor; the fact tables' rebuild agrees.
        live = dict(
            s.execute(
                select(FactOpenDossiers.commune_code, func.sum(FactOpenDossiers.open)).group_by(
                    FactOpenDossiers.commune_code
                )
            ).all()
        )
        assert live.get(SAI_GON) == 2 and not live.get(BEN_THANH)  # accepted and processing (submitted: no clock)
    # The index reads the same totals through the lineage: Sài Gòn's December holds Bến Thành's.
    with own_factory() as s:
        index_after = {x.unit: x.counts for x in index(s, date(2026, 12, 1), date(2026, 12, 31), "commune", "79")}
        alone = {x.unit: x.counts for x in index(s, date(2026, 12, 1), date(2026, 12, 13), "commune", "79")}
        made = origin(SAI_GON)
    assert BEN_THANH in index_before and BEN_THANH not in index_after and BEN_THANH in alone
    for name in ("received", "on_time", "early", "open"):
        total = sum(getattr(c, name) for c in index_before.values())
        assert sum(getattr(c, name) for c in index_after.values()) == total, name
        assert getattr(index_after[SAI_GON], name) == getattr(index_before.get(SAI_GON, Counts()), name) + getattr(
            index_before[BEN_THANH], name
        ), name
    assert index_after[SAI_GON].received == 4
    assert made == [(DAY, resolution.reference, [(BEN_THANH, "Phường Bến Thành")])]
    with db.transaction(own_factory) as s:
        live_days = _days(s)
        facts.rebuild(s)
        assert _days(s) == live_days
        facts.replay(s)
        assert _days(s) == live_days


def centre_of_successor(factory: sessionmaker[Session]) -> str:
    with factory() as s:
        return centre_of(s, SAI_GON)


def _days(s: Session) -> list[tuple[object, ...]]:
    from motcua.indicators.models import FactDossierDay

    columns = [c for c in FactDossierDay.__table__.columns if c.key != "id"]
    return sorted(tuple(r) for r in s.execute(select(*columns)))


def test_a_merger_into_a_new_ward_creates_its_agencies_and_centre(own_factory: sessionmaker[Session]) -> None:
    open_work(own_factory)
    resolution, _ = parse(merge_into_new(DAY))
    assert resolution is not None
    with db.transaction(own_factory) as s:
        apply(s, resolution, datetime(2026, 12, 8, 10, 0))
    with own_factory() as s:
        made = s.scalars(select(Agency).where(Agency.commune_code == "29990")).all()
        assert {a.code for a in made} >= {"29990.UBND", "29990.economy", "29990.police"}
        assert all(a.valid_from == DAY for a in made)
        assert made[0].name_vi == "Ủy ban nhân dân Phường Trung Tâm"
        centre = s.scalars(select(ServiceCentre).where(ServiceCentre.commune_code == "29990")).one()
        assert centre.valid_from == DAY and centre.name_vi == "Trung tâm Phục vụ hành chính công Phường Trung Tâm"
        snapshot = CatalogSnapshot.load(s)
    # Before the date the new centre is not offered; on the date, the old ones are not.
    eve, day = date(2026, 12, 13), DAY
    assert centre.identifier not in {c.identifier for c in snapshot.centres_in_force(eve)}
    assert centre.identifier in {c.identifier for c in snapshot.centres_in_force(day)}
    old_centres = {c.identifier for c in snapshot.centres.values() if c.commune_code in (SAI_GON, BEN_THANH)}
    assert not old_centres & {c.identifier for c in snapshot.centres_in_force(day)}
    done = take_effect(own_factory, MIDNIGHT, calendar_for)
    assert done.dossiers == 3
    with own_factory() as s:
        assert {d.deciding_agency_code for d in s.scalars(select(Dossier).where(Dossier.status != "returned"))} == {
            "29990.UBND"
        }
        assert all(v.ok for v in verify_all(s, calendar_for))


def test_a_split_places_dossiers_by_address_and_waits_for_decisions(own_factory: sessionmaker[Session]) -> None:
    addresses = ("12 Lê Lợi, Phường Bến Thành", "5 Nguyễn Thái Học, Phường Bến Thành", "Chợ Bến Thành")
    with db.transaction(own_factory) as s:
        centre = centre_of(s, BEN_THANH)
        citizen = actor_of(create_user(s, "citizen", "citizen", personal_id="079123456789"))
        create_user(s, "ben-thanh-officer", "processing_officer", unit_code=f"{BEN_THANH}.economy")
        snapshot = CatalogSnapshot.load(s)
        codes = []
        for n, address in enumerate(addresses):
            req = request(centre, BEN_THANH, n)
            req = SubmitRequest(**{**req.__dict__, "subject_address": address})
            codes.append(submit(s, citizen, req, datetime(2026, 12, 7, 9, n), snapshot, calendar_for)[0].code)
    resolution, _ = parse(split_by_address(DAY))
    assert resolution is not None
    with db.transaction(own_factory) as s:
        plan = make_plan(s, resolution, date(2026, 12, 8))
        s.rollback()
    waiting = {item for item, _successors, _why in plan.decisions}
    assert waiting == {f"dossier:{codes[2]}", "official:ben-thanh-officer"}
    with db.transaction(own_factory) as s:
        apply(s, resolution, datetime(2026, 12, 8, 10, 0))
    done = take_effect(own_factory, MIDNIGHT, calendar_for)
    assert (done.dossiers, done.waiting) == (2, 1)
    with own_factory() as s:
        where = dict(s.execute(select(Dossier.code, Dossier.deciding_agency_code)).all())
        assert where[codes[0]] == f"{SAI_GON}.UBND" and where[codes[1]] == f"{CAU_ONG_LANH}.UBND"
        assert where[codes[2]] == f"{BEN_THANH}.UBND"  # waits for a decision
        assert s.scalars(select(User.unit_code).where(User.username == "ben-thanh-officer")).one() == (
            f"{BEN_THANH}.economy"
        )
    with db.transaction(own_factory) as s:
        try:
            decide(s, resolution.reference, {f"dossier:{codes[2]}": "99999"})
            raise AssertionError("an unknown successor was accepted")
        except Refused as refused:
            assert "'99999' is not a successor" in str(refused)
    with db.transaction(own_factory) as s:
        decide(s, resolution.reference, {f"dossier:{codes[2]}": CAU_ONG_LANH})
    done = take_effect(own_factory, MIDNIGHT + timedelta(minutes=1), calendar_for)
    assert (done.dossiers, done.waiting) == (1, 0)
    with own_factory() as s:
        moved = s.scalars(select(Dossier).where(Dossier.code == codes[2])).one()
        assert moved.deciding_agency_code == f"{CAU_ONG_LANH}.UBND" and moved.subject_commune_code == CAU_ONG_LANH
        assert all(v.ok for v in verify_all(s, calendar_for))
