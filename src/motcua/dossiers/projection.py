"""A dossier's projection: the state its event log gives, one event at a time.

``project`` is the one rule that turns an event into changes of status, dates and counters; the
service applies it to each new event, ``motcua dossiers verify`` replays a whole log with it.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date, datetime
from typing import Any

from motcua.calendar.working import WorkingCalendar
from motcua.dossiers.models import Dossier
from motcua.dossiers.states import NATIONAL_STATUS


@dataclass
class Projection:
    """What ``project`` reads and writes, apart from the ORM (cheap to copy and compare)."""

    time_limit: float | None
    time_limit_kind: str
    status: str = ""
    status_code: int = 0
    outcome: str | None = None
    assigned_to: int | None = None
    complete_at: datetime | None = None
    received_on: date | None = None
    due_on: date | None = None
    finished_at: datetime | None = None
    returned_at: datetime | None = None
    supplement_count: int = 0
    extended: bool = False
    paid_online: bool = False

    @classmethod
    def of(cls, d: Dossier) -> Projection:
        return cls(**{f.name: getattr(d, f.name) for f in fields(cls)})


PROJECTED = tuple(f.name for f in fields(Projection) if not f.name.startswith("time_limit"))


def project(
    d: Dossier | Projection, name: str, at: datetime, target: str, payload: dict[str, Any], cal: WorkingCalendar
) -> None:
    """What an event changes in the dossier's projection (also used to replay the log)."""
    d.status, d.status_code = target, NATIONAL_STATUS[target]  # type: ignore[index]
    limit, kind = d.time_limit or 0, d.time_limit_kind
    if name in ("submit", "receive"):
        d.complete_at = at
    if name in ("receive", "accept"):
        # The clock starts when the complete dossier arrived: at the counter now, online when sent.
        received_at = d.complete_at or at
        due = cal.due(received_at, limit, "same_day" if kind == "same_day" else kind)  # type: ignore[arg-type]
        d.received_on, d.due_on = due.treated_as_received, due.due
    elif name in ("request_supplement", "request_supplement_at_reception"):
        d.supplement_count += 1
    elif name == "supplement":
        if payload.get("after") == "request_supplement_at_reception":
            d.complete_at, d.received_on, d.due_on = at, None, None  # the clock starts on acceptance
        else:
            request = payload.get("request") or {}
            restarts = request.get("restarts_clock", True) if isinstance(request, dict) else True
            if restarts:
                due = cal.due(at, limit, "same_day" if kind == "same_day" else kind)  # type: ignore[arg-type]
                d.received_on, d.due_on = due.treated_as_received, due.due
            else:
                start = cal.treated_as_received(at)
                d.due_on = cal.add_working_days(start, int(request.get("remaining_working_days", 0)))
    elif name == "extend":
        d.due_on, d.extended = date.fromisoformat(payload["new_due"]), True
    elif name == "assign":
        d.assigned_to = payload["user_id"]
    elif name == "pay":
        d.paid_online = bool(payload.get("online"))
    elif name in ("approve", "refuse"):
        d.outcome = "approved" if name == "approve" else "refused"
        d.finished_at = at
    elif name == "return_result":
        d.returned_at = at
    elif name in ("reject", "stop"):
        d.finished_at = at
