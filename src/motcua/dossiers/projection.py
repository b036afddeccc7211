"""A dossier's projection: the state its event log gives, one event at a time.

``project`` turns an event into changes of status, dates and counters through the step's declared
effect (``states.STEPS``); the service applies it to each new event, ``motcua dossiers verify``
replays a whole log with it.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date, datetime
from typing import Any

from motcua.calendar.working import WorkingCalendar
from motcua.dossiers.models import Dossier
from motcua.dossiers.states import NATIONAL_STATUS, STEPS


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
    """What an event changes in the dossier's projection (also used to replay the log): the status,
    then the step's declared effect."""
    d.status, d.status_code = target, NATIONAL_STATUS[target]  # type: ignore[index]
    effect = STEPS[name].effect
    if effect is not None:
        effect(d, at, payload, cal)
