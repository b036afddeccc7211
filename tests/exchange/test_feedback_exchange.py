"""deliverFeedback and reportFeedbackStatus between the national node and a provincial node (in one
process, over the exchange's signed HTTP): a citizen files at the national portal about an agency of
the province; the province receives it once, its officials forward, answer and publish it; every step
comes back in order, without personal data, and the citizen follows it at the national node."""

from __future__ import annotations

import hashlib
import itertools
import uuid
from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest
from sqlalchemy import Engine, func, select

from motcua import clock, db
from motcua.accounts.service import create_user, issue_token
from motcua.exchange.models import FeedbackDelivery, FeedbackMirror, OutboxMessage, utc_now
from motcua.exchange.signing import sign
from motcua.feedback import messages as fb
from motcua.feedback.models import FeedbackAttachment, FeedbackMessage, FeedbackSequence
from tests.dossiers.helpers import SAI_GON, World, calendar_for
from tests.exchange.nodes import NATIONAL_URL, Pair, drain, paired

NUMBERING = itertools.count(100, 100)  # each test's national node numbers from its own hundred
FILED = {
    "about": "agency",
    "about_ref": f"{SAI_GON}.UBND",
    "title": "Vỉa hè bị lấn chiếm",
    "body": "Vỉa hè trước số 12 Lê Lợi bị lấn chiếm; gọi tôi 0901234567.",
    "sender": {"name": "Nguyễn Văn An", "address": "12 Lê Lợi", "phone": "0901234567", "show_name": False},
    "commune_code": SAI_GON,
}


@pytest.fixture
def nodes(
    engine: Engine, database_url: str, empty_database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Pair]:
    with paired(database_url, empty_database_url, tmp_path, monkeypatch) as nodes:
        # Each test's national node is a new database, the province's is shared: the national numbering
        # starts past what earlier tests delivered there (one national node never gives a code twice).
        with db.transaction(nodes.national_factory) as s:
            s.add(FeedbackSequence(node="", day=clock.today(), last=next(NUMBERING)))
        yield nodes


def _act(p: Pair, code: str, step: str, who: str, tag: str, **payload: object) -> None:
    with db.transaction(p.province_factory) as s:
        world = World(s, f"{tag}-{step}")
        actor = {"leader": world.leader, "other": world.other_leader}[who]
        fb.act(s, actor, code, step, clock.now(), calendar_for, dict(payload))


