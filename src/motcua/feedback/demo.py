"""Demo feedback: a few hundred messages in every state about the demo communes, made through the
real operations (every log a verifiable hash chain, every step counted and notified), some classified
or answered late, some forwarded, merged, declined or reopened."""

from __future__ import annotations

import random
from collections import Counter
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from faker import Faker
from sqlalchemy import select
from sqlalchemy.orm import Session

from motcua.accounts.models import User
from motcua.accounts.service import Actor, actor_of
from motcua.catalog.models import ServiceCentre
from motcua.catalog.routing import CatalogSnapshot
from motcua.dossiers.demo import DEMO_COMMUNES, DemoReport, demo_officials
from motcua.dossiers.errors import DossierError
from motcua.dossiers.models import Dossier
from motcua.feedback import messages as fb
from motcua.feedback.models import FeedbackMessage
from motcua.feedback.states import FINAL

# The state a demo message ends in, with its weight; "forwarded" and "reopened" end in handling.
OUTCOMES = [
    ("received", 10),
    ("forwarded", 6),
    ("handling", 12),
    ("info_requested", 6),
    ("answer_drafted", 6),
    ("answer_approved", 4),
    ("published", 26),
    ("rated", 12),
    ("reopen_requested", 3),
    ("reopened", 3),
    ("declined", 6),
    ("merged", 6),
]
TOPICS = [("dossier", 30), ("procedure", 20), ("agency", 25), ("official", 10), ("regulation", 15)]
TITLES = {
    "dossier": ["Hồ sơ bị trả chậm", "Chưa nhận được kết quả đúng hẹn", "Yêu cầu bổ sung nhiều lần"],
    "procedure": ["Thành phần hồ sơ chưa rõ", "Đề nghị đơn giản hóa thủ tục", "Biểu mẫu khó hiểu"],
    "agency": ["Thời gian tiếp nhận ngắn", "Trung tâm đông người, chờ lâu", "Thiếu chỗ để xe"],
    "official": ["Cán bộ hướng dẫn chưa tận tình", "Cán bộ hẹn nhiều lần"],
    "regulation": ["Kiến nghị về mức phí", "Quy định chưa phù hợp thực tế"],
}


class _NotYet(Exception):
    """The next step would fall after today: the message stays where it is."""


@dataclass
class FeedbackDemoReport:
    messages: int = 0
    by_state: Counter[str] = field(default_factory=Counter)
    accounts: dict[str, str] = field(default_factory=dict)


def generate(
    session: Session,
    snapshot: CatalogSnapshot,
    calendar_for: fb.CalendarFor,
    count: int,
    today: date,
    seed: int = 2026,
) -> FeedbackDemoReport:
    rng = random.Random(seed)
    fake = Faker("vi_VN")
    fake.seed_instance(seed)
    report = FeedbackDemoReport()
    citizen_user = session.scalars(select(User).where(User.username == "demo-citizen")).one()
    citizen = actor_of(citizen_user)
    centres = {
        c.commune_code: c.identifier
        for c in session.scalars(select(ServiceCentre).where(ServiceCentre.commune_code.in_(DEMO_COMMUNES)))
    }
    dossiers_report = DemoReport()
    staff = {c: demo_officials(session, c, centres[c], dossiers_report) for c in DEMO_COMMUNES}
    report.accounts = dossiers_report.accounts
    dossiers: dict[str, list[str]] = {}
    for code, commune in session.execute(
        select(Dossier.code, Dossier.subject_commune_code).where(
            Dossier.status.in_(("returned", "processing", "supplement_requested")),
            Dossier.deciding_agency_code.is_not(None),
        )
    ):
        dossiers.setdefault(commune, []).append(code)
    procedures = [
        code
        for code, p in snapshot.procedures.items()
        if p.versions[-1].status == "published" and p.versions[-1].level == "commune"
    ]
    cal = calendar_for("")
    start = today - timedelta(days=60)
    open_by_commune: dict[str, list[str]] = {}
    for _ in range(count):
        commune = rng.choice(DEMO_COMMUNES)
        topic = rng.choices([t for t, _ in TOPICS], [w for _, w in TOPICS])[0]
        ref = {
            "dossier": rng.choice(dossiers.get(commune) or [""]),
            "procedure": rng.choice(procedures),
            "agency": f"{commune}.UBND",
            "official": fake.name(),
            "regulation": "",
        }[topic]
        if topic == "dossier" and not ref:
            topic, ref = "agency", f"{commune}.UBND"
        online = rng.random() < 0.7
        sender = (
            fb.Sender(citizen_user.full_name or "Nguyễn Văn Dân", "12 Lê Lợi", "0901234567", "dan@example.vn", True)
            if online
            else fb.Sender(fake.name(), fake.street_address(), f"09{rng.randint(10**7, 10**8 - 1)}", None, False)
        )
        request = fb.FeedbackRequest(
            about=topic,
            about_ref=ref,
            title=rng.choice(TITLES[topic]),
            body=f"{rng.choice(TITLES[topic])}. Đề nghị cơ quan có thẩm quyền xem xét, giải quyết sớm.",
            sender=sender,
            commune_code=commune,
            channel="online" if online else rng.choice(fb.OFFICIAL_CHANNELS),
        )
        day = cal.add_working_days(start, rng.randint(0, 40))
        at = datetime.combine(day, time(rng.randint(7, 16), rng.choice((0, 20, 40))))
        filer = citizen if online else staff[commune]["reception"]
        try:
            m = fb.file_feedback(session, filer, request, at, calendar_for, snapshot)
        except DossierError:
            continue
        outcome = rng.choices([o for o, _ in OUTCOMES], [w for _, w in OUTCOMES])[0]
        with suppress(DossierError, _NotYet):  # a step refused (a late reopening) or to come: it stays there
            _walk(session, m, outcome, staff, citizen, at, rng, calendar_for, open_by_commune, today)
        if m.status not in FINAL and m.status != "published":
            open_by_commune.setdefault(commune, []).append(m.code)
        report.messages += 1
        report.by_state[m.status] += 1
    return report


