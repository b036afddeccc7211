"""Feedback messages: every transition of the table per role (allowed for its roles in scope,
refused for the others and out of scope), the deadlines on the working-day calendar (classification,
a transfer that restarts the clock, more information that stops it, the publication), the reopening
window, merging, redaction and the verified hash-chained log."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from motcua.calendar.working import default_calendar
from motcua.dossiers.errors import DossierError
from motcua.feedback import messages as fb
from motcua.feedback.models import FeedbackEvent, FeedbackMessage
from motcua.feedback.states import TRANSITIONS
from tests.dossiers.helpers import SAI_GON, T0, World

CAL = default_calendar("79")


def for_province(_province: str) -> Any:
    return CAL


SENDER = fb.Sender("Nguyễn Văn An", "12 Lê Lợi, Phường Sài Gòn", "0901234567", "an.nguyen@example.vn")
# The state each step leaves from, and the steps that bring a new message there.
PATH: dict[str, list[tuple[str, dict[str, Any]]]] = {
    "received": [],
    "handling": [("accept", {})],
    "info_requested": [("accept", {}), ("request_info", {"reason": "Ảnh chụp hiện trường"})],
    "answer_drafted": [("accept", {}), ("draft_answer", {"answer": "Đã chỉ đạo khắc phục."})],
    "answer_approved": [("accept", {}), ("draft_answer", {"answer": "Đã xử lý."}), ("approve_answer", {})],
    "published": [("accept", {}), ("draft_answer", {"answer": "Đã xử lý."}), ("approve_answer", {}), ("publish", {})],
}
PATH["reopen_requested"] = [*PATH["published"], ("request_reopen", {"reason": "Chưa được giải quyết"})]
PAYLOAD: dict[str, dict[str, Any]] = {
    "decline": {"kind": "abusive", "reason": "Ngôn từ xúc phạm"},
    "forward": {"agency": "25747.UBND", "reason": "Thuộc thẩm quyền phường khác"},
    "request_info": {"reason": "Ảnh chụp hiện trường"},
    "provide_info": {"info": "Ảnh đã gửi kèm"},
    "draft_answer": {"answer": "Đã chỉ đạo khắc phục."},
    "return_draft": {"reason": "Bổ sung căn cứ"},
    "rate": {"value": "neutral"},
    "split": {"title": "Đèn đường hỏng", "body": "Đèn đường trước số 14 không sáng.", "reason": "Hai vấn đề"},
    "request_reopen": {"reason": "Chưa được giải quyết"},
    "refuse_reopen": {"reason": "Đã trả lời đầy đủ"},
}


@pytest.fixture
def world(session: Session) -> World:
    return World(session, f"fb-{uuid.uuid4().hex[:8]}")


def _file(w: World, at: datetime = T0, **changes: Any) -> FeedbackMessage:
    values: dict[str, Any] = {
        "about": "agency",
        "about_ref": f"{SAI_GON}.UBND",
        "title": "Vỉa hè bị lấn chiếm",
        "body": "Vỉa hè trước số 12 Lê Lợi bị lấn chiếm; gọi 0901234567 hoặc an.nguyen@example.vn.",
        "sender": SENDER,
        "commune_code": SAI_GON,
    }
    values.update(changes)
    return fb.file_feedback(w.session, w.citizen, fb.FeedbackRequest(**values), at, for_province, w.snapshot)


def _actor_for(w: World, step: str) -> Any:
    roles = TRANSITIONS[step].roles
    if "citizen" in roles:
        return w.citizen
    return w.leader if "leader" in roles else w.officer


def _to(w: World, state: str, at: datetime = T0) -> FeedbackMessage:
    m = _file(w, at)
    for step, payload in PATH[state]:
        at += timedelta(hours=1)
        fb.act(w.session, _actor_for(w, step), m.code, step, at, for_province, payload)
    assert m.status == state
    return m


STEPS = [
    (name, state) for name, t in TRANSITIONS.items() if name != "file" for state in sorted(s for s in t.sources if s)
]


@pytest.mark.parametrize(("step", "state"), STEPS)
def test_every_step_for_every_role(world: World, step: str, state: str) -> None:
    """Each role in turn: allowed for the step's roles in scope; refused (role or scope) otherwise."""
    t = TRANSITIONS[step]
    outsiders = {"citizen": world.stranger, "leader": world.other_leader}
    for role, actor in world.by_role.items():
        m = _to(world, state)
        payload = dict(PAYLOAD.get(step, {}))
        if step == "merge":
            payload["original"] = _to(world, "handling").code
        at = T0 + timedelta(days=1)
        if role in t.roles:
            with world.session.begin_nested():
                fb.act(world.session, actor, m.code, step, at, for_province, payload)
            assert m.status == (t.target or state), (step, role)
            assert (
                world.session.scalars(select(FeedbackEvent.transition).where(FeedbackEvent.message_id == m.id)).all()[
                    -1
                ]
                == step
            )
            outsider = outsiders.get(role)
            if outsider is not None:  # the same role, out of scope
                other = _to(world, state)
                if step == "merge":
                    payload["original"] = _to(world, "handling").code
                with pytest.raises(DossierError) as refused, world.session.begin_nested():
                    fb.act(world.session, outsider, other.code, step, at, for_province, payload)
                assert refused.value.status in (403, 404)
        else:
            with pytest.raises(DossierError) as refused, world.session.begin_nested():
                fb.act(world.session, actor, m.code, step, at, for_province, payload)
            assert refused.value.status in (403, 404), (step, role)
            assert m.status == state