def test_feedback_filed_nationally_is_answered_by_its_province_and_followed_nationally(nodes: Pair) -> None:
    p, tag = nodes, f"fbx-{uuid.uuid4().hex[:8]}"
    with db.transaction(p.national_factory) as s:
        token = issue_token(s, create_user(s, f"{tag}-citizen", "citizen", personal_id="079123456789"))
    auth = {"Authorization": f"Bearer {token}"}
    filed = p.national_client().post("/api/v1/feedback", json=FILED, headers=auth)
    assert filed.status_code == 201, filed.text
    code = filed.json()["code"]
    assert code.startswith("PAKN.") and filed.json()["sent_to"] == "province-79"
    bad = p.national_client().post("/api/v1/feedback", json={**FILED, "title": "x"}, headers=auth)
    assert bad.status_code == 422 and "title" in " ".join(bad.json()["error"]["details"]["problems"])

    assert drain(p.national_factory, p.client, p.national) == 1  # the delivery
    with p.province_factory() as s:
        delivery = s.get(FeedbackDelivery, code)
        assert delivery is not None
        m = s.scalars(select(FeedbackMessage).where(FeedbackMessage.code == delivery.feedback_code)).one()
        assert (m.status, m.channel, m.agency_code, m.sender_phone) == (
            "received",
            "online",
            f"{SAI_GON}.UBND",
            "0901234567",
        )
        local = m.code
    assert drain(p.province_factory, p.client, p.province) == 1  # its first step, reported
    with p.national_factory() as s:
        mirror = s.get(FeedbackMirror, code)
        assert mirror is not None and (mirror.feedback_code, mirror.status, mirror.last_sequence) == (
            local,
            "received",
            1,
        )
        assert mirror.due_on is not None and mirror.delivered_at is not None

    with pytest.raises(fb.FeedbackError) as refused:  # Hà Nội's ward works on Hà Nội's own node
        _act(p, local, "forward", "leader", tag, agency="00004.UBND", reason="Thuộc Hà Nội")
    assert refused.value.code == "other_province"
    _act(p, local, "forward", "leader", tag, agency="25747.UBND", reason="Thuộc phường khác")
    _act(p, local, "accept", "other", tag)
    _act(p, local, "draft_answer", "other", tag, answer="Đã yêu cầu trả lại vỉa hè trước ngày 15.")
    _act(p, local, "approve_answer", "other", tag)
    _act(p, local, "publish", "other", tag)
    assert drain(p.province_factory, p.client, p.province) == 5  # in order
    tracked = p.national_client().get(f"/api/v1/public/feedback/{code}")
    seen = tracked.json()
    assert tracked.status_code == 200 and seen["status"] == "published" and seen["agency"] == "25747.UBND"
    assert (
        seen["answer"].startswith("Đã yêu cầu")
        and "0901234567" not in tracked.text
        and "Nguyễn Văn An" not in tracked.text
    )
    page = p.national_client().get(f"/feedback/track/{code.lower()}")
    assert page.status_code == 200 and "Đã yêu cầu trả lại vỉa hè" in page.text
    # The national portal's public answers list it, found without accents, with no personal data.
    listed = p.national_client().get("/api/v1/feedback/published", params={"q": "via he lan chiem", "province": "79"})
    assert [a["code"] for a in listed.json()["items"]] == [code], listed.text
    assert listed.json()["items"][0]["agency"] == "25747.UBND" and "0901234567" not in listed.text
    assert p.national_client().get("/api/v1/feedback/published", params={"province": "01"}).json()["items"] == []
    answers = p.national_client().get("/feedback/answers", params={"q": "via he"})
    assert "Đã yêu cầu trả lại vỉa hè" in answers.text and "Nguyễn Văn An" not in answers.text
    with p.province_factory() as s:  # at the province, the national code finds the message too
        assert (
            s.scalar(select(func.count()).select_from(FeedbackDelivery).where(FeedbackDelivery.reference == code)) == 1
        )

    # The delivery sent again (its acknowledgement lost): the same message, once.
    with db.transaction(p.national_factory) as s:
        again = s.scalars(
            select(OutboxMessage).where(
                OutboxMessage.dossier_code == code, OutboxMessage.operation == "deliverFeedback"
            )
        ).one()
        again.state, again.next_attempt_at = "pending", utc_now()
    assert drain(p.national_factory, p.client, p.national) == 1
    with p.province_factory() as s:
        assert (
            s.scalar(
                select(func.count())
                .select_from(FeedbackMessage)
                .where(
                    FeedbackMessage.title == FILED["title"],
                    FeedbackMessage.channel == "online",
                    FeedbackMessage.code == local,
                )
            )
            == 1
        )

    # Reports out of order, about another's message, or off the contract are refused.
    path = f"/exchange/v1/feedback/{code}/status"
    report = {
        "reference": code,
        "feedbackCode": local,
        "sequence": 9,
        "status": "published",
        "at": "2026-12-04T10:00:00+07:00",
    }
    for body, expected, key, member in (
        (report, 409, p.province.key, p.province.member),
        ({**report, "sequence": 3}, 200, p.province.key, p.province.member),  # already applied
        ({**report, "status": "lost"}, 400, p.province.key, p.province.member),
    ):
        raw = orjson.dumps(body)
        answer = p.client.post(NATIONAL_URL + path, content=raw, headers=sign(key, member, "POST", path, raw))
        assert answer.status_code == expected, (body, answer.text)
    with p.national_factory() as s:
        assert s.get(FeedbackMirror, code).last_sequence == 6  # type: ignore[union-attr]


