"""Benchmark: a reorganisation applied to a database of about 1,000,000 open dossiers (issue 19):
plan < 60 s, apply (taking effect: every open dossier at a unit that ends moved by its chained step)
< 10 min, and the portal answering throughout: p99 of the public tracking < 300 ms during the apply.

The database: ``--template`` (PostgreSQL), filled once by ``--generate N`` (synthetic activity of the
last week: about half of it is open), is cloned for each run (``CREATE DATABASE … TEMPLATE``), so the
resolution can be applied again. The resolution: in every province, every second commune in code
order is merged into the one before it (about 1,650 of the 3,321 communes end, with their agencies
and centres) — a change of the scale of 2025, at the level of communes.

While it is applied, ``uvicorn motcua.api.app:create_app`` serves the database and reader threads ask
``GET /api/v1/track/{code}`` for random codes without pause. Anchor, in the same run: the same
tracking load on the same server for the same time before the apply (no reorganisation running);
the ratio is p99 during / p99 before.

Run: ``.venv/bin/python bench/reorganise.py --generate 2150000`` once, then
``.venv/bin/python bench/reorganise.py``.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from datetime import datetime, timedelta

import httpx
from sqlalchemy import create_engine, func, select, text

from motcua import clock, db
from motcua.calendar.service import CalendarCache
from motcua.dossiers.integrity import verify
from motcua.dossiers.models import Dossier
from motcua.reorganisation.apply import apply
from motcua.reorganisation.effect import take_effect
from motcua.reorganisation.plan import make_plan
from motcua.reorganisation.resolution import COLUMNS, parse
from motcua.reorganisation.targets import MOVABLE
from motcua.units.registry import get_registry

os.environ.setdefault("MOTCUA_MODE", "demo")  # a benchmark server is a demo (generated keys allowed)
SERVER = os.environ.get("MOTCUA_BENCH_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
PORT = 8767
TARGET_PLAN_S, TARGET_APPLY_S, TARGET_P99_MS = 60.0, 600.0, 300.0
REFERENCE = "BENCH-1/NQ-UBTVQH15"


def url_of(name: str) -> str:
    return f"{SERVER.rsplit('/', 1)[0]}/{name}"


def admin() -> object:
    return create_engine(SERVER, isolation_level="AUTOCOMMIT")


def generate(template: str, dossiers: int) -> None:
    from motcua.demo import prepare_demo
    from motcua.dossiers.synthetic import generate_activity

    with admin().connect() as c:  # type: ignore[attr-defined]
        c.execute(text(f'DROP DATABASE IF EXISTS "{template}" WITH (FORCE)'))
        c.execute(text(f'CREATE DATABASE "{template}"'))
    prepare_demo(url_of(template), dossiers=0)
    started = time.perf_counter()
    made = generate_activity(db.make_engine(url_of(template)), dossiers, 0.25, datetime.now().replace(microsecond=0))
    print(f"generated {made.dossiers:,} dossiers in {time.perf_counter() - started:.0f} s: {dict(made.by_status)}")


def clone(template: str, work: str) -> str:
    with admin().connect() as c:  # type: ignore[attr-defined]
        c.execute(text(f'DROP DATABASE IF EXISTS "{work}" WITH (FORCE)'))
        c.execute(text(f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{template}'"))
        c.execute(text(f'CREATE DATABASE "{work}" TEMPLATE "{template}"'))
    return url_of(work)


def resolution_text(day: str) -> str:
    """Every second commune of each province (code order) merged into the one before it."""
    registry = get_registry()
    rows = [",".join(COLUMNS)]
    for province in sorted(registry.in_force(clock.today(), "province"), key=lambda u: u.code):
        communes = sorted(registry.children(province, clock.today()), key=lambda u: u.code)
        for before, ending in zip(communes[0::2], communes[1::2], strict=False):
            rows.append(f"{REFERENCE},{day},merge,commune,{ending.code},,,,{before.code},,,")
    return "\n".join(rows) + "\n"


class Tracking:
    """Reader threads asking the public tracking for random codes; latencies per phase."""

    def __init__(self, base: str, codes: list[str], threads: int) -> None:
        self.base, self.codes, self.threads = base, codes, threads
        self.phase = "before"
        self.times: dict[str, list[float]] = {"before": [], "during": [], "after": []}
        self.errors: dict[str, int] = {"before": 0, "during": 0, "after": 0}
        self.stop = threading.Event()
        self.workers = [threading.Thread(target=self._run, args=(i,), daemon=True) for i in range(threads)]

    def _run(self, seed: int) -> None:
        rng = random.Random(seed)
        with httpx.Client(base_url=self.base, timeout=10) as client:
            while not self.stop.is_set():
                phase = self.phase
                started = time.perf_counter()
                try:
                    ok = client.get(f"/api/v1/track/{rng.choice(self.codes)}").status_code == 200
                except httpx.HTTPError:
                    ok = False
                self.times[phase].append((time.perf_counter() - started) * 1000)
                if not ok:
                    self.errors[phase] += 1

    def start(self) -> None:
        for w in self.workers:
            w.start()

    def finish(self) -> None:
        self.stop.set()
        for w in self.workers:
            w.join()

    def p(self, phase: str, q: float) -> float:
        values = sorted(self.times[phase])
        return values[min(len(values) - 1, int(q * len(values)))] if values else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--template", default="motcua_reorg")
    parser.add_argument("--work", default="motcua_reorg_run")
    parser.add_argument("--generate", type=int, default=0, help="first (re)fill the template with N dossiers")
    parser.add_argument("--readers", type=int, default=4, help="tracking reader threads")
    parser.add_argument("--workers", type=int, default=2, help="uvicorn workers")
    parser.add_argument("--baseline", type=float, default=30.0, help="seconds of tracking before the apply")
    args = parser.parse_args()
    if args.generate:
        generate(args.template, args.generate)
    url = clone(args.template, args.work)
    engine = db.make_engine(url)
    factory = db.session_factory(engine)
    with factory() as s:
        total = s.scalar(select(func.count()).select_from(Dossier)) or 0
        open_ = s.scalar(select(func.count()).select_from(Dossier).where(Dossier.status.in_(MOVABLE))) or 0
        codes = list(s.scalars(select(Dossier.code).order_by(func.random()).limit(20_000)))
    print(f"database: {total:,} dossiers, {open_:,} open")

    day = clock.today() + timedelta(days=1)
    resolution, problems = parse(resolution_text(day.isoformat()))
    assert resolution is not None and not problems, problems
    print(f"resolution: {len(resolution.changes):,} communes merged, effective {day}")
    started = time.perf_counter()
    with factory() as s:
        plan = make_plan(s, resolution, clock.today())
        s.rollback()
    plan_s = time.perf_counter() - started
    assert plan.ok, plan.problems[:5]
    totals = plan.totals
    print(f"plan: {plan_s:.1f} s — {totals['dossiers']:,} open dossiers to move, {totals['agencies_ended']:,} "
          f"agencies and {totals['centres_ended']:,} centres end")  # fmt: skip

    env = {**os.environ, "MOTCUA_DATABASE_URL": url, "MOTCUA_DATA_DIR": f"/tmp/{args.work}"}
    cmd = [sys.executable, "-m", "uvicorn", "motcua.api.app:create_app", "--factory", "--port", str(PORT)]
    server = subprocess.Popen([*cmd, "--workers", str(args.workers), "--log-level", "warning"], env=env)
    base = f"http://127.0.0.1:{PORT}"
    try:
        for _ in range(150):
            try:
                urllib.request.urlopen(f"{base}/api/v1/health", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        load = Tracking(base, codes, args.readers)
        load.start()
        time.sleep(args.baseline)
        load.phase = "during"
        started = time.perf_counter()
        with db.transaction(factory) as s:
            apply(s, resolution, clock.now(), applied_by="bench")
        applied_s = time.perf_counter() - started
        midnight = clock.aware(datetime.combine(day, datetime.min.time()))
        effect = take_effect(factory, midnight + timedelta(seconds=5), CalendarCache(factory).get)
        apply_s = time.perf_counter() - started
        load.phase = "after"
        time.sleep(5)
        load.finish()
    finally:
        server.terminate()
        server.wait(20)

    with factory() as s:
        sample = s.scalars(
            select(Dossier).where(Dossier.code.in_(select(Dossier.code).order_by(func.random()).limit(1000)))
        ).all()
        calendars = CalendarCache(factory)
        bad = [d.code for d in sample if not verify(d, calendars.get).ok]
    before_p99, during_p99 = load.p("before", 0.99), load.p("during", 0.99)
    print()
    print(f"apply (one transaction): {applied_s:.1f} s; taking effect: {effect.dossiers:,} dossiers, "
          f"{effect.feedback:,} messages, {effect.officials:,} officials moved; total {apply_s:.1f} s")  # fmt: skip
    print(f"tracking before: {len(load.times['before']):,} requests, p50 {load.p('before', 0.5):.1f} ms, "
          f"p99 {before_p99:.1f} ms, {load.errors['before']} errors")  # fmt: skip
    print(f"tracking during: {len(load.times['during']):,} requests, p50 {load.p('during', 0.5):.1f} ms, "
          f"p99 {during_p99:.1f} ms, {load.errors['during']} errors")  # fmt: skip
    print(f"sample of 1,000 dossiers verified: {1000 - len(bad)} ok, {len(bad)} failing {bad[:5]}")
    print()
    print("| figure | motcua | target | anchor (same run) | ratio |")
    print("|---|---:|---:|---:|---:|")
    print(f"| plan | {plan_s:.1f} s | < {TARGET_PLAN_S:.0f} s | | {plan_s / TARGET_PLAN_S:.2f} of the target |")
    print(f"| apply and take effect | {apply_s:.1f} s | < {TARGET_APPLY_S:.0f} s | | "
          f"{apply_s / TARGET_APPLY_S:.2f} of the target |")  # fmt: skip
    print(f"| tracking p99 during | {during_p99:.1f} ms | < {TARGET_P99_MS:.0f} ms | {before_p99:.1f} ms before | "
          f"{during_p99 / before_p99:.2f} |")  # fmt: skip
    print(f"| moved per second | {effect.dossiers / max(apply_s, 1e-9):,.0f} | | | |")
    print(f"median tracking latency during / before: {statistics.median(load.times['during'] or [0]):.1f} / "
          f"{statistics.median(load.times['before'] or [0]):.1f} ms")  # fmt: skip


if __name__ == "__main__":
    main()
