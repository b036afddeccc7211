"""Feedback messages (phản ánh, kiến nghị): filing, the competent agency, and one operation per
transition of ``states.TRANSITIONS`` with its rule and deadlines. Every step is an event appended to
the message's hash-chained log in the caller's transaction."""

from __future__ import annotations

import hashlib
import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from functools import cache
from importlib.resources import files
from typing import Any, Literal, cast, get_args

from sqlalchemy import Select, Table, bindparam, insert, select
from sqlalchemy.orm import Session, make_transient_to_detached

from motcua import clock
from motcua.accounts.service import PROVINCE_ROLES, Actor
from motcua.calendar.working import WorkingCalendar
from motcua.cases.chain import GENESIS, event_hash
from motcua.cases.sequences import DailyCounter
from motcua.catalog.models import Agency, ServiceCentre
from motcua.catalog.routing import CatalogSnapshot, RoutingRefused, route
from motcua.dossiers.errors import Conflict, DossierError, Forbidden, NotFound
from motcua.dossiers.models import Dossier
from motcua.dossiers.scope import VERTICAL_SUFFIXES, unit_matches
from motcua.feedback.models import FeedbackEvent, FeedbackMessage, FeedbackSequence
from motcua.feedback.states import DECLINE_REASONS, FINAL, OFFICIALS, OPEN, TRANSITIONS
from motcua.feedback.subscribers import FeedbackChange, publish
from motcua.i18n import N_
from motcua.notifications.contacts import email_problem, phone_problem
from motcua.units.address import convert_address
from motcua.units.registry import UnknownUnit, get_registry
from motcua.units.text import fold

RATING_VALUES = ("satisfied", "neutral", "dissatisfied")
About = Literal["procedure", "dossier", "agency", "official", "regulation"]
ABOUT: tuple[str, ...] = get_args(About)
CITIZEN_CHANNELS = ("online", "api")
OFFICIAL_CHANNELS = ("counter", "phone", "letter", "email")
CalendarFor = Callable[[str], WorkingCalendar]  # a province's working-day calendar
COUNTER = DailyCounter(cast(Table, FeedbackSequence.__table__), ("node",), limit=9999)
MESSAGES = cast(Table, FeedbackMessage.__table__)
EVENTS = cast(Table, FeedbackEvent.__table__)
MESSAGE_COLUMNS = tuple(c.key for c in MESSAGES.columns if c.key != "id" and c.computed is None)
INSERT_MESSAGE = insert(MESSAGES).returning(MESSAGES.c.id)  # prebuilt: the filing path's statements
INSERT_EVENT = insert(EVENTS)
LAST_EVENT = (
    select(EVENTS.c.seq, EVENTS.c.hash)
    .where(EVENTS.c.message_id == bindparam("id"))
    .order_by(EVENTS.c.seq.desc())
    .limit(1)
)
AGENCIES = cast(Table, Agency.__table__)
AGENCY = select(AGENCIES.c.code, AGENCIES.c.province_code, AGENCIES.c.commune_code).where(
    AGENCIES.c.code == bindparam("code")
)


class FeedbackError(DossierError):
    pass


@dataclass(frozen=True)
class Deadlines:
    classify: int
    forward: int
    request_info: int
    handle: int
    publish: int
    reopen_window_days: int
    escalate_before: int


@cache
def deadlines() -> Deadlines:
    raw = tomllib.loads(files("motcua.feedback").joinpath("data/deadlines.toml").read_text("utf-8"))
    return Deadlines(**{k: int(raw[k]) for k in Deadlines.__dataclass_fields__})


@dataclass(frozen=True)
class Sender:
    name: str
    address: str
    phone: str
    email: str | None = None
    show_name: bool = False


@dataclass(frozen=True)
class FeedbackRequest:
    about: str
    title: str
    body: str
    sender: Sender
    about_ref: str = ""  # a procedure's code, a dossier's code, an agency's code, an official's name
    commune_code: str | None = None  # the place it concerns
    place_address: str = ""  # or an address, old or new, converted to the commune when no code is given
    channel: str = "online"
    language: str = "vi"
    idempotency_key: str | None = None


