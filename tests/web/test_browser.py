"""The portal in a real headless Chromium (Debian's ``chromium``, driven by Playwright) against a real
server process: a citizen finds a procedure without typing accents, submits a dossier with an
attachment, loses nothing on a refused send or a reload, and tracks the dossier; the language switch.

Needs ``/usr/bin/chromium`` (``.ci/run`` installs it); without it the tests are skipped locally and
fail in CI.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from motcua import db
from motcua.accounts.service import create_user
from motcua.demo import prepare_demo

pytestmark = pytest.mark.slow
CHROMIUM = os.environ.get("MOTCUA_CHROMIUM", "/usr/bin/chromium")
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
SCREENSHOTS = Path(__file__).parents[2] / "docs" / "screenshots"

if not Path(CHROMIUM).exists():
    if os.environ.get("CI") == "true":
        raise RuntimeError(f"CI must run the browser tests: {CHROMIUM} is missing (.ci/run installs it)")
    pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium)", allow_module_level=True)

from playwright.sync_api import Browser, Page, expect, sync_playwright  # noqa: E402


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    home = tmp_path_factory.mktemp("portal")
    url = f"sqlite:///{home / 'motcua.sqlite3'}"
    prepare_demo(url, dossiers=0)
    with db.transaction(db.session_factory(db.make_engine(url))) as s:
        create_user(
            s, "lan", "citizen", full_name="Trần Thị Lan", password="mật-khẩu-đủ-dài", personal_id="079190000123"
        )
    port = _free_port()
    env = {
        **os.environ,
        "MOTCUA_DATABASE_URL": url,
        "MOTCUA_SECURE_COOKIES": "0",
        "MOTCUA_SECRET_FILE": str(home / "secret_key"),
        "MOTCUA_STORAGE_DIR": str(home / "files"),
    }
    cmd = [sys.executable, "-m", "uvicorn", "motcua.api.app:create_app", "--factory", "--port", str(port)]
    proc = subprocess.Popen([*cmd, "--log-level", "warning"], env=env, cwd=home)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{base}/api/v1/health", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        proc.wait(10)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield b
        b.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="vi-VN")  # a cheap phone
    pg = context.new_page()
    yield pg
    context.close()


def sign_in(page: Page, base: str, next_path: str = "/") -> None:
    page.goto(f"{base}/signin?next={next_path}")
    page.fill("#username", "lan")
    page.fill("#password", "mật-khẩu-đủ-dài")
    page.click("main button[type=submit]")


def test_a_citizen_submits_a_dossier_with_an_attachment_and_tracks_it(server: str, page: Page, tmp_path: Path) -> None:
    page.goto(f"{server}/procedures?q=dang+ky+ho+kinh+doanh")  # no accents
    page.click("text=Đăng ký thành lập hộ kinh doanh")
    expect(page.locator("h1")).to_contain_text("hộ kinh doanh")
    page.click("a.button")  # submit online → sign in first
    expect(page).to_have_url(f"{server}/signin?next=/dossiers/new/1.001612")
    page.fill("#username", "lan")
    page.fill("#password", "mật-khẩu-đủ-dài")
    page.click("main button[type=submit]")
    expect(page.locator(".draft-note")).to_be_visible()

    page.fill("#applicant_name", "Trần Thị Lan")
    page.fill("#applicant_id", "079190000123")
    page.fill("#subject_address", "Phường Sài Gòn, Thành phố Hồ Chí Minh")
    page.fill("#f-business_name", "Tạp hóa Cô Lan")
    page.fill("#f-business_address", "12 Lê Lợi, Phường Sài Gòn")
    page.fill("#f-activities", "Bán lẻ hàng tạp hóa")
    page.fill("#f-capital_vnd", "50 triệu")  # not a number: refused, nothing lost
    page.reload()  # the draft survives a reload
    expect(page.locator("#f-business_name")).to_have_value("Tạp hóa Cô Lan")
    scan = tmp_path / "giay-to.pdf"
    scan.write_bytes(PDF)
    page.set_input_files("#files", str(scan))
    page.click("#dossier-form button[type=submit]")
    expect(page.locator("#problems")).to_contain_text("capital_vnd")
    expect(page.locator("#f-business_name")).to_have_value("Tạp hóa Cô Lan")
    page.fill("#f-capital_vnd", "50000000")
    page.set_input_files("#files", str(scan))
    page.click("#dossier-form button[type=submit]")

    expect(page.locator(".sent")).to_be_visible()
    code = page.locator("#dossier-code").inner_text()
    assert code.startswith("000.00.")  # the receiving centre's identifier, the date, the number
    expect(page.locator("text=giay-to.pdf")).to_be_visible()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "dossier-sent.png"), full_page=True)
    assert page.evaluate("localStorage.getItem('motcua-draft:dossier-1.001612')") is None

    page.goto(f"{server}/track/{code}")
    expect(page.locator(".result")).to_contain_text(code)
    expect(page.locator(".result")).not_to_contain_text("079190000123")  # no personal data when tracking
    page.goto(f"{server}/my/dossiers")
    expect(page.locator(f"text={code}")).to_be_visible()


def test_the_language_switch_translates_the_pages(server: str, page: Page) -> None:
    page.goto(f"{server}/procedures")
    expect(page.locator("h1")).to_have_text("Tìm thủ tục")
    page.click("text=English")
    expect(page.locator("h1")).to_have_text("Find a procedure")
    page.goto(f"{server}/")  # remembered
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.click("text=Français")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    page.goto(f"{server}/procedures")
    expect(page.locator("h1")).to_have_text("Trouver une démarche")
    page.screenshot(path=str(SCREENSHOTS / "procedures-fr.png"), full_page=True)


def test_a_form_without_its_csrf_token_is_refused(server: str, page: Page) -> None:
    sign_in(page, server)
    response = page.request.post(f"{server}/signout", form={"csrf": "forged"})
    assert response.status == 403
    page.goto(f"{server}/my/dossiers")
    expect(page.locator("h1")).to_have_text("Hồ sơ của tôi")  # still signed in