def test_codes_are_gap_free_per_day_and_the_log_verifies(world: World) -> None:
    day = datetime(2026, 6, 3, 9)
    codes = [_file(world, day + timedelta(minutes=i)).code for i in range(3)]
    numbers = [int(c.rsplit(".", 1)[1]) for c in codes]
    assert all(c.startswith("PAKN.20260603.") for c in codes) and numbers == list(range(numbers[0], numbers[0] + 3))
    m = _to(world, "reopen_requested")
    assert fb.verify(world.session) == []
    with world.session.begin_nested() as tampered:  # a message changed behind its log is found
        world.session.execute(update(FeedbackMessage).where(FeedbackMessage.id == m.id).values(status="published"))
        world.session.expire_all()
        assert fb.verify(world.session) == [f"{m.code}: the message says published, its log reopen_requested"]
        tampered.rollback()
    event = world.session.scalars(select(FeedbackEvent).order_by(FeedbackEvent.id.desc())).first()
    assert event is not None
    with pytest.raises(DBAPIError), world.session.begin_nested():  # the log refuses UPDATE
        world.session.execute(update(FeedbackEvent).where(FeedbackEvent.id == event.id).values(payload={}))


def test_deadlines_follow_the_working_days_across_a_transfer_and_a_pause(world: World) -> None:
    friday = datetime(2026, 6, 5, 16, 0)  # after the cut-off: treated as received on Monday 8 June
    m = _file(world, friday)
    assert (m.stage, m.due_on) == ("classify", date(2026, 6, 10))  # 2 working days
    assert m.handle_due_on == date(2026, 6, 29)  # 15 working days
    fb.act(world.session, world.leader, m.code, "forward", datetime(2026, 6, 9, 10), for_province, PAYLOAD["forward"])
    assert (m.agency_code, m.status, m.forwarded) == ("25747.UBND", "received", 1)
    assert m.due_on == date(2026, 6, 11) and m.handle_due_on == date(2026, 6, 30)  # counted from the transfer
    fb.act(world.session, world.other_leader, m.code, "accept", datetime(2026, 6, 12, 9), for_province)
    assert m.late_stages == ["classify"] and (m.stage, m.due_on) == ("handle", date(2026, 6, 30))
    fb.act(
        world.session,
        world.other_leader,
        m.code,
        "request_info",
        datetime(2026, 6, 16, 9),
        for_province,
        PAYLOAD["request_info"],
    )
    assert (m.stage, m.due_on, m.paused_days) == ("info", None, 10)  # the clock stops with 10 days left
    fb.act(
        world.session,
        world.citizen,
        m.code,
        "provide_info",
        datetime(2026, 6, 22, 9),
        for_province,
        PAYLOAD["provide_info"],
    )
    assert (m.stage, m.due_on) == ("handle", date(2026, 7, 6))  # the 10 days from the answer
    assert fb.deadlines().handle == 15


def test_reopening_within_the_window_only_and_a_new_deadline(world: World) -> None:
    m = _to(world, "published")
    late = T0 + timedelta(days=fb.deadlines().reopen_window_days + 2)
    with pytest.raises(DossierError) as closed, world.session.begin_nested():
        fb.act(world.session, world.citizen, m.code, "request_reopen", late, for_province, PAYLOAD["request_reopen"])
    assert closed.value.code == "reopen_window_closed"
    soon = T0 + timedelta(days=2)
    fb.act(world.session, world.citizen, m.code, "request_reopen", soon, for_province, PAYLOAD["request_reopen"])
    assert (m.status, m.rating) == ("reopen_requested", "dissatisfied")
    fb.act(world.session, world.leader, m.code, "accept_reopen", soon + timedelta(hours=2), for_province)
    assert (m.status, m.reopened, m.stage) == ("handling", 1, "handle")
    assert m.handle_due_on == CAL.due(soon + timedelta(hours=2), 15).due


