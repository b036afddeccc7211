"""Synthetic feedback at national scale (``motcua demo generate``, the feedback benchmark), beside the
dossiers: in proportion to them (``data/activity.toml``) or a given count.

Each message is made by ``messages.new_message`` and every step goes through ``messages.apply_step``,
the rules the service applies, on the province's working-day calendar; each event is hash-chained as
``messages`` would write it, so ``motcua dossiers verify`` holds and ``motcua indicators rebuild``
counts it. Messages are about the People's Committee of a commune, one of its dossiers, a procedure,
an official or a regulation (all received by the commune's People's Committee, or by the agency
deciding the dossier); some are forwarded to another commune of the province. Codes are gap-free per
day, in filing order. Rows are streamed in batches (COPY on PostgreSQL), then the feedback facts are
rebuilt once.
"""

from __future__ import annotations

import random
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from datetime import time as wall_time
from typing import Any, cast

from faker import Faker
from sqlalchemy import Engine, Table, case, func, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from motcua import clock, db
from motcua.accounts.service import Actor
from motcua.calendar.working import WorkingCalendar
from motcua.cases.bulk import BulkWriter, Row
from motcua.cases.chain import GENESIS, event_hash
from motcua.catalog.models import Agency
from motcua.datafiles import read_toml
from motcua.dossiers.models import Dossier
from motcua.feedback import messages as fb
from motcua.feedback.models import FeedbackEvent, FeedbackMessage, FeedbackSequence
from motcua.i18n import N_
from motcua.units.models import REORGANISATION_DATE

MESSAGES, EVENTS, SEQUENCES = (cast(Table, m.__table__) for m in (FeedbackMessage, FeedbackEvent, FeedbackSequence))
MESSAGE_COLUMNS = tuple(c.key for c in MESSAGES.columns if c.computed is None)  # PostgreSQL keeps the rest
EVENT_COLUMNS = tuple(c.key for c in EVENTS.columns)
TABLES = (("feedback_messages", MESSAGE_COLUMNS), ("feedback_events", EVENT_COLUMNS))
JSON_COLUMNS = {"late_stages", "payload"}
DAY_LIMIT = 9999  # codes PAKN.YYYYMMDD.NNNN
TITLES = {
    "dossier": ["Hồ sơ bị trả chậm", "Chưa nhận được kết quả đúng hẹn", "Yêu cầu bổ sung nhiều lần"],
    "procedure": ["Thành phần hồ sơ chưa rõ", "Đề nghị đơn giản hóa thủ tục", "Biểu mẫu khó hiểu"],
    "agency": ["Thời gian tiếp nhận ngắn", "Trung tâm đông người, chờ lâu", "Thiếu chỗ để xe", "Vỉa hè bị lấn chiếm"],
    "official": ["Cán bộ hướng dẫn chưa tận tình", "Cán bộ hẹn nhiều lần"],
    "regulation": ["Kiến nghị về mức phí", "Quy định chưa phù hợp thực tế", "Đề nghị kéo dài giờ làm việc"],
}
PLACES = ["trước chợ", "đầu hẻm", "cạnh trường học", "khu dân cư", "tổ dân phố", "ấp", "gần trạm y tế", "cổng UBND"]
DETAILS = [
    "Tình trạng kéo dài đã {n} ngày, ảnh hưởng đến việc đi lại của người dân.",
    "Tôi đã báo tổ trưởng dân phố {n} lần nhưng chưa được xử lý.",
    "Buổi sáng từ {n} giờ thường xuyên ùn tắc.",
    "Nhiều hộ gia đình trong khu vực cùng phản ánh, khoảng {n} hộ.",
    "Đã chờ {n} ngày mà chưa có hướng dẫn cụ thể.",
    "Cán bộ hẹn lại {n} lần, mỗi lần phải nghỉ làm để đến.",
    "Mức thu hiện nay cao hơn {n} lần so với trước.",
    "Thông tin trên cổng dịch vụ công khác với thông tin niêm yết tại trung tâm.",
]
Profile = dict[str, Any]
Step = tuple[str, Actor, datetime, str | None, dict[str, Any]]  # name, actor, wall time, status before, payload


def load_profile(path: str | None = None) -> Profile:
    return read_toml(path, "motcua.feedback", "data/activity.toml")


