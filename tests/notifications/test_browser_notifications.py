"""In Chromium against a real server: a citizen who chose e-mail sees on their dossier what was
sent and that it arrived (through a local SMTP server); a leader finds a lapsing dossier in their
inbox and on the supervision page, and opens it. Screenshots in vi, fr and en, phone and desktop."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from motcua import clock, db
from motcua.dossiers.models import Dossier
from motcua.notifications.sender import Sender
from motcua.supervision.alerts import run_day
from tests.notifications.conftest import Mailbox, free_port
from tests.web.test_browser import SCREENSHOTS, SERVER_HOME, _serve, sign_in, step

pytestmark = pytest.mark.slow
from playwright.sync_api import Page, expect  # noqa: E402


@pytest.fixture(scope="module")
def mail() -> Iterator[tuple[Mailbox, int]]:
    import logging

    logging.getLogger("mail.log").setLevel(logging.WARNING)
    box, port = Mailbox(), free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    yield box, port
    controller.stop()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, mail: tuple[Mailbox, int]) -> Iterator[str]:
    settings = {
        "MOTCUA_SMTP_HOST": "127.0.0.1",
        "MOTCUA_SMTP_PORT": str(mail[1]),
        "MOTCUA_SMTP_SECURITY": "none",
    }
    saved = {k: os.environ.get(k) for k in settings}
    os.environ.update(settings)  # the server process and this one's sender see the same settings
    try:
        with contextlib.ExitStack() as stack:
            yield from _serve(tmp_path_factory.mktemp("notify-portal"), stack)
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def factory_of(server: str) -> sessionmaker[Session]:
    return db.session_factory(db.make_engine(f"sqlite:///{SERVER_HOME[server] / 'motcua.sqlite3'}"))


def send_all(server: str) -> None:
    sender = Sender(factory_of(server))
    try:
        sender.drain()
    finally:
        sender.close()


def submit_with_email(page: Page, server: str, language: str = "vi") -> str:
    sign_in(page, server, "/dossiers/new/1.001612")
    page.goto(f"{server}/dossiers/new/1.001612?lang={language}")  # the page's language is the messages'
    page.fill("#applicant_name", "Trần Thị Lan")
    page.fill("#applicant_id", "079190000123")
    page.fill("#applicant_email", "lan@example.vn")
    page.check("input[name=notify][value=email]")
    page.fill("#subject_address", "Phường Sài Gòn, Thành phố Hồ Chí Minh")
    page.select_option("#centre", (SERVER_HOME[server] / "centre").read_text())
    page.fill("#f-business_name", "Quán cơm Cô Lan")
    page.fill("#f-business_address", "3 Hàm Nghi, Phường Sài Gòn")
    page.fill("#f-activities", "Ăn uống")
    page.fill("#f-capital_vnd", "80000000")
    page.click("#send")
    expect(page.locator(".sent")).to_be_visible()
    return page.locator("#dossier-code").inner_text()


def test_a_citizen_sees_what_was_sent_about_their_dossier(server: str, page: Page, mail: tuple[Mailbox, int]) -> None:
    code = submit_with_email(page, server, "fr")
    sign_in(page, server, user="tiep-nhan")
    page.goto(f"{server}/work/dossiers/{code}")
    step(page, "accept")
    send_all(server)
    assert sorted(m["Subject"] for m in mail[0].to("lan@example.vn") if code in m["Subject"])[0].startswith(
        f"Dossier {code}"
    )
    expect(page.locator("#notifications")).to_contain_text("la…@example.vn")  # the official sees it masked
    sign_in(page, server, f"/my/dossiers/{code}")
    table = page.locator("#notifications")
    expect(table).to_contain_text(f"Dossier {code} reçu")
    expect(table.locator("tr.n-delivered")).to_have_count(2)
    for language in ("vi", "fr", "en"):
        page.goto(f"{server}/my/dossiers/{code}?lang={language}")
        expect(page.locator("#notifications-heading")).to_be_visible()
        page.screenshot(path=str(SCREENSHOTS / f"notifications-phone-{language}.png"), full_page=True)


def test_a_leader_sees_the_lapsing_dossiers_and_opens_one(server: str, page: Page) -> None:
    code = submit_with_email(page, server)
    sign_in(page, server, user="tiep-nhan")
    page.goto(f"{server}/work/dossiers/{code}")
    step(page, "accept")
    step(page, "transfer")
    factory = factory_of(server)
    today = clock.today()
    with db.transaction(factory) as s:
        from motcua.calendar.service import build_calendar

        cal = build_calendar(s, "")
        day = cal.next_working_day(today, inclusive=True)
        s.execute(update(Dossier).where(Dossier.code == code).values(due_on=day))  # due on that working day
        report = run_day(s, day)
        assert report.alerts["deadline_today"] >= 1
        assert s.scalars(select(Dossier.status).where(Dossier.code == code)).one() == "processing"
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, server, "/inbox", user="chu-tich")
    alert = page.locator(".inbox .subject a", has_text=f"Đến hạn hôm nay: hồ sơ {code}")
    expect(alert).to_have_count(1)
    expect(page.locator(".inbox li", has_text="Tình hình hồ sơ ngày")).not_to_have_count(0)  # the digest
    page.screenshot(path=str(SCREENSHOTS / "inbox-desktop-vi.png"), full_page=True)
    page.goto(f"{server}/supervision")
    expect(page.locator("#by-commune")).to_contain_text("26740")
    page.screenshot(path=str(SCREENSHOTS / "supervision-desktop-vi.png"), full_page=True)
    page.goto(f"{server}/inbox")
    page.locator(".inbox .subject a", has_text=f"Đến hạn hôm nay: hồ sơ {code}").click()
    expect(page.locator("h1, #dossier-code").first).to_be_visible()
    expect(page).to_have_url(f"{server}/work/dossiers/{code}")
    for language in ("fr", "en"):
        page.goto(f"{server}/supervision?lang={language}")
        page.screenshot(path=str(SCREENSHOTS / f"supervision-desktop-{language}.png"), full_page=True)
