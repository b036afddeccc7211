"""Feedback pages: a citizen files feedback (a wrong field named, what they typed kept), follows it
by its code, and the agency's leader takes it through to the published answer on its pages."""

from __future__ import annotations

import re
import uuid

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from motcua import db
from motcua.accounts.service import create_user
from motcua.api.app import create_app
from tests.web.test_hardening import _sign_in


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found
    return found.group(1)


def _account(engine: Engine, database_url: str, role: str, unit: str | None = None) -> TestClient:
    name = f"fb-{role}-{uuid.uuid4().hex[:6]}"
    with db.transaction(db.session_factory(engine)) as s:
        create_user(s, name, role, unit_code=unit, password="đúng-mật-khẩu")
    c = TestClient(create_app(database_url))
    _sign_in(c, name, "đúng-mật-khẩu")
    return c


def test_a_citizen_files_and_the_leader_answers_in_the_pages(
    engine: Engine, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MOTCUA_SECURE_COOKIES", "0")
    client = _account(engine, database_url, "citizen")
    form = client.get("/feedback/new")
    assert form.status_code == 200 and 'name="phone"' in form.text
    fields = {
        "csrf": _csrf(form.text),
        "about": "agency",
        "about_ref": "26740.UBND",
        "commune_code": "26740",
        "title": "Rác thải không được thu gom",
        "body": "Rác thải ở hẻm 45 Lê Lợi không được thu gom đã một tuần.",
        "name": "Nguyễn Văn An",
        "address": "45 Lê Lợi",
        "phone": "12",
    }
    wrong = client.post("/feedback/new", data=fields)
    assert wrong.status_code == 422 and "Rác thải ở hẻm 45" in wrong.text  # what was typed is kept
    # The problem told at its field, in the page's language (Vietnamese), never the service's "sender.phone".
    assert 'id="phone-error"' in wrong.text and 'href="#phone"' in wrong.text and "sender.phone" not in wrong.text
    assert "Nhập số điện thoại" in wrong.text
    filed = client.post("/feedback/new", data={**fields, "phone": "0901234567"}, follow_redirects=False)
    assert filed.status_code == 303
    code = filed.headers["location"].split("/")[-1].split("?")[0]
    tracked = client.get(filed.headers["location"])
    assert code.startswith("PAKN.") and 'id="filed"' in tracked.text and "0901234567" not in tracked.text
    assert code in client.get("/feedback").text  # "my feedback"

    leader = _account(engine, database_url, "leader", "26740.UBND")
    assert code in leader.get("/work/feedback").text
    for step, data in (
        ("accept", {}),
        ("draft_answer", {"answer": "Đã bố trí thu gom hằng ngày."}),
        ("approve_answer", {}),
        ("publish", {}),
    ):
        page = leader.get(f"/work/feedback/{code}")
        assert page.status_code == 200 and f"/steps/{step}" in page.text, step
        done = leader.post(f"/feedback/{code}/steps/{step}", data={"csrf": _csrf(page.text), **data})
        assert done.status_code == 200 and 'role="alert"' not in done.text, step
    public = TestClient(create_app(database_url)).get(f"/feedback/track/{code}")
    assert "Đã bố trí thu gom hằng ngày." in public.text and "Nguyễn Văn An" not in public.text
    assert TestClient(create_app(database_url)).get(f"/work/feedback/{code}", follow_redirects=False).status_code == 303


def test_a_photo_sent_with_the_form_and_an_oversized_file_refused(
    engine: Engine, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sqlalchemy import func, select

    from motcua.dossiers.attachments import MAX_BYTES
    from motcua.feedback.models import FeedbackMessage

    monkeypatch.setenv("MOTCUA_SECURE_COOKIES", "0")
    client = _account(engine, database_url, "citizen")
    fields = {
        "csrf": _csrf(client.get("/feedback/new").text),
        "about": "regulation",
        "place_address": "Phường Bến Nghé, Quận 1, TP. Hồ Chí Minh",  # before 2025: Phường Sài Gòn today
        "title": "Ổ gà trên đường",
        "body": "Ổ gà lớn trước chợ, xe máy dễ té ngã.",
        "name": "Trần Thị Bình",
        "address": "5 Lê Lợi",
        "phone": "0901234567",
    }
    photo = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64

    def count() -> int:
        with db.session_factory(engine)() as s:
            return s.scalar(select(func.count()).select_from(FeedbackMessage)) or 0

    before = count()
    big = client.post(
        "/feedback/new", data=fields, files=[("files", ("big.pdf", b"%PDF" + b"0" * MAX_BYTES, "application/pdf"))]
    )
    assert big.status_code == 422 and "big.pdf" in big.text and count() == before  # nothing filed
    filed = client.post(
        "/feedback/new", data=fields, files=[("files", ("o-ga.png", photo, "image/png"))], follow_redirects=False
    )
    assert filed.status_code == 303, filed.text
    page = client.get(filed.headers["location"]).text
    link = re.search(r'href="(/feedback/PAKN[^"]+/files/\d+)"', page)
    assert link and "o-ga.png" in page
    assert client.get(link.group(1)).content == photo
    assert TestClient(create_app(database_url)).get(link.group(1), follow_redirects=False).status_code == 303
    code = filed.headers["location"].split("/")[-1].split("?")[0]
    with db.session_factory(engine)() as s:
        assert s.scalar(select(FeedbackMessage.commune_code).where(FeedbackMessage.code == code)) == "26740"
