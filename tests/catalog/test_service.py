"""Catalog operations: import all-or-nothing, publication rules, decrees that change procedures."""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from motcua.catalog.formats import FormatError, read_csv, read_json, write_csv, write_json
from motcua.catalog.models import Procedure
from motcua.catalog.records import ChangeRecord, ProcedureRecord, VersionRecord, missing_components
from motcua.catalog.routing import CatalogSnapshot
from motcua.catalog.service import (
    CatalogError,
    apply_change,
    demo_records,
    export_records,
    import_records,
    publish_version,
    version_in_force,
)


def complete_version(**changes: object) -> VersionRecord:
    data: dict[str, object] = {
        "number": 1,
        "status": "published",
        "valid_from": date(2025, 7, 1),
        "name_vi": "Thủ tục thử",
        "level": "commune",
        "agency_type": "commune_people_committee",
        "applicant_types": ["citizen"],
        "time_limit": 5,
        "time_limit_kind": "working_days",
        "steps": "Nộp hồ sơ; xử lý; trả kết quả.",
        "channels": [{"channel": "in_person"}],
        "documents": [{"name": "Đơn", "originals": 1}],
    }
    data.update(changes)
    return VersionRecord.model_validate(data)


def test_demo_catalog_has_at_least_40_published_procedures_with_their_history() -> None:
    records = demo_records()
    assert len(records) >= 40
    for r in records:
        assert r.versions[-1].status == "published" and not missing_components(r.versions[-1]), r.code
    moved = {r.code: r.changes[0] for r in records if r.changes}
    assert moved["1.001612"].from_level == "district" and moved["1.001612"].to_level == "commune"
    assert moved["1.001612"].decree == "168/2025/NĐ-CP" and not moved["1.001612"].verified
    assert moved["1.013225"].decree == "144/2025/NĐ-CP"
    before = next(r for r in records if r.code == "1.001612").versions[0]
    assert before.level == "district" and "level" in before.unverified
    topics = {r.field for r in records}
    assert {"Hộ tịch", "Đăng ký, quản lý cư trú", "Hoạt động xây dựng", "Đất đai", "Chứng thực"} <= topics


def test_import_rejects_an_inconsistent_file_whole_and_keeps_the_catalog(session: Session) -> None:
    before = session.scalar(select(func.count()).select_from(Procedure))
    good = ProcedureRecord(code="9.000001", code_is_national=False, versions=[complete_version()])
    bad_overlap = ProcedureRecord(
        code="9.000002",
        versions=[
            complete_version(valid_to=date(2026, 1, 1)),
            complete_version(number=2, valid_from=date(2025, 12, 1)),
        ],
    )
    bad_published = ProcedureRecord(code="9.000003", versions=[complete_version(steps="", documents=[])])
    with pytest.raises(CatalogError) as err:
        import_records(session, [good, bad_overlap, bad_published])
    text = " ".join(err.value.errors)
    assert "procedure #2 (9.000002)" in text and "version 1 must end" in text
    assert "procedure #3 (9.000003)" in text and "lacks: steps, documents" in text
    assert session.scalar(select(func.count()).select_from(Procedure)) == before


def test_import_replaces_a_procedure_and_round_trips_through_json_and_csv(session: Session) -> None:
    record = ProcedureRecord(code="9.000010", code_is_national=False, versions=[complete_version()])
    import_records(session, [record])
    import_records(session, [record.model_copy(update={"field": "Thử nghiệm"})])
    exported = export_records(session, ["9.000010"])
    assert exported[0].field == "Thử nghiệm" and len(exported[0].versions) == 1
    assert read_json(write_json(exported)) == exported
    versions_csv, changes_csv = write_csv(export_records(session, ["1.001612"]))
    again = read_csv(versions_csv, changes_csv)
    assert again == export_records(session, ["1.001612"])


def test_csv_errors_name_the_line_and_column() -> None:
    versions_csv, _ = write_csv(demo_records()[:2])
    rows = list(csv.reader(io.StringIO(versions_csv)))
    rows[2][rows[0].index("level")] = "county"
    buf = io.StringIO()
    csv.writer(buf).writerows(rows)
    with pytest.raises(FormatError) as err:
        read_csv(buf.getvalue())
    assert any(e.startswith("row 3, level:") for e in err.value.errors), err.value.errors
    with pytest.raises(FormatError) as err:
        read_csv("code,name\n1,x\n")
    assert err.value.errors == ["row 1: missing column(s) number, level"]
    with pytest.raises(FormatError) as err:
        read_json('[{"code": "1", "versions": []}')
    assert err.value.errors[0].startswith("line 1, column")