def request_problems(r: FeedbackRequest, actor: Actor) -> list[str]:
    """What is wrong with a filing, field by field (nothing is written while anything is)."""
    found = []
    if r.about not in ABOUT:
        found.append(f"about: one of {', '.join(ABOUT)}")
    if r.about in ("procedure", "dossier", "agency") and not r.about_ref.strip():
        found.append(f"about_ref: the {r.about}'s code is required")
    if not 3 <= len(r.title.strip()) <= 200:
        found.append("title: 3 to 200 characters")
    if not 10 <= len(r.body.strip()) <= 10_000:
        found.append("body: 10 to 10,000 characters")
    s = r.sender
    if not s.name.strip() or len(s.name) > 200:
        found.append("sender.name: required (Decree 20/2008 art. 7), at most 200 characters")
    if not s.address.strip() or len(s.address) > 500:
        found.append("sender.address: required (Decree 20/2008 art. 7), at most 500 characters")
    if (problem := phone_problem(s.phone)) is not None:
        found.append(f"sender.phone: {problem}")
    if s.email and (problem := email_problem(s.email)) is not None:
        found.append(f"sender.email: {problem}")
    allowed = CITIZEN_CHANNELS if actor.role == "citizen" else OFFICIAL_CHANNELS
    if r.channel not in allowed:
        found.append(f"channel: one of {', '.join(allowed)} for a {actor.role}")
    if r.language not in ("vi", "fr", "en"):
        found.append("language: vi, fr or en")
    if r.commune_code is not None:
        try:
            get_registry().get("commune", r.commune_code, era="new")
        except UnknownUnit:
            found.append(f"commune_code: no commune {r.commune_code} in force")
    return found


def _agency(session: Session, code: str) -> Any:
    """The agency's code, province and commune (None: no such agency)."""
    return session.execute(AGENCY, {"code": code}).first()


def competent_agency(
    session: Session, r: FeedbackRequest, snapshot: CatalogSnapshot | None = None, at: date | None = None
) -> tuple[str, str, str | None, str]:
    """(agency code, why, commune code, province code): the agency that can act on the message. A
    dossier goes to the agency deciding it; a procedure to the agency that decides it for the place
    (the commune's People's Committee or office, the province's department); an agency to itself;
    an official or a regulation to the People's Committee of the place (the province's when no
    commune is given: ministries are not in the registry). The official confirms or overrides."""
    commune = r.commune_code
    if r.about == "dossier":
        d = session.scalar(select(Dossier).where(Dossier.code == r.about_ref.strip()))
        if d is None:
            raise FeedbackError("unknown_dossier", N_("No dossier has the code {code}."), code=r.about_ref)
        return d.deciding_agency_code, N_("the agency deciding the dossier"), d.subject_commune_code, d.province_code
    if r.about == "agency":
        a = _agency(session, r.about_ref.strip())
        if a is None:
            raise FeedbackError("unknown_agency", N_("No agency has the code {code}."), code=r.about_ref)
        return a.code, N_("the agency the message is about"), a.commune_code or commune, a.province_code
    if commune is None:
        raise FeedbackError("no_place", N_("Say which commune or ward the message concerns."))
    province = get_registry().get("commune", commune, era="new").province_code
    if r.about == "procedure":
        if snapshot is None:
            snapshot = CatalogSnapshot.load(session)
        centre = session.scalar(
            select(ServiceCentre.identifier).where(ServiceCentre.province_code == province).order_by(ServiceCentre.id)
        )
        try:
            routed = route(snapshot, r.about_ref.strip(), commune, centre or "", at or clock.today())
        except RoutingRefused as exc:
            raise FeedbackError(
                "not_routed", N_("The competent agency cannot be found: {why}."), why=exc.message
            ) from None
        return (
            str(routed.deciding_agency["code"]),
            N_("the agency deciding the procedure for the place"),
            commune,
            province,
        )
    return f"{commune}.UBND", N_("the People's Committee of the place"), commune, province


