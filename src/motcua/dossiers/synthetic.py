"""Synthetic activity for the 34 provinces (``motcua demo generate``), for demonstrations and load
tests at national scale.

Volumes follow the provinces' population (``data/activity.toml``), shared between communes (wards
weigh more than rural communes); each province draws its online share, late rate and dissatisfaction,
and a tenth of the communes are short-staffed (three times as late). Every dossier gets a real event
log: each event goes through ``project`` and the hash chain exactly as the service would write it, so
``motcua dossiers verify`` holds and ``motcua indicators rebuild`` counts it. Rows are streamed in
batches (PostgreSQL: ``COPY`` from a writer thread while the next batch is made), then the fact
tables are rebuilt once.
"""

from __future__ import annotations

import bisect
import itertools
import random
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from datetime import time as clock
from typing import Any, cast

from faker import Faker
from sqlalchemy import Engine, Table, case, func, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from motcua import clock as vn_clock
from motcua import db
from motcua.accounts.identity import generated_personal_id
from motcua.accounts.models import User
from motcua.calendar.working import WorkingCalendar
from motcua.cases.bulk import BulkWriter
from motcua.cases.chain import CURRENT_CHAIN, GENESIS, event_hash
from motcua.catalog.routing import CatalogSnapshot, Route, RoutingRefused, route
from motcua.datafiles import read_toml
from motcua.dossiers.chain import record_digest
from motcua.dossiers.codes import dossier_code
from motcua.dossiers.models import Dossier, DossierEvent, DossierSequence
from motcua.dossiers.projection import Projection, project
from motcua.dossiers.scope import commune_of_agency
from motcua.dossiers.states import TRANSITIONS
from motcua.feedback.models import Rating
from motcua.units import get_registry
from motcua.units.models import REORGANISATION_DATE

DOSSIERS, EVENTS, RATINGS, SEQUENCES, USERS = (
    cast(Table, m.__table__) for m in (Dossier, DossierEvent, Rating, DossierSequence, User)
)
DOSSIER_COLUMNS = tuple(c.key for c in DOSSIERS.columns)
EVENT_COLUMNS = tuple(c.key for c in EVENTS.columns)
RATING_COLUMNS = ("id", "dossier_id", "user_id", "value", "comment", "at")
JSON_COLUMNS = {"form_data", "fees", "payload", "notify_channels"}
WRITTEN_TABLES = (("dossiers", DOSSIER_COLUMNS), ("dossier_events", EVENT_COLUMNS), ("ratings", RATING_COLUMNS))
Row = tuple[Any, ...]
Batch = tuple[list[Row], list[Row], list[Row]]  # dossiers, events, ratings


@dataclass(frozen=True)
class Profile:
    defaults: dict[str, float]
    online_rate: dict[str, float]
    population: dict[str, float]


def load_profile(path: str | None = None) -> Profile:
    raw = read_toml(path, "motcua.dossiers", "data/activity.toml")
    return Profile(
        {k: float(v) for k, v in raw["defaults"].items()},
        {k: float(v) for k, v in raw.get("online_rate", {}).items()},
        {k: float(v) for k, v in raw["population_millions"].items()},
    )


@dataclass
class Generated:
    dossiers: int = 0
    events: int = 0
    ratings: int = 0
    officials: int = 0
    seconds: float = 0.0
    facts_seconds: float = 0.0
    by_status: Counter[str] = field(default_factory=Counter)


@dataclass(frozen=True)
class Commune:
    code: str
    province: str
    name: str
    centre: str
    late_rate: float


@dataclass(frozen=True)
class ProvinceTraits:
    online_rate: float
    late_rate: float
    dissatisfied_rate: float
    centre: str  # the provincial centre


