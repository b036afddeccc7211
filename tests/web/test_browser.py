"""The portal in a real headless Chromium (Debian's ``chromium``, driven by Playwright) against a real
server process: a citizen finds a procedure without typing accents, submits a dossier with an
attachment, loses nothing on a refused send or a reload, and tracks the dossier; the language switch.

Needs ``/usr/bin/chromium`` (``.ci/run`` installs it); without it the tests are skipped locally and
fail in CI.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from motcua import db
from motcua.accounts.models import User
from motcua.accounts.service import create_user
from motcua.catalog.models import ServiceCentre
from motcua.demo import prepare_demo
from motcua.dossiers.synthetic import generate_activity

pytestmark = pytest.mark.slow
CHROMIUM = os.environ.get("MOTCUA_CHROMIUM", "/usr/bin/chromium")
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
SCREENSHOTS = Path(__file__).parents[2] / "docs" / "screenshots"
SAI_GON = "26740"
OFFICIAL_PASSWORD = "cán-bộ-một-cửa"
SERVER_HOME: dict[str, Path] = {}

if not Path(CHROMIUM).exists():
    if os.environ.get("CI") == "true":
        raise RuntimeError(f"CI must run the browser tests: {CHROMIUM} is missing (.ci/run installs it)")
    pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium)", allow_module_level=True)

from oidc_provider_mock import User as OidcUser  # noqa: E402
from oidc_provider_mock import run_server_in_thread  # noqa: E402
from playwright.sync_api import Browser, Page, expect  # noqa: E402

OIDC_USER = OidcUser(sub="vneid-7f3a", claims={"name": "Phạm Minh Châu", "personal_id": "079300000789"})


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with contextlib.ExitStack() as stack:
        yield from _serve(tmp_path_factory.mktemp("portal"), stack)


@pytest.fixture(scope="module")
def busy_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A portal holding a year of synthetic activity in the 34 provinces (for the dashboards)."""
    with contextlib.ExitStack() as stack:
        yield from _serve(tmp_path_factory.mktemp("busy"), stack, synthetic=4000)


def _serve(home: Path, stack: contextlib.ExitStack, synthetic: int = 0) -> Iterator[str]:
    url = f"sqlite:///{home / 'motcua.sqlite3'}"
    prepare_demo(url, dossiers=0)
    if synthetic:
        generate_activity(db.make_engine(url), synthetic, 12, datetime.now().replace(microsecond=0), seed=9)
    with db.transaction(db.session_factory(db.make_engine(url))) as s:
        centre = s.scalars(select(ServiceCentre.identifier).where(ServiceCentre.commune_code == SAI_GON)).one()
        for username, role, unit in (
            ("tiep-nhan", "reception_officer", centre),
            ("chuyen-vien", "processing_officer", f"{SAI_GON}.economy"),
            ("chu-tich", "leader", f"{SAI_GON}.UBND"),
        ):
            create_user(s, username, role, unit_code=unit, full_name=username, password=OFFICIAL_PASSWORD)
        create_user(
            s, "lan", "citizen", full_name="Trần Thị Lan", password="mật-khẩu-đủ-dài", personal_id="079190000123"
        )
    port = _free_port()
    provider = stack.enter_context(run_server_in_thread(user_claims=[OIDC_USER]))
    env = {
        **os.environ,
        "MOTCUA_OIDC_ISSUER": f"http://127.0.0.1:{provider.server_port}",
        "MOTCUA_OIDC_CLIENT_ID": "motcua-test",
        "MOTCUA_OIDC_CLIENT_SECRET": "secret",
        "MOTCUA_OIDC_NAME": "VNeID (thử nghiệm)",
        "MOTCUA_DATABASE_URL": url,
        "MOTCUA_SECURE_COOKIES": "0",
        "MOTCUA_SIGNIN_PER_ADDRESS": "1000",  # every test signs in from 127.0.0.1
        "MOTCUA_DATA_DIR": str(home),  # its generated keys and development CA
        "MOTCUA_STORAGE_DIR": str(home / "files"),
    }
    cmd = [sys.executable, "-m", "uvicorn", "motcua.api.app:create_app", "--factory", "--port", str(port)]
    proc = subprocess.Popen([*cmd, "--log-level", "warning"], env=env, cwd=home)
    base = f"http://127.0.0.1:{port}"
    (home / "centre").write_text(centre)
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{base}/api/v1/health", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        SERVER_HOME[base] = home
        yield base
    finally:
        proc.terminate()
        proc.wait(10)