def test_merging_and_the_public_version_without_personal_data(world: World) -> None:
    original = _to(world, "handling")
    duplicate = _file(world)
    fb.act(
        world.session,
        world.officer,
        duplicate.code,
        "merge",
        T0 + timedelta(hours=3),
        for_province,
        {"original": original.code},
    )
    assert (duplicate.status, duplicate.original_code, duplicate.finished_at is not None) == (
        "merged",
        original.code,
        True,
    )
    with pytest.raises(DossierError), world.session.begin_nested():  # not into itself, nor a merged one
        fb.act(world.session, world.officer, _file(world).code, "merge", T0, for_province, {"original": duplicate.code})
    published = _to(world, "published")
    for private in ("Nguyễn Văn An", "0901234567", "an.nguyen@example.vn"):
        assert private not in published.public_question
    assert "Vỉa hè" in published.public_question


def test_bad_filings_are_named_field_by_field_and_nothing_is_written(world: World) -> None:
    before = world.session.scalar(select(FeedbackMessage.id).order_by(FeedbackMessage.id.desc()))
    with pytest.raises(DossierError) as bad:
        _file(world, sender=fb.Sender("", "", "12"), title="x", about="weather")
    named = [problem.split(":")[0] for problem in bad.value.details["problems"]]
    assert {"about", "title", "sender.name", "sender.address", "sender.phone"} <= set(named)
    with pytest.raises(DossierError) as unknown:
        _file(world, about="dossier", about_ref="NO-SUCH-CODE")
    assert unknown.value.code == "unknown_dossier"
    assert world.session.scalar(select(FeedbackMessage.id).order_by(FeedbackMessage.id.desc())) == before


def test_the_competent_agency_comes_from_the_catalog(world: World) -> None:
    d = world.submit()
    about_dossier = _file(world, about="dossier", about_ref=d.code, commune_code=None)
    assert about_dossier.agency_code == d.deciding_agency_code and about_dossier.dossier_code == d.code
    about_procedure = _file(world, about="procedure", about_ref="1.001612")
    assert about_procedure.agency_code == d.deciding_agency_code  # the same routing as the dossier's
    about_official = _file(world, about="official", about_ref="cán bộ tiếp nhận")
    assert about_official.agency_code == f"{SAI_GON}.UBND"