def checked(r: FeedbackRequest, actor: Actor, at: datetime) -> FeedbackRequest:
    """The request with its place converted from an address if no commune is given; every problem
    named at once (nothing is written while anything is wrong)."""
    problems: list[str] = []
    if r.commune_code is None and r.place_address.strip():
        converted = convert_address(r.place_address[:500], clock.local_date(at))
        if converted.commune_code is None:
            candidates = ", ".join(c.name for c in converted.candidates)
            problems.append(
                f"place_address: {converted.status} ({converted.reason})" + (f": {candidates}" if candidates else "")
            )
        else:
            r = replace(r, commune_code=converted.commune_code)
    if problems := problems + request_problems(r, actor):
        raise FeedbackError(
            "invalid_feedback",
            N_("The feedback is not valid: {count} problem(s)."),
            count=len(problems),
            problems=problems,
        )
    return r


def feedback_code(day: date, number: int) -> str:
    return f"PAKN.{day:%Y%m%d}.{number:04d}"


def file_feedback(
    session: Session,
    actor: Actor,
    r: FeedbackRequest,
    at: datetime,
    calendar_for: CalendarFor,
    snapshot: CatalogSnapshot | None = None,
) -> FeedbackMessage:
    """A new message, received by the competent agency, with its classification deadline."""
    if actor.role not in TRANSITIONS["file"].roles:
        raise Forbidden("wrong_role", N_("A {role} cannot file feedback."), role=actor.role)
    r = checked(r, actor, at)
    if r.idempotency_key:
        again = session.scalar(
            select(FeedbackMessage).where(
                FeedbackMessage.filed_by == actor.user_id, FeedbackMessage.idempotency_key == r.idempotency_key
            )
        )
        if again is not None:
            return again
    day = clock.local_date(at)
    agency, why, commune, province = competent_agency(session, r, snapshot, day)
    cal = calendar_for(province)
    number = COUNTER.next(session, day, node="")
    m = new_message(r, feedback_code(day, number), actor, at, cal, (agency, why, commune, province))
    # One INSERT … RETURNING id through Core, then the object joins the session as persistent (the
    # unit of work would cost more than the statement on this hot path, as for dossiers).
    m.id = session.connection().execute(INSERT_MESSAGE, {c: getattr(m, c) for c in MESSAGE_COLUMNS}).scalar_one()
    make_transient_to_detached(m)
    session.add(m)
    _append(session, m, "file", actor, at, None, filing_payload(m))
    return m


def filing_payload(m: FeedbackMessage) -> dict[str, Any]:
    return {"channel": m.channel, "about": m.about, "held_by": m.agency_code, "held_in": m.province_code}


def new_message(
    r: FeedbackRequest,
    code: str,
    actor: Actor,
    at: datetime,
    cal: WorkingCalendar,
    competent: tuple[str, str, str | None, str],
) -> FeedbackMessage:
    """A message as filed: received by the competent agency, with its classification and handling
    deadlines (the synthetic history makes its messages with this too)."""
    agency, why, commune, province = competent
    d = deadlines()
    received = cal.due(at, d.classify)
    return FeedbackMessage(
        code=code,
        channel=r.channel,
        filed_at=at,
        filed_by=actor.user_id or None,
        owner_id=(actor.user_id or None) if actor.role == "citizen" else None,
        idempotency_key=r.idempotency_key,
        about=r.about,
        about_ref=r.about_ref.strip(),
        dossier_code=r.about_ref.strip() if r.about == "dossier" else None,
        commune_code=commune,
        province_code=province,
        title=r.title.strip(),
        body=r.body.strip(),
        sender_name=r.sender.name.strip(),
        sender_address=r.sender.address.strip(),
        sender_phone=r.sender.phone.strip(),
        sender_email=(r.sender.email or "").strip() or None,
        show_name=r.sender.show_name,
        language=r.language,
        status="received",
        agency_code=agency,
        competent_reason=why,
        stage="classify",
        due_on=received.due,
        handle_due_on=cal.due(at, d.handle).due,
        received_at=at,
        forwarded=0,
        reopened=0,
        answer="",
        public_question="",
        late_stages=[],
    )