class Simulator:
    """Makes one dossier at a time: its row, its events and perhaps its rating."""

    def __init__(
        self,
        snapshot: CatalogSnapshot,
        calendar_for: Callable[[str], WorkingCalendar],
        profile: Profile,
        start: date,
        now: datetime,
        seed: int,
    ) -> None:
        self.snapshot, self.calendar_for, self.now = snapshot, calendar_for, now
        self.d = profile.defaults
        self.rng = random.Random(seed)
        self.start = start
        self.span_days = max((now.date() - start).days, 1)
        rng, d = self.rng, profile.defaults
        registry = get_registry()
        centres = {c.commune_code: c.identifier for c in snapshot.centres.values() if c.commune_code}
        provincial = {c.province_code: c.identifier for c in snapshot.centres.values() if c.level == "province"}
        self.provinces: dict[str, ProvinceTraits] = {}
        for p in registry.in_force(now.date(), "province"):
            self.provinces[p.code] = ProvinceTraits(
                profile.online_rate.get(p.code, rng.uniform(d["online_min"], d["online_max"])),
                rng.uniform(d["late_min"], d["late_max"]),
                rng.uniform(d["dissatisfied_min"], d["dissatisfied_max"]),
                provincial[p.code],
            )
        type_weight = {"ward": d["ward_weight"], "special_zone": d["special_zone_weight"]}
        units = registry.in_force(now.date(), "commune")
        by_province = Counter(u.province_code for u in units)
        weights: list[float] = []
        self.communes: list[Commune] = []
        for u in units:
            traits = self.provinces[u.province_code]
            short = rng.random() < d["short_staffed_share"]
            self.communes.append(
                Commune(
                    u.code,
                    u.province_code,
                    u.name,
                    centres.get(u.code, traits.centre),
                    min(traits.late_rate * (3 if short else 1), 0.5),
                )
            )
            share = profile.population.get(u.province_code, 1.0) / by_province[u.province_code]
            weights.append(share * type_weight.get(u.versions[-1].unit_type, 1.0))
        self.commune_weights = list(itertools.accumulate(weights))
        published = [p for p in snapshot.procedures.values() if p.versions and p.versions[-1].status == "published"]
        rng.shuffle(published)
        self.procedures = [p.code for p in published]  # a few procedures make most dossiers (Zipf-like)
        self.procedure_weights = list(itertools.accumulate(1 / (i + 1) ** 0.9 for i in range(len(published))))
        self.routes: dict[tuple[str, str, str], Route | None] = {}
        fake = Faker("vi_VN")
        fake.seed_instance(seed)
        self.names = [fake.name() for _ in range(5000)]
        self.companies = [fake.company() for _ in range(1000)]
        self.numbers: Counter[tuple[str, date]] = Counter()

    def pick_commune(self) -> Commune:
        x = self.rng.random() * self.commune_weights[-1]
        return self.communes[bisect.bisect_left(self.commune_weights, x)]

    def pick_procedure(self) -> str:
        x = self.rng.random() * self.procedure_weights[-1]
        return self.procedures[bisect.bisect_left(self.procedure_weights, x)]

    def _route(self, code: str, commune: Commune, centre: str, day: date) -> Route | None:
        key = (code, commune.code, centre)
        if key not in self.routes:
            try:
                self.routes[key] = route(self.snapshot, code, commune.code, centre, day)
            except RoutingRefused:
                self.routes[key] = None
        found = self.routes[key]
        if found is not None:
            in_force = next((v for v in self.snapshot.procedures[code].versions if v.in_force(day)), None)
            if in_force is None or in_force.number != found.version_number:
                return None  # another version that day: leave that day to the procedures that did not change
        return found

    def _submitted_at(self, online: bool, cal: WorkingCalendar) -> datetime:
        rng = self.rng
        if online:  # online at any hour of any day, fewer at night and at weekends
            while True:
                day = self.start + timedelta(days=rng.randrange(self.span_days))
                if day.weekday() < 5 or rng.random() < 0.35:
                    break
            at = datetime.combine(day, clock(rng.choice((6, 8, 9, 10, 11, 14, 15, 16, 19, 20, 21, 22))))
        else:
            day = cal.next_working_day(self.start + timedelta(days=rng.randrange(self.span_days)), inclusive=True)
            at = datetime.combine(day, clock(rng.choice((7, 8, 9, 10, 13, 14, 15, 16))))
        return at + timedelta(minutes=rng.randrange(60))

    def dossier(self, dossier_id: int, first_event_id: int, rating_id: int) -> tuple[Row, list[Row], Row | None]:
        rng, d = self.rng, self.d
        while True:
            commune = self.pick_commune()
            traits = self.provinces[commune.province]
            code = self.pick_procedure()
            level = self.snapshot.procedures[code].versions[-1].level
            centre = commune.centre
            if level == "province" and rng.random() < d["provincial_level_at_provincial_centre"]:
                centre = traits.centre
            cal = self.calendar_for(commune.province)
            age = rng.random()  # 0: the first day generated, 1: today
            online_rate = max(0.0, traits.online_rate - d["online_growth"] * (1 - age))
            channel = "online" if rng.random() < online_rate else "postal" if rng.random() < d["postal_rate"] else ""
            at = self._submitted_at(channel != "", cal)
            plan = self._route(code, commune, centre, at.date())
            if plan is not None and at <= self.now:
                break
        channel = channel or "in_person"
        self.numbers[(centre, at.date())] += 1
        dossier_number = self.numbers[(centre, at.date())]
        business = rng.random() < 0.1
        version = next(v for v in self.snapshot.procedures[code].versions if v.number == plan.version_number)
        p = Projection(plan.time_limit["amount"], plan.time_limit["kind"])
        life = _Life(self, dossier_id, first_event_id, dossier_code(centre, at.date(), dossier_number), p, cal)
        life.channel = channel
        agency = plan.deciding_agency["code"]
        record: dict[str, Any] = {
            "code": life.code,
            "centre_identifier": centre,
            "province_code": commune.province,
            "procedure_code": code,
            "procedure_version_id": version.id,
            "version_number": version.number,
            "channel": channel,
            "owner_id": None,
            "created_by": None,
            "applicant_kind": "business" if business else "citizen",
            "applicant_id_number": f"{rng.randrange(10**9, 10**10)}" if business else generated_personal_id(rng),
            "applicant_name": rng.choice(self.companies if business else self.names),
            "applicant_phone": f"09{rng.randrange(10**8):08d}",
            "applicant_email": "",
            "subject_commune_code": commune.code,
            "subject_address": commune.name,
            "subject_address_as_written": "",
            "deciding_agency_code": agency,
            "handling_unit_code": (plan.handled_by or {}).get("code"),
            "form_data": {},
            "fees": plan.fees,
            "time_limit": plan.time_limit["amount"],
            "time_limit_kind": plan.time_limit["kind"],
            "submitted_at": at,
        }
        first = {"channel": channel, "record": record_digest(record)}
        handler = (plan.handled_by or {}).get("code") or agency
        by_applicant = channel != "in_person"
        if by_applicant:
            life.add("submit", at, "citizen", None, first)
            if rng.random() < d["reject_rate"]:
                life.add("reject", life.later(hours=3), "reception_officer", centre, {"reason": "Hồ sơ không hợp lệ"})
            else:
                life.add("accept", life.later(hours=rng.uniform(1, 16)), "reception_officer", centre, {})
        else:
            life.add("receive", at, "reception_officer", centre, first)
        life.add("transfer", life.later(hours=1), "reception_officer", centre, {})
        if by_applicant and rng.random() < d["withdrawal_rate"]:
            life.add("request_withdrawal", life.later(hours=30), "citizen", None, {})
            life.add("stop", life.later(hours=4), "processing_officer", handler, {"reason": "Công dân rút hồ sơ"})
        if rng.random() < d["supplement_rate"]:
            self._supplement(life, handler, centre, by_applicant)
        fee = next((f.get("amount_vnd") for f in plan.fees if f.get("channel") == channel), None)
        if isinstance(fee, int) and fee > 0:
            life.add("request_payment", life.later(hours=3), "processing_officer", handler, {"amount_vnd": fee})
            online_pay = rng.random() < d["online_payment_when_online" if by_applicant else "online_payment_at_counter"]
            if online_pay:
                payload = {"payment_reference": f"SYN-{dossier_id}", "online": True}
                life.add("pay", life.later(hours=rng.uniform(1, 30)), "citizen", None, payload)
            else:
                life.add("pay", life.later(hours=rng.uniform(2, 48)), "reception_officer", centre, {"online": False})
        due = p.due_on
        if due is not None and rng.random() < d["extension_rate"]:
            today = life.clock.date()
            if cal.working_days_between(today, due) >= 1:
                new_due = cal.add_working_days(due, rng.randint(2, 5))
                payload = {
                    "reason": "Cần xác minh thêm",
                    "new_due": new_due.isoformat(),
                    "previous_due": due.isoformat(),
                }
                life.add("extend", life.later(hours=2), "processing_officer", handler, payload)
        self._decide(life, commune, agency, centre, by_applicant, rating_id)
        status = p.status or "submitted"
        row = {
            "id": dossier_id,
            **record,
            "idempotency_key": None,
            "request_sha256": "",
            "deciding_commune_code": commune_of_agency(agency),
            "notify_channels": [],  # generated history: nothing was sent, nothing is owed
            "language": "vi",
            "event_count": life.seq,
            "last_hash": life.prev,
            **{k: v for k, v in vars(p).items() if not k.startswith("time_limit")},
        }
        row["status"] = status
        return tuple(row[c] for c in DOSSIER_COLUMNS), life.events, life.rating

    def _supplement(self, life: _Life, handler: str, centre: str, by_applicant: bool) -> None:
        p, cal = life.p, life.cal
        at = life.later(hours=8)
        if p.received_on is None or p.due_on is None or p.status != "processing":
            return
        request = {
            "restarts_clock": cal.working_days_between(p.received_on, at.date()) <= 3,
            "remaining_working_days": cal.working_days_between(at.date(), p.due_on),
        }
        payload = {"reason": "Thiếu giấy tờ", "missing": ["Bản sao giấy tờ chứng minh"], **request}
        life.add("request_supplement", at, "processing_officer", handler, payload)
        if self.rng.random() < 0.15:
            life.stopped = True  # the applicant never answers
            return
        answer = {"note": "Đã bổ sung giấy tờ", "after": "request_supplement", "request": request}
        who, unit = ("citizen", None) if by_applicant else ("reception_officer", centre)
        life.add("supplement", life.later(hours=self.rng.uniform(20, 120)), who, unit, answer)

    def _decide(
        self, life: _Life, commune: Commune, agency: str, centre: str, by_applicant: bool, rating_id: int
    ) -> None:
        p, cal, rng = life.p, life.cal, self.rng
        if p.status != "processing" or p.due_on is None or life.stopped:
            return
        start = life.clock.date()
        if rng.random() < commune.late_rate:
            day = cal.add_working_days(max(p.due_on, start), rng.randint(1, 10))
        else:
            span = max(cal.working_days_between(start, p.due_on), 0)
            day = cal.add_working_days(start, rng.randint(0, span)) if span else start
        decided = max(datetime.combine(day, clock(rng.randint(8, 16), rng.randrange(60))), life.later(hours=0.5))
        digitised = by_applicant and life.channel == "online"  # counter dossiers are not scanned here
        if rng.random() < self.d["refuse_rate"]:
            payload = {"reason": "Không đủ điều kiện theo quy định", "digitised": digitised}
            life.add("refuse", decided, "leader", agency, payload)
        else:
            life.add("approve", decided, "leader", agency, {"digitised": digitised})
        returned = life.later(hours=rng.uniform(1, 60))
        life.add("return_result", returned, "reception_officer", centre, {})
        if p.status == "returned" and by_applicant and rng.random() < self.d["rating_rate"]:
            at = returned + timedelta(hours=rng.uniform(1, 48))
            if at <= self.now:
                traits = self.provinces[commune.province]
                roll = rng.random()
                value = "dissatisfied" if roll < traits.dissatisfied_rate else "neutral" if roll < 0.25 else "satisfied"
                life.rating = (rating_id, life.dossier_id, None, value, "", at)


