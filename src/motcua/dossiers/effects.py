"""What each dossier step changes in the projection, apart from the status (which the table's target
gives): one small function per kind of effect, named in the step's declaration (``states.STEPS``).
The service applies it to each new event; ``motcua dossiers verify`` and the fact rebuild replay a
whole log with the same functions."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from motcua.calendar.working import WorkingCalendar

# An effect: (projection, when, the event's payload, the province's calendar). The projection is a
# ``projection.Projection`` or the ``Dossier`` itself; both carry the same fields.
Effect = Callable[[Any, datetime, dict[str, Any], WorkingCalendar], None]


def _clock_kind(p: Any) -> Any:
    return "same_day" if p.time_limit_kind == "same_day" else p.time_limit_kind


def arrived(p: Any, at: datetime, payload: dict[str, Any], cal: WorkingCalendar) -> None:
    """Submitted online or received at the counter: the dossier is complete as of now."""
    p.complete_at = at


def received(p: Any, at: datetime, payload: dict[str, Any], cal: WorkingCalendar) -> None:
    """The clock starts when the complete dossier arrived: at the counter now, online when sent."""
    due = cal.due(p.complete_at or at, p.time_limit or 0, _clock_kind(p))
    p.received_on, p.due_on = due.treated_as_received, due.due


def received_at_counter(p: Any, at: datetime, payload: dict[str, Any], cal: WorkingCalendar) -> None:
    p.complete_at = at
    received(p, at, payload, cal)


def supplement_requested(p: Any, at: datetime, payload: dict[str, Any], cal: WorkingCalendar) -> None:
    p.supplement_count += 1


def supplemented(p: Any, at: datetime, payload: dict[str, Any], cal: WorkingCalendar) -> None:
    """Asked at reception: the clock starts on acceptance. Asked during processing: it restarts, or
    (asked late) resumes with the working days that were left."""
    if payload.get("after") == "request_supplement_at_reception":
        p.complete_at, p.received_on, p.due_on = at, None, None
        return
    request = payload.get("request") or {}
    restarts = request.get("restarts_clock", True) if isinstance(request, dict) else True
    if restarts:
        due = cal.due(at, p.time_limit or 0, _clock_kind(p))
        p.received_on, p.due_on = due.treated_as_received, due.due
    else:
        start = cal.treated_as_received(at)
        p.due_on = cal.add_working_days(start, int(request.get("remaining_working_days", 0)))


def extended(p: Any, at: datetime, payload: dict[str, Any], cal: WorkingCalendar) -> None:
    p.due_on, p.extended = date.fromisoformat(payload["new_due"]), True


def assigned(p: Any, at: datetime, payload: dict[str, Any], cal: WorkingCalendar) -> None:
    p.assigned_to = payload["user_id"]


def paid(p: Any, at: datetime, payload: dict[str, Any], cal: WorkingCalendar) -> None:
    p.paid_online = bool(payload.get("online"))


def approved(p: Any, at: datetime, payload: dict[str, Any], cal: WorkingCalendar) -> None:
    p.outcome, p.finished_at = "approved", at


def refused(p: Any, at: datetime, payload: dict[str, Any], cal: WorkingCalendar) -> None:
    p.outcome, p.finished_at = "refused", at


def returned(p: Any, at: datetime, payload: dict[str, Any], cal: WorkingCalendar) -> None:
    p.returned_at = at


def finished(p: Any, at: datetime, payload: dict[str, Any], cal: WorkingCalendar) -> None:
    """Rejected at reception or stopped on withdrawal: closed without a result."""
    p.finished_at = at