def test_the_sender_is_told_and_merged_senders_get_the_answer(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    from motcua.notifications.models import Notification

    monkeypatch.setenv("MOTCUA_EMAIL_PROVIDER", "smtp")
    monkeypatch.setenv("MOTCUA_SMTP_HOST", "127.0.0.1")
    original = _to(world, "handling")
    duplicate = _file(world, sender=fb.Sender("Trần Thị Bình", "5 Hai Bà Trưng", "0912345678", "binh@example.vn"))
    fb.act(
        world.session,
        world.officer,
        duplicate.code,
        "merge",
        T0 + timedelta(hours=2),
        for_province,
        {"original": original.code},
    )
    fb.act(
        world.session,
        world.officer,
        original.code,
        "request_info",
        T0 + timedelta(hours=3),
        for_province,
        PAYLOAD["request_info"],
    )
    fb.act(
        world.session,
        world.citizen,
        original.code,
        "provide_info",
        T0 + timedelta(hours=4),
        for_province,
        PAYLOAD["provide_info"],
    )
    for step, payload in PATH["published"][1:]:
        fb.act(
            world.session, _actor_for(world, step), original.code, step, T0 + timedelta(hours=5), for_province, payload
        )
    sent = world.session.scalars(
        select(Notification).where(Notification.source.startswith(f"feedback:{original.code}:"))
    ).all()
    told = sorted((n.template, n.address) for n in sent)
    assert told == [
        ("feedback_answered", "an.nguyen@example.vn"),
        ("feedback_answered", "binh@example.vn"),
        ("feedback_information_requested", "an.nguyen@example.vn"),
    ]
    asked = next(n for n in sent if n.template == "feedback_information_requested")
    assert "Ảnh chụp hiện trường" in asked.body and original.code in asked.subject


def test_feedback_deadlines_alert_the_leaders_then_the_supervisors(world: World) -> None:
    from motcua.accounts.service import create_user
    from motcua.notifications.models import Notification
    from motcua.supervision.alerts import run_day

    supervisor = create_user(world.session, f"{world.citizen.username}-sup", "supervisor", unit_code="79")
    m = _file(world, datetime(2026, 6, 8, 9))  # classification due on Wednesday 10 June
    assert m.due_on == date(2026, 6, 10)
    run_day(world.session, date(2026, 6, 9), cal=CAL, at=datetime(2026, 6, 9, 1))
    run_day(world.session, date(2026, 6, 11), cal=CAL, at=datetime(2026, 6, 11, 1))
    query = select(Notification).where(Notification.source.like(f"supervision:feedback_%:{m.code}:%"))
    alerts = world.session.scalars(query).all()
    run_day(world.session, date(2026, 6, 11), cal=CAL, at=datetime(2026, 6, 11, 4))
    assert len(world.session.scalars(query).all()) == len(alerts)  # once only
    # (Leaders and supervisors committed by other tests share the database: who is told is checked.)
    near = {n.recipient for n in alerts if n.template == "feedback_deadline_near" and n.channel == "inbox"}
    late = {n.recipient for n in alerts if n.template == "feedback_overdue" and n.channel == "inbox"}
    assert f"user:{world.leader.user_id}" in near and f"user:{supervisor.id}" not in near
    assert f"user:{supervisor.id}" in late and f"user:{world.leader.user_id}" not in late


def test_published_answers_are_found_without_accents_and_show_no_personal_data(world: World) -> None:
    from motcua.feedback.published import published

    lamp = _to(world, "published")
    other = _file(world, title="Cây xanh đổ chắn lối đi", body="Cây xanh ở hẻm 45 đổ chắn lối đi từ sáng nay.")
    for step, payload in PATH["published"]:
        fb.act(world.session, _actor_for(world, step), other.code, step, T0 + timedelta(hours=2), for_province, payload)
    unanswered = _file(world, title="Vỉa hè bị lấn chiếm lần hai")
    found = [a.code for a in published(world.session, "via he lan chiem", province="79", limit=200)]
    assert lamp.code in found and other.code not in found and unanswered.code not in found
    typo = [a.code for a in published(world.session, "cay xnah do", province="79", limit=200)]
    assert typo and typo[0] == other.code
    assert published(world.session, "via he lan chiem", province="01") == []
    shown = next(a for a in published(world.session, "", province="79", limit=500) if a.code == lamp.code)
    assert shown.sender is None and "0901234567" not in shown.question and "an.nguyen" not in shown.question


def test_splitting_off_a_second_matter_keeps_the_sender_and_both_logs(world: World) -> None:
    m = _to(world, "handling")
    at = T0 + timedelta(days=1)
    fb.act(world.session, world.officer, m.code, "split", at, for_province, PAYLOAD["split"])
    assert m.status == "handling"  # the first matter goes on
    event = world.session.scalars(
        select(FeedbackEvent).where(FeedbackEvent.message_id == m.id).order_by(FeedbackEvent.seq.desc())
    ).first()
    assert event is not None and event.transition == "split"
    part = fb.get_message(world.session, event.payload["split_into"])
    assert (part.status, part.stage, part.agency_code) == ("received", "classify", m.agency_code)
    assert (part.owner_id, part.sender_phone, part.title) == (m.owner_id, m.sender_phone, "Đèn đường hỏng")
    assert part.due_on == CAL.due(at, fb.deadlines().classify).due
    assert fb.verify(world.session) == []
    with pytest.raises(DossierError) as short, world.session.begin_nested():
        fb.act(
            world.session, world.officer, m.code, "split", at, for_province, {"title": "x", "body": "y", "reason": "z"}
        )
    assert short.value.code == "split_too_short"


@pytest.mark.parametrize(
    ("filed", "classify_due", "handle_due"),
    [
        (datetime(2026, 2, 12, 10), date(2026, 2, 23), date(2026, 3, 12)),  # Fri 13, then Tết (14–22 Feb), Mon 23
        (datetime(2026, 2, 13, 16, 30), date(2026, 2, 25), date(2026, 3, 16)),  # after the cut-off: from 23 Feb
        (datetime(2026, 8, 20, 10), date(2026, 8, 22), date(2026, 9, 14)),  # Sat 22 Aug is a make-up working day
        (datetime(2026, 8, 28, 9), date(2026, 9, 4), date(2026, 9, 23)),  # 31 Aug, 1 and 2 Sep off
    ],
)
def test_deadlines_across_tet_and_a_make_up_saturday(
    world: World, filed: datetime, classify_due: date, handle_due: date
) -> None:
    m = _file(world, filed)
    assert (m.due_on, m.handle_due_on) == (classify_due, handle_due)
    late = datetime.combine(classify_due + timedelta(days=1), datetime.min.time()).replace(hour=9)
    fb.act(world.session, world.leader, m.code, "accept", late, for_province)
    assert m.late_stages == ["classify"]
    on_time = _file(world, filed)
    fb.act(
        world.session,
        world.leader,
        on_time.code,
        "accept",
        datetime.combine(classify_due, datetime.min.time()).replace(hour=15),
        for_province,
    )
    assert on_time.late_stages == []
