"""Feedback figures per province, commune, agency, topic or month over a period, read from
``fact_feedback_days`` (never from the messages), and what is open or overdue today from the
agencies' queues. Counts only: no personal data (open data)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal, cast, get_args

from sqlalchemy import Table, func, select
from sqlalchemy.orm import Session

from motcua.feedback.models import FeedbackMessage
from motcua.feedback.states import OPEN
from motcua.indicators.facts import month_of
from motcua.indicators.models import FEEDBACK_COUNTERS, FactFeedbackDay

By = Literal["province", "commune", "agency", "about", "month"]
BY: tuple[str, ...] = get_args(By)
STAGES = ("classify", "forward", "handle", "publish")
TABLE = cast(Table, FactFeedbackDay.__table__)
MESSAGES = cast(Table, FeedbackMessage.__table__)
QUEUE_KEY = {"province": "province_code", "commune": "commune_code", "agency": "agency_code", "about": "about"}


@dataclass
class FeedbackCounts:
    key: str
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(FEEDBACK_COUNTERS, 0))
    open: int = 0  # today, in the agencies' queues (not for a month)
    overdue: int = 0

    def closed(self, stage: str) -> int:
        return self.counts[f"{stage}_on_time"] + self.counts[f"{stage}_late"]

    @property
    def late(self) -> int:
        return sum(self.counts[f"{stage}_late"] for stage in STAGES)

    def rates(self) -> dict[str, float | None]:
        """Each stage on time over the stages closed; forwarded, reopened and dissatisfied shares."""

        def ratio(a: int, b: int) -> float | None:
            return a / b if b else None

        c = self.counts
        closed = sum(self.closed(stage) for stage in STAGES)
        out = {"on_time_rate": ratio(closed - self.late, closed)}
        out |= {f"{stage}_on_time_rate": ratio(c[f"{stage}_on_time"], self.closed(stage)) for stage in STAGES}
        arrived = c["received"] + c["transferred_in"]
        out |= {
            "forwarded_rate": ratio(c["forwarded"], arrived),
            "reopened_rate": ratio(c["reopened"], c["published"]),
            "dissatisfied_rate": ratio(c["dissatisfied"], c["rated"]),
        }
        return out

    def as_row(self) -> dict[str, Any]:
        rates = {k: None if v is None else round(v, 4) for k, v in self.rates().items()}
        return {"key": self.key, **self.counts, "late": self.late, "open": self.open, "overdue": self.overdue, **rates}


def feedback_counts(
    session: Session,
    start: date,
    end: date,
    by: str = "province",
    province: str | None = None,
    today: date | None = None,
) -> list[FeedbackCounts]:
    """One line per unit of ``by`` (within ``province`` if given) with something in the period, the
    most received first; with ``today``, what each has open and overdue now."""
    if by not in BY:
        raise ValueError(f"{by!r} is not one of {', '.join(BY)}")
    key = month_of(session, TABLE.c.day) if by == "month" else TABLE.c[QUEUE_KEY[by]]
    query = select(key, *(func.sum(TABLE.c[c]) for c in FEEDBACK_COUNTERS)).where(TABLE.c.day.between(start, end))
    if province is not None:
        query = query.where(TABLE.c.province_code == province)
    lines: dict[str, FeedbackCounts] = {}
    for unit, *values in session.execute(query.group_by(key)):
        name = unit.isoformat() if isinstance(unit, date) else str(unit)
        lines[name] = FeedbackCounts(name, {c: int(v or 0) for c, v in zip(FEEDBACK_COUNTERS, values, strict=True)})
    if today is not None and by != "month":
        _queues(session, lines, by, province, today)
    order = (lambda line: line.key) if by == "month" else (lambda line: (-line.counts["received"], line.key))
    return sorted(lines.values(), key=order)


def _queues(session: Session, lines: dict[str, FeedbackCounts], by: str, province: str | None, today: date) -> None:
    column = MESSAGES.c[QUEUE_KEY[by]]
    query = select(func.coalesce(column, ""), func.count(), func.count().filter(MESSAGES.c.due_on < today)).where(
        MESSAGES.c.status.in_(sorted(OPEN))
    )
    if province is not None:
        query = query.where(MESSAGES.c.province_code == province)
    for unit, waiting, overdue in session.execute(query.group_by(column)):
        line = lines.setdefault(str(unit), FeedbackCounts(str(unit)))
        line.open, line.overdue = int(waiting), int(overdue)


def total(lines: list[FeedbackCounts], key: str = "") -> FeedbackCounts:
    out = FeedbackCounts(key)
    for line in lines:
        for counter, n in line.counts.items():
            out.counts[counter] += n
        out.open += line.open
        out.overdue += line.overdue
    return out


@dataclass(frozen=True)
class FeedbackSection:
    """What the dashboards and the two-level report show of feedback over a period."""

    total: FeedbackCounts
    by_month: list[FeedbackCounts]
    topics: list[FeedbackCounts]  # by what the messages are about, the most received first
    slowest: list[FeedbackCounts]  # agencies with the most late stages, then the lowest on-time rate


def section(
    session: Session, start: date, end: date, province: str | None, today: date, top: int = 5
) -> FeedbackSection:
    agencies = feedback_counts(session, start, end, "agency", province, today)
    late = [a for a in agencies if a.late or a.overdue]
    slowest = sorted(late, key=lambda a: (-(a.late + a.overdue), a.rates()["on_time_rate"] or 0.0, a.key))
    return FeedbackSection(
        total=total(agencies, province or ""),
        by_month=feedback_counts(session, start, end, "month", province),
        topics=feedback_counts(session, start, end, "about", province)[:top],
        slowest=slowest[:top],
    )


def agency_names(session: Session, codes: list[str]) -> dict[str, str]:
    """The agencies' names (Vietnamese) by code."""
    from motcua.catalog.models import Agency

    if not codes:
        return {}
    return {
        code: name for code, name in session.execute(select(Agency.code, Agency.name_vi).where(Agency.code.in_(codes)))
    }
