"""Demo dossiers: officials of a few communes and a few thousand dossiers in every state, made
through the real operations (so that every event log is a real, verifiable hash chain)."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from faker import Faker
from sqlalchemy import select
from sqlalchemy.orm import Session

from motcua.accounts.identity import generated_personal_id
from motcua.accounts.models import User
from motcua.accounts.service import Actor, actor_of, create_user, issue_token
from motcua.calendar.working import WorkingCalendar
from motcua.catalog.models import ServiceCentre
from motcua.catalog.routing import CatalogSnapshot
from motcua.dossiers.errors import DossierError
from motcua.dossiers.service import Applicant, SubmitRequest, act, submit

# Communes of four provinces, with a mix of city wards and rural communes.
DEMO_COMMUNES = ["00004", "00070", "00541", "26740", "26737", "27301", "19789", "20242", "25747", "01273", "31168"]
SAMPLE_FORMS: dict[str, dict[str, Any]] = {
    "1.001193": {
        "child_name": "Nguyễn Minh An",
        "child_sex": "nam",
        "child_date_of_birth": "2026-05-02",
        "place_of_birth": "Bệnh viện Từ Dũ",
        "mother": {"full_name": "Trần Thị Hoa"},
        "relation_to_child": "mẹ",
    },
    "1.000894": {"wife": {"full_name": "Lê Thị Lan"}, "husband": {"full_name": "Phạm Văn Bình"}},
    "1.000656": {
        "deceased": {"full_name": "Hoàng Văn Cường"},
        "date_of_death": "2026-04-20",
        "place_of_death": "Tại nhà",
        "relation_to_deceased": "con",
    },
    "1.004873": {"marital_status": "chưa đăng ký kết hôn", "purpose": "Đăng ký kết hôn"},
    "1.004222": {"new_address": "12 Lê Lợi", "legal_basis_of_home": "nhà thuộc sở hữu"},
    "1.004194": {"address": "45 Hai Bà Trưng", "from": "2026-06-01", "months": 12},
    "1.001612": {
        "business_name": "Tạp hóa Minh Phát",
        "business_address": "8 Trần Phú",
        "activities": ["Bán lẻ"],
        "capital_vnd": 80_000_000,
    },
    "1.013225": {"site_address": "Thửa 20, tờ 5", "works_type": "nhà ở riêng lẻ", "floor_area_m2": 180, "floors": 3},
    "1.012753": {"parcel_address": "Thửa 7, tờ 11", "area_m2": 120.5, "land_use": "Đất ở"},
    "2.000815": {"document_name": "Bằng tốt nghiệp đại học", "copies": 3},
}
OUTCOMES = [  # final state of a demo dossier, with its weight
    ("returned", 45),
    ("processed", 8),
    ("processing", 14),
    ("accepted", 5),
    ("submitted", 5),
    ("supplement_requested", 6),
    ("payment_requested", 2),
    ("withdrawal_requested", 1),
    ("stopped", 2),
    ("rejected", 3),
    ("late_returned", 6),
    ("extended_returned", 3),
]


@dataclass
class DemoReport:
    dossiers: int = 0
    by_state: Counter[str] = field(default_factory=Counter)
    accounts: dict[str, str] = field(default_factory=dict)  # username → token


def demo_officials(session: Session, commune: str, centre: str, report: DemoReport) -> dict[str, Actor]:
    roles = {
        "reception": ("reception_officer", centre),
        "officer": ("processing_officer", f"{commune}.office"),
        "economy": ("processing_officer", f"{commune}.economy"),
        "police": ("processing_officer", f"{commune}.police"),
        "police_leader": ("leader", f"{commune}.police"),
        "leader": ("leader", f"{commune}.UBND"),
    }
    out = {}
    for name, (role, unit) in roles.items():
        username = f"demo-{commune}-{name}"
        user = session.scalars(select(User).where(User.username == username)).first()
        if user is None:
            user = create_user(session, username, role, unit_code=unit, full_name=f"Cán bộ {name}", password="demo")
            report.accounts[username] = issue_token(session, user, "demo")
        out[name] = actor_of(user)
    return out


def generate(
    session: Session,
    snapshot: CatalogSnapshot,
    calendar_for: Callable[[str], WorkingCalendar],
    count: int,
    today: date,
    seed: int = 2025,
) -> DemoReport:
    rng = random.Random(seed)
    fake = Faker("vi_VN")
    fake.seed_instance(seed)
    report = DemoReport()
    citizen_user = session.scalars(select(User).where(User.username == "demo-citizen")).first()
    if citizen_user is None:
        citizen_user = create_user(
            session, "demo-citizen", "citizen", full_name="Nguyễn Văn Dân", password="demo", personal_id="079090000001"
        )
        report.accounts["demo-citizen"] = issue_token(session, citizen_user, "demo")
    if session.scalars(select(User).where(User.username == "demo-admin")).first() is None:
        create_user(session, "demo-admin", "admin", full_name="Quản trị viên", password="demo")
    for username, role, province, name in (
        ("demo-supervisor-79", "supervisor", "79", "Thanh tra, giám sát TP. Hồ Chí Minh"),
        ("demo-inspector-79", "inspector", "79", "Thanh tra TP. Hồ Chí Minh"),
        ("demo-supervisor-01", "supervisor", "01", "Thanh tra, giám sát TP. Hà Nội"),
    ):
        if session.scalars(select(User).where(User.username == username)).first() is None:
            create_user(session, username, role, unit_code=province, full_name=name, password="demo")
    citizen = actor_of(citizen_user)
    centres = {
        c.commune_code: c.identifier
        for c in session.scalars(select(ServiceCentre).where(ServiceCentre.commune_code.in_(DEMO_COMMUNES)))
    }
    staff = {commune: demo_officials(session, commune, centres[commune], report) for commune in DEMO_COMMUNES}
    procedures = [
        code
        for code, p in snapshot.procedures.items()
        if p.versions[-1].status == "published" and p.versions[-1].level == "commune"
    ]
    weights = [w for _, w in OUTCOMES]
    cal = calendar_for("")
    start = cal.add_working_days(today - timedelta(days=120), 1)
    for _ in range(count):
        commune = rng.choice(DEMO_COMMUNES)
        people = staff[commune]
        code = rng.choice(procedures)
        day = cal.add_working_days(start, rng.randint(0, 75))
        at = datetime.combine(day, time(rng.randint(7, 16), rng.choice((0, 15, 30, 45))))
        outcome = rng.choices([o for o, _ in OUTCOMES], weights)[0]
        counter = rng.random() < 0.35
        request = SubmitRequest(
            procedure_code=code,
            centre_identifier=centres[commune],
            subject_commune_code=commune,
            applicant=Applicant(
                "citizen",
                generated_personal_id(rng),
                fake.name(),
                f"09{rng.choice('01368')}{rng.randint(10**6, 10**7 - 1)}",
            ),
            form=SAMPLE_FORMS.get(code, {"request": "Đề nghị giải quyết thủ tục"}),
            channel="in_person" if counter else "online",
        )
        dossier, _ = submit(session, people["reception"] if counter else citizen, request, at, snapshot, calendar_for)
        try:
            final = _walk(session, dossier.code, outcome, people, citizen, at, rng, calendar_for, today)
        except DossierError:
            final = dossier.status  # a step the rules refuse (an extension too close to the due date): stop there
        report.dossiers += 1
        report.by_state[final] += 1
    return report


def _walk(
    session: Session,
    code: str,
    outcome: str,
    people: dict[str, Actor],
    citizen: Actor,
    at: datetime,
    rng: random.Random,
    calendar_for: Callable[[str], WorkingCalendar],
    today: date,
) -> str:
    from motcua.dossiers.service import get_dossier

    clock = at
    dossier = get_dossier(session, code)
    police = dossier.deciding_agency_code.endswith(".police")
    decider = people["police_leader"] if police else people["leader"]
    handler = (
        people["police"]
        if police
        else next((a for a in people.values() if a.unit_code == dossier.handling_unit_code), people["officer"])
    )

    def step(actor: Actor, name: str, hours: float = 2, **payload: Any) -> None:
        nonlocal clock
        clock = min(clock + timedelta(hours=hours), datetime.combine(today, time(17)))
        act(session, actor, code, name, clock, calendar_for, payload)

    if outcome == "submitted":
        return "submitted"
    if outcome == "rejected":
        step(people["reception"], "reject", reason="Hồ sơ không thuộc thẩm quyền giải quyết")
        return "rejected"
    if dossier.status == "submitted":
        step(people["reception"], "accept")
    if outcome == "accepted":
        return "accepted"
    if outcome in ("withdrawal_requested", "stopped") and dossier.owner_id is not None:
        step(citizen, "request_withdrawal")
        if outcome == "stopped":
            step(people["reception"], "stop", reason="Công dân rút hồ sơ")
        return dossier.status
    step(people["reception"], "transfer", hours=1)
    if outcome == "processing":
        return "processing"
    if outcome == "supplement_requested":
        step(handler, "request_supplement", reason="Thiếu giấy tờ", missing=["Bản sao giấy tờ nhà đất"])
        return "supplement_requested"
    if outcome == "payment_requested":
        step(handler, "request_payment", amount_vnd=rng.choice([50_000, 100_000, 200_000]))
        return "payment_requested"
    if outcome == "extended_returned":
        due = dossier.due_on or clock.date()
        new_due = calendar_for(dossier.province_code).add_working_days(due, 3)
        step(handler, "extend", hours=1, reason="Cần xác minh thêm", new_due=new_due.isoformat())
    late = outcome == "late_returned"
    hours = rng.uniform(2, 40) if not late else 24 * (rng.randint(4, 8) + (dossier.time_limit or 1) * 1.6)
    step(
        decider, "approve" if rng.random() > 0.08 else "refuse", hours=hours, reason="Không đủ điều kiện theo quy định"
    )
    if outcome == "processed":
        return "processed"
    step(people["reception"], "return_result", hours=rng.uniform(1, 30))
    return "returned"
