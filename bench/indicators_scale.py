"""Benchmark: the indicators at national scale (issue 6 targets), on PostgreSQL.

On a database filled by ``motcua demo generate --dossiers 10000000 --months 12`` (or ``--generate N``
here), serves the portal with uvicorn and measures with ``wrk`` (p50/p99 latency, 4 connections):

- the national ranking: ``GET /dashboard`` (ranking, map and trend chart) and the open-data JSON
  ``GET /api/v1/indicators/index``, target p99 < 100 ms;
- a province's dashboard: ``GET /dashboard/79`` (Hồ Chí Minh City, the largest), target p99 < 100 ms;
- a full rebuild of the fact tables from the event logs (``motcua indicators rebuild``), target
  < 10 minutes.

Anchors, measured in the same run: the same national ranking computed ad hoc from the dossier table
(one aggregate scan of every dossier: what a system without fact tables does on each page view), and
the rebuild as an event-by-event replay in Python (``facts.replay``) timed on a slice of the dossiers
and extrapolated to all of them (a full replay takes hours).

Run: ``.venv/bin/python bench/indicators_scale.py --url postgresql+psycopg://postgres@127.0.0.1:5432/motcua_10m``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
import urllib.request
from datetime import date, datetime

import wrk_report
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from motcua import db
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.indicators.models import DAY_TABLES, OPEN_TABLES

# A benchmark server is a demo: sandbox payments, a development CA and generated keys are allowed.
os.environ.setdefault("MOTCUA_MODE", "demo")

PORT = 8766
TARGET_P99_MS = 100.0
TARGET_REBUILD_S = 600.0
ANCHOR_SQL = """
SELECT province_code,
       count(*) AS received,
       count(*) FILTER (WHERE channel = 'online') AS online,
       count(*) FILTER (WHERE outcome IS NOT NULL AND due_on IS NOT NULL AND supplement_count <= 1
                        AND finished_at::date <= due_on) AS on_time,
       count(*) FILTER (WHERE outcome IS NOT NULL AND due_on IS NOT NULL
                        AND (supplement_count > 1 OR finished_at::date > due_on)) AS late,
       count(*) FILTER (WHERE finished_at IS NULL AND due_on IS NOT NULL
                        AND status NOT IN ('rejected', 'stopped', 'returned')) AS open,
       count(*) FILTER (WHERE paid_online) AS paid_online
