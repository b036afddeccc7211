"""``/api/v1/indicators``: the index and its counts per unit and period, as open data (no personal
data: counts only). Schema: docs/open-data.md."""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, Response

from motcua.api.errors import DOCUMENTED, ApiError
from motcua.i18n import N_
from motcua.indicators.index import Score, index
from motcua.indicators.models import DAY_COUNTERS
from motcua.replica import Reads

router = APIRouter(prefix="/api/v1/indicators", tags=["indicators"], responses=DOCUMENTED)
COUNT_FIELDS = DAY_COUNTERS  # every fact counter, in the tables' order
RATE_FIELDS = ("on_time_rate", "satisfaction_rate", "online_rate", "online_payment_rate", "digitisation_rate")
GROUP_FIELDS = ("transparency", "progress", "digitisation", "satisfaction", "online_service", "online_payment")


def row(s: Score, level: str, start: date, end: date) -> dict[str, Any]:
    out: dict[str, Any] = {"level": level, "unit": s.unit, "from": start.isoformat(), "to": end.isoformat()}
    out.update(rank=s.rank, percent=round(s.percent, 2), points=s.total, reachable=s.reachable)
    out.update({k: getattr(s.counts, k) for k in COUNT_FIELDS})
    out.update(open=s.counts.open, overdue=s.counts.open - s.counts.open_not_due)
    out.update({k: None if s.rates[k] is None else round(s.rates[k] or 0.0, 4) for k in RATE_FIELDS})
    out.update({f"points_{k}": None if s.groups.get(k) is None else round(s.groups[k] or 0.0, 2) for k in GROUP_FIELDS})
    return out


@router.get("/index", summary="The Decision 766 index per unit over a period (open data)")
def index_data(
    request: Request,
    start: Annotated[date, Query(alias="from")],
    end: Annotated[date, Query(alias="to")],
    level: Literal["province", "commune", "procedure"] = "province",
    province: Annotated[str | None, Query(pattern=r"^\d{2}$")] = None,
    format: Literal["json", "csv"] = "json",
) -> Response:
    if end < start or (end - start).days > 366 * 5:
        raise ApiError(422, "invalid_period", N_("The period must run forward and cover at most five years."))
    reads: Reads = request.app.state.reads  # open data tolerates a replica's lag
    rows = reads.run(
        lambda db_session: [row(s, level, start, end) for s in index(db_session, start, end, level, province)],
        retry_empty=False,
    )
    return _rows(rows, format)


@router.get("/feedback", summary="Feedback figures per unit, topic or month over a period (open data)")
def feedback_data(
    request: Request,
    start: Annotated[date, Query(alias="from")],
    end: Annotated[date, Query(alias="to")],
    by: Literal["province", "commune", "agency", "about", "month"] = "province",
    province: Annotated[str | None, Query(pattern=r"^\d{2}$")] = None,
    format: Literal["json", "csv"] = "json",
) -> Response:
    """Received, forwarded and transferred in, each stage on time or late (classification,
    forwarding, handling, publication), published, reopened and rated, from the fact tables; open and
    overdue today from the queues (not per month). Counts only."""
    from motcua import clock
    from motcua.indicators.feedback_stats import feedback_counts

    if end < start or (end - start).days > 366 * 5:
        raise ApiError(422, "invalid_period", N_("The period must run forward and cover at most five years."))
    reads: Reads = request.app.state.reads
    today = clock.today()
    rows = reads.run(
        lambda db_session: [
            {"by": by, "from": start.isoformat(), "to": end.isoformat(), **line.as_row()}
            for line in feedback_counts(db_session, start, end, by, province, today)
        ],
        retry_empty=False,
    )
    return _rows(rows, format)


def _rows(rows: list[dict[str, Any]], format: str) -> Response:
    if format == "csv":
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=list(rows[0]) if rows else ["key"])
        writer.writeheader()
        writer.writerows(rows)
        return Response(out.getvalue(), media_type="text/csv; charset=utf-8")
    import orjson

    return Response(orjson.dumps(rows), media_type="application/json")
