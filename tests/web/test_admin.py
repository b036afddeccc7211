"""The administrator's import of officials and the officials' activation, through the pages and the CLI."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, delete, select
from typer.testing import CliRunner

from motcua import db
from motcua.accounts.models import User
from motcua.accounts.service import create_user
from motcua.api.app import create_app
from motcua.catalog.models import ServiceCentre
from motcua.cli import app as cli


@pytest.fixture
def admin(engine: Engine, database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    monkeypatch.setenv("MOTCUA_SECURE_COOKIES", "0")
    with db.transaction(db.session_factory(engine)) as s:
        create_user(s, "admin.test", "admin", password="quản-trị-viên-dài")
    c = TestClient(create_app(database_url))
    c.post("/signin", data={"username": "admin.test", "password": "quản-trị-viên-dài", "csrf": _csrf(c, "/signin")})
    yield c
    with db.transaction(db.session_factory(engine)) as s:
        s.execute(delete(User).where(User.username.in_(["admin.test", "tn.sai-gon", "ct.sai-gon", "cli.one"])))


def _csrf(c: TestClient, path: str) -> str:
    match = re.search(r'name="csrf" value="([^"]+)"', c.get(path).text)
    assert match
    return match.group(1)


def _centre(engine: Engine) -> str:
    with db.session_factory(engine)() as s:
        return s.scalars(select(ServiceCentre.identifier).where(ServiceCentre.commune_code == "26740")).one()


def test_an_import_with_errors_names_the_lines_and_a_good_one_gives_activation_codes(
    admin: TestClient, engine: Engine
) -> None:
    token = _csrf(admin, "/admin/officials")
    bad = "username,full_name,role,unit\ntn.sai-gon,Tiếp nhận,reception_officer,nowhere\n"
    r = admin.post("/admin/officials", data={"csrf": token}, files={"file": ("o.csv", bad.encode(), "text/csv")})
    assert r.status_code == 422 and "no service centre" in r.text and "2" in r.text
    good = (
        "username,full_name,role,unit\n"
        f"tn.sai-gon,Tiếp nhận Sài Gòn,reception_officer,{_centre(engine)}\n"
        "ct.sai-gon,Chủ tịch Sài Gòn,leader,26740.UBND\n"
    )
    r = admin.post("/admin/officials", data={"csrf": token}, files={"file": ("o.csv", good.encode(), "text/csv")})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    codes = dict(line.split(",") for line in r.text.strip().splitlines()[1:])
    assert set(codes) == {"tn.sai-gon", "ct.sai-gon"}

    official = TestClient(admin.app)
    form = {"username": "tn.sai-gon", "code": codes["tn.sai-gon"], "password": "mật-khẩu-cán-bộ"}
    r = official.post("/activate", data={**form, "csrf": _csrf(official, "/activate")}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/signin"
    r = official.post(
        "/signin",
        data={"username": "tn.sai-gon", "password": "mật-khẩu-cán-bộ", "csrf": _csrf(official, "/signin")},
        follow_redirects=False,
    )
    assert r.headers["location"] == "/work"


def test_only_an_administrator_reaches_the_import(engine: Engine, database_url: str) -> None:
    r = TestClient(create_app(database_url)).get("/admin/officials", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/signin")


def test_the_cli_import_refuses_a_bad_file_with_its_lines(
    admin: TestClient, engine: Engine, database_url: str, tmp_path: Path
) -> None:
    bad = tmp_path / "officials.csv"
    bad.write_text("username,full_name,role,unit\ncli.one,Một,leader,26740.UBND\ncli.one,Hai,leader,26740.UBND\n")
    result = CliRunner().invoke(cli, ["accounts", "import-officials", str(bad), "--url", database_url])
    assert result.exit_code == 1 and "line 3, username: already on line 2" in result.output
    good = tmp_path / "good.csv"
    good.write_text("username,full_name,role,unit\ncli.one,Một,leader,26740.UBND\n")
    codes = tmp_path / "codes.csv"
    args = ["accounts", "import-officials", str(good), "--url", database_url, "--codes-out", str(codes)]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0 and "1 created" in result.output and "cli.one," in codes.read_text()


def test_calendar_notices_import_all_or_nothing(admin: TestClient, engine: Engine) -> None:
    from motcua.calendar.models import CalendarDay

    token = _csrf(admin, "/admin/import/calendar")
    bad = "day,kind,reason,province,reference\n2027-02-05,day_off,Tết,,\n2027-13-01,day_off,x,,\n2027-02-06,nap,x,99,\n"
    r = admin.post("/admin/import/calendar", data={"csrf": token}, files={"file": ("n.csv", bad.encode(), "text/csv")})
    assert r.status_code == 422
    for expected in ("line 3, day: &#39;2027-13-01&#39;", "line 4, kind", "line 4, province"):
        assert expected in r.text, expected
    with db.session_factory(engine)() as s:
        assert s.scalars(select(CalendarDay).where(CalendarDay.day == date(2027, 2, 5))).first() is None
    good = "day,kind,reason,province,reference\n2027-02-05,day_off,Nghỉ Tết,,1234/TB-BLĐTBXH\n"
    r = admin.post("/admin/import/calendar", data={"csrf": token}, files={"file": ("n.csv", good.encode(), "text/csv")})
    assert r.status_code == 200 and "1 day(s) recorded" in r.text
    with db.transaction(db.session_factory(engine)) as s:
        row = s.scalars(select(CalendarDay).where(CalendarDay.reference == "1234/TB-BLĐTBXH")).one()
        s.delete(row)


def test_a_catalog_file_with_errors_changes_nothing(admin: TestClient, engine: Engine) -> None:
    from motcua.catalog.models import Procedure

    token = _csrf(admin, "/admin/import/catalog")
    bad = b'[{"code": "9.999999", "versions": [{"number": "one"}]}]'
    r = admin.post("/admin/import/catalog", data={"csrf": token}, files={"file": ("c.json", bad, "application/json")})
    assert r.status_code == 422 and "procedure #1 (9.999999), versions.0.number" in r.text
    with db.session_factory(engine)() as s:
        assert s.scalars(select(Procedure).where(Procedure.code == "9.999999")).first() is None


def test_centres_are_corrected_and_added_from_csv(admin: TestClient, engine: Engine) -> None:
    centre = _centre(engine)
    with db.session_factory(engine)() as s:
        before = s.scalars(select(ServiceCentre).where(ServiceCentre.identifier == centre)).one()
        original = (before.name_vi, before.address, before.opening_hours)
    token = _csrf(admin, "/admin/import/centres")
    header = "identifier,name,level,province,commune,address,opening_hours\n"
    bad = header + f"{centre},Trung tâm,commune,01,26740,,\nX9.NEW,Điểm,branch,79,00004,,\n"
    r = admin.post("/admin/import/centres", data={"csrf": token}, files={"file": ("c.csv", bad.encode(), "text/csv")})
    assert r.status_code == 422
    assert f"line 2, province: {centre} belongs to province 79" in r.text
    assert "line 3, commune: &#39;00004&#39; is not a commune of province 79" in r.text
    good = header + (
        f"{centre},Trung tâm Phục vụ hành chính công phường Sài Gòn,commune,79,26740,"
        "135 Nam Kỳ Khởi Nghĩa,7:30–17:00\n"
        "X9.SG.01,Điểm tiếp nhận Bến Thành,branch,79,26740,1 Lê Lai,\n"
    )
    r = admin.post("/admin/import/centres", data={"csrf": token}, files={"file": ("c.csv", good.encode(), "text/csv")})
    assert r.status_code == 200 and "1 centre(s) added, 1 updated" in r.text
    with db.transaction(db.session_factory(engine)) as s:
        row = s.scalars(select(ServiceCentre).where(ServiceCentre.identifier == centre)).one()
        assert row.address == "135 Nam Kỳ Khởi Nghĩa"
        row.name_vi, row.address, row.opening_hours = original  # the other tests expect the generated centre
        s.execute(delete(ServiceCentre).where(ServiceCentre.identifier == "X9.SG.01"))