class _Life:
    """The events of one dossier so far, applied to its projection as they are added; events that
    would fall after now are not written (the dossier stays where it is today)."""

    def __init__(self, sim: Simulator, dossier_id: int, first_event_id: int, code: str, p: Projection, cal: Any):
        self.sim, self.dossier_id, self.next_id, self.code, self.p, self.cal = (
            sim,
            dossier_id,
            first_event_id,
            code,
            p,
            cal,
        )
        self.seq, self.prev, self.clock = 0, GENESIS, datetime.min  # noqa: DTZ901 (the simulation runs on wall time)
        self.events: list[Row] = []
        self.rating: Row | None = None
        self.stopped = False
        self.channel = ""

    def later(self, hours: float) -> datetime:
        return self.clock + timedelta(hours=hours)

    def add(self, name: str, at: datetime, role: str, unit: str | None, payload: dict[str, Any]) -> None:
        if self.stopped or at > self.sim.now:
            self.stopped = True
            return
        source = self.p.status or None
        target = TRANSITIONS[name].target or ("processing" if name == "supplement" else self.p.status)
        if source not in TRANSITIONS[name].sources:
            return  # a step the table does not allow from here (a refused dossier is not transferred)
        project(self.p, name, at, target, payload, self.cal)
        self.seq += 1
        digest = event_hash(self.code, self.seq, name, at, None, role, unit, source, target, payload, self.prev)
        self.events.append(
            (
                self.next_id,
                self.dossier_id,
                self.seq,
                name,
                at,
                None,
                role,
                unit,
                source,
                target,
                payload,
                self.prev,
                digest,
                None,  # via: generated history names no channel
                CURRENT_CHAIN,
            )
        )
        self.next_id += 1
        self.prev, self.clock = digest, at