@dataclass
class FeedbackGenerated:
    messages: int = 0
    events: int = 0
    by_status: Counter[str] = field(default_factory=Counter)
    seconds: float = 0.0
    facts_seconds: float = 0.0


@dataclass(frozen=True)
class _Place:
    commune: str
    province: str
    agency: str


class _Simulator:
    def __init__(
        self,
        session: Session,
        calendar_for: Callable[[str], WorkingCalendar],
        profile: Profile,
        now: datetime,
        seed: int,
    ) -> None:
        self.session = session
        self.calendar_for = calendar_for
        self.p = profile
        self.now = now
        self.rng = random.Random(seed)
        fake = Faker("vi_VN")
        fake.seed_instance(seed)
        self.names = [fake.name() for _ in range(2000)]  # a pool: Faker costs more than the rest of a message
        self.streets = [fake.street_address() for _ in range(2000)]
        rows = session.execute(
            select(Agency.code, Agency.province_code, Agency.commune_code).where(
                Agency.kind == "commune_people_committee", Agency.commune_code.is_not(None)
            )
        ).all()
        if not rows:
            raise ValueError(
                "no commune People's Committee in the catalog: run `motcua demo` (or import agencies) first"
            )
        self.places = [_Place(str(commune), province, code) for code, province, commune in rows]
        self.by_province: dict[str, list[_Place]] = {}
        for place in self.places:
            self.by_province.setdefault(place.province, []).append(place)
        sample = session.execute(
            select(Dossier.code, Dossier.subject_commune_code, Dossier.province_code, Dossier.deciding_agency_code)
            .where(Dossier.deciding_agency_code.is_not(None))
            .limit(50_000)
        ).all()
        self.dossiers = [(str(c), str(s), str(p), str(a)) for c, s, p, a in sample]
        self.topics = list(self.p["about"])
        self.topic_weights = [float(self.p["about"][t]) for t in self.topics]
        self.outcomes = list(self.p["outcome"])
        self.outcome_weights = [float(self.p["outcome"][o]) for o in self.outcomes]
        self.citizen = Actor(0, "synthetic-citizen", "citizen", None, via="worker")

    def official(self, m: FeedbackMessage) -> Actor:
        return Actor(0, "synthetic-leader", "leader", m.agency_code, via="worker")

    def message(self, code: str, at: datetime) -> tuple[FeedbackMessage, list[Step]]:
        """A message filed at ``at`` (Vietnam wall-clock) and the steps of its history, applied to it."""
        rng = self.rng
        topic = rng.choices(self.topics, self.topic_weights)[0]
        place = rng.choice(self.places)
        ref, agency, why = "", place.agency, N_("the People's Committee of the place")
        commune, province = place.commune, place.province
        if topic == "dossier" and self.dossiers:
            ref, commune, province, agency = rng.choice(self.dossiers)
            why = N_("the agency deciding the dossier")
        elif topic == "dossier":
            topic = "agency"
        if topic == "agency":
            ref = agency
        online = rng.random() < float(self.p["online_rate"])
        sender = fb.Sender(
            rng.choice(self.names),
            rng.choice(self.streets),
            f"09{rng.randint(10**7, 10**8 - 1)}",
            None,
            rng.random() < float(self.p["show_name_rate"]),
        )
        # Varied like real messages: an issue, a place and a street, a detail; few texts repeat.
        street = rng.choice(self.streets)
        title = f"{rng.choice(TITLES[topic])} {rng.choice(PLACES)} {street.split(',')[0]}"[:200]
        detail = rng.choice(DETAILS).format(n=rng.randint(2, 30))
        request = fb.FeedbackRequest(
            about=topic,
            title=title,
            body=f"{title}. {detail} Đề nghị cơ quan có thẩm quyền xem xét, giải quyết sớm.",
            sender=sender,
            about_ref=ref,
            commune_code=commune,
            channel="online" if online else rng.choice(fb.OFFICIAL_CHANNELS),
        )
        filer = self.citizen if online else Actor(0, "synthetic-reception", "reception_officer", agency, via="worker")
        cal = self.calendar_for(province)
        m = fb.new_message(request, code, filer, clock.aware(at), cal, (agency, why, commune, province))
        m.owner_id = None  # synthetic senders have no account
        steps: list[Step] = [("file", filer, at, None, fb.filing_payload(m))]
        self._walk(m, rng.choices(self.outcomes, self.outcome_weights)[0], at, steps)
        return m, steps

    def _when(self, m: FeedbackMessage, after: datetime) -> datetime:
        """When the next step is taken: before the running deadline, or after it (``late_rate``)."""
        rng = self.rng
        if m.due_on is not None and rng.random() < float(self.p["late_rate"]):
            return datetime.combine(m.due_on + timedelta(days=rng.randint(1, 6)), wall_time(rng.randint(8, 16)))
        if m.due_on is not None:
            deadline = datetime.combine(m.due_on, wall_time(16))
            span = max((deadline - after).total_seconds() / 3600, 1.0)
            return after + timedelta(hours=rng.uniform(0.5, span))
        return after + timedelta(hours=rng.uniform(1, 72))

    def _walk(
        self,
        m: FeedbackMessage,
        outcome: str,
        at: datetime,
        steps: list[Step],
    ) -> None:
        cal = self.calendar_for(m.province_code)
        clock_now = [at]

        def step(name: str, actor: Actor | None = None, **payload: Any) -> bool:
            when = self._when(m, clock_now[0])
            if when > self.now:
                return False  # not yet: the history stops here
            who = actor or self.official(m)
            before = m.status
            recorded = fb.apply_step(self.session, m, who, name, clock.aware(when), cal, payload)
            steps.append((name, who, when, before, recorded))
            clock_now[0] = when
            return True

        if outcome == "received":
            return
        if outcome == "declined":
            step(
                "decline",
                kind=self.rng.choice(("abusive", "already_answered", "not_feedback")),
                reason="Không thuộc phạm vi",
            )
            return
        if self.rng.random() < float(self.p["forward_rate"]):
            others = [p for p in self.by_province.get(m.province_code, []) if p.agency != m.agency_code]
            if others and not step(
                "forward", agency=self.rng.choice(others).agency, reason="Thuộc thẩm quyền địa phương khác"
            ):
                return
        if not step("accept") or outcome == "handling":
            return
        if outcome == "info_requested" or self.rng.random() < 0.1:
            if (
                not step("request_info", reason="Đề nghị cung cấp địa chỉ cụ thể và hình ảnh")
                or outcome == "info_requested"
            ):
                return
            if not step("provide_info", self.citizen, info="Địa chỉ cụ thể kèm ảnh chụp hiện trường"):
                return
        if not step("draft_answer", answer="Cơ quan đã kiểm tra, chỉ đạo khắc phục và giám sát việc thực hiện."):
            return
        if outcome == "answer_drafted" or not step("approve_answer") or outcome == "answer_approved":
            return
        if not step("publish") or outcome == "published":
            return
        if outcome == "rated":
            step("rate", self.citizen, value=self.rng.choice(("satisfied", "satisfied", "neutral", "dissatisfied")))
            return
        if step("request_reopen", self.citizen, reason="Vấn đề chưa được khắc phục") and outcome == "reopened":
            step("accept_reopen")