def visible(actor: Actor) -> Select[FeedbackMessage]:
    """The messages ``actor`` may read: a citizen their own; an official their agency's (a commune's
    staff: every office of their commune); a supervisor or inspector their province's."""
    query = select(FeedbackMessage)
    if actor.role == "admin":
        return query
    if actor.role == "citizen":
        return query.where(FeedbackMessage.owner_id == actor.user_id)
    if actor.role in PROVINCE_ROLES:
        return query.where(FeedbackMessage.province_code == (actor.unit_code or "-"))
    unit = actor.unit_code or "-"
    prefix = unit.split(".")[0]
    if len(prefix) == 5 and not unit.endswith(VERTICAL_SUFFIXES):
        return query.where(FeedbackMessage.agency_code.like(f"{prefix}.%"))
    return query.where(FeedbackMessage.agency_code == unit)


QueueView = Literal["open", "new", "due_soon", "overdue", "all"]
DUE_SOON_DAYS = 7


def queue(actor: Actor, view: str, today: date, about: str | None = None) -> Select[FeedbackMessage]:
    """An actor's messages in one view of their queue (open, new, due within a week, overdue, all),
    of one class if ``about`` is given, the earliest due first."""
    query = visible(actor)
    if about:
        query = query.where(FeedbackMessage.about == about)
    if view != "all":
        query = query.where(FeedbackMessage.status.in_(sorted(OPEN)))
    if view == "new":
        query = query.where(FeedbackMessage.status == "received")
    elif view == "due_soon":
        horizon = today + timedelta(days=DUE_SOON_DAYS)
        query = query.where(FeedbackMessage.due_on >= today, FeedbackMessage.due_on <= horizon)
    elif view == "overdue":
        query = query.where(FeedbackMessage.due_on < today)
    return query.order_by(FeedbackMessage.due_on, FeedbackMessage.id)


def can_read(actor: Actor, m: FeedbackMessage) -> bool:
    if actor.role == "admin":
        return True
    if actor.role == "citizen":
        return m.owner_id is not None and m.owner_id == actor.user_id
    if actor.role in PROVINCE_ROLES:
        return m.province_code == actor.unit_code
    return unit_matches(actor.unit_code, m.agency_code)


def get_message(session: Session, code: str, *, for_update: bool = False) -> FeedbackMessage:
    query = select(FeedbackMessage).where(FeedbackMessage.code == code)
    if for_update:
        query = query.with_for_update()
    m = session.scalar(query)
    if m is None:
        raise NotFound("not_found", N_("No feedback has the code {code}."), code=code)
    return m


def allowed_steps(actor: Actor, m: FeedbackMessage) -> list[str]:
    """The steps ``actor`` may take on ``m`` now (what a page offers)."""
    found = []
    for t in TRANSITIONS.values():
        if m.status in t.sources and actor.role in t.roles and _in_scope(actor, m):
            found.append(t.name)
    return found


def _in_scope(actor: Actor, m: FeedbackMessage) -> bool:
    if actor.role == "citizen":
        return m.owner_id is not None and m.owner_id == actor.user_id
    return actor.role in OFFICIALS and unit_matches(actor.unit_code, m.agency_code)


def act(
    session: Session,
    actor: Actor,
    code: str,
    step: str,
    at: datetime,
    calendar_for: CalendarFor,
    payload: dict[str, Any] | None = None,
) -> FeedbackMessage:
    """Take one step of the table on a message: role, scope, reason and the step's rule checked,
    then the event appended and the message's projection updated."""
    payload = dict(payload or {})
    t = TRANSITIONS.get(step)
    if t is None or step == "file":
        raise NotFound("unknown_transition", N_("There is no step {step}."), step=step)
    m = get_message(session, code, for_update=True)
    if not can_read(actor, m) and actor.role != "citizen":
        raise NotFound("not_found", N_("No feedback has the code {code}."), code=code)
    if actor.role not in t.roles:
        raise Forbidden("wrong_role", N_("A {role} cannot take the step {step}."), role=actor.role, step=step)
    if not _in_scope(actor, m):
        if actor.role == "citizen":
            raise NotFound("not_found", N_("No feedback has the code {code}."), code=code)
        raise Forbidden("out_of_scope", N_("This feedback is not your unit's."))
    if m.status not in t.sources:
        raise Conflict(
            "wrong_state",
            N_("The step {step} cannot be taken on feedback that is {status}."),
            step=step,
            status=m.status,
        )
    if t.needs_reason and not str(payload.get("reason", "")).strip():
        raise FeedbackError("reason_required", N_("The step {step} needs a reason."), step=step)
    before = m.status
    recorded = apply_step(session, m, actor, step, at, calendar_for(m.province_code), payload)
    _append(session, m, step, actor, at, before, recorded)
    return m