def sign_in(page: Page, base: str, next_path: str = "/", user: str = "lan", keep_cookies: bool = False) -> None:
    if not keep_cookies:
        page.context.clear_cookies()
    page.goto(f"{base}/signin?next={next_path}")
    page.fill("#username", user)
    page.fill("#password", "mật-khẩu-đủ-dài" if user == "lan" else OFFICIAL_PASSWORD)
    page.click("main button[type=submit]")


def submit_dossier(page: Page, base: str, centre: str, scan: Path, keep_cookies: bool = False) -> str:
    sign_in(page, base, "/dossiers/new/1.001612", keep_cookies=keep_cookies)
    page.fill("#applicant_name", "Trần Thị Lan")
    page.fill("#applicant_id", "079190000123")
    page.fill("#subject_address", "Phường Sài Gòn, Thành phố Hồ Chí Minh")
    page.select_option("#centre", centre)
    page.fill("#f-business_name", "Quán cơm Cô Lan")
    page.fill("#f-business_address", "3 Hàm Nghi, Phường Sài Gòn")
    page.fill("#f-activities", "Ăn uống")
    page.fill("#f-capital_vnd", "80000000")
    page.set_input_files("input[type=file][name=files]", str(scan))
    page.click("#send")
    expect(page.locator(".sent")).to_be_visible()
    return page.locator("#dossier-code").inner_text()


def step(page: Page, name: str, **fields: str) -> None:
    form = page.locator(f"form[action$='/steps/{name}']")
    for field, value in fields.items():
        form.locator(f"[name={field}]").fill(value)
    if form.locator("[name=confirm]").count():  # a step that cannot be undone is confirmed first
        form.locator("[name=confirm]").check()
    form.locator("button[type=submit]").click()
    expect(page.locator(".sent")).to_be_visible()


def test_a_citizen_submits_a_dossier_with_an_attachment_and_tracks_it(server: str, page: Page, tmp_path: Path) -> None:
    page.goto(f"{server}/procedures?q=dang+ky+ho+kinh+doanh")  # no accents
    page.click("text=Đăng ký thành lập hộ kinh doanh")
    expect(page.locator("h1")).to_contain_text("hộ kinh doanh")
    page.click("a.button")  # submit online → sign in first, coming back to the same page and province
    expect(page).to_have_url(f"{server}/signin?next=%2Fdossiers%2Fnew%2F1.001612%3Fprovince%3D79")
    page.fill("#username", "lan")
    page.fill("#password", "mật-khẩu-đủ-dài")
    page.click("main button[type=submit]")
    expect(page.locator(".draft-note")).to_be_visible()

    page.fill("#applicant_name", "Trần Thị Lan")
    page.fill("#applicant_id", "079190000123")
    page.fill("#subject_address", "Phường Sài Gòn, Thành phố Hồ Chí Minh")
    page.press("#subject_address", "Tab")  # the old→new helper answers under the field
    expect(page.locator("#address-helper")).to_contain_text("Theo đơn vị mới: Phường Sài Gòn")
    page.fill("#f-business_name", "Tạp hóa Cô Lan")
    page.fill("#f-business_address", "12 Lê Lợi, Phường Sài Gòn")
    page.fill("#f-activities", "Bán lẻ hàng tạp hóa")
    page.fill("#f-capital_vnd", "50 triệu")  # not a number: refused, nothing lost
    page.reload()  # the draft survives a reload, and comes back only when asked
    expect(page.locator("#draft-panel")).to_be_visible()
    expect(page.locator("#f-business_name")).to_have_value("")
    page.click("#draft-restore")
    expect(page.locator("#draft-restored")).to_be_visible()
    expect(page.locator("#f-business_name")).to_have_value("Tạp hóa Cô Lan")
    scan = tmp_path / "giay-to.pdf"
    scan.write_bytes(PDF)
    page.set_input_files("input[type=file][name=files]", str(scan))
    page.click("#send")
    expect(page.locator("#problems")).to_contain_text("Vốn kinh doanh (đồng): nhập một số.")
    expect(page.locator("#f-capital_vnd-error")).to_contain_text("nhập một số")  # above the field too
    page.screenshot(path=str(SCREENSHOTS / "form-errors-phone-vi.png"), full_page=True)
    page.click("#problems a[href='#f-capital_vnd']")  # the summary leads to the field
    expect(page.locator("#f-capital_vnd")).to_be_focused()
    expect(page.locator("#f-business_name")).to_have_value("Tạp hóa Cô Lan")
    page.fill("#f-capital_vnd", "50000000")
    page.set_input_files("input[type=file][name=files]", str(scan))
    page.click("#send")

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
    expect(page.locator("#mine")).to_contain_text("Đăng ký thành lập hộ kinh doanh")  # each with its procedure


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


