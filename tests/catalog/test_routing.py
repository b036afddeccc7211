"""Routing by competence: each level, before and after a decree, single-centre provinces, refusals."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from motcua.catalog.models import ServiceCentre
from motcua.catalog.records import ChangeRecord
from motcua.catalog.routing import CatalogSnapshot, Route, RoutingRefused, route
from motcua.catalog.service import apply_change

AT = date(2026, 11, 24)
SAI_GON = "26740"  # Phường Sài Gòn, Hồ Chí Minh City
BA_DINH = "00004"  # Phường Ba Đình, Hà Nội


def centre_of(session: Session, commune: str) -> str:
    return session.scalars(select(ServiceCentre.identifier).where(ServiceCentre.commune_code == commune)).one()


@pytest.fixture
def snap(session: Session) -> CatalogSnapshot:
    return CatalogSnapshot.load(session)


def do(snap: CatalogSnapshot, code: str, subject: str, centre: str, at: date = AT) -> Route:
    return route(snap, code, subject, centre, at)


def test_commune_level_is_decided_where_the_subject_lives_not_where_it_is_received(
    session: Session, snap: CatalogSnapshot
) -> None:
    thu_dau_mot = centre_of(session, "25747")  # another ward of the same province
    r = do(snap, "1.001612", SAI_GON, thu_dau_mot)
    assert r.level == "commune" and r.version_number == 2
    assert r.deciding_agency == {
        "code": f"{SAI_GON}.UBND",
        "name": "Ủy ban nhân dân Phường Sài Gòn",
        "kind": "commune_people_committee",
    }
    assert r.handled_by is not None and r.handled_by["name"] == "Phòng Kinh tế, Hạ tầng và Đô thị"
    assert [s.step for s in r.path] == ["reception", "transfer", "processing", "return"]
    assert r.time_limit == {"amount": 3.0, "kind": "working_days", "text": ""}  # curated: the portal gives none
    assert r.fees and r.fees[0]["amount_vnd"] == 150000
    same = do(snap, "1.001612", SAI_GON, centre_of(session, SAI_GON))
    assert [s.step for s in same.path] == ["reception", "processing", "return"]


def test_residence_is_decided_by_the_commune_police(session: Session, snap: CatalogSnapshot) -> None:
    r = do(snap, "1.004222", SAI_GON, centre_of(session, SAI_GON))
    assert r.deciding_agency["kind"] == "commune_police" and r.deciding_agency["name"] == "Công an Phường Sài Gòn"


def test_province_level_goes_to_the_department_of_the_field(session: Session, snap: CatalogSnapshot) -> None:
    r = do(snap, "1.012783", SAI_GON, centre_of(session, SAI_GON))  # exchange of a land-use certificate
    assert r.level == "province" and r.deciding_agency == {
        "code": "79.agriculture_environment",
        "name": "Sở Nông nghiệp và Môi trường",
        "kind": "provincial_department",
    }


def test_central_level(session: Session, snap: CatalogSnapshot) -> None:
    from motcua.catalog.records import ProcedureRecord
    from motcua.catalog.service import import_records
    from tests.catalog.test_service import complete_version

    import_records(
        session,
        [
            ProcedureRecord(
                code="9.000050",
                ministry="Bộ Tư pháp",
                versions=[complete_version(level="central", agency_type="ministry")],
            )
        ],
    )
    r = do(CatalogSnapshot.load(session), "9.000050", SAI_GON, centre_of(session, SAI_GON))
    assert r.deciding_agency == {"code": "ministry:Bộ Tư pháp", "name": "Bộ Tư pháp", "kind": "ministry"}


def test_the_same_procedure_before_and_after_its_decree(session: Session, snap: CatalogSnapshot) -> None:
    centre = centre_of(session, SAI_GON)
    before = do(snap, "1.001612", "26734", centre, date(2025, 6, 30))  # old Phường Tân Định, Quận 1
    after = do(snap, "1.001612", SAI_GON, centre, date(2025, 7, 1))
    assert (before.level, before.version_number) == ("district", 1)
    assert before.deciding_agency["name"] == "Ủy ban nhân dân Quận 1" and before.subject["era"] == "old"
    assert (after.level, after.version_number) == ("commune", 2)


def test_a_province_with_a_single_centre_receives_at_reception_points(session: Session, snap: CatalogSnapshot) -> None:
    provincial = session.scalars(
        select(ServiceCentre).where(ServiceCentre.province_code == "01", ServiceCentre.level == "province")
    ).one()
    points = session.scalars(select(ServiceCentre).where(ServiceCentre.province_code == "01")).all()
    assert {c.level for c in points} == {"province", "point"} and provincial.identifier == "000.00.01.H01"
    assert all(c.parent_id == provincial.id for c in points if c.level == "point")
    r = do(snap, "1.001193", BA_DINH, provincial.identifier)
    assert r.deciding_agency["code"] == f"{BA_DINH}.UBND" and r.receiving_centre["identifier"] == "000.00.01.H01"


@pytest.mark.parametrize(
    ("code", "subject", "centre", "at", "refusal"),
    [
        ("9.999999", SAI_GON, "000.00.01.H79", AT, "unknown_procedure"),
        ("1.001612", "99999", "000.00.01.H79", AT, "unknown_subject"),
        ("1.001612", "26734", "000.00.01.H79", AT, "unknown_subject"),  # an old code after 1 July 2025
        ("1.001612", SAI_GON, "999.99.99.H99", AT, "unknown_centre"),
        ("1.001612", SAI_GON, "000.00.01.H01", AT, "centre_outside_province"),
        ("1.001612", BA_DINH, "000.00.01.H79", date(2025, 8, 1), "centre_outside_province"),
    ],
)
def test_refusals_say_why(snap: CatalogSnapshot, code: str, subject: str, centre: str, at: date, refusal: str) -> None:
    with pytest.raises(RoutingRefused) as err:
        do(snap, code, subject, centre, at)
    assert err.value.code == refusal and err.value.message


def test_refused_before_the_procedure_existed_and_after_it_was_abolished(session: Session) -> None:
    from motcua.catalog.records import ProcedureRecord
    from motcua.catalog.service import import_records
    from tests.catalog.test_service import complete_version

    import_records(session, [ProcedureRecord(code="9.000060", versions=[complete_version()])])
    apply_change(
        session, "9.000060", ChangeRecord(decree="74/2026/NĐ-CP", effective_date=date(2026, 6, 1), kind="abolished")
    )
    snap = CatalogSnapshot.load(session)
    with pytest.raises(RoutingRefused) as err:
        do(snap, "9.000060", SAI_GON, "000.00.01.H79", date(2025, 6, 1))
    assert err.value.code == "before_procedure_existed" and "2025-07-01" in err.value.message
    with pytest.raises(RoutingRefused) as err:
        do(snap, "9.000060", SAI_GON, "000.00.01.H79", date(2026, 6, 1))
    assert err.value.code == "procedure_abolished" and "74/2026/NĐ-CP" in err.value.message
    assert do(snap, "9.000060", SAI_GON, "000.00.01.H79", date(2026, 5, 31)).version_number == 1


def test_a_draft_version_receives_no_dossier(session: Session) -> None:
    from motcua.catalog.records import ProcedureRecord
    from motcua.catalog.service import import_records
    from tests.catalog.test_service import complete_version

    import_records(session, [ProcedureRecord(code="9.000070", versions=[complete_version(status="draft")])])
    with pytest.raises(RoutingRefused) as err:
        do(CatalogSnapshot.load(session), "9.000070", SAI_GON, "000.00.01.H79")
    assert err.value.code == "version_not_published"