def apply_step(
    session: Session,
    m: FeedbackMessage,
    actor: Actor,
    step: str,
    at: datetime,
    cal: WorkingCalendar,
    payload: dict[str, Any],
) -> dict[str, Any]:
    """The step's rule and its effect on the projection (the checks of ``act`` passed); what the
    event records, with who had the message when the step was taken (a transfer changes it). The
    synthetic history goes through this too."""
    held = {"held_by": m.agency_code, "held_in": m.province_code}
    today, closes = clock.local_date(at), TRANSITIONS[step].closes
    # The stage the step ends, judged before the rule moves the message on (forwarding measures its
    # own stage from receipt; merging a message already accepted ends no stage).
    closed = _late(m, closes, today) if closes is not None and m.stage == closes else {}
    recorded = RULES[step](session, m, actor, at, today, cal, payload)
    recorded.update(closed)
    recorded.update(held)
    target = TRANSITIONS[step].target
    if target is not None:
        m.status = target
    if m.status in FINAL:
        m.finished_at = at
    return recorded


# A step's rule: checks the payload, changes the message's projection, returns what the event records.
Rule = Callable[[Session, FeedbackMessage, Actor, datetime, date, WorkingCalendar, dict[str, Any]], dict[str, Any]]


def _late(m: FeedbackMessage, stage: str, today: date) -> dict[str, Any]:
    """The stage ``stage`` closes today: whether after its deadline."""
    return _ended(m, stage, m.due_on is not None and today > m.due_on)


def _ended(m: FeedbackMessage, stage: str, late: bool) -> dict[str, Any]:
    """The stage ended, late or not: kept on the message and recorded on the event (the fact tables
    count it)."""
    if late and stage not in m.late_stages:
        m.late_stages = [*m.late_stages, stage]
    return {"late": late}


def _text(payload: dict[str, Any], name: str, limit: int = 10_000) -> str:
    value = str(payload.get(name, "")).strip()
    if not value:
        raise FeedbackError("field_required", N_("The field {name} is required."), name=name)
    if len(value) > limit:
        raise FeedbackError(
            "field_too_long", N_("The field {name} is longer than {limit} characters."), name=name, limit=limit
        )
    return value


def _accept(
    s: Session, m: FeedbackMessage, a: Actor, at: datetime, today: date, cal: WorkingCalendar, p: dict[str, Any]
) -> dict[str, Any]:
    m.stage, m.due_on = "handle", m.handle_due_on
    return {}


def _decline(
    s: Session, m: FeedbackMessage, a: Actor, at: datetime, today: date, cal: WorkingCalendar, p: dict[str, Any]
) -> dict[str, Any]:
    kind = str(p.get("kind", ""))
    if kind not in DECLINE_REASONS:
        raise FeedbackError(
            "bad_reason_kind", N_("Say why it is not accepted: one of {kinds}."), kinds=", ".join(DECLINE_REASONS)
        )
    recorded = {"kind": kind, "reason": _text(p, "reason", 2000)}
    if kind == "complaint_or_denunciation":
        recorded["where"] = _text(p, "where", 500)  # the sender is told where to go
    m.stage, m.due_on = "done", None
    return recorded


