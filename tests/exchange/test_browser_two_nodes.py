"""Feedback across two real nodes, in Chromium: the national portal and the node of province 79, each a
``motcua serve`` and a ``motcua worker`` on its own database, talking signed HTTP over the loopback.

A citizen whose dossier (submitted at the national portal) is late files feedback about it at the
national portal, on a phone; it reaches the ward that decides the dossier; its leader finds it
outside the ward's competence and forwards it; the competent ward asks for more information, which
the citizen gives at the national portal; the answer is drafted, approved and published with the
question redacted; the citizen, unhappy, rates it and asks to reopen; the ward reopens and answers
again. The national portal's public answers find it typed without accents; the province's index
counts the dossier as complained about and its dashboard shows the feedback."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from motcua import clock, db
from motcua.accounts.service import create_user, issue_token
from motcua.catalog.models import ServiceCentre
from motcua.demo import prepare_demo
from motcua.exchange.models import DossierMirror, FeedbackDelivery, FeedbackMirror, Member
from motcua.exchange.signing import new_key, public_jwk
from motcua.feedback.models import FeedbackMessage
from tests.exchange.network import NodeProcess, free_port
from tests.web.test_browser import OFFICIAL_PASSWORD, SCREENSHOTS

pytestmark = pytest.mark.slow
from playwright.sync_api import Page, expect  # noqa: E402

SAI_GON, BEN_THANH = "26740", "26743"  # the ward deciding the dossier, the ward competent for the matter
CITIZEN_PASSWORD = "mật-khẩu-đủ-dài"
PHONE = "0912345678"


def _wait(what: str, condition: Callable[[], object], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.3)


@pytest.fixture(scope="module")
def two_nodes(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, object]]:
    home = tmp_path_factory.mktemp("two-nodes")
    logs = home / "logs"
    logs.mkdir()
    urls = {member: f"sqlite:///{home / (member + '.sqlite3')}" for member in ("national", "province-79")}
    keys = {member: new_key() for member in urls}
    nodes = {
        member: NodeProcess(member, url, home / f"{member}.jwk", free_port(), logs) for member, url in urls.items()
    }
    factories = {}
    for member, url in urls.items():
        prepare_demo(url, dossiers=0)
        factories[member] = db.session_factory(db.make_engine(url))
        nodes[member].key_file.write_text(json.dumps(keys[member].as_dict(private=True)))
    with db.transaction(factories["national"]) as s:
        s.add(Member(identifier="province-79", role="province", province_code="79",
                     base_url=nodes["province-79"].url, public_jwk=public_jwk(keys["province-79"])))  # fmt: skip
        citizen = create_user(s, "lan", "citizen", full_name="Trần Thị Lan", password=CITIZEN_PASSWORD,
                              personal_id="079190000123")  # fmt: skip
        s.flush()
        citizen_token = issue_token(s, citizen)
    with db.transaction(factories["province-79"]) as s:
        s.add(Member(identifier="national", role="national", base_url=nodes["national"].url,
                     public_jwk=public_jwk(keys["national"])))  # fmt: skip
        centre = s.scalars(select(ServiceCentre.identifier).where(ServiceCentre.commune_code == SAI_GON)).one()
        reception = create_user(s, "tiep-nhan", "reception_officer", unit_code=centre, password=OFFICIAL_PASSWORD)
        for username, unit in (("chu-tich", f"{SAI_GON}.UBND"), ("chu-tich-bt", f"{BEN_THANH}.UBND")):
            create_user(s, username, "leader", unit_code=unit, full_name=username, password=OFFICIAL_PASSWORD)
        s.flush()
        reception_token = issue_token(s, reception)
    for node in nodes.values():
        node.start()
    try:
        yield {
            "national": nodes["national"].url,
            "province": nodes["province-79"].url,
            "factories": factories,
            "centre": centre,
            "tokens": {"citizen": citizen_token, "reception": reception_token},
        }
    finally:
        for node in nodes.values():
            node.stop()


def _sign_in(page: Page, base: str, next_path: str, user: str) -> None:
    page.context.clear_cookies()
    page.goto(f"{base}/signin?next={next_path}")
    page.fill("#username", user)
    page.fill("#password", CITIZEN_PASSWORD if user == "lan" else OFFICIAL_PASSWORD)
    page.click("main button[type=submit]")


def _step(page: Page, code: str, step: str, **fields: str) -> None:
    """One step from an official's page of the message: its form's fields filled, then sent."""
    form = page.locator(f"form[action='/feedback/{code}/steps/{step}']")
    for name, value in fields.items():
        form.locator(f"[name={name}]").fill(value)
    form.locator("button[type=submit]").click()
    expect(page.locator("[role=alert]")).to_have_count(0)


def test_feedback_filed_at_the_national_portal_is_answered_by_the_province(
    two_nodes: dict[str, object], page: Page
) -> None:
    national, province = str(two_nodes["national"]), str(two_nodes["province"])
    factories: dict[str, sessionmaker[Session]] = two_nodes["factories"]  # type: ignore[assignment]
    tokens: dict[str, str] = two_nodes["tokens"]  # type: ignore[assignment]

    # A dossier submitted at the national portal, delivered to the province and accepted there.
    submitted = httpx.post(
        f"{national}/api/v1/dossiers",
        json={
            "procedure_code": "1.001612",
            "centre": two_nodes["centre"],
            "subject_commune_code": SAI_GON,
            "form": {
                "business_name": "Quán cơm Cô Lan",
                "business_address": "3 Hàm Nghi",
                "activities": ["Ăn uống"],
                "capital_vnd": 80_000_000,
            },
            "applicant": {"kind": "citizen", "id_number": "079190000123", "name": "Trần Thị Lan"},
        },
        headers={"Authorization": f"Bearer {tokens['citizen']}"},
        timeout=30,
    )
    assert submitted.status_code == 201, submitted.text
    dossier = submitted.json()["code"]
    _wait("the dossier's delivery", lambda: httpx.get(f"{national}/api/v1/track/{dossier}").json().get("status_code"))

    def province_code_of_dossier() -> str | None:
        with factories["national"]() as s:
            mirror = s.get(DossierMirror, dossier)
            return mirror.dossier_code if mirror is not None else None

    _wait("the province's code of the dossier", province_code_of_dossier)
    local_dossier = province_code_of_dossier()
    accepted = httpx.post(
        f"{province}/api/v1/dossiers/{local_dossier}/transitions/accept",
        json={},
        headers={"Authorization": f"Bearer {tokens['reception']}"},
    )
    assert accepted.status_code == 200, accepted.text

    # On a phone, at the national portal: feedback about the late dossier.
    _sign_in(page, national, "/feedback/new", "lan")
    expect(page).to_have_url(f"{national}/feedback/new")
    page.select_option("#about", "dossier")
    page.fill("#about_ref", dossier)
    page.fill("#title", "Hồ sơ đăng ký hộ kinh doanh quá hạn")
    page.fill("#body", f"Hồ sơ {dossier} đã quá hẹn mà chưa có kết quả. Gọi tôi số {PHONE}.")
    page.fill("#name", "Trần Thị Lan")
    page.fill("#address", "3 Hàm Nghi, Phường Sài Gòn")
    page.fill("#phone", PHONE)
    page.click("main form button[type=submit]")
    expect(page.locator("#filed")).to_be_visible()
    code = page.locator("h1").inner_text().split()[-1]
    assert code.startswith("PAKN.")

    def at_province() -> FeedbackMessage | None:
        with factories["province-79"]() as s:
            delivery = s.get(FeedbackDelivery, code)
            if delivery is None:
                return None
            return s.scalars(select(FeedbackMessage).where(FeedbackMessage.code == delivery.feedback_code)).one()

    def mirrored(status: str) -> Callable[[], bool]:
        def check() -> bool:
            with factories["national"]() as s:
                mirror = s.get(FeedbackMirror, code)
                return mirror is not None and mirror.status == status

        return check

    _wait("the delivery to the province", at_province)
    message = at_province()
    assert message is not None and message.agency_code.startswith(SAI_GON) and message.about == "dossier"
    local = message.code

    # At the province, on a desktop: the deciding ward forwards it to the competent ward.
    page.set_viewport_size({"width": 1280, "height": 900})
    _sign_in(page, province, f"/work/feedback/{local}", "chu-tich")
    expect(page.locator("#status")).to_have_text("Đã tiếp nhận")
    _step(page, local, "forward", agency=f"{BEN_THANH}.UBND", reason="Cửa hàng nằm ở phường Bến Thành")
    _sign_in(page, province, f"/work/feedback/{local}", "chu-tich-bt")
    _step(page, local, "accept")
    _step(page, local, "request_info", reason="Cho biết ngày hẹn ghi trên giấy tiếp nhận")
    expect(page.locator("#status")).to_have_text("Đề nghị bổ sung thông tin")
    _wait("the request reported to the national node", mirrored("info_requested"))

    # The citizen answers at the national portal.
    page.set_viewport_size({"width": 390, "height": 844})
    _sign_in(page, national, f"/feedback/track/{code}", "lan")
    page.locator(f"form[action='/feedback/{code}/steps/provide_info'] textarea").fill("Hẹn trả ngày 3/12")
    page.locator(f"form[action='/feedback/{code}/steps/provide_info'] button[type=submit]").click()
    _wait("the answer at the province", lambda: (m := at_province()) is not None and m.status == "handling")

    page.set_viewport_size({"width": 1280, "height": 900})
    _sign_in(page, province, f"/work/feedback/{local}", "chu-tich-bt")
    _step(page, local, "draft_answer", answer="Hồ sơ đã được giải quyết; mời bà nhận kết quả tại Trung tâm.")
    _step(page, local, "approve_answer")
    _step(page, local, "publish")
    _wait("the answer reported to the national node", mirrored("published"))

    # The answer at the national portal: the question without the phone number.
    page.set_viewport_size({"width": 390, "height": 844})
    page.context.clear_cookies()
    page.goto(f"{national}/feedback/track/{code}")
    expect(page.locator("#answer")).to_contain_text("mời bà nhận kết quả")
    expect(page.locator("main")).not_to_contain_text(PHONE)
    for language in ("vi", "fr", "en"):
        page.goto(f"{national}/feedback/track/{code}?lang={language}")
        page.screenshot(path=str(SCREENSHOTS / f"feedback-national-answer-phone-{language}.png"), full_page=True)

    # Unhappy, the citizen rates the answer and asks to reopen; the ward reopens and answers again.
    _sign_in(page, national, f"/feedback/track/{code}", "lan")
    page.goto(f"{national}/feedback/track/{code}?lang=vi")
    rate = page.locator(f"form[action='/feedback/{code}/steps/rate']")
    rate.locator("select").select_option("dissatisfied")
    rate.locator("button[type=submit]").click()
    _wait("the rating at the province", lambda: (m := at_province()) is not None and m.rating == "dissatisfied")
    page.goto(f"{national}/feedback/track/{code}?lang=vi")
    reopen = page.locator(f"form[action='/feedback/{code}/steps/request_reopen']")
    reopen.locator("textarea").fill("Đến Trung tâm nhưng chưa có kết quả")
    reopen.locator("button[type=submit]").click()
    _wait(
        "the reopening asked at the province",
        lambda: (m := at_province()) is not None and m.status == "reopen_requested",
    )

    page.set_viewport_size({"width": 1280, "height": 900})
    _sign_in(page, province, f"/work/feedback/{local}", "chu-tich-bt")
    for step in ("accept_reopen", "draft_answer", "approve_answer", "publish"):
        fields = (
            {"answer": "Kết quả đã chuyển về bộ phận trả kết quả ngày 7/12; xin lỗi bà."}
            if step == "draft_answer"
            else {}
        )
        _step(page, local, step, **fields)

    def answered_again() -> bool:
        with factories["national"]() as s:
            mirror = s.get(FeedbackMirror, code)
            return mirror is not None and mirror.status == "published" and "xin lỗi" in (mirror.answer or "")

    _wait("the second answer at the national node", answered_again)

    # The national portal's public answers, typed without accents.
    page.set_viewport_size({"width": 390, "height": 844})
    page.context.clear_cookies()
    page.goto(f"{national}/feedback/answers?q=ho so quá han")
    expect(page.locator("main")).to_contain_text("xin lỗi bà")
    expect(page.locator("main")).not_to_contain_text(PHONE)
    page.screenshot(path=str(SCREENSHOTS / "feedback-national-answers-phone-vi.png"), full_page=True)

    # The province's numbers: the dossier complained about, the feedback reopened.
    today = clock.today()
    period = {"from": (today - timedelta(days=1)).isoformat(), "to": (today + timedelta(days=1)).isoformat()}
    index = httpx.get(f"{province}/api/v1/indicators/index", params={**period, "level": "commune", "province": "79"})
    by_commune = {r["unit"]: r for r in index.json()}
    assert by_commune[SAI_GON]["complained"] == 1, by_commune.get(SAI_GON)
    figures = httpx.get(f"{province}/api/v1/indicators/feedback", params={**period, "by": "agency", "province": "79"})
    by_agency = {r["key"]: r for r in figures.json()}
    assert by_agency[f"{BEN_THANH}.UBND"]["reopened"] == 1 and by_agency[f"{BEN_THANH}.UBND"]["published"] == 2
    assert by_agency[f"{SAI_GON}.UBND"]["forwarded"] == 1
    page.goto(f"{province}/dashboard/79?lang=vi")
    expect(page.locator("#feedback")).to_be_visible()