def _walk(
    session: Session,
    m: FeedbackMessage,
    outcome: str,
    staff: dict[str, dict[str, Actor]],
    citizen: Actor,
    at: datetime,
    rng: random.Random,
    calendar_for: fb.CalendarFor,
    open_by_commune: dict[str, list[str]],
    today: date,
) -> None:
    clock = [at]
    limit = datetime.combine(today, time(17))

    def leader() -> Actor:
        commune = m.agency_code.split(".")[0]
        people = staff[commune]
        return people["police_leader"] if m.agency_code.endswith(".police") else people["leader"]

    def step(name: str, actor: Actor | None = None, days: float = 1.0, **payload: Any) -> None:
        late = 24 * rng.uniform(3, 8) if rng.random() < 0.15 else 0.0  # now and then past the deadline
        clock[0] += timedelta(hours=rng.uniform(2, 24 * days) + late)
        if clock[0] > limit:
            raise _NotYet
        fb.act(session, actor or leader(), m.code, name, clock[0], calendar_for, payload)

    if outcome == "received":
        return
    if outcome == "declined":
        step("decline", kind=rng.choice(("abusive", "already_answered", "not_feedback")), reason="Không thuộc phạm vi")
        return
    originals = open_by_commune.get(m.agency_code.split(".")[0], [])
    if outcome == "merged" and originals:
        step("merge", original=rng.choice(originals))
        return
    if outcome == "forwarded":
        others = [c for c in staff if c != m.agency_code.split(".")[0]]
        step("forward", agency=f"{rng.choice(others)}.UBND", reason="Thuộc thẩm quyền của địa phương khác")
        if rng.random() < 0.5:
            step("accept")
        return
    step("accept")
    if outcome == "handling":
        return
    if outcome == "info_requested" or rng.random() < 0.15:
        step("request_info", reason="Đề nghị cung cấp địa chỉ cụ thể và hình ảnh")
        if outcome == "info_requested":
            return
        step("provide_info", citizen if m.owner_id else leader(), info="Địa chỉ: trước số 12, kèm ảnh chụp")
    step("draft_answer", days=5, answer="Cơ quan đã kiểm tra, chỉ đạo khắc phục và sẽ giám sát việc thực hiện.")
    if outcome == "answer_drafted":
        return
    step("approve_answer")
    if outcome == "answer_approved":
        return
    step("publish")
    if outcome == "published" or not m.owner_id:
        return
    if outcome == "rated":
        step("rate", citizen, value=rng.choice(("satisfied", "satisfied", "neutral", "dissatisfied")))
        return
    step("request_reopen", citizen, reason="Vấn đề chưa được khắc phục")
    if outcome == "reopened":
        step("accept_reopen")
