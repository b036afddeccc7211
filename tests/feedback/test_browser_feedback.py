"""In Chromium against a real server: a citizen on a phone files feedback with a photo about a place
given by its old address (a wrong phone number named, the text kept), follows it by its code; the
ward's leader, on a desktop, splits off a second matter, accepts, drafts, approves and publishes the
answer; the public page shows it without the sender's data; the citizen, unhappy, asks to reopen;
the leader reopens and answers again; the province's dashboard shows the feedback. Screenshots in
vi, fr and en, on a phone and a desktop."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import pytest

from tests.web.test_browser import SCREENSHOTS, _serve, sign_in

pytestmark = pytest.mark.slow
from playwright.sync_api import Page, expect  # noqa: E402


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with contextlib.ExitStack() as stack:
        yield from _serve(tmp_path_factory.mktemp("feedback-portal"), stack)


def test_a_citizen_files_feedback_and_the_leader_publishes_the_answer(server: str, page: Page) -> None:
    sign_in(page, server, "/feedback/new")
    expect(page).to_have_url(f"{server}/feedback/new")
    page.select_option("#about", "agency")
    page.fill("#about_ref", "26740.UBND")
    page.fill("#place_address", "Phường Bến Nghé, Quận 1, TP. Hồ Chí Minh")  # before 2025: Phường Sài Gòn now
    page.fill("#title", "Đèn đường hỏng trước chợ")
    page.fill("#body", "Đèn đường trước chợ Bến Thành hỏng đã hai tuần, buổi tối rất tối.")
    page.fill("#name", "Trần Thị Lan")
    page.fill("#address", "3 Hàm Nghi, Phường Sài Gòn")
    page.fill("#phone", "123")
    page.click("main form button[type=submit]")
    expect(page.locator("#problems")).to_contain_text("Nhập số điện thoại Việt Nam")  # the page's words
    expect(page.locator("#phone-error")).to_contain_text("Nhập số điện thoại Việt Nam")  # at the field too
    page.click("#problems a[href='#phone']")
    expect(page.locator("#phone")).to_be_focused()
    expect(page.locator("#body")).to_have_value("Đèn đường trước chợ Bến Thành hỏng đã hai tuần, buổi tối rất tối.")
    page.fill("#phone", "0912345678")
    photo = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    page.set_input_files(
        "input[type=file][name=files]", files=[{"name": "den-duong.png", "mimeType": "image/png", "buffer": photo}]
    )
    page.click("main form button[type=submit]")
    expect(page.locator("#filed")).to_be_visible()
    expect(page.locator("#files")).to_contain_text("den-duong.png")
    code = page.locator("h1").inner_text().split()[-1]
    assert code.startswith("PAKN.")
    page.screenshot(path=str(SCREENSHOTS / "feedback-filed-phone-vi.png"), full_page=True)
    for language in ("vi", "fr", "en"):
        page.goto(f"{server}/feedback/new?lang={language}")
        page.screenshot(path=str(SCREENSHOTS / f"feedback-new-phone-{language}.png"), full_page=True)

    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, server, "/work/feedback", user="chu-tich")
    page.goto(f"{server}/work/feedback?lang=vi")
    page.screenshot(path=str(SCREENSHOTS / "feedback-queue-desktop-vi.png"), full_page=True)
    page.select_option("#about", "official")
    page.click("form.filters button[type=submit]")
    expect(page.locator("#feedback-queue")).not_to_contain_text(code)  # filed about an agency
    page.goto(f"{server}/work/feedback?lang=vi")
    page.locator("#feedback-queue a", has_text=code).click()
    expect(page.locator("#status")).to_have_text("Đã tiếp nhận")
    expect(page.locator("#files")).to_contain_text("den-duong.png")
    split = page.locator(f"form[action='/feedback/{code}/steps/split']")
    split.locator("#split-title").fill("Cây xanh nghiêng")
    split.locator("#split-body").fill("Cây xanh trước chợ nghiêng ra đường, sợ đổ khi mưa bão.")
    split.locator("textarea[name=reason]").fill("Hai vấn đề khác nhau")
    split.locator("button[type=submit]").click()
    expect(page.locator("ol.history")).to_contain_text("PAKN.")
    page.screenshot(path=str(SCREENSHOTS / "feedback-work-desktop-vi.png"), full_page=True)
    _answer(page, code, "accept", "Đã thay bóng đèn ngày 5/6.")
    expect(page.locator("#status")).to_have_text("Đã trả lời")

    page.context.clear_cookies()
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{server}/feedback?lang=fr")
    page.fill("#code", code.lower())
    page.click("main form button[type=submit]")
    expect(page.locator("#answer")).to_have_text("Đã thay bóng đèn ngày 5/6.")
    expect(page.locator("main")).not_to_contain_text("Trần Thị Lan")
    expect(page.locator("main")).not_to_contain_text("0912345678")
    for language in ("vi", "fr", "en"):
        page.goto(f"{server}/feedback/track/{code}?lang={language}")
        page.screenshot(path=str(SCREENSHOTS / f"feedback-answer-phone-{language}.png"), full_page=True)

    # Unhappy with the answer, the citizen asks to reopen; the leader reopens and answers again.
    sign_in(page, server, f"/feedback/track/{code}")
    page.goto(f"{server}/feedback/track/{code}?lang=vi")
    reopen = page.locator(f"form[action='/feedback/{code}/steps/request_reopen']")
    reopen.locator("textarea").fill("Đèn lại hỏng sau hai ngày")
    reopen.locator("button[type=submit]").click()
    expect(page.locator("#status")).to_have_text("Yêu cầu xem xét lại")
    page.set_viewport_size({"width": 1280, "height": 900})
    sign_in(page, server, f"/work/feedback/{code}", user="chu-tich")
    _answer(page, code, "accept_reopen", "Đã thay cả bộ đèn ngày 9/6.")
    expect(page.locator("#status")).to_have_text("Đã trả lời")
    page.context.clear_cookies()
    page.goto(f"{server}/feedback/track/{code}")
    expect(page.locator("#answer")).to_have_text("Đã thay cả bộ đèn ngày 9/6.")

    # The province's dashboard: the feedback section, on a desktop and a phone.
    for width, height, device in ((1280, 900, "desktop"), (390, 844, "phone")):
        page.set_viewport_size({"width": width, "height": height})
        for language in ("vi", "fr", "en"):
            page.goto(f"{server}/dashboard/79?lang={language}")
            expect(page.locator("#feedback")).to_be_visible()
            page.locator("#feedback").screenshot(path=str(SCREENSHOTS / f"feedback-dashboard-{device}-{language}.png"))
    expect(page.locator("#feedback-topics")).to_contain_text("An agency or centre")


def _answer(page: Page, code: str, first: str, answer: str) -> None:
    """From the officials' page: ``first`` (accept or reopen), draft ``answer``, approve, publish."""
    for step in (first, "draft_answer", "approve_answer", "publish"):
        form = page.locator(f"form[action='/feedback/{code}/steps/{step}']")
        if step == "draft_answer":
            form.locator("#answer").fill(answer)
        form.locator("button[type=submit]").click()
        expect(page.locator("[role=alert]")).to_have_count(0)
