"""The officials' queue as a page: procedure, applicant, received, appointment (due soon and overdue
in words and colour), status and assignee; new work first; sorting, filters and search by code,
name or ID number, the view and filters kept across pages."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from motcua import db
from motcua.accounts.service import create_user
from tests.dossiers.helpers import T0, World

PASSWORD = "mật-khẩu-cán-bộ"


def _sign_in(c: TestClient, username: str) -> None:
    token = re.search(r'name="csrf" value="([^"]+)"', c.get("/signin").text)
    assert token
    r = c.post("/signin", data={"username": username, "password": PASSWORD, "csrf": token.group(1)})
    assert r.status_code == 200


def _codes(page: str) -> list[str]:
    body = page.split('id="queue"')[1].split("</table>")[0]
    return re.findall(r'href="/work/dossiers/([^"]+)"', body)


def test_the_queue_shows_what_an_officer_needs_and_finds_new_work_first(client: TestClient, engine: Engine) -> None:
    tag = uuid.uuid4().hex[:6]
    with db.transaction(db.session_factory(engine)) as s:
        w = World(s, f"queue-{tag}")
        applicant = w.request().applicant
        first = w.submit(at=T0, applicant=type(applicant)("citizen", "079123456789", f"Lê Văn Hàng {tag}"))
        second = w.submit(
            at=T0 + timedelta(minutes=5), applicant=type(applicant)("citizen", "079123456789", f"Phạm Thị Mai {tag}")
        )
        third = w.submit(
            at=T0 + timedelta(minutes=10), applicant=type(applicant)("citizen", "079123456789", f"Võ Văn Tư {tag}")
        )
        w.act(first, "accept")
        officer = create_user(
            s, f"queue-{tag}-counter", "reception_officer", unit_code=w.centre, password="mật-khẩu-cán-bộ"
        )
        codes = (first.code, second.code, third.code)
        username = officer.username
    _sign_in(client, username)

    page = client.get("/work", params={"q": tag, "lang": "vi"}).text
    assert _codes(page) == [codes[1], codes[2], codes[0]]  # not yet received first, then the appointment
    row = page.split(f'href="/work/dossiers/{codes[0]}"')[1].split("</tr>")[0]
    assert "Đăng ký thành lập hộ kinh doanh" in row and f"Lê Văn Hàng {tag}" in row and "Đã tiếp nhận" in row
    assert "Chưa tiếp nhận" in page.split(f'href="/work/dossiers/{codes[1]}"')[1].split("</tr>")[0]

    assert _codes(client.get("/work", params={"q": tag, "sort": "newest"}).text) == [codes[2], codes[1], codes[0]]
    assert _codes(client.get("/work", params={"q": tag, "status": "accepted"}).text) == [codes[0]]
    assert _codes(client.get("/work", params={"q": f"Phạm Thị Mai {tag}"}).text) == [codes[1]]
    assert _codes(client.get("/work", params={"q": codes[2].lower()}).text) == [codes[2]]  # a code as typed
    assert _codes(client.get("/work", params={"q": tag, "procedure": "9.999999"}).text) == []
    views = client.get("/work", params={"q": tag, "sort": "newest"}).text
    assert f"view=due_soon&amp;sort=newest&amp;status=&amp;procedure=&amp;q={tag}" in views  # filters kept