def _times(rng: random.Random, count: int, start: date, now: datetime, cal: WorkingCalendar) -> list[datetime]:
    """``count`` filing instants between ``start`` and ``now`` (Vietnam wall-clock), in order: on
    working days in office hours mostly, online at any hour now and then."""
    days = [start + timedelta(days=i) for i in range((now.date() - start).days)]
    working = [d for d in days if cal.is_working_day(d)] or days
    out = []
    for _ in range(count):
        day = rng.choice(working) if rng.random() < 0.9 else rng.choice(days)
        out.append(datetime.combine(day, wall_time(rng.randint(7, 21), rng.randint(0, 59), rng.randint(0, 59))))
    out.sort()
    return [t for t in out if t < now]


def generate_feedback(
    engine: Engine,
    count: int,
    months: int,
    now: datetime,
    seed: int = 2026,
    batch_size: int = 10_000,
    profile: Profile | None = None,
    progress: Callable[[int], object] | None = None,
) -> FeedbackGenerated:
    """Add ``count`` synthetic messages filed over the last ``months`` months (never before the
    two-level reform), then rebuild the feedback facts. Run it on a quiet database."""
    from motcua.calendar.service import CalendarCache

    begun = time.perf_counter()
    now = clock.wall(now)
    factory = db.session_factory(engine)
    start = max((now - timedelta(days=round(months * 30.44))).date(), REORGANISATION_DATE)
    calendars = CalendarCache(factory)
    report = FeedbackGenerated()
    rng = random.Random(seed)
    with factory() as session:
        sim = _Simulator(session, calendars.get, profile or load_profile(), now, seed)
        times = _times(rng, count, start, now, calendars.get(""))
        taken = session.execute(
            select(SEQUENCES.c.day, SEQUENCES.c.last).where(SEQUENCES.c.node == "", SEQUENCES.c.day >= start)
        )
        numbers: Counter[date] = Counter({day: last for day, last in taken})
        ids = [_next_id(session, MESSAGES), _next_id(session, EVENTS)]
        writer = BulkWriter(engine, TABLES, JSON_COLUMNS)
        try:
            for chunk in _chunks(times, batch_size):
                messages: list[Row] = []
                events: list[Row] = []
                for at in chunk:
                    day = at.date()
                    numbers[day] += 1
                    if numbers[day] > DAY_LIMIT:
                        raise ValueError(f"more than {DAY_LIMIT} messages on {day}: spread them over more months")
                    m, steps = sim.message(fb.feedback_code(day, numbers[day]), at)
                    m.id = ids[0]
                    messages.append(tuple(getattr(m, c) for c in MESSAGE_COLUMNS))
                    events.extend(_log(m, steps, ids[1]))
                    ids[0] += 1
                    ids[1] += len(steps)
                    report.by_status[m.status] += 1
                writer.put((messages, events))
                report.messages += len(messages)
                report.events += len(events)
                if progress:
                    progress(len(messages))
        finally:
            writer.close()
            session.rollback()
    with db.transaction(factory) as session:
        _record_numbers(session, numbers)
        if engine.dialect.name == "postgresql":
            for table in ("feedback_messages", "feedback_events"):
                session.execute(
                    text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
                )
    report.seconds = time.perf_counter() - begun
    facts_begun = time.perf_counter()
    from motcua.feedback.search_words import rebuild as rebuild_words
    from motcua.indicators.feedback_facts import rebuild

    with db.transaction(factory) as session:
        rebuild(session)
        rebuild_words(session)
    report.facts_seconds = time.perf_counter() - facts_begun
    return report


