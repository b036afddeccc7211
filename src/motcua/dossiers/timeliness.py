"""Early, on time or late, the way the national index counts it (../shared/domain.md §4): a
dossier finished (or still in progress) by its due date is on time; the applicant's supplement
time is already excluded from the due date; more than one supplement request counts as late."""

from __future__ import annotations

from datetime import date
from typing import Literal

from motcua.dossiers.models import Dossier

Timeliness = Literal["early", "on_time", "late", "in_progress", "overdue", "not_started", "not_applicable"]


def timeliness(d: Dossier, today: date) -> Timeliness:
    if d.status in ("rejected", "stopped") and d.outcome is None:
        return "not_applicable"
    if d.due_on is None:
        return "not_started"
    finished = d.finished_at.date() if d.finished_at else None
    if d.supplement_count > 1:
        return "late"
    if finished is None:
        return "in_progress" if today <= d.due_on else "overdue"
    if finished < d.due_on:
        return "early"
    return "on_time" if finished == d.due_on else "late"