def test_the_sender_answers_rates_and_reopens_from_the_national_portal(nodes: Pair) -> None:
    p, tag = nodes, f"fbs-{uuid.uuid4().hex[:8]}"
    with db.transaction(p.national_factory) as s:
        token = issue_token(s, create_user(s, f"{tag}-citizen", "citizen", personal_id="079123456789"))
        stranger = issue_token(s, create_user(s, f"{tag}-stranger", "citizen", personal_id="001098765432"))
    auth = {"Authorization": f"Bearer {token}"}
    code = p.national_client().post("/api/v1/feedback", json=FILED, headers=auth).json()["code"]
    drain(p.national_factory, p.client, p.national)
    with p.province_factory() as s:
        local = s.get(FeedbackDelivery, code).feedback_code  # type: ignore[union-attr]
    _act(p, local, "accept", "leader", tag)
    _act(p, local, "request_info", "leader", tag, reason="Ảnh chụp hiện trường")
    drain(p.province_factory, p.client, p.province)

    def step(name: str, who: dict[str, str] = auth, **payload: object) -> object:
        return p.national_client().post(f"/api/v1/feedback/{code}/transitions/{name}", json=payload, headers=who)

    early = step("rate", value="satisfied")
    assert early.status_code == 409 and early.json()["error"]["code"] == "wrong_state"  # not published yet
    assert step("provide_info", {"Authorization": f"Bearer {stranger}"}, info="x").status_code == 404

    # The photo asked for, sent through the API after the delivery: kept at the national node, then
    # fetched by the province and attached to its message. Refused at once if it is not a photo.
    def attach(name: str, data: bytes, who: dict[str, str] = auth) -> object:
        return p.national_client().post(
            f"/api/v1/feedback/{code}/attachments", files={"file": (name, data)}, headers=who
        )

    photo = b"\x89PNG\r\n\x1a\n" + b"\x01" * 64
    assert attach("anh.png", photo, {"Authorization": f"Bearer {stranger}"}).status_code == 404  # type: ignore[attr-defined]
    bad = attach("anh.pdf", b"not a pdf at all")
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "attachment_type"  # type: ignore[attr-defined]
    added = attach("hien-truong.png", photo)
    assert added.status_code == 202, added.text  # type: ignore[attr-defined]
    assert added.json()["sent_to"] == "province-79" and added.json()["sha256"] == hashlib.sha256(photo).hexdigest()  # type: ignore[attr-defined]
    listed = p.national_client().get(f"/api/v1/feedback/{code}/attachments", headers=auth).json()
    assert [f["name"] for f in listed] == ["hien-truong.png"]
    sent = step("provide_info", info="Ảnh đã chụp lúc 7 giờ sáng")
    assert sent.status_code == 200 and sent.json()["sent_to"] == "province-79", sent.text  # type: ignore[attr-defined]
    drain(p.national_factory, p.client, p.national)
    with p.province_factory() as s:
        m = s.scalars(select(FeedbackMessage).where(FeedbackMessage.code == local)).one()
        assert m.status == "handling" and m.stage == "handle"
        files = s.execute(
            select(FeedbackAttachment.name, FeedbackAttachment.sha256).where(FeedbackAttachment.message_id == m.id)
        )
        assert [tuple(f) for f in files] == [("hien-truong.png", hashlib.sha256(photo).hexdigest())]
    for name, payload in (("draft_answer", {"answer": "Đã xử lý."}), ("approve_answer", {}), ("publish", {})):
        _act(p, local, name, "leader", tag, **payload)
    drain(p.province_factory, p.client, p.province)
    assert step("request_reopen", reason="Vỉa hè vẫn bị lấn chiếm").status_code == 200  # type: ignore[attr-defined]
    drain(p.national_factory, p.client, p.national)
    _act(p, local, "accept_reopen", "leader", tag)
    drain(p.province_factory, p.client, p.province)
    with p.national_factory() as s:
        mirror = s.get(FeedbackMirror, code)
        assert mirror is not None and (mirror.status, mirror.stage) == ("handling", "handle")
    seen = p.national_client().get(f"/api/v1/public/feedback/{code}").json()
    assert seen["status"] == "handling"
    mine = p.national_client().get("/api/v1/feedback", headers=auth).json()["items"]
    assert [(m["code"], m["status"]) for m in mine] == [(code, "handling")]  # "my feedback" at the national node


def test_the_national_portal_pages_file_and_follow_a_delivered_message(
    nodes: Pair, monkeypatch: pytest.MonkeyPatch
) -> None:
    import re

    from tests.web.test_hardening import _sign_in

    p, tag = nodes, f"fbp-{uuid.uuid4().hex[:8]}"
    with db.transaction(p.national_factory) as s:
        create_user(s, f"{tag}-citizen", "citizen", password="đúng-mật-khẩu", personal_id="079123456789")
    page = p.national_client()
    _sign_in(page, f"{tag}-citizen", "đúng-mật-khẩu")
    form = page.get("/feedback/new")
    csrf = re.search(r'name="csrf" value="([^"]+)"', form.text).group(1)  # type: ignore[union-attr]
    fields = {
        "csrf": csrf, "about": "agency", "about_ref": f"{SAI_GON}.UBND", "commune_code": SAI_GON,
        "title": "Thiếu chỗ để xe", "body": "Trung tâm không có chỗ để xe máy cho người dân.",
        "name": "Trần Thị Bình", "address": "5 Lê Lợi", "phone": "0901234567",
    }  # fmt: skip
    photo_bytes = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
    photo = [("files", ("a.png", photo_bytes, "image/png"))]
    fake = [("files", ("b.pdf", b"not a pdf at all", "application/pdf"))]
    refused = page.post("/feedback/new", data=fields, files=fake)
    assert refused.status_code == 422 and "b.pdf" in refused.text  # the file named, nothing filed
    assert "Trung tâm không có chỗ để xe máy" in refused.text  # what was typed is kept
    filed = page.post("/feedback/new", data=fields, files=photo, follow_redirects=False)
    assert filed.status_code == 303, filed.text
    code = filed.headers["location"].split("/")[-1].split("?")[0]
    with p.national_factory() as s:
        assert s.get(FeedbackMirror, code) is not None
    drain(p.national_factory, p.client, p.national)
    with p.province_factory() as s:  # the photo came with it, fetched from the national node
        local = s.get(FeedbackDelivery, code).feedback_code  # type: ignore[union-attr]
        m = s.scalars(select(FeedbackMessage).where(FeedbackMessage.code == local)).one()
        sent = s.execute(
            select(FeedbackAttachment.name, FeedbackAttachment.sha256).where(FeedbackAttachment.message_id == m.id)
        )
        assert [tuple(row) for row in sent] == [("a.png", hashlib.sha256(photo_bytes).hexdigest())]
    _act(p, local, "accept", "leader", tag)
    _act(p, local, "request_info", "leader", tag, reason="Ảnh chụp khu vực")
    drain(p.province_factory, p.client, p.province)
    tracked = page.get(f"/feedback/track/{code}")
    assert f"/feedback/{code}/steps/provide_info" in tracked.text
    assert code in page.get("/feedback").text  # "my feedback"
    csrf = re.search(r'name="csrf" value="([^"]+)"', tracked.text).group(1)  # type: ignore[union-attr]
    sent = page.post(
        f"/feedback/{code}/steps/provide_info", data={"csrf": csrf, "info": "Ảnh gửi sau"}, follow_redirects=False
    )
    assert sent.status_code == 303 and sent.headers["location"].endswith("?sent=1")
    drain(p.national_factory, p.client, p.national)
    with p.province_factory() as s:
        assert s.scalars(select(FeedbackMessage.status).where(FeedbackMessage.code == local)).one() == "handling"