def test_an_official_journey_from_reception_to_a_verified_signed_result(
    server: str, page: Page, tmp_path: Path
) -> None:
    home = SERVER_HOME[server]
    scan = tmp_path / "cccd.pdf"
    scan.write_bytes(PDF)
    code = submit_dossier(page, server, (home / "centre").read_text(), scan)

    sign_in(page, server, user="tiep-nhan")
    expect(page).to_have_url(f"{server}/work")
    page.click(f"text={code}")
    stale = page.locator("form[action$='/steps/accept'] [name=expected_events]").get_attribute("value")
    step(page, "accept")
    step(page, "transfer")

    sign_in(page, server, user="chuyen-vien")
    page.goto(f"{server}/work/dossiers/{code}")
    assert page.locator("form.step h3").all_inner_texts() == [
        "Phân công cán bộ xử lý",
        "Yêu cầu bổ sung giấy tờ",
        "Yêu cầu nộp phí, lệ phí",
        "Gia hạn, xin lỗi và hẹn lại",
        "Trình lãnh đạo ký",
    ]  # exactly what the table allows a processing officer in processing
    page.select_option("#assignee", label="chuyen-vien")
    step(page, "assign")
    expect(page.locator("#holder")).to_have_text("chuyen-vien")
    step(page, "request_supplement", missing="Hợp đồng thuê mặt bằng", reason="Thiếu hợp đồng thuê")

    sign_in(page, server, f"/my/dossiers/{code}")
    expect(page.locator("#status")).to_have_text("Cần bổ sung giấy tờ")
    page.set_input_files("input[type=file][name=files]", str(scan))
    step(page, "supplement", note="Đã bổ sung hợp đồng")

    sign_in(page, server, user="chu-tich")
    page.goto(f"{server}/work/dossiers/{code}")
    step(page, "approve")
    sign_in(page, server, user="tiep-nhan")
    page.goto(f"{server}/work/dossiers/{code}")
    # A step drawn from an old page is refused with a clear message, not applied.
    page.evaluate(
        "([v]) => { const f = document.querySelector(\"form[action$='/steps/return_result']\");"
        " f.querySelector('[name=expected_events]').value = v; }",
        [stale],
    )
    page.locator("form[action$='/steps/return_result'] button").click()
    expect(page.locator(".notice")).to_contain_text("tải lại")
    step(page, "return_result")
    page.screenshot(path=str(SCREENSHOTS / "official-dossier.png"), full_page=True)

    sign_in(page, server, f"/my/dossiers/{code}")
    expect(page.locator("#status")).to_have_text("Đã trả kết quả")
    with page.expect_download() as download:
        page.click("text=Kết quả có chữ ký số (PDF)")
    signed = tmp_path / "result.pdf"
    download.value.save_as(signed)
    # Checked as a citizen or a vendor would: `motcua documents verify`, trusting the server's CA.
    ca, crl = str(home / "signing" / "dev-ca.pem"), str(home / "signing" / "dev-ca.crl")
    verify = [str(Path(sys.executable).parent / "motcua"), "documents", "verify", "--trust", ca, "--crl", crl]
    verify += ["--code", code]
    ok = subprocess.run([*verify, str(signed)], capture_output=True, text=True)
    assert ok.returncode == 0 and ok.stdout.startswith("VALID"), ok.stderr
    tampered = bytearray(signed.read_bytes())
    tampered[len(tampered) // 4] ^= 0x01  # one changed byte
    (tmp_path / "changed.pdf").write_bytes(bytes(tampered))
    bad = subprocess.run([*verify, str(tmp_path / "changed.pdf")], capture_output=True, text=True)
    assert bad.returncode == 1 and "INVALID" in bad.stderr

    page.check("#rate-satisfied")
    page.fill("#rate-comment", "Nhanh, đúng hẹn")
    page.click("#rating button[type=submit]")
    expect(page.locator("#rated")).to_contain_text("Hài lòng")
    page.goto(f"{server}/dashboard?measure=on_time_rate&lang=en")  # the numbers include this dossier
    expect(page.locator("#ranking")).to_contain_text("Thành phố Hồ Chí Minh")
    page.screenshot(path=str(SCREENSHOTS / "dashboard-en.png"), full_page=True)


def test_a_paper_dossier_is_received_at_the_counter_with_its_scan(server: str, page: Page, tmp_path: Path) -> None:
    scan = tmp_path / "scan.pdf"
    scan.write_bytes(PDF)
    sign_in(page, server, user="tiep-nhan")
    page.fill("#receive-q", "ho kinh doanh")
    page.locator(".receive button").click()
    page.click("text=Đăng ký thành lập hộ kinh doanh")
    expect(page.locator("#centre option")).to_have_count(1)  # the officer's own centre only
    page.fill("#applicant_name", "Lê Văn Bình")
    page.fill("#applicant_id", "079080000456")
    page.fill("#subject_address", "Phường Sài Gòn, Thành phố Hồ Chí Minh")
    page.fill("#f-business_name", "Tiệm sửa xe Bình")
    page.fill("#f-business_address", "5 Pasteur, Phường Sài Gòn")
    page.fill("#f-activities", "Sửa chữa xe máy")
    page.fill("#f-capital_vnd", "30000000")
    page.set_input_files("input[type=file][name=files]", str(scan))
    page.click("#send")
    expect(page.locator("#status")).to_have_text("Đã tiếp nhận")  # received at once, due date set
    expect(page.locator("#files td:first-child", has_text="scan.pdf")).to_be_visible()
    with page.expect_download() as download:
        page.click("text=Giấy tiếp nhận và hẹn trả kết quả (PDF)")
    assert Path(download.value.path()).read_bytes().startswith(b"%PDF")


def test_a_citizen_signs_in_with_the_identity_provider(server: str, page: Page) -> None:
    """The OpenID Connect flow against a local test provider: first sign-in creates the citizen."""
    page.goto(f"{server}/signin?next=/my/dossiers")
    page.click("#oidc")
    page.locator("button", has_text="vneid-7f3a").click()  # the provider's sign-in page
    expect(page).to_have_url(f"{server}/my/dossiers")
    expect(page.locator("h1")).to_have_text("Hồ sơ của tôi")
    engine = db.make_engine(f"sqlite:///{SERVER_HOME[server] / 'motcua.sqlite3'}")
    with db.session_factory(engine)() as s:
        user = s.scalars(select(User).where(User.username == "oidc:vneid-7f3a")).one()
        assert (user.role, user.full_name, user.personal_id) == ("citizen", "Phạm Minh Châu", "079300000789")


def test_a_citizen_pays_the_fees_online_through_the_sandbox(server: str, page: Page, tmp_path: Path) -> None:
    scan = tmp_path / "cccd.pdf"
    scan.write_bytes(PDF)
    code = submit_dossier(page, server, (SERVER_HOME[server] / "centre").read_text(), scan)
    sign_in(page, server, f"/work/dossiers/{code}", user="tiep-nhan")
    step(page, "accept")
    step(page, "transfer")
    sign_in(page, server, f"/work/dossiers/{code}", user="chuyen-vien")
    step(page, "request_payment", amount_vnd="100.000")

    sign_in(page, server, f"/my/dossiers/{code}")
    expect(page.locator("#status")).to_have_text("Cần thực hiện nghĩa vụ tài chính")
    page.click("text=Nộp phí trực tuyến")
    expect(page.locator("#amount")).to_have_text("100.000 ₫")
    page.click("button[value=cancel]")  # cancelled: nothing changes
    expect(page.locator(".notice")).to_be_visible()
    expect(page.locator("#status")).to_have_text("Cần thực hiện nghĩa vụ tài chính")
    page.click("text=Nộp phí trực tuyến")
    page.click("button[value=pay]")
    expect(page.locator(".sent")).to_be_visible()
    expect(page.locator("#status")).to_have_text("Đang xử lý")
    forged = page.request.get(f"{server}/payments/return?reference={code}:5&amount=1&status=paid&signature=00")
    assert forged.ok and "không thể xác nhận" in forged.text()


@pytest.mark.parametrize(
    ("lang", "status", "heading"),
    [
        ("en", "Submitted, waiting for reception", "My dossiers"),
        ("fr", "Déposé, en attente de réception", "Mes dossiers"),
    ],
)
def test_the_citizen_journey_in_french_and_english(
    server: str, page: Page, tmp_path: Path, lang: str, status: str, heading: str
) -> None:
    scan = tmp_path / "id.pdf"
    scan.write_bytes(PDF)
    page.goto(f"{server}/?lang={lang}")  # the choice is remembered in a cookie, through the sign-in
    code = submit_dossier(page, server, (SERVER_HOME[server] / "centre").read_text(), scan, keep_cookies=True)
    expect(page.locator("html")).to_have_attribute("lang", lang)
    expect(page.locator("#status")).to_have_text(status)
    page.goto(f"{server}/my/dossiers")
    expect(page.locator("h1")).to_have_text(heading)
    expect(page.locator(f"text={code}")).to_be_visible()


def test_dashboards_and_the_report_show_their_charts_and_map(
    busy_server: str, browser: Browser, tmp_path: Path
) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")  # a leader's screen
    page = context.new_page()
    page.goto(f"{busy_server}/dashboard?measure=online_rate")
    provinces = page.locator("figure.map path[data-province]")
    expect(provinces).to_have_count(34)
    fills = {provinces.nth(i).get_attribute("fill") for i in range(34)}
    assert len(fills) >= 4 and "#e0e0e0" not in fills  # every province has data, in several colours
    trend = page.locator("figure.chart svg")
    expect(trend).to_be_visible()
    box = trend.bounding_box()
    assert box is not None and box["width"] > 400 and box["height"] > 150
    expect(trend).to_contain_text("12 tháng gần nhất")
    expect(page.locator("#ranking tbody tr")).to_have_count(34)
    page.screenshot(path=str(SCREENSHOTS / "dashboard.png"), full_page=True)

    page.locator('figure.map a[href^="/dashboard/46"]').click()  # Huế on the map
    expect(page.locator("h1")).to_have_text("Thành phố Huế")
    expect(page.locator("dl.summary")).to_contain_text("Xếp hạng trong 34 tỉnh, thành phố")
    expect(page.locator("figure.chart svg")).to_be_visible()
    page.locator("#ranking tbody tr a").first.click()  # its best commune → the procedures there
    expect(page.locator("th").nth(1)).to_have_text("Thủ tục")
    expect(page.locator("figure.chart svg")).to_be_visible()

    home = SERVER_HOME[busy_server]
    end = date.today() - timedelta(days=1)
    period = ["--from", (end - timedelta(days=364)).isoformat(), "--to", end.isoformat()]
    where = ["--output", str(tmp_path), "--url", f"sqlite:///{home / 'motcua.sqlite3'}"]
    report = subprocess.run(
        [sys.executable, "-m", "motcua.cli", "report", "two-level", "--national", *period, *where],
        capture_output=True,
        text=True,
    )
    assert report.returncode == 0, report.stderr
    html = next(tmp_path.glob("*.html"))
    assert next(tmp_path.glob("*.pdf")).stat().st_size > 50_000
    page.goto(html.as_uri())
    expect(page.locator("h1")).to_have_text("Báo cáo vận hành chính quyền địa phương hai cấp")
    for chart in ("#chart-channels svg", "#chart-trend svg", "#map svg"):
        expect(page.locator(chart)).to_be_visible()
        drawn = page.locator(chart).bounding_box()
        assert drawn is not None and drawn["width"] > 250 and drawn["height"] > 100, chart
    expect(page.locator("#map path")).to_have_count(34)
    expect(page.locator("#ranking tbody tr")).to_have_count(34)
    page.screenshot(path=str(SCREENSHOTS / "report.png"), full_page=True)
    context.close()


def test_a_procedure_page_says_what_to_bring_what_it_costs_and_where_to_go(
    server: str, browser: Browser, page: Page
) -> None:
    """The procedure page from the national data: documents as a table (always needed first, the
    cases after, the legal remarks folded), fees and time limit in words, who decides for the
    address typed, every centre of the province nearest first; on a phone in Vietnamese, on a
    desktop in English and French."""
    page.goto(f"{server}/procedures/1.001193")
    expect(page.locator("h1")).to_have_text("Thủ tục đăng ký khai sinh")
    facts = page.locator("#facts")
    expect(facts).to_contain_text("1 ngày làm việc")
    expect(facts).to_contain_text("không có đơn vị")  # the portal's bare "1", said to be unconfirmed
    expect(facts).to_contain_text("Miễn phí")
    expect(facts).not_to_contain_text("; ;")
    first = page.locator("#documents-1 tbody tr").first
    expect(first).to_contain_text("Giấy chứng sinh")
    expect(first).to_contain_text("Bắt buộc")
    expect(page.locator("#documents-1")).to_contain_text("Chỉ khi: trẻ em bị bỏ rơi")
    expect(page.locator("#document-notes")).not_to_have_attribute("open", "")  # remarks folded away
    page.fill("#address", "12 Lê Lợi, P. Bến Nghé, Q.1, TP.HCM")  # an old address
    page.click(".app-where button")
    expect(page.locator("#converted")).to_contain_text("Phường Sài Gòn")
    expect(facts).to_contain_text("Ủy ban nhân dân Phường Sài Gòn")
    expect(page.locator("#nearest li").first).to_contain_text("Phường Sài Gòn")
    page.screenshot(path=str(SCREENSHOTS / "procedure-phone-vi.png"), full_page=True)
    total = page.locator("#all-centres summary").inner_text()
    page.fill("#centre_q", "ben thanh")  # without accents
    page.click(".app-where button")
    expect(page.locator("#centres tbody tr")).to_have_count(1)
    expect(page.locator("#centres")).to_contain_text("Phường Bến Thành")
    assert int("".join(ch for ch in total if ch.isdigit())) > 100  # every centre of the city, not 30

    desktop = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-GB")
    wide = desktop.new_page()
    wide.goto(f"{server}/procedures/1.001612?lang=en")
    expect(wide.locator("h1")).to_have_text("Registration of a business household")
    expect(wide.locator("#facts")).to_contain_text("3 working days")
    expect(wide.locator("#facts")).to_contain_text("₫150,000")
    expect(wide.locator("#facts")).to_contain_text("the provincial People's Council sets the amount")
    expect(wide.locator("#documents-1")).to_contain_text("Giấy đề nghị đăng ký hộ kinh doanh")  # marked lang=vi
    assert wide.locator("#documents-1 td [lang=vi]").count() > 0
    wide.screenshot(path=str(SCREENSHOTS / "procedure-desktop-en.png"), full_page=True)
    wide.goto(f"{server}/procedures/1.001612?lang=fr")
    expect(wide.locator("#facts")).to_contain_text("150 000 ₫")
    expect(wide.locator("#facts")).to_contain_text("3 jours ouvrables")
    wide.goto(f"{server}/procedures?lang=fr")
    expect(wide.locator(".count")).to_contain_text("45 démarches")  # all of them, in pages of 30
    expect(wide.locator(".hits li")).to_have_count(30)
    wide.click("text=Page suivante")
    expect(wide.locator(".hits li")).to_have_count(15)
    desktop.close()


def test_the_province_chosen_is_kept_through_sign_in(server: str, page: Page) -> None:
    page.goto(f"{server}/procedures/1.001612?province=46")  # Huế
    page.click("a.button")
    page.fill("#username", "lan")
    page.fill("#password", "mật-khẩu-đủ-dài")
    page.click("main button[type=submit]")
    expect(page.locator("#province-pick")).to_have_value("46")
    expect(page.locator("#centre")).to_contain_text("Huế")


def test_the_declaration_is_checked_and_labelled_in_the_pages_language(server: str, page: Page) -> None:
    sign_in(page, server, "/dossiers/new/1.001193?lang=en", keep_cookies=False)
    expect(page.locator("label[for=f-child_name]")).to_contain_text("Child's full name")
    expect(page.locator("#f-child_sex option[value='nữ']")).to_have_text("female")
    page.fill("#applicant_name", "Trần Thị Lan")
    page.fill("#applicant_id", "003190000123")  # 003 is no province's code
    page.fill("#subject_address", "Phường Sài Gòn, Thành phố Hồ Chí Minh")
    page.fill("#f-child_name", "Trần Minh An")
    page.select_option("#f-child_sex", "nam")
    page.fill("#f-child_date_of_birth", "2030-01-15")  # in the future
    page.fill("#f-place_of_birth", "Bệnh viện Từ Dũ")
    page.fill("#f-mother-full_name", "Trần Thị Lan")
    page.select_option("#f-relation_to_child", "mẹ")
    page.click("#send")
    expect(page.locator("#problems")).to_contain_text("Date of birth: this date is in the future.")
    expect(page.locator("#problems")).to_contain_text("personal identification number")
    expect(page.locator("#f-child_name")).to_have_value("Trần Minh An")  # nothing typed is lost


def test_the_leader_reads_a_preview_and_confirms_before_signing(server: str, browser: Browser, tmp_path: Path) -> None:
    """The one-stop flow at the agency: the specialist submits the draft decision for signature with
    an assessment; the leader sees it, reads the result before signing, confirms, signs; the
    history names who did what, with their notes."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    page = context.new_page()
    scan = tmp_path / "cccd.pdf"
    scan.write_bytes(PDF)
    code = submit_dossier(page, server, (SERVER_HOME[server] / "centre").read_text(), scan)
    sign_in(page, server, f"/work/dossiers/{code}", user="tiep-nhan")
    step(page, "accept")
    step(page, "transfer")
    sign_in(page, server, f"/work/dossiers/{code}", user="chuyen-vien")
    expect(page.locator("#procedure-name")).to_have_text("Đăng ký thành lập hộ kinh doanh")
    expect(page.locator("#applicant-id")).to_have_text("079190000123")
    expect(page.locator("#declaration")).to_contain_text("Vốn kinh doanh (đồng)")
    expect(page.locator("#facts")).not_to_contain_text(".UBND")  # agencies by name, not code
    step(page, "submit_for_signature", note="Hồ sơ đầy đủ, đề nghị cấp đăng ký.")
    expect(page.locator("#status")).to_have_text("Chờ lãnh đạo ký")

    sign_in(page, server, "/work?view=to_sign", user="chu-tich")
    page.click(f"text={code}")
    expect(page.locator("#proposal")).to_contain_text("chuyen-vien đề xuất: Phê duyệt và ký kết quả")
    expect(page.locator("#proposal")).to_contain_text("Hồ sơ đầy đủ, đề nghị cấp đăng ký.")
    preview = page.request.get(f"{server}/work/dossiers/{code}/preview?outcome=approved")
    assert preview.ok and preview.headers["content-type"] == "application/pdf"
    assert b"/Subject (preview)" in preview.body() and b"/Sig" not in preview.body()  # not signed
    # Without the box ticked the server refuses too (a page whose 'required' was bypassed).
    page.evaluate("document.querySelector('#confirm-approve').removeAttribute('required')")
    page.locator("form[action$='/steps/approve'] button[type=submit]").click()
    expect(page.locator(".notice")).to_contain_text("đánh dấu ô xác nhận")
    expect(page.locator("#status")).to_have_text("Chờ lãnh đạo ký")
    page.screenshot(path=str(SCREENSHOTS / "sign-desktop-vi.png"), full_page=True)
    step(page, "approve")
    expect(page.locator("#status")).to_have_text("Đã xử lý xong, có kết quả")
    history = page.locator("#history")
    expect(history).to_contain_text("chuyen-vien (Chuyên viên xử lý)")
    expect(history).to_contain_text("Hồ sơ đầy đủ, đề nghị cấp đăng ký.")
    expect(history).to_contain_text("chu-tich (Lãnh đạo)")
    context.close()