def _forward(
    s: Session, m: FeedbackMessage, a: Actor, at: datetime, today: date, cal: WorkingCalendar, p: dict[str, Any]
) -> dict[str, Any]:
    target = _agency(s, str(p.get("agency", "")).strip())
    if target is None:
        raise FeedbackError("unknown_agency", N_("No agency has the code {code}."), code=str(p.get("agency", "")))
    if target.code == m.agency_code:
        raise FeedbackError("same_agency", N_("The feedback is already with {code}."), code=target.code)
    from motcua.exchange.node import this_node

    node = this_node()
    if node is not None and not node.is_national and target.province_code != node.province_code:
        # Another province's agency works on its own node: a message moved there would reach nobody.
        raise FeedbackError(
            "other_province",
            N_("{code} is an agency of another province, which runs its own system: decline the message and say "
               "where to file it (the national portal sends it to that province)."),
            code=target.code,
        )  # fmt: skip
    d = deadlines()
    ended = _ended(m, "forward", cal.working_days_between(clock.local_date(m.received_at), today) > d.forward)
    previous = m.agency_code
    m.agency_code, m.competent_reason = target.code, str(p["reason"]).strip()[:2000]
    m.province_code = target.province_code
    m.received_at, m.forwarded = at, m.forwarded + 1
    m.stage, m.due_on = "classify", cal.due(at, d.classify).due
    m.handle_due_on = cal.due(at, d.handle).due  # 15 working days from the transfer
    recorded = {"from": previous, "agency": target.code, "province": target.province_code}
    return {**recorded, "reason": m.competent_reason, **ended}


def _merge(
    s: Session, m: FeedbackMessage, a: Actor, at: datetime, today: date, cal: WorkingCalendar, p: dict[str, Any]
) -> dict[str, Any]:
    code = str(p.get("original", "")).strip()
    original = s.scalar(select(FeedbackMessage).where(FeedbackMessage.code == code))
    if original is None or original.id == m.id or not unit_matches(a.unit_code, original.agency_code):
        raise FeedbackError("bad_original", N_("{code} is not another feedback of your unit."), code=code)
    if original.status in FINAL:
        raise FeedbackError("bad_original", N_("{code} is not another feedback of your unit."), code=code)
    m.original_code, m.stage, m.due_on = original.code, "done", None
    return {"original": original.code}


def _split(
    s: Session, m: FeedbackMessage, a: Actor, at: datetime, today: date, cal: WorkingCalendar, p: dict[str, Any]
) -> dict[str, Any]:
    """The second matter becomes a message of its own: the same sender, place and channel, received
    now by the same agency (the official forwards it if another agency is competent)."""
    title, body = _text(p, "title", 200), _text(p, "body")
    if len(title) < 3 or len(body) < 10:
        raise FeedbackError("split_too_short", N_("The second matter needs a title and a description."))
    sender = Sender(m.sender_name, m.sender_address, m.sender_phone, m.sender_email, m.show_name)
    r = FeedbackRequest(
        m.about, title, body, sender, m.about_ref, m.commune_code, channel=m.channel, language=m.language
    )
    day = clock.local_date(at)
    competent = (m.agency_code, m.competent_reason, m.commune_code, m.province_code)
    part = new_message(r, feedback_code(day, COUNTER.next(s, day, node="")), a, at, cal, competent)
    part.filed_by, part.owner_id = m.filed_by, m.owner_id  # the sender follows both
    part.id = s.connection().execute(INSERT_MESSAGE, {c: getattr(part, c) for c in MESSAGE_COLUMNS}).scalar_one()
    make_transient_to_detached(part)
    s.add(part)
    _append(s, part, "file", a, at, None, {**filing_payload(part), "split_from": m.code})
    return {"reason": _text(p, "reason", 2000), "split_into": part.code}


def _request_info(
    s: Session, m: FeedbackMessage, a: Actor, at: datetime, today: date, cal: WorkingCalendar, p: dict[str, Any]
) -> dict[str, Any]:
    assert m.handle_due_on is not None
    m.paused_days = max(cal.working_days_between(today, m.handle_due_on), 0)  # the clock stops
    m.stage, m.due_on = "info", None
    return {"reason": _text(p, "reason", 2000)}


def _provide_info(
    s: Session, m: FeedbackMessage, a: Actor, at: datetime, today: date, cal: WorkingCalendar, p: dict[str, Any]
) -> dict[str, Any]:
    info = _text(p, "info")
    start = cal.treated_as_received(at)
    m.handle_due_on = cal.add_working_days(start, m.paused_days or 1) if m.paused_days else start
    m.paused_days, m.stage, m.due_on = None, "handle", m.handle_due_on
    return {"info": info}


