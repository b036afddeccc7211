"""The rule of each dossier step beyond the table (state, role, scope, reason): one function per rule,
named in the step's declaration (``states.STEPS``). A guard refuses the step with a ``DossierError``
or fills the payload with what the event must record; it may choose the target state where the
table leaves it to the step (a supplement goes back where it was asked)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import Table, bindparam, select
from sqlalchemy.orm import Session

from motcua import clock
from motcua.accounts.models import User
from motcua.accounts.service import Actor
from motcua.calendar.working import WorkingCalendar
from motcua.dossiers.errors import DossierError
from motcua.dossiers.models import Dossier
from motcua.dossiers.scope import ASSIGNABLE_ROLES, unit_matches
from motcua.i18n import N_

if TYPE_CHECKING:
    from motcua.dossiers.states import State

# A guard: (session, dossier, actor, when, payload, the province's calendar) → the target state it
# chooses, or None for the table's.
Guard = Callable[[Session, Dossier, Actor, datetime, dict[str, Any], WorkingCalendar], "State | None"]

PROPOSALS = ("approve", "refuse")  # what a specialist may submit to the leader for signature
SUPPLEMENT_RESTART_DAYS = 3  # a supplement request within 3 working days restarts the clock
USERS = cast(Table, User.__table__)
ASSIGNEE = select(USERS.c.role, USERS.c.unit_code).where(USERS.c.id == bindparam("id"))


def _missing_listed(payload: dict[str, Any], d: Dossier) -> None:
    missing = payload.get("missing")
    if not isinstance(missing, list) or not missing or not all(isinstance(x, str) and x.strip() for x in missing):
        raise DossierError(
            "supplement_list_required",
            N_("A supplement request lists every missing document at once (missing: a non-empty list)."),
        )
    if d.supplement_count >= 1:
        raise DossierError("supplement_once", N_("A supplement may be requested only once, completely."))


def supplement_at_reception(
    s: Session, d: Dossier, a: Actor, at: datetime, payload: dict[str, Any], cal: WorkingCalendar
) -> State | None:
    """Asked once, completely, listing every missing document."""
    _missing_listed(payload, d)
    return None


def supplement_in_processing(
    s: Session, d: Dossier, a: Actor, at: datetime, payload: dict[str, Any], cal: WorkingCalendar
) -> State | None:
    """As at reception; the event also records whether the supplement will restart the clock (asked
    within the first working days) or resume it with the days that were left."""
    _missing_listed(payload, d)
    if d.received_on and d.due_on:
        elapsed = cal.working_days_between(d.received_on, clock.local_date(at))
        payload["restarts_clock"] = elapsed <= SUPPLEMENT_RESTART_DAYS
        payload["remaining_working_days"] = cal.working_days_between(clock.local_date(at), d.due_on)
    return None


def supplement(
    s: Session, d: Dossier, a: Actor, at: datetime, payload: dict[str, Any], cal: WorkingCalendar
) -> State | None:
    """Something is supplied; the dossier goes back where the request was made, with its clock rule."""
    if not payload.get("documents") and not payload.get("note"):
        raise DossierError("supplement_empty", N_("Say what is supplied (documents or a note)."))
    request = next(e for e in reversed(d.events) if e.transition.startswith("request_supplement"))
    payload["after"] = request.transition
    payload["request"] = {
        k: request.payload[k] for k in ("restarts_clock", "remaining_working_days") if k in request.payload
    }
    return "submitted" if request.transition == "request_supplement_at_reception" else "processing"


def extension(
    s: Session, d: Dossier, a: Actor, at: datetime, payload: dict[str, Any], cal: WorkingCalendar
) -> State | None:
    """Once, to a later working day, at least one working day before the due date."""
    if d.extended:
        raise DossierError("extension_once", N_("The appointment may be postponed only once."))
    try:
        new_due = date.fromisoformat(str(payload.get("new_due")))
    except ValueError:
        raise DossierError(
            "new_due_required", N_("An extension gives the new appointment date (new_due, YYYY-MM-DD).")
        ) from None
    assert d.due_on is not None
    if new_due <= d.due_on or not cal.is_working_day(new_due):
        raise DossierError(
            "new_due_invalid", N_("The new appointment must be a working day after {due}."), due=d.due_on.isoformat()
        )
    if cal.working_days_between(clock.local_date(at), d.due_on) < 1:
        raise DossierError(
            "extension_too_late",
            N_("An apology and new appointment must be sent at least one working day before the due date ({due})."),
            due=d.due_on.isoformat(),
        )
    payload["new_due"] = new_due.isoformat()
    payload["previous_due"] = d.due_on.isoformat()
    return None


def assignee(
    s: Session, d: Dossier, a: Actor, at: datetime, payload: dict[str, Any], cal: WorkingCalendar
) -> State | None:
    """Only to an official of the agency (or handling unit) that decides the dossier."""
    if not isinstance(payload.get("user_id"), int):
        raise DossierError("assignee_required", N_("Say who the dossier is assigned to (user_id)."))
    row = s.connection().execute(ASSIGNEE, {"id": payload["user_id"]}).first()
    if (
        row is None
        or row.role not in ASSIGNABLE_ROLES
        or not (
            unit_matches(row.unit_code, d.deciding_agency_code) or unit_matches(row.unit_code, d.handling_unit_code)
        )
    ):
        raise DossierError(
            "assignee_invalid",
            N_("User {user_id} is not an official of the agency that handles this dossier."),
            user_id=payload["user_id"],
        )
    return None


def fee_amount(
    s: Session, d: Dossier, a: Actor, at: datetime, payload: dict[str, Any], cal: WorkingCalendar
) -> State | None:
    """The amount given, or the fee the catalog gives for the dossier's channel."""
    amount = payload.get("amount_vnd")
    if amount is None:
        amount = next((f.get("amount_vnd") for f in d.fees if f.get("channel") == d.channel), None)
    if not isinstance(amount, int) or amount <= 0:
        raise DossierError("amount_required", N_("Say the amount to pay in dong (amount_vnd)."))
    payload["amount_vnd"] = amount
    return None


