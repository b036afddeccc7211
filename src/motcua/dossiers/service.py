"""Dossier operations: submission or counter reception, then one operation per transition.

Every operation checks the transition table (``states.py``) for the state and the actor's role,
the actor's unit for the role's scope, and the rule of the step (a reason, one supplement
request, one extension at least a working day before the due date…); then it appends one event to
the hash-chained log and updates the dossier's projection in the same transaction.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Select, Table, bindparam, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, make_transient_to_detached, selectinload, sessionmaker
from sqlalchemy.orm.attributes import set_committed_value

from motcua import clock, db
from motcua.accounts.identity import personal_id_problem
from motcua.accounts.models import User
from motcua.accounts.service import PROVINCE_ROLES, Actor
from motcua.calendar.working import WorkingCalendar
from motcua.cases.chain import GENESIS, event_hash
from motcua.catalog.declaration import validator_for
from motcua.catalog.routing import CatalogSnapshot, RoutingRefused, route
from motcua.dossiers.chain import RECORD_FIELDS, record_digest
from motcua.dossiers.codes import dossier_code, next_number
from motcua.dossiers.errors import Conflict, DossierError, Forbidden, NotFound
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.dossiers.projection import PROJECTED, Projection, project
from motcua.dossiers.scope import ASSIGNABLE_ROLES, VERTICAL_SUFFIXES, commune_of_agency, unit_matches
from motcua.dossiers.states import PLACE_FIELDS, ROLE_SCOPE, STEPS, TRANSITIONS
from motcua.dossiers.subscribers import Change, publish, publish_all
from motcua.i18n import LANGUAGES, N_
from motcua.notifications.contacts import email_problem, phone_problem
from motcua.notifications.models import CITIZEN_CHANNELS
from motcua.units.address import convert_address
from motcua.validation import value_problems

CalendarFor = Callable[[str], WorkingCalendar]
BUSINESS_CODE = re.compile(r"^\d{10}(-\d{3})?$")


@dataclass
class Applicant:
    kind: str  # citizen | business
    id_number: str
    name: str
    phone: str = ""
    email: str = ""
    # Channels for the notifications of each step, in order of preference (email, sms, app); empty:
    # e-mail and SMS where given.
    channels: list[str] = field(default_factory=list)


@dataclass
class SubmitRequest:
    procedure_code: str
    centre_identifier: str
    applicant: Applicant
    form: dict[str, Any] = field(default_factory=dict)
    subject_commune_code: str | None = None
    subject_address: str = ""  # as written; converted when no commune code is given
    channel: str = "online"
    idempotency_key: str | None = None
    language: str = "vi"  # of the applicant's notifications
    # Documents of the applicant's store the dossier reuses instead of new papers (their consent).
    reuse: list[int] = field(default_factory=list)

    def fingerprint(self) -> str:
        data = json.dumps(self.__dict__, default=lambda o: o.__dict__, sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(data.encode()).hexdigest()


# -- scope ----------------------------------------------------------------------------------------


def can_read(actor: Actor, dossier: Dossier) -> bool:
    if actor.role == "admin":
        return True
    if actor.role == "citizen":
        return dossier.owner_id == actor.user_id or (
            actor.personal_id is not None and actor.personal_id == dossier.applicant_id_number
        )
    if actor.role == "reception_officer":
        return actor.unit_code == dossier.centre_identifier
    if actor.role in PROVINCE_ROLES:
        return actor.unit_code == dossier.province_code
    return unit_matches(actor.unit_code, dossier.deciding_agency_code) or unit_matches(
        actor.unit_code, dossier.handling_unit_code
    )


def _check_scope(actor: Actor, dossier: Dossier | None, centre: str, agency: str | None) -> None:
    scope = ROLE_SCOPE.get(actor.role)  # type: ignore[call-overload]
    if scope == "owner":
        allowed = dossier is None or can_read(actor, dossier)
    elif scope == "receiving_centre":
        allowed = actor.unit_code == centre
    else:
        allowed = unit_matches(actor.unit_code, agency) or (
            dossier is not None and unit_matches(actor.unit_code, dossier.handling_unit_code)
        )
    if not allowed:
        raise Forbidden(
            "wrong_unit",
            N_("Your account ({role}, {unit}) does not act for this dossier."),
            role=actor.role,
            unit=actor.unit_code or "-",
        )


def visible(actor: Actor) -> Select[Dossier]:
    """The dossiers an actor may see, as a query to filter further: the applicant's own, the receiving
    centre's, or those of the agency (a commune's staff: every office of their commune)."""
    query = select(Dossier)
    if actor.role == "citizen":
        mine = Dossier.owner_id == actor.user_id
        if actor.personal_id:
            mine = mine | (Dossier.applicant_id_number == actor.personal_id)
        return query.where(mine)
    if actor.role == "reception_officer":
        return query.where(Dossier.centre_identifier == actor.unit_code)
    if actor.role in PROVINCE_ROLES:
        return query.where(Dossier.province_code == (actor.unit_code or "-"))
    if actor.role == "admin":
        return query
    unit = actor.unit_code or "-"
    prefix = unit.split(".")[0]
    if len(prefix) == 5 and not unit.endswith(VERTICAL_SUFFIXES):
        return query.where((Dossier.deciding_commune_code == prefix) | (Dossier.handling_unit_code == unit))
    return query.where((Dossier.deciding_agency_code == unit) | (Dossier.handling_unit_code == unit))


def assignable(session: Session, d: Dossier) -> list[User]:
    """Officials a dossier may be assigned to: processing officers and leaders of its agency."""
    prefixes = {code.split(".")[0] for code in (d.deciding_agency_code, d.handling_unit_code) if code}
    candidates = session.scalars(
        select(User)
        .where(User.role.in_(ASSIGNABLE_ROLES), or_(*(User.unit_code.like(f"{p}%") for p in prefixes)))
        .order_by(User.full_name, User.username)
    )
    return [
        u
        for u in candidates
        if unit_matches(u.unit_code, d.deciding_agency_code) or unit_matches(u.unit_code, d.handling_unit_code)
    ]


# -- submission -----------------------------------------------------------------------------------


def applicant_problems(a: Applicant) -> list[str]:
    problems = []
    if a.kind not in ("citizen", "business"):
        problems.append("applicant.kind: must be citizen or business")
    elif a.kind == "citizen" and (problem := personal_id_problem(a.id_number)):
        problems.append(f"applicant.id_number: {problem}")
    elif a.kind == "business" and not BUSINESS_CODE.match(a.id_number):
        problems.append("applicant.id_number: a business code has 10 digits (13 for a branch)")
    if not a.name.strip():
        problems.append("applicant.name: empty")
    if a.phone and (problem := phone_problem(a.phone)):
        problems.append(f"applicant.phone: {problem}")
    if a.email and (problem := email_problem(a.email)):
        problems.append(f"applicant.email: {problem}")
    unknown = [c for c in a.channels if c not in CITIZEN_CHANNELS]
    if unknown:
        problems.append(f"applicant.channels: {', '.join(unknown)} not among {', '.join(CITIZEN_CHANNELS)}")
    if "email" in a.channels and not a.email:
        problems.append("applicant.channels: e-mail chosen but no e-mail address given")
    if ("sms" in a.channels or "app" in a.channels) and not a.phone:
        problems.append("applicant.channels: SMS or app messages chosen but no phone number given")
    return problems


_VALIDATORS: dict[int, tuple[dict[str, Any], Any]] = {}


def validate_form(schema: dict[str, Any], data: dict[str, Any]) -> list[str]:
    """Problems of the form data against the version's JSON Schema. A validator is built once per
    schema object (the routing snapshot keeps each version's schema for its lifetime)."""
    cached = _VALIDATORS.get(id(schema))
    if cached is not None and cached[0] is schema:
        validator = cached[1]
    else:
        validator = validator_for(schema)
        if len(_VALIDATORS) > 10_000:
            _VALIDATORS.clear()
        _VALIDATORS[id(schema)] = (schema, validator)
    return [
        f"form.{'.'.join(str(p) for p in e.absolute_path) or '(root)'}: {e.message}"
        for e in sorted(validator.iter_errors(data), key=lambda e: list(e.absolute_path))
    ]


def submit(
    session: Session,
    actor: Actor,
    req: SubmitRequest,
    at: datetime,
    snapshot: CatalogSnapshot,
    calendar_for: CalendarFor,
) -> tuple[Dossier, bool]:
    """Create a dossier: online/postal submission by the applicant (``submitted``) or counter reception
    by an officer of the receiving centre (``accepted`` at once, receipt and due date). Returns the
    dossier and whether it was created (False: the same request was already made with this key)."""
    at = clock.aware(at)
    name = "submit" if actor.role == "citizen" else "receive"
    transition = TRANSITIONS[name]
    if actor.role not in transition.roles:
        raise Forbidden("wrong_role", N_("A {role} cannot {transition}."), role=actor.role, transition=name)
    if req.channel not in ("online", "in_person", "postal"):
        raise DossierError(
            "invalid_request",
            N_("The request is not valid: {count} problem(s)."),
            count=1,
            problems=[f"channel: {req.channel!r} is not online, in_person or postal"],
        )
    fingerprint = req.fingerprint()
    if req.idempotency_key:
        existing = session.scalars(
            select(Dossier).where(Dossier.created_by == actor.user_id, Dossier.idempotency_key == req.idempotency_key)
        ).first()
        if existing is not None:
            if existing.request_sha256 != fingerprint:
                raise Conflict("idempotency_key_reused", N_("This Idempotency-Key was used for a different request."))
            return existing, False
    problems = applicant_problems(req.applicant)
    problems += value_problems({"applicant": vars(req.applicant), "subject_address": req.subject_address}, "request")
    problems += value_problems(req.form, "form")
    commune = req.subject_commune_code
    if not commune:
        converted = convert_address(req.subject_address, clock.local_date(at))
        if converted.commune_code is None:
            problems.append(
                f"subject_address: {converted.status} ({converted.reason})"
                + (": " + ", ".join(c.name for c in converted.candidates) if converted.candidates else "")
            )
        commune = converted.commune_code
    if problems:
        raise DossierError(
            "invalid_request",
            N_("The request is not valid: {count} problem(s)."),
            count=len(problems),
            problems=problems,
        )
    assert commune is not None
    try:
        plan = route(snapshot, req.procedure_code, commune, req.centre_identifier, clock.local_date(at))
    except RoutingRefused as exc:
        raise DossierError(exc.code, exc.template, **exc.details) from None
    # A centre or commune a reorganisation ended before ``at``: routing gave its successor, which
    # receives the dossier (an officer of either may take it in during the switch).
    centre = plan.receiving_centre["identifier"]
    commune = plan.subject["code"]
    _check_scope(
        actor, None, centre if actor.unit_code == centre else req.centre_identifier, plan.deciding_agency["code"]
    )
    version = next(v for v in snapshot.procedures[req.procedure_code].versions if v.number == plan.version_number)
    form_problems = validate_form(version.form_schema, req.form)
    if form_problems:
        raise DossierError(
            "invalid_form", N_("The form has {count} problem(s)."), count=len(form_problems), problems=form_problems
        )
    reused: list[dict[str, Any]] = []
    if req.reuse:  # checked against the applicant's store (motcua.digitisation), all or nothing
        from motcua.catalog.models import ProcedureVersion
        from motcua.digitisation.reuse import checked_reuse

        documents = session.scalar(select(ProcedureVersion.documents).where(ProcedureVersion.id == version.id)) or []
        reused = checked_reuse(session, req.applicant.id_number, documents, req.reuse, clock.local_date(at))
    number = next_number(session, centre, clock.local_date(at))
    dossier = Dossier(
        code=dossier_code(centre, clock.local_date(at), number),
        centre_identifier=centre,
        province_code=plan.subject["province_code"],
        procedure_code=req.procedure_code,
        procedure_version_id=version.id,
        version_number=version.number,
        channel="in_person" if actor.role != "citizen" and req.channel == "online" else req.channel,
        owner_id=actor.user_id if actor.role == "citizen" else None,
        created_by=actor.user_id,
        idempotency_key=req.idempotency_key,
        request_sha256=fingerprint,
        applicant_kind=req.applicant.kind,
        applicant_id_number=req.applicant.id_number,
        applicant_name=req.applicant.name,
        applicant_phone=req.applicant.phone,
        applicant_email=req.applicant.email,
        notify_channels=list(dict.fromkeys(req.applicant.channels)),
        language=req.language if req.language in LANGUAGES else "vi",
        subject_commune_code=commune,
        subject_address=req.subject_address or plan.subject["name"],
        subject_address_as_written=req.subject_address,
        deciding_agency_code=plan.deciding_agency["code"],
        deciding_commune_code=commune_of_agency(plan.deciding_agency["code"]),
        handling_unit_code=(plan.handled_by or {}).get("code"),
        form_data=req.form,
        fees=plan.fees,
        time_limit=plan.time_limit["amount"],
        time_limit_kind=plan.time_limit["kind"],
        status="submitted",
        status_code=1,
        submitted_at=at,
        outcome=None,
        assigned_to=None,
        complete_at=None,
        received_on=None,
        due_on=None,
        finished_at=None,
        returned_at=None,
        supplement_count=0,
        extended=False,
        paid_online=False,
    )
    _append(
        session,
        dossier,
        actor,
        name,
        at,
        None,
        transition.target or "submitted",
        {
            "channel": dossier.channel,
            "record": record_digest({k: getattr(dossier, k) for k in RECORD_FIELDS}),
            **({"reuse": reused, "reused": True} if reused else {}),
        },
        calendar_for(dossier.province_code),
    )
    if reused:
        from motcua.digitisation.reuse import record

        record(session, dossier, reused, at)
    return dossier, True


def submit_in_transaction(
    factory: sessionmaker[Session],
    actor: Actor,
    req: SubmitRequest,
    at: datetime,
    snapshot_of: Callable[[Session], CatalogSnapshot],
    calendars_of: Callable[[Session], CalendarFor],
    present: Callable[[Dossier], Any] = lambda d: d,
) -> tuple[Any, bool]:
    """``submit`` in a transaction of its own; ``present`` makes the answer inside it (an answer that
    cannot be made rolls the dossier back). When two requests with the same Idempotency-Key race, the
    later insert breaks the unique key; it is retried once and then finds the first dossier."""
    for attempt in (1, 2):
        try:
            with db.transaction(factory) as s:
                dossier, created = submit(s, actor, req, at, snapshot_of(s), calendars_of(s))
                return present(dossier), created
        except IntegrityError:
            if attempt == 2 or not req.idempotency_key:
                raise
    raise AssertionError("unreachable")


# -- transitions ----------------------------------------------------------------------------------


BY_CODE = select(Dossier).where(Dossier.code == bindparam("code"))  # built once: cached compiled form
BY_CODE_FOR_UPDATE = BY_CODE.with_for_update()
WITH_HISTORY = BY_CODE.options(selectinload(Dossier.events))


def readable(session: Session, actor: Actor, code: str) -> Dossier | None:
    """The dossier and its history if ``actor`` may read it; None otherwise, as if it did not exist."""
    dossier = session.scalars(WITH_HISTORY, {"code": code}).first()
    return dossier if dossier is not None and can_read(actor, dossier) else None


def get_dossier(session: Session, code: str, *, for_update: bool = False) -> Dossier:
    query = BY_CODE
    if for_update:
        if session.get_bind().dialect.name == "postgresql":
            query = BY_CODE_FOR_UPDATE
        else:
            db.lock_for_write(session)
    dossier = session.scalars(query, {"code": code}).one_or_none()
    if dossier is None:
        raise NotFound("unknown_dossier", N_("No dossier with code {code}."), code=code)
    return dossier


def act(
    session: Session,
    actor: Actor,
    code: str,
    name: str,
    at: datetime,
    calendar_for: CalendarFor,
    payload: dict[str, Any] | None = None,
    expected_events: int | None = None,
) -> Dossier:
    """Take transition ``name`` on dossier ``code``. ``expected_events`` (the event count the actor
    saw) refuses a stale action when someone else acted in between."""
    at = clock.aware(at)
    transition = TRANSITIONS.get(name)
    if transition is None or name in ("submit", "receive"):
        raise DossierError("unknown_transition", N_("There is no step called {transition}."), transition=name)
    dossier = get_dossier(session, code, for_update=True)
    if not can_read(actor, dossier):  # before anything that would tell its state
        if actor.role == "citizen":
            raise NotFound("unknown_dossier", N_("No dossier with code {code}."), code=code)
        raise Forbidden(
            "wrong_unit",
            N_("Your account ({role}, {unit}) does not act for this dossier."),
            role=actor.role,
            unit=actor.unit_code or "-",
        )
    if expected_events is not None and expected_events != dossier.event_count:
        last = dossier.events[-1]
        raise Conflict(
            "stale_action",
            N_("Someone acted on this dossier since you opened it ({transition} at {at}); reload it."),
            transition=last.transition,
            at=last.at.isoformat(timespec="minutes"),
        )
    if dossier.status not in transition.sources:
        raise DossierError(
            "wrong_state",
            N_("{transition} is not possible while the dossier is {status}."),
            transition=name,
            status=dossier.status,
        )
    if actor.role not in transition.roles:
        raise Forbidden("wrong_role", N_("A {role} cannot {transition}."), role=actor.role, transition=name)
    _check_scope(actor, dossier, dossier.centre_identifier, dossier.deciding_agency_code)
    payload = dict(payload or {})
    reason = str(payload.get("reason", "")).strip()
    if transition.needs_reason and not reason:
        raise DossierError("reason_required", N_("{transition} needs a reason."), transition=name)
    guard = STEPS[name].guard
    target = guard(session, dossier, actor, at, payload, calendar_for(dossier.province_code)) if guard else None
    _append(
        session,
        dossier,
        actor,
        name,
        at,
        dossier.status,
        target or transition.target or dossier.status,
        payload,
        calendar_for(dossier.province_code),
    )
    return dossier


REORGANISATION = Actor(0, "reorganisation", "system", None, via="worker")


def reassign(
    session: Session,
    code: str,
    user_id: int | None,
    at: datetime,
    calendar_for: CalendarFor,
    actor: Actor,
    *,
    reason: str,
) -> Dossier | None:
    """An ``assign`` step taken for the province when the assignee leaves the agency (a transfer of
    staff decided by an administrator): the dossier goes to ``user_id`` (another official of its
    agency) or to nobody, and the event names who decided and why. None when it is closed meanwhile."""
    dossier = get_dossier(session, code, for_update=True)
    if dossier.status not in TRANSITIONS["assign"].sources and dossier.status not in ACTIVE_UNDECIDED:
        return None
    payload = {"user_id": user_id, "reason": reason}
    _append(
        session, dossier, actor, "assign", clock.aware(at), dossier.status, dossier.status, payload,
        calendar_for(dossier.province_code),
    )  # fmt: skip
    return dossier


ACTIVE_UNDECIDED = frozenset(
    {"submitted", "accepted", "supplement_requested", "payment_requested", "awaiting_signature"}
)


DOSSIERS, EVENTS = cast(Table, Dossier.__table__), cast(Table, DossierEvent.__table__)
DOSSIER_COLUMNS = [c for c in DOSSIERS.columns if c.key != "id"]
INSERT_DOSSIER = insert(DOSSIERS).returning(DOSSIERS.c.id)
INSERT_EVENT = insert(EVENTS)
WRITTEN = (*PROJECTED, "event_count", "last_hash")  # what each step writes back
UPDATE_PROJECTION = (
    update(DOSSIERS).where(DOSSIERS.c.id == bindparam("p_id")).values({k: bindparam(f"p_{k}") for k in WRITTEN})
)


MOVE_PLACE = (
    update(DOSSIERS)
    .where(DOSSIERS.c.id == bindparam("p_id"))
    .values(
        {
            **{name: bindparam(f"p_{name}") for name in PLACE_FIELDS},
            "deciding_commune_code": bindparam("p_deciding_commune_code"),
            "event_count": bindparam("p_event_count"),
            "last_hash": bindparam("p_last_hash"),
        }
    )
)


def move_many(
    session: Session,
    moves: list[tuple[Dossier, dict[str, str | None]]],
    at: datetime,
    calendar_for: CalendarFor,
    *,
    reference: str,
    reason: str = "",
) -> list[Dossier]:
    """``move`` for many dossiers in one transaction (a reorganisation's sweep): the same event for
    each, written with one statement per table, and told to the subscribers together. The dossiers
    must be locked by the caller (``SELECT … FOR UPDATE``). Returns those moved."""
    at = clock.aware(at)
    changes, events, updates, moved = [], [], [], []
    for d, to in moves:
        if d.status not in TRANSITIONS["transferred"].sources:
            continue
        before = {name: getattr(d, name) for name in PLACE_FIELDS}
        after = {**before, **to}
        if after == before:
            continue
        payload = {"reference": reference, "reason": reason, "from": before, "to": after}
        seq, prev = (d.event_count or 0) + 1, d.last_hash or GENESIS
        actor = REORGANISATION
        digest = event_hash(
            d.code, seq, "transferred", at, actor.user_id, actor.role, actor.unit_code, d.status, d.status, payload,
            prev, via=actor.via,
        )  # fmt: skip
        projection = Projection.of(d)
        deciding_commune = commune_of_agency(after["deciding_agency_code"])
        events.append(
            {
                "dossier_id": d.id,
                "seq": seq,
                "transition": "transferred",
                "at": at,
                "actor_id": actor.user_id,
                "actor_role": actor.role,
                "actor_unit": actor.unit_code,
                "from_status": d.status,
                "to_status": d.status,
                "payload": payload,
                "via": actor.via,
                "prev_hash": prev,
                "hash": digest,
            }
        )
        updates.append(
            {
                "p_id": d.id,
                **{f"p_{name}": after[name] for name in PLACE_FIELDS},
                "p_deciding_commune_code": deciding_commune,
                "p_event_count": seq,
                "p_last_hash": digest,
            }
        )
        for name in PLACE_FIELDS:
            set_committed_value(d, name, after[name])
        set_committed_value(d, "deciding_commune_code", deciding_commune)
        set_committed_value(d, "event_count", seq)
        set_committed_value(d, "last_hash", digest)
        changes.append(Change(session, d, seq, "transferred", at, actor, payload, projection, projection))
        moved.append(d)
    if not moved:
        return moved
    connection = session.connection()
    connection.execute(MOVE_PLACE, updates)
    connection.execute(INSERT_EVENT, events)
    for d in moved:
        session.expire(d, ["events"])
    publish_all(changes)
    return moved


def _append(
    session: Session,
    d: Dossier,
    actor: Actor,
    name: str,
    at: datetime,
    source: str | None,
    target: str,
    payload: dict[str, Any],
    cal: WorkingCalendar,
) -> None:
    """Append the event, chained to the previous one, and update the projection (a new dossier is
    inserted once, with its projection, before its first event)."""
    seq = (d.event_count or 0) + 1
    prev = d.last_hash or GENESIS
    digest = event_hash(
        d.code, seq, name, at, actor.user_id, actor.role, actor.unit_code, source, target, payload, prev, via=actor.via
    )
    if d.id is None:
        before = Projection(d.time_limit, d.time_limit_kind)
        project(d, name, at, target, payload, cal)
        after = Projection.of(d)
        d.event_count, d.last_hash = seq, digest
        # A new dossier: one INSERT … RETURNING id through Core, then the object joins the session
        # as persistent (the unit of work would cost more than the statement on this hot path).
        row = {c.key: getattr(d, c.key) for c in DOSSIER_COLUMNS}
        d.id = session.connection().execute(INSERT_DOSSIER, row).scalar_one()
        make_transient_to_detached(d)
        session.add(d)
    else:
        # The projection's UPDATE, through Core like the inserts; the object keeps the new values as
        # committed state so that the session does not write them again.
        before, shadow = Projection.of(d), Projection.of(d)
        project(shadow, name, at, target, payload, cal)
        after = shadow
        written: dict[str, Any] = {key: getattr(shadow, key) for key in PROJECTED}
        written.update(event_count=seq, last_hash=digest)
        session.connection().execute(UPDATE_PROJECTION, {"p_id": d.id, **{f"p_{k}": v for k, v in written.items()}})
        for key, value in written.items():
            set_committed_value(d, key, value)
    session.connection().execute(
        INSERT_EVENT,
        {
            "dossier_id": d.id,
            "seq": seq,
            "transition": name,
            "at": at,
            "actor_id": actor.user_id,
            "actor_role": actor.role,
            "actor_unit": actor.unit_code,
            "from_status": source,
            "to_status": target,
            "payload": payload,
            "via": actor.via,
            "prev_hash": prev,
            "hash": digest,
        },
    )
    session.expire(d, ["events"])
    # Facts, the exchange's report and notifications, in this transaction.
    publish(Change(session, d, seq, name, at, actor, payload, before, after))