FROM dossiers
WHERE submitted_at BETWEEN :start AND :end
GROUP BY province_code
"""


def wrk(path: str, seconds: int, connections: int) -> dict[str, float]:
    script = f'request = function() return wrk.format("GET", "{path}") end\n'
    url = f"http://127.0.0.1:{PORT}"
    # Warm-up with more connections than workers, so that every worker has drawn its charts once.
    wrk_report.run(url, script, 4, 12)
    return wrk_report.run(url, script, seconds, connections)


def serve(url: str, workers: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "MOTCUA_DATABASE_URL": url, "MOTCUA_SECURE_COOKIES": "0"}
    cmd = [sys.executable, "-m", "uvicorn", "motcua.api.app:create_app", "--factory", "--port", str(PORT)]
    proc = subprocess.Popen([*cmd, "--workers", str(workers), "--log-level", "warning"], env=env)
    for _ in range(150):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{PORT}/api/v1/health", timeout=1)
            return proc
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError("the server did not start")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", required=True, help="PostgreSQL database holding the activity")
    parser.add_argument("--generate", type=int, default=0, help="first add this many synthetic dossiers")
    parser.add_argument("--months", type=int, default=12)
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument(
        "--connections", default="2,4", help="concurrent requests, comma-separated (2: one per core; 4: saturated)"
    )
    parser.add_argument("--replay-slice", type=int, default=20_000, help="dossiers replayed for the anchor")
    parser.add_argument("--skip-rebuild", action="store_true")
    parser.add_argument("--workers", type=int, default=3, help="uvicorn workers (one per core and one more)")
    args = parser.parse_args()
    engine = db.make_engine(args.url)
    factory = db.session_factory(engine)
    if args.generate:
        from motcua.demo import prepare_demo
        from motcua.dossiers.synthetic import generate_activity

        prepare_demo(args.url, dossiers=0)
        report = generate_activity(engine, args.generate, args.months, datetime.now().replace(microsecond=0))
        print(
            f"generated {report.dossiers:,} dossiers in {report.seconds:.0f} s (+ facts {report.facts_seconds:.0f} s)"
        )
    with factory() as s:
        dossiers = s.scalar(select(func.count()).select_from(Dossier)) or 0
        events = s.scalar(select(func.count()).select_from(DossierEvent)) or 0
        sizes = {
            f"{t.__tablename__}": s.scalar(select(func.count()).select_from(t)) or 0
            for t in (*DAY_TABLES.values(), *OPEN_TABLES.values())
        }
        first_day = s.scalar(select(func.min(Dossier.submitted_at)))
    print(
        f"database: {dossiers:,} dossiers, {events:,} events; fact rows: "
        + ", ".join(f"{k} {v:,}" for k, v in sizes.items())
    )
    if first_day is None:
        raise SystemExit("the database holds no dossier: fill it with motcua demo generate (or --generate N)")
    today = date.today()
    start, end = first_day.date(), today
    period = f"start={start.isoformat()}&end={end.isoformat()}"
    results: dict[str, dict[str, float]] = {}
    proc = serve(args.url, args.workers)
    try:
        for connections in (int(c) for c in args.connections.split(",")):
            for name, path in (
                ("national ranking page", f"/dashboard?{period}"),
                ("national ranking JSON", f"/api/v1/indicators/index?from={start}&to={end}"),
                ("province dashboard (79)", f"/dashboard/79?{period}"),
            ):
                results[f"{name}, c={connections}"] = wrk(path, args.seconds, connections)
    finally:
        proc.terminate()
        proc.wait(20)
    anchor_runs = []
    with engine.connect() as conn:
        for _ in range(2):
            began = time.perf_counter()
            conn.execute(
                text(ANCHOR_SQL), {"start": datetime.combine(start, datetime.min.time()), "end": datetime.now()}
            ).all()
            anchor_runs.append((time.perf_counter() - began) * 1000)
    anchor_ms = statistics.median(anchor_runs)
    print()
    print(f"{'page':<28}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}  target p99 < {TARGET_P99_MS:.0f} ms")
    print(f"anchor: the same ranking by an ad-hoc scan of every dossier: {anchor_ms:,.0f} ms")
    for name, r in results.items():
        ratio = anchor_ms / r["p99"] if r["p99"] else float("inf")
        verdict = "met" if r["p99"] < TARGET_P99_MS else "MISSED"
        print(
            f"{name:<28}{r['rps']:>9.1f}{r['p50']:>9.1f}{r['p99']:>9.1f}{r['errors']:>8.0f}"
            f"  {verdict}; anchor/p99 = {ratio:,.0f}×"
        )
    if args.skip_rebuild:
        return
    from motcua.indicators.facts import rebuild

    began = time.perf_counter()
    with db.transaction(factory) as s:
        rebuild(s)
    rebuild_s = time.perf_counter() - began
    # The anchor: the event-by-event replay, on a slice (rolled back), extrapolated.
    with factory() as s:
        low = s.scalar(select(func.min(Dossier.id))) or 0
        slice_end = low + args.replay_slice
        began = time.perf_counter()
        _replay_slice(s, low, slice_end)
        replay_s = (time.perf_counter() - began) * dossiers / args.replay_slice
        s.rollback()
    verdict = "met" if rebuild_s < TARGET_REBUILD_S else "MISSED"
    print(
        f"rebuild of the fact tables: {rebuild_s:,.0f} s ({verdict}, target < {TARGET_REBUILD_S:.0f} s); "
        f"anchor: Python replay ≈ {replay_s:,.0f} s extrapolated from {args.replay_slice:,} dossiers; "
        f"ratio {replay_s / rebuild_s:,.1f}×"
    )


def _replay_slice(session: Session, low: int, high: int) -> None:
    """``facts.replay``'s work on dossiers [low, high): load them with their events and run each event
    through ``changes`` (what a full replay does for every dossier)."""
    from sqlalchemy.orm import selectinload

    from motcua.calendar.service import build_calendar
    from motcua.calendar.working import WorkingCalendar
    from motcua.dossiers.projection import Projection, project
    from motcua.indicators.facts import changes, place_of

    calendars: dict[str, WorkingCalendar] = {}
    last = low - 1
    while last < high - 1:
        batch = session.scalars(
            select(Dossier)
            .where(Dossier.id > last, Dossier.id < high)
            .order_by(Dossier.id)
            .limit(2000)
            .options(selectinload(Dossier.events))
        ).all()
        if not batch:
            break
        for d in batch:
            if d.province_code not in calendars:
                calendars[d.province_code] = build_calendar(session, d.province_code)
            cal = calendars[d.province_code]
            shadow = Projection(d.time_limit, d.time_limit_kind)
            for e in d.events:
                before = Projection(**vars(shadow))
                project(shadow, e.transition, e.at, e.to_status, e.payload, cal)
                changes(place_of(d), e.transition, e.at, before, shadow, e.payload)
        last = batch[-1].id
        session.expunge_all()


if __name__ == "__main__":
    main()