def proposal(
    s: Session, d: Dossier, a: Actor, at: datetime, payload: dict[str, Any], cal: WorkingCalendar
) -> State | None:
    """The specialist says what they propose; a refusal proposed gives its reason."""
    if payload.get("proposal") not in PROPOSALS:
        raise DossierError("proposal_required", N_("Say what you propose to the leader: approve or refuse (proposal)."))
    if payload["proposal"] == "refuse" and not str(payload.get("reason", "")).strip():
        raise DossierError("reason_required", N_("{transition} needs a reason."), transition="refuse")
    return None


def digitised_component(
    s: Session, d: Dossier, a: Actor, at: datetime, payload: dict[str, Any], cal: WorkingCalendar
) -> State | None:
    """Taken by motcua.digitisation once the officer checked the OCR's fields: it names them."""
    if not isinstance(payload.get("digitisation"), int) or not str(payload.get("component", "")).strip():
        raise DossierError(
            "digitisation_required",
            N_("Digitise a component from its scan, read and checked (digitisation, component)."),
        )
    return None


def decision(
    s: Session, d: Dossier, a: Actor, at: datetime, payload: dict[str, Any], cal: WorkingCalendar
) -> State | None:
    """Recorded for the digitisation indicator: the components were digital (sent online, or scanned
    at the counter, read and checked: a digitise step); the result is always a signed PDF."""
    payload["digitised"] = d.channel == "online" or any(e.transition == "digitise" for e in d.events)
    return None


def payment(
    s: Session, d: Dossier, a: Actor, at: datetime, payload: dict[str, Any], cal: WorkingCalendar
) -> State | None:
    """At the counter, the officer records it; online, only a payment the provider confirmed counts
    (see motcua.payments)."""
    payload["online"] = a.role == "citizen"
    if a.role == "citizen" and not payload.get("payment_reference"):
        raise DossierError("payment_unconfirmed", N_("Pay online through the payment page of the dossier."))
    return None
