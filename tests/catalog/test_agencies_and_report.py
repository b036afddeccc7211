"""Generated agencies and centres; the decentralisation report."""

from __future__ import annotations

from collections import Counter
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from motcua.catalog.agencies import generate
from motcua.catalog.models import Agency, ServiceCentre
from motcua.catalog.records import ChangeRecord, ProcedureRecord
from motcua.catalog.report import decentralisation_report
from motcua.catalog.service import apply_change, import_records
from tests.catalog.test_service import complete_version


def test_every_province_and_commune_has_its_agencies_and_centre(session: Session) -> None:
    centres = Counter(session.scalars(select(ServiceCentre.level)))
    assert centres["province"] == 34
    assert centres["commune"] + centres["point"] == 3321
    assert centres["point"] == 126 + 54  # Hà Nội's and Quảng Ninh's communes: reception points
    kinds = Counter(session.scalars(select(Agency.kind)))
    assert kinds["provincial_people_committee"] == 34 and kinds["commune_people_committee"] == 3321
    assert kinds["commune_police"] == 3321
    provincial = session.scalars(select(ServiceCentre).where(ServiceCentre.identifier == "000.00.01.H79")).one()
    assert provincial.address == "Trụ sở Ủy ban nhân dân Thành phố Hồ Chí Minh"
    identifiers = session.scalars(select(ServiceCentre.identifier)).all()
    assert len(identifiers) == len(set(identifiers))


def test_generating_again_keeps_what_an_operator_edited(session: Session) -> None:
    centre = session.scalars(select(ServiceCentre).where(ServiceCentre.identifier == "000.00.01.H79")).one()
    centre.address = "Số 1 Lê Lợi, Phường Sài Gòn"
    session.flush()
    before = session.scalar(select(func.count()).select_from(Agency))
    report = generate(session, date(2026, 11, 24))
    assert report.agencies_added == 0 and report.centres_added == 0 and report.agencies_kept == before
    assert session.get(ServiceCentre, centre.id).address == "Số 1 Lê Lợi, Phường Sài Gòn"  # type: ignore[union-attr]


def test_decentralisation_report_by_decree_level_and_date(session: Session) -> None:
    before = decentralisation_report(session, date(2025, 6, 30))
    assert before.moved_total == 0 and before.procedures_by_level["district"] == 17
    after = decentralisation_report(session, date(2025, 7, 1))
    by_decree = {d.decree: dict(d.moved) for d in after.decrees}
    assert by_decree == {
        "120/2025/NĐ-CP": {"district→commune": 4},
        "144/2025/NĐ-CP": {"district→commune": 5},
        "151/2025/NĐ-CP": {"district→commune": 3},
        "168/2025/NĐ-CP": {"district→commune": 5},
    }
    assert after.moved_total == 17 and "district" not in after.procedures_by_level
    import_records(session, [ProcedureRecord(code="9.000080", versions=[complete_version()])])
    apply_change(
        session, "9.000080", ChangeRecord(decree="74/2026/NĐ-CP", effective_date=date(2026, 6, 1), kind="abolished")
    )
    assert decentralisation_report(session, date(2026, 5, 31)).abolished_total == 0
    later = decentralisation_report(session, date(2026, 6, 1))
    assert later.abolished_total == 1 and later.procedures_by_level["abolished"] == 1