def test_answers_published_at_the_province_are_listed_by_the_national_portal(nodes: Pair) -> None:
    """A message filed at the province's own portal: its answer, once published, is listed by the
    national public answers (public text only), withdrawn when the message is reopened, listed again
    when answered again; a report older than what is listed changes nothing."""
    p, tag = nodes, f"fba-{uuid.uuid4().hex[:8]}"
    title = f"Cống thoát nước bị tắc {tag}"
    with db.transaction(p.province_factory) as s:
        world = World(s, tag)
        sender = fb.Sender("Lê Thị Hoa", "5 Nguyễn Huệ", "0907654321", None, True)
        request = fb.FeedbackRequest(
            about="agency", title=title, body="Cống trước nhà số 5 bị tắc; gọi 0907654321.", sender=sender,
            about_ref=f"{SAI_GON}.UBND", commune_code=SAI_GON,
        )  # fmt: skip
        owner = world.citizen
        local = fb.file_feedback(s, owner, request, clock.now(), calendar_for, world.snapshot).code
    for step, payload in (("accept", {}), ("draft_answer", {"answer": "Đã nạo vét cống ngày 6/12."}),
                          ("approve_answer", {}), ("publish", {})):  # fmt: skip
        _act(p, local, step, "leader", tag, **payload)
    assert drain(p.province_factory, p.client, p.province) == 1  # the publication only

    def listed(**params: str) -> list[dict[str, object]]:
        answer = p.national_client().get("/api/v1/feedback/published", params={"q": title, **params})
        assert answer.status_code == 200, answer.text
        return [a for a in answer.json()["items"] if a["code"] == local and a["tracked_here"] is False]

    [found] = listed()
    assert found["answer"] == "Đã nạo vét cống ngày 6/12." and found["province"] == "79"
    assert found["sender"] == "Lê Thị Hoa" and "0907654321" not in str(found)  # the name allowed, not the phone
    assert listed(province="01") == []
    page = p.national_client().get("/feedback/answers", params={"q": "cong thoat nuoc bi tac"})
    assert "Đã nạo vét cống" in page.text and "0907654321" not in page.text

    with db.transaction(p.province_factory) as s:
        fb.act(s, owner, local, "request_reopen", clock.now(), calendar_for, {"reason": "Lại tắc"})
    _act(p, local, "accept_reopen", "leader", tag)
    assert drain(p.province_factory, p.client, p.province) == 1  # withdrawn (asking to reopen changed nothing public)
    assert listed() == []
    for step, payload in (("draft_answer", {"answer": "Đã thay cống mới."}), ("approve_answer", {}), ("publish", {})):
        _act(p, local, step, "leader", f"{tag}-again", **payload)
    drain(p.province_factory, p.client, p.province)
    assert [a["answer"] for a in listed()] == ["Đã thay cống mới."]

    # An older report (sent again late) and one off the contract change nothing.
    path = f"/exchange/v1/answers/{local}"
    for body, expected in (
        ({"feedbackCode": local, "sequence": 2, "public": False}, 200),
        ({"feedbackCode": local, "sequence": 99, "public": "yes"}, 400),
    ):
        raw = orjson.dumps(body)
        answer = p.client.post(
            NATIONAL_URL + path, content=raw, headers=sign(p.province.key, p.province.member, "POST", path, raw)
        )
        assert answer.status_code == expected, (body, answer.text)
    assert [a["answer"] for a in listed()] == ["Đã thay cống mới."]
