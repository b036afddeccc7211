"""The counter digitises a paper dossier and the citizen reuses its result, in real Chromium against a
real server and a real ``motcua worker`` (OCR by OCRmyPDF and Tesseract): the officer receives a
paper land registration, sends a skewed three-page scan, follows its reading, confirms the
suggested fields, the dossier is decided and its signed result lands in the citizen's store; the
citizen starts a building permit, which asks for that certificate, and reuses it without uploading
anything; the province's index shows the digitisation group moving. Then, on a phone, the officer
receives her next permit at the counter and reuses the certificate from her store."""

from __future__ import annotations

import contextlib
import os
import random
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.digitisation.test_ocr import pytestmark as _ocr  # noqa: F401 (skips without ocrmypdf)
from tests.web.test_browser import SCREENSHOTS, SERVER_HOME, _serve, sign_in, step

pytestmark = pytest.mark.slow
from playwright.sync_api import Browser, expect  # noqa: E402

from motcua.digitisation.specimens import pages, papers, scanned  # noqa: E402


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The portal and its background worker, sharing one database and one file store."""
    with contextlib.ExitStack() as stack:
        for base in _serve(tmp_path_factory.mktemp("digitisation"), stack):
            home = SERVER_HOME[base]
            env = {
                **os.environ,
                "MOTCUA_DATABASE_URL": f"sqlite:///{home / 'motcua.sqlite3'}",
                "MOTCUA_DATA_DIR": str(home),
                "MOTCUA_STORAGE_DIR": str(home / "files"),
            }
            worker = subprocess.Popen(
                [sys.executable, "-m", "motcua.cli", "worker", "--interval", "0.5"],
                env=env,
                cwd=home,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            try:
                yield base
            finally:
                worker.terminate()
                worker.wait(10)


def _scans(folder: Path) -> list[str]:
    """Three paper pages, scanned a little askew, specked and saved as poor JPEGs."""
    rng = random.Random(21)
    files = []
    for i, paper in enumerate(papers(seed=31)):
        path = folder / f"trang-{i + 1}.jpg"
        path.write_bytes(scanned(pages(paper.pdf)[0], rng, skew=(3.0, -2.5, 3.5)[i]))
        files.append(str(path))
    return files


def test_a_paper_dossier_is_digitised_and_its_result_reused(server: str, browser: Browser, tmp_path: Path) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    page = context.new_page()
    sign_in(page, server, "/dossiers/new/1.012753", user="tiep-nhan")  # a land registration at the counter
    page.fill("#applicant_name", "Trần Thị Lan")
    page.fill("#applicant_id", "079190000123")  # the citizen "lan" below
    page.fill("#subject_address", "3 Hàm Nghi, Phường Sài Gòn, Thành phố Hồ Chí Minh")
    page.fill("#f-parcel_address", "3 Hàm Nghi, Phường Sài Gòn")
    page.fill("#f-area_m2", "96,4")
    page.fill("#f-land_use", "Đất ở tại đô thị")
    page.click("#send")
    expect(page.locator("#status")).to_have_text("Đã tiếp nhận")
    code = page.locator("#dossier-code").inner_text()

    # The officer sends the paper's three pages; they are read in the background.
    page.select_option("#scan-component", index=1)
    component = page.locator("#scan-component").input_value()
    page.set_input_files("input[type=file][name=files]", _scans(tmp_path))
    page.click("#scan-form button[type=submit]")
    # Queued, or already being read when the background reader was quicker than the page.
    expect(page.locator(".scan-status").first).to_have_attribute("data-status", re.compile("^(queued|running)$"))
    expect(page.locator("#scan-progress")).to_contain_text("đã được đọc xong", timeout=120_000)
    page.click("#scan-progress a")
    expect(page.locator(".scan-status").first).to_have_attribute("data-status", "read")
    page.screenshot(path=str(SCREENSHOTS / "digitisation-suggestions-vi.png"), full_page=True)
    truth = papers(seed=31)[0].fields
    form = page.locator("form[action$='/confirm']")
    expect(form.locator("input[name=id_number]")).to_have_value(truth["id_number"])
    expect(form.locator("input[name=full_name]")).to_have_value(truth["full_name"])
    expect(form.locator("input[name=date_of_birth]")).to_have_value(truth["date_of_birth"])
    expect(form).to_contain_text("đã chuyển sang đơn vị hành chính mới")  # the old address, converted
    form.locator("input[name=id_number]").fill("079190000123")  # the officer corrects it to the applicant
    form.locator("button[type=submit]").click()
    expect(page.locator(".scan-status").first).to_have_attribute("data-status", "confirmed")
    expect(page.locator("#history")).to_contain_text("Số hóa thành phần hồ sơ")
    assert component

    step(page, "transfer")
    sign_in(page, server, f"/work/dossiers/{code}", user="chu-tich")
    step(page, "approve")

    # The citizen finds the certificate in their store and reuses it for a building permit.
    sign_in(page, server, "/my/documents")
    expect(page.locator("#documents")).to_contain_text("Giấy chứng nhận quyền sử dụng đất")
    with page.expect_download() as got:
        page.locator("#documents a", has_text="Tải về").first.click()
    assert Path(got.value.path()).read_bytes().startswith(b"%PDF")
    page.goto(f"{server}/dossiers/new/1.013225?province=79")
    offer = page.locator("#reuse input[name=reuse]")
    expect(offer).to_have_count(1)
    offer.check()
    page.fill("#applicant_name", "Trần Thị Lan")
    page.fill("#applicant_id", "079190000123")
    page.fill("#subject_address", "3 Hàm Nghi, Phường Sài Gòn, Thành phố Hồ Chí Minh")
    page.select_option("#centre", (SERVER_HOME[server] / "centre").read_text())
    page.fill("#f-site_address", "3 Hàm Nghi, Phường Sài Gòn")
    page.select_option("#f-works_type", "nhà ở riêng lẻ")
    page.fill("#f-floor_area_m2", "245,5")
    page.fill("#f-floors", "4")
    page.screenshot(path=str(SCREENSHOTS / "reuse-offer-vi.png"), full_page=True)
    page.click("#send")  # no file uploaded
    expect(page.locator(".sent")).to_be_visible()
    permit = page.locator("#dossier-code").inner_text()
    sign_in(page, server, f"/work/dossiers/{permit}", user="tiep-nhan")
    expect(page.locator("#reused")).to_contain_text("Giấy chứng nhận quyền sử dụng đất")

    page.goto(f"{server}/dashboard/79")
    expect(page.locator("#indicator-reuse_rate strong")).not_to_have_text("0,0%")
    expect(page.locator("#indicator-digitisation_rate strong")).not_to_have_text("0,0%")
    expect(page.locator("#indicator-results_published_rate")).to_contain_text("chưa đo")
    page.screenshot(path=str(SCREENSHOTS / "index-groups-vi.png"), full_page=True)
    context.close()

    # At the counter, on a phone: Lan comes in person for another permit. The officer looks up her store
    # (the page in each language), ticks the certificate with her agreement, and Enter in the last field
    # sends the dossier (the look-up is not the form's default button).
    phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = phone.new_page()
    sign_in(page, server, "/dossiers/new/1.013225", user="tiep-nhan")
    for lang in ("en", "fr", "vi"):
        page.goto(f"{server}/dossiers/new/1.013225?lang={lang}")
        page.fill("#applicant_name", "Trần Thị Lan")
        page.fill("#applicant_id", "079190000123")
        page.click("button[name=store_lookup]")
        offer = page.locator("#reuse input[name=reuse]")
        expect(offer).to_have_count(1)
        expect(page.locator("#applicant_name")).to_have_value("Trần Thị Lan")
        page.locator("#store").scroll_into_view_if_needed()
        page.screenshot(path=str(SCREENSHOTS / f"counter-reuse-phone-{lang}.png"))
    offer.check()
    page.fill("#subject_address", "3 Hàm Nghi, Phường Sài Gòn, Thành phố Hồ Chí Minh")
    page.fill("#f-site_address", "5 Hàm Nghi, Phường Sài Gòn")
    page.select_option("#f-works_type", "nhà ở riêng lẻ")
    page.fill("#f-floor_area_m2", "80")
    page.fill("#f-floors", "2")
    page.press("#f-floors", "Enter")
    expect(page.locator("#status")).to_have_text("Đã tiếp nhận")
    expect(page.locator("#reused")).to_contain_text("Giấy chứng nhận quyền sử dụng đất")
    phone.close()
