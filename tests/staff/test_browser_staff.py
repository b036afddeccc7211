"""The Department of Home Affairs' staff page in Chromium: a Home Affairs official of Hồ Chí Minh City
sees Phường Sài Gòn short of processing officers and Phường Bến Thành with staff to spare, and the
transfer proposed; an administrator accepts it (after ticking the confirmation), the official moves
and their open dossier is handed over. On a phone and a desktop, in Vietnamese, French and English."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import select

from motcua import clock, db
from motcua.accounts.models import User
from motcua.accounts.service import create_user
from motcua.indicators import facts
from tests.web.test_browser import OFFICIAL_PASSWORD, SCREENSHOTS, SERVER_HOME, _serve, sign_in

pytestmark = pytest.mark.slow
from playwright.sync_api import Browser, expect  # noqa: E402

SAI_GON, BEN_THANH = "26740", "26743"


@pytest.fixture(scope="module")
def staffed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with contextlib.ExitStack() as stack:
        for base in _serve(tmp_path_factory.mktemp("staff"), stack):
            url = f"sqlite:///{SERVER_HOME[base] / 'motcua.sqlite3'}"
            with db.transaction(db.session_factory(db.make_engine(url))) as s:
                for name in ("an", "binh", "chi", "dung"):
                    create_user(s, f"bt-{name}", "processing_officer", unit_code=f"{BEN_THANH}.economy",
                                full_name=f"Cán bộ {name.title()}", password=OFFICIAL_PASSWORD)  # fmt: skip
                create_user(s, "so-noi-vu", "leader", unit_code="79.home_affairs", full_name="Sở Nội vụ",
                            password=OFFICIAL_PASSWORD)  # fmt: skip
                create_user(s, "quan-tri", "admin", full_name="Quản trị", password=OFFICIAL_PASSWORD)
                day = clock.today() - timedelta(days=10)
                for commune, n in ((SAI_GON, 90), (BEN_THANH, 8)):
                    place = ("79", commune, f"c-{commune}", f"{commune}.UBND", "1.001612", "online")
                    facts.write(s, [(day, place, "on_time", n)], [])
            yield base


def test_home_affairs_proposes_and_an_administrator_applies_a_transfer(staffed: str, browser: Browser) -> None:
    for language, viewport, shot in (
        ("vi-VN", {"width": 390, "height": 844}, "staff-phone-vi.png"),
        ("fr-FR", {"width": 1280, "height": 900}, "staff-desktop-fr.png"),
        ("en-GB", {"width": 1280, "height": 900}, "staff-desktop-en.png"),
    ):
        context = browser.new_context(viewport=viewport, locale=language)
        page = context.new_page()
        sign_in(page, staffed, "/staff", user="so-noi-vu")
        expect(page).to_have_url(f"{staffed}/staff/79")
        expect(page.locator("#proposals .proposal").first).to_contain_text("Phường Bến Thành → Phường Sài Gòn")
        page.screenshot(path=str(SCREENSHOTS / shot), full_page=True)
        context.close()

    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    page = context.new_page()
    sign_in(page, staffed, "/staff/79", user="quan-tri")
    first = page.locator("#proposals .proposal").first
    moved = first.get_attribute("data-user")
    expect(first).to_contain_text("90,0")  # the work per official where they go, before
    first.locator("button[value=accept]").click()  # without the confirmation: refused, nothing moves
    expect(page.locator("#refused")).to_be_visible()
    first = page.locator("#proposals .proposal").first
    first.locator("input[name=confirmed]").check()
    first.locator("button[value=accept]").click()
    expect(page.locator("#done")).to_be_visible()
    expect(page.locator("#decided tbody tr").first).to_contain_text(moved or "")
    expect(page.locator("#decided tbody tr").first).to_contain_text(f"{SAI_GON}.economy")
    page.screenshot(path=str(SCREENSHOTS / "staff-accepted-desktop-vi.png"), full_page=True)
    url = f"sqlite:///{SERVER_HOME[staffed] / 'motcua.sqlite3'}"
    with db.session_factory(db.make_engine(url))() as s:
        assert s.scalars(select(User.unit_code).where(User.username == moved)).one() == f"{SAI_GON}.economy"
    # An official of another department cannot see it.
    sign_in(page, staffed, "/staff/79", user="chuyen-vien")
    expect(page.locator("h1")).not_to_contain_text("Staff")
    context.close()
