"""Early, on time or late, the way the national index counts it (../shared/domain.md §4): a
dossier finished (or still in progress) by its due date is on time; the applicant's supplement
time is already excluded from the due date; more than one supplement request counts as late."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from motcua import clock
from motcua.dossiers.models import Dossier

Timeliness = Literal["early", "on_time", "late", "in_progress", "overdue", "not_started", "not_applicable"]


def timeliness(d: Dossier, today: date) -> Timeliness:
    return classify(d.status, d.outcome, d.due_on, d.finished_at, d.supplement_count, today)


def classify(
    status: str,
    outcome: str | None,
    due_on: date | None,
    finished_at: datetime | None,
    supplement_count: int,
    today: date,
) -> Timeliness:
    if status in ("rejected", "stopped") and outcome is None:
        return "not_applicable"
    if due_on is None:
        return "not_started"
    if supplement_count > 1:
        return "late"
    finished = clock.local_date(finished_at) if finished_at else None
    if finished is None:
        return "in_progress" if today <= due_on else "overdue"
    if finished < due_on:
        return "early"
    return "on_time" if finished == due_on else "late"