def _next_id(session: Session, table: Table) -> int:
    return int(session.scalar(select(func.coalesce(func.max(table.c.id), 0))) or 0) + 1


def generate_activity(
    engine: Engine,
    dossiers: int,
    months: float,
    now: datetime,
    seed: int = 2025,
    batch_size: int = 10_000,
    profile: Profile | None = None,
    progress: Callable[[int], object] | None = None,
    rebuild_facts: bool = True,
) -> Generated:
    """Add ``dossiers`` synthetic dossiers spread over the last ``months`` months (never before the
    two-level reform), then rebuild the fact tables (unless the caller does, after adding feedback
    about them). Run it on a quiet database: ids are taken after the largest ones present."""
    from motcua.calendar.service import CalendarCache

    begun = time.perf_counter()
    now = vn_clock.wall(now)  # the simulation's times are Vietnam wall-clock times
    factory = db.session_factory(engine)
    start = max((now - timedelta(days=round(months * 30.44))).date(), REORGANISATION_DATE)
    calendars = CalendarCache(factory)
    with factory() as session:
        snapshot = CatalogSnapshot.load(session)
        ids = [_next_id(session, t) for t in (DOSSIERS, EVENTS, RATINGS)]
        taken = session.execute(
            select(SEQUENCES.c.centre_identifier, SEQUENCES.c.day, SEQUENCES.c.last).where(SEQUENCES.c.day >= start)
        )
        numbers = Counter({(centre, day): last for centre, day, last in taken})
    sim = Simulator(snapshot, calendars.get, profile or load_profile(), start, now, seed)
    sim.numbers.update(numbers)
    report = Generated()
    writer = BulkWriter(engine, WRITTEN_TABLES, JSON_COLUMNS)
    try:
        for size in _batches(dossiers, batch_size):
            rows: list[Row] = []
            events: list[Row] = []
            ratings: list[Row] = []
            for _ in range(size):
                row, log, rating = sim.dossier(ids[0], ids[1], ids[2])
                rows.append(row)
                events.extend(log)
                ids[0] += 1
                ids[1] += len(log)
                if rating is not None:
                    ratings.append(rating)
                    ids[2] += 1
                report.by_status[row[DOSSIER_COLUMNS.index("status")]] += 1
            writer.put((rows, events, ratings))
            report.dossiers += size
            report.events += len(events)
            report.ratings += len(ratings)
            if progress:
                progress(size)
    finally:
        writer.close()
    with db.transaction(factory) as session:
        _record_numbers(session, sim.numbers)
        report.officials = _officials(session, sim, dossiers, months)
        if engine.dialect.name == "postgresql":
            for table in ("dossiers", "dossier_events", "ratings", "users"):
                session.execute(
                    text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
                )
    report.seconds = time.perf_counter() - begun
    if rebuild_facts:
        report.facts_seconds = rebuild_dossier_facts(engine)
    return report