def _log(m: FeedbackMessage, steps: list[Step], first_id: int) -> Iterator[Row]:
    """The message's events as rows, hash-chained as ``messages._append`` writes them."""
    prev = GENESIS
    statuses = [str(before) for _, _, _, before, _ in steps[1:]] + [m.status]  # the status after each step
    for seq, ((name, actor, at, before, payload), after) in enumerate(zip(steps, statuses, strict=True), start=1):
        moment = clock.aware(at)
        actor_id = None
        digest = event_hash(
            m.code,
            seq,
            name,
            moment,
            actor_id,
            actor.role,
            actor.unit_code,
            before,
            after,
            payload,
            prev,
            via=actor.via,
        )
        values = {
            "id": first_id + seq - 1,
            "message_id": m.id,
            "seq": seq,
            "transition": name,
            "at": moment,
            "actor_id": actor_id,
            "actor_role": actor.role,
            "actor_unit": actor.unit_code,
            "from_status": before,
            "to_status": after,
            "payload": payload,
            "via": actor.via,
            "prev_hash": prev,
            "hash": digest,
        }
        yield tuple(values[c] for c in EVENT_COLUMNS)
        prev = digest


def _chunks(items: list[datetime], size: int) -> Iterator[list[datetime]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _next_id(session: Session, table: Table) -> int:
    return int(session.scalar(select(func.coalesce(func.max(table.c.id), 0))) or 0) + 1


def _record_numbers(session: Session, numbers: Counter[date]) -> None:
    """The daily counters move past the numbers given, so live filings go on."""
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    stmt = insert(SEQUENCES)
    stmt = stmt.on_conflict_do_update(
        index_elements=["node", "day"],
        set_={"last": case((SEQUENCES.c.last > stmt.excluded.last, SEQUENCES.c.last), else_=stmt.excluded.last)},
    )
    rows = [{"node": "", "day": d, "last": n} for d, n in numbers.items()]
    for i in range(0, len(rows), 5000):
        session.execute(stmt, rows[i : i + 5000])