def test_publishing_checks_every_legal_component(session: Session) -> None:
    draft = complete_version(status="draft", steps="", time_limit=None, time_limit_kind="unknown")
    import_records(session, [ProcedureRecord(code="9.000020", versions=[draft])])
    with pytest.raises(CatalogError) as err:
        publish_version(session, "9.000020", 1)
    assert err.value.errors == ["missing: steps", "missing: time limit"]
    import_records(session, [ProcedureRecord(code="9.000020", versions=[complete_version(status="draft")])])
    assert publish_version(session, "9.000020", 1).status == "published"


def test_a_decree_moves_a_procedure_and_pins_versions_by_date(session: Session) -> None:
    import_records(
        session,
        [
            ProcedureRecord(
                code="9.000030",
                versions=[complete_version(valid_from=None, level="province", agency_type="provincial_department")],
            )
        ],
    )
    new = apply_change(
        session,
        "9.000030",
        ChangeRecord(
            decree="999/2026/NĐ-CP",
            effective_date=date(2026, 3, 1),
            kind="moved",
            from_level="province",
            to_level="commune",
            time_limit=3,
        ),
    )
    assert new is not None and (new.number, new.level, new.time_limit, new.status) == (2, "commune", 3, "published")
    procedure = session.scalars(select(Procedure).where(Procedure.code == "9.000030")).one()
    assert version_in_force(procedure, date(2026, 2, 28)).level == "province"  # type: ignore[union-attr]
    assert version_in_force(procedure, date(2026, 3, 1)).level == "commune"  # type: ignore[union-attr]
    with pytest.raises(CatalogError, match="not after the version in force"):
        apply_change(
            session,
            "9.000030",
            ChangeRecord(decree="1/2026/NĐ-CP", effective_date=date(2026, 2, 1), kind="time_limit", time_limit=2),
        )
    with pytest.raises(CatalogError, match="decided at the commune level"):
        apply_change(
            session,
            "9.000030",
            ChangeRecord(
                decree="2/2026/NĐ-CP",
                effective_date=date(2026, 5, 1),
                kind="moved",
                from_level="province",
                to_level="central",
            ),
        )


def test_a_decree_abolishes_a_procedure(session: Session) -> None:
    import_records(session, [ProcedureRecord(code="9.000040", versions=[complete_version()])])
    assert (
        apply_change(
            session, "9.000040", ChangeRecord(decree="74/2026/NĐ-CP", effective_date=date(2026, 6, 1), kind="abolished")
        )
        is None
    )
    procedure = session.scalars(select(Procedure).where(Procedure.code == "9.000040")).one()
    assert procedure.abolished_on == date(2026, 6, 1) and procedure.versions[0].valid_to == date(2026, 6, 1)
    with pytest.raises(CatalogError, match="abolished"):
        apply_change(
            session,
            "9.000040",
            ChangeRecord(decree="75/2026/NĐ-CP", effective_date=date(2026, 7, 1), kind="time_limit", time_limit=1),
        )


def test_the_full_national_catalog_imports(tmp_path: Path) -> None:
    from motcua import db
    from motcua.catalog.national import import_national

    source = Path(__file__).resolve().parents[3] / "shared" / "data" / "procedures"
    if not source.exists():
        pytest.skip("../shared is not beside the checkout")
    url = f"sqlite:///{tmp_path / 'national.sqlite3'}"
    db.upgrade(url)
    result = import_national(source / "tthc_national_2026_details.jsonl.gz")
    with db.transaction(db.session_factory(db.make_engine(url))) as s:
        imported = import_records(s, result.records)
        assert len(imported.codes) == 2642 and imported.added == 2642
        assert s.scalar(select(func.count()).select_from(Procedure)) == 2642


def test_a_version_pinned_by_dossiers_cannot_change(session: Session, snapshot: CatalogSnapshot) -> None:
    from tests.dossiers.helpers import World

    world = World(session, "pinned", snapshot)
    world.submit()  # pins version 2 of 1.001612
    records = export_records(session, ["1.001612"])
    changed = records[0].model_copy(deep=True)
    changed.versions[1].time_limit = 10
    with pytest.raises(CatalogError) as err:
        import_records(session, [changed])
    assert len(err.value.errors) == 1
    assert re.fullmatch(
        r"1\.001612: version 2 is pinned by \d+ dossier\(s\) and cannot change; add a new version "
        r"instead",
        err.value.errors[0],
    )
    closing = records[0].model_copy(deep=True)  # the same content, now ended by a later decree
    closing.versions[1].valid_to = date(2027, 1, 1)
    closing.versions.append(
        closing.versions[1].model_copy(
            update={"number": 3, "valid_from": date(2027, 1, 1), "valid_to": None, "time_limit": 2}
        )
    )
    import_records(session, [closing])
    assert [v.time_limit for v in export_records(session, ["1.001612"])[0].versions] == [3, 3, 2]