def _draft(
    s: Session, m: FeedbackMessage, a: Actor, at: datetime, today: date, cal: WorkingCalendar, p: dict[str, Any]
) -> dict[str, Any]:
    m.answer = _text(p, "answer")
    return {"answer": m.answer}


def _return_draft(
    s: Session, m: FeedbackMessage, a: Actor, at: datetime, today: date, cal: WorkingCalendar, p: dict[str, Any]
) -> dict[str, Any]:
    return {"reason": _text(p, "reason", 2000)}


def _approve(
    s: Session, m: FeedbackMessage, a: Actor, at: datetime, today: date, cal: WorkingCalendar, p: dict[str, Any]
) -> dict[str, Any]:
    m.stage, m.due_on = "publish", cal.add_working_days(today, deadlines().publish)
    return {}


def _publish(
    s: Session, m: FeedbackMessage, a: Actor, at: datetime, today: date, cal: WorkingCalendar, p: dict[str, Any]
) -> dict[str, Any]:
    question = str(p.get("public_question", "")).strip() or redacted(m.body, m)
    m.public_question = redacted(question, m)  # whatever the official wrote, the sender's data goes
    m.published_at, m.stage, m.due_on = at, "done", None
    m.search_text = search_text_of(m.title, m.public_question, m)
    return {"public_question_sha256": _digest(m.public_question)}


def _rate(
    s: Session, m: FeedbackMessage, a: Actor, at: datetime, today: date, cal: WorkingCalendar, p: dict[str, Any]
) -> dict[str, Any]:
    value = str(p.get("value", ""))
    if value not in RATING_VALUES:
        raise FeedbackError("bad_rating", N_("A rating is one of {values}."), values=", ".join(RATING_VALUES))
    m.rating = value
    return {"value": value}


def _request_reopen(
    s: Session, m: FeedbackMessage, a: Actor, at: datetime, today: date, cal: WorkingCalendar, p: dict[str, Any]
) -> dict[str, Any]:
    assert m.published_at is not None
    window = deadlines().reopen_window_days
    if (today - clock.local_date(m.published_at)).days > window:
        raise FeedbackError(
            "reopen_window_closed", N_("Reopening is possible within {days} days of the answer."), days=window
        )
    if m.rating == "satisfied":
        raise FeedbackError("rated_satisfied", N_("You rated the answer as satisfying: it cannot be reopened."))
    m.rating = "dissatisfied"
    return {"reason": _text(p, "reason", 2000)}


def _accept_reopen(
    s: Session, m: FeedbackMessage, a: Actor, at: datetime, today: date, cal: WorkingCalendar, p: dict[str, Any]
) -> dict[str, Any]:
    m.reopened += 1
    m.handle_due_on = cal.due(at, deadlines().handle).due  # a new deadline
    m.stage, m.due_on, m.rating = "handle", m.handle_due_on, None
    return {"handle_due_on": m.handle_due_on.isoformat()}


def _refuse_reopen(
    s: Session, m: FeedbackMessage, a: Actor, at: datetime, today: date, cal: WorkingCalendar, p: dict[str, Any]
) -> dict[str, Any]:
    return {"reason": _text(p, "reason", 2000)}


def _transferred(
    s: Session, m: FeedbackMessage, a: Actor, at: datetime, today: date, cal: WorkingCalendar, p: dict[str, Any]
) -> dict[str, Any]:
    previous, m.agency_code = m.agency_code, str(p["agency"])
    return {"from": previous, "agency": m.agency_code, "reference": str(p.get("reference", ""))}


REORGANISATION = Actor(0, "reorganisation", "system", None, via="worker")


def move(
    session: Session, code: str, agency: str, at: datetime, calendar_for: Any, *, reference: str
) -> FeedbackMessage | None:
    """The ``transferred`` step: a reorganisation gives an open message to the successor agency, its
    deadlines unchanged. None when there is nothing to move (already there, or closed meanwhile)."""
    m = get_message(session, code, for_update=True)
    if m.status not in TRANSITIONS["transferred"].sources or m.agency_code == agency:
        return None
    before = m.status
    payload = {"agency": agency, "reference": reference}
    recorded = apply_step(
        session, m, REORGANISATION, "transferred", clock.aware(at), calendar_for(m.province_code), payload
    )
    _append(session, m, "transferred", REORGANISATION, clock.aware(at), before, recorded)
    return m