def rebuild_dossier_facts(engine: Engine) -> float:
    """Rebuild the dossier fact tables; the seconds it took."""
    from motcua.indicators.facts import rebuild

    begun = time.perf_counter()
    with db.transaction(db.session_factory(engine)) as session:
        rebuild(session)
    return time.perf_counter() - begun


def _batches(total: int, size: int) -> Iterator[int]:
    while total > 0:
        yield min(size, total)
        total -= size


def _record_numbers(session: Session, numbers: Counter[tuple[str, date]]) -> None:
    """The receiving units' daily counters move past the numbers given, so live receptions go on."""
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    stmt = insert(SEQUENCES)
    stmt = stmt.on_conflict_do_update(
        index_elements=["centre_identifier", "day"],
        set_={"last": case((SEQUENCES.c.last > stmt.excluded.last, SEQUENCES.c.last), else_=stmt.excluded.last)},
    )
    rows = [{"centre_identifier": c, "day": d, "last": n} for (c, d), n in numbers.items()]
    for i in range(0, len(rows), 5000):
        session.execute(stmt, rows[i : i + 5000])


def _officials(session: Session, sim: Simulator, dossiers: int, months: float) -> int:
    """Processing officers for the communes that have none, unevenly spread (some communes short of
    staff, others with more than they need), so that the workload indicator has something to show.
    They have no password: an administrator gives them activation codes."""
    existing = set(session.scalars(select(USERS.c.unit_code).where(USERS.c.username.like("syn-%"))))
    per_month = dossiers / max(months, 1)
    total_weight = sim.commune_weights[-1]
    rows: list[dict[str, Any]] = []
    previous = 0.0
    for commune, cumulative in zip(sim.communes, sim.commune_weights, strict=True):
        share, previous = (cumulative - previous) / total_weight, cumulative
        unit = f"{commune.code}.office"
        if unit in existing:
            continue
        needed = share * per_month * sim.d["officials_per_10000_dossiers"] / 10_000 * 12
        staff = max(1, round(needed * sim.rng.lognormvariate(0, 0.45)))
        rows.extend(
            {
                "username": f"syn-{commune.code}-{i}",
                "full_name": sim.rng.choice(sim.names),
                "role": "processing_officer",
            }
            | {"unit_code": unit}
            for i in range(1, staff + 1)
        )
    if rows:
        session.execute(USERS.insert(), rows)
    return len(rows)
