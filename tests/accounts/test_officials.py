"""Importing officials from CSV: line-level errors, all or nothing, re-import, every commune, activation."""

from __future__ import annotations

import csv
import io
import time

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from motcua.accounts.models import User
from motcua.accounts.officials import activate, import_officials
from motcua.accounts.service import check_password
from motcua.catalog.models import ServiceCentre


def _csv(rows: list[tuple[str, str, str, str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["username", "full_name", "role", "unit"])
    writer.writerows(rows)
    return out.getvalue()


def _centre(session: Session, commune: str) -> str:
    return session.scalars(select(ServiceCentre.identifier).where(ServiceCentre.commune_code == commune)).one()


def test_every_bad_line_is_named_and_nothing_is_written(session: Session) -> None:
    before = session.scalar(select(func.count()).select_from(User))
    text = _csv(
        [
            ("ok.one", "Nguyễn Văn Một", "leader", "26740.UBND"),
            ("Bad Name!", "X", "leader", "26740.UBND"),
            ("ok.one", "Trùng", "leader", "26740.UBND"),
            ("ok.two", "", "processing_officer", "26740.economy"),
            ("ok.three", "Ba", "mayor", "26740.UBND"),
            ("ok.four", "Bốn", "reception_officer", "nowhere"),
            ("ok.five", "Năm", "processing_officer", "99999.economy"),
        ]
    )
    report = import_officials(session, text)
    assert [str(e) for e in report.errors] == [
        "line 3, username: 3–120 of a-z, 0-9, '.', '_', '-'",
        "line 4, username: already on line 2",
        "line 5, full_name: empty",
        "line 6, role: 'mayor' is not one of reception_officer, processing_officer, leader",
        "line 7, unit: no service centre 'nowhere'",
        "line 8, unit: no agency '99999.economy'",
    ]
    assert session.scalar(select(func.count()).select_from(User)) == before
    assert not import_officials(session, "name,role\nx,y\n").ok  # wrong columns


def test_a_file_for_every_commune_imports_at_once_and_again_as_an_update(session: Session) -> None:
    centres = dict(
        session.execute(
            select(ServiceCentre.commune_code, ServiceCentre.identifier).where(ServiceCentre.commune_code.is_not(None))
        ).all()
    )
    communes = sorted(c for c in centres if c)  # a commune centre, or a reception point of the province's
    rows = []
    for code in communes:
        rows.append((f"tn.{code}", f"Tiếp nhận {code}", "reception_officer", centres[code]))
        rows.append((f"ct.{code}", f"Chủ tịch {code}", "leader", f"{code}.UBND"))
    assert len(set(communes)) == 3321
    start = time.perf_counter()
    report = import_officials(session, _csv(rows))
    assert report.ok and report.created == 2 * 3321 and len(report.codes) == 2 * 3321, report.errors[:3]
    assert time.perf_counter() - start < 60  # generous: seconds here; a hash per account would take minutes
    rows[1] = (rows[1][0], "Chủ tịch mới", "leader", rows[1][3])
    again = import_officials(session, _csv(rows))
    assert (again.created, again.updated, again.unchanged) == (0, 1, 2 * 3321 - 1) and again.codes == []


def test_an_activation_code_sets_the_password_once(session: Session) -> None:
    report = import_officials(
        session, _csv([("moi.vao", "Cán bộ mới", "reception_officer", _centre(session, "26740"))])
    )
    ((username, code),) = report.codes
    assert activate(session, username, "wrong-code", "mật-khẩu-mới-dài") is None
    user = activate(session, username, code, "mật-khẩu-mới-dài")
    assert user is not None and check_password(user, "mật-khẩu-mới-dài")
    assert activate(session, username, code, "lần-thứ-hai-dài") is None  # spent


def test_new_officials_with_an_email_get_their_code_by_email(session: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    from motcua.notifications.models import Notification

    monkeypatch.setenv("MOTCUA_EMAIL_PROVIDER", "smtp")
    monkeypatch.setenv("MOTCUA_SMTP_HOST", "127.0.0.1")
    text = (
        "username,full_name,role,unit,email\n"
        "mail.one,Một,leader,26740.UBND,mot@example.vn\n"
        "mail.two,Hai,leader,26740.UBND,\n"
    )
    bad = import_officials(session, text.replace("mot@example.vn", "not-an-address"))
    assert [str(e).split(":")[0] for e in bad.errors] == ["line 2, email"]
    report = import_officials(session, text)
    assert report.ok and report.created == 2
    code = dict(report.codes)["mail.one"]
    sent = session.scalars(select(Notification).where(Notification.template == "account_activation")).all()
    mine = [n for n in sent if n.address == "mot@example.vn"]
    assert len(mine) == 1 and code in mine[0].body and "mail.one" in mine[0].subject
    assert session.scalar(select(User.email).where(User.username == "mail.one")) == "mot@example.vn"
    assert not any(n.address == "" for n in sent if n.recipient.endswith("mail.two"))