RULES: dict[str, Rule] = {
    "accept": _accept,
    "decline": _decline,
    "forward": _forward,
    "merge": _merge,
    "split": _split,
    "request_info": _request_info,
    "provide_info": _provide_info,
    "draft_answer": _draft,
    "return_draft": _return_draft,
    "approve_answer": _approve,
    "publish": _publish,
    "rate": _rate,
    "request_reopen": _request_reopen,
    "accept_reopen": _accept_reopen,
    "refuse_reopen": _refuse_reopen,
    "transferred": _transferred,
}
assert set(RULES) == set(TRANSITIONS) - {"file"}, "every step of the table has its rule"

ID_NUMBER = re.compile(r"\b\d{9}(?:\d{3})?\b")  # identity cards (9) and citizen ID numbers (12)
PHONE = re.compile(r"(?:\+?84|0)(?:[\s.-]?\d){8,10}\b")
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
HIDDEN = "[…]"


def search_text_of(title: str, public_question: str, m: Any) -> str:
    """What the published answers' search matches: the public title and question, folded (no accents,
    lower case), without the sender's data."""
    return fold(f"{redacted(title, m)} {public_question}")


def redacted(text: str, m: Any) -> str:
    """The text without the sender's personal data: their name, phone, e-mail and address, and any
    ID number, phone number or e-mail address it quotes."""
    out = text
    for known in (m.sender_name, m.sender_phone, m.sender_email or "", m.sender_address):
        if known and len(known) >= 3:
            out = re.sub(re.escape(known), HIDDEN, out, flags=re.IGNORECASE)
    for pattern in (EMAIL, PHONE, ID_NUMBER):
        out = pattern.sub(HIDDEN, out)
    return out


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _append(
    session: Session,
    m: FeedbackMessage,
    step: str,
    actor: Actor,
    at: datetime,
    before: str | None,
    payload: dict[str, Any],
) -> None:
    if before is None:  # filing: the first event
        seq, prev = 1, GENESIS
    else:
        last = session.execute(LAST_EVENT, {"id": m.id}).first()
        seq, prev = (last[0] + 1, last[1]) if last else (1, GENESIS)
    via = actor.via
    digest = event_hash(
        m.code, seq, step, at, actor.user_id or None, actor.role, actor.unit_code, before, m.status, payload, prev,
        via=via,
    )  # fmt: skip
    session.connection().execute(
        INSERT_EVENT,
        {
            "message_id": m.id,
            "seq": seq,
            "transition": step,
            "at": at,
            "actor_id": actor.user_id or None,
            "actor_role": actor.role,
            "actor_unit": actor.unit_code,
            "from_status": before,
            "to_status": m.status,
            "payload": payload,
            "via": via,
            "prev_hash": prev,
            "hash": digest,
        },
    )
    session.expire(m, ["events"])
    publish(FeedbackChange(session, m, seq, step, at, actor, before, payload))


def verify(session: Session) -> list[str]:
    """Every message's log replayed: hashes chained, statuses in sequence and the last one the
    message's. The problems found (none: the logs are intact)."""
    found = []
    for m in session.scalars(select(FeedbackMessage).order_by(FeedbackMessage.id)):
        prev, status = GENESIS, None
        for e in m.events:
            expected = event_hash(
                m.code, e.seq, e.transition, e.at, e.actor_id, e.actor_role, e.actor_unit, e.from_status,
                e.to_status, e.payload, prev, via=e.via,
            )  # fmt: skip
            if e.hash != expected or e.prev_hash != prev:
                found.append(f"{m.code}: event {e.seq} ({e.transition}) does not match its chain")
            if e.from_status != status:
                found.append(f"{m.code}: event {e.seq} leaves from {e.from_status}, the log was at {status}")
            prev, status = e.hash, e.to_status
        if status != m.status:
            found.append(f"{m.code}: the message says {m.status}, its log {status}")
    return found
