"""Benchmark: feedback at national scale (issue 16), on PostgreSQL.

On a database holding ``--messages`` feedback messages (default 1,000,000) beside ``--dossiers``
dossiers (made once by ``motcua demo generate``'s generators; ``--reuse`` keeps the database between
runs), measures four targets, each beside an anchor measured in the same run:

1. Filing: worker processes file messages through ``messages.file_feedback`` (one transaction each:
   code, projection, hash-chained event, facts, notifications) for ``--seconds``. Target ≥ 500/s.
   Anchor: the same processes inserting the same message row alone (no code, no log, no facts):
   the floor of one write transaction.
2. An agency's queue (``messages.queue``, first page of 50, the busiest agency) at ``--connections``
   concurrent callers (processes × threads, one database connection each). Target p99 < 50 ms.
   Anchor: the same query with index scans switched off (what the queue costs without its index).
3. The published answers' search (``published.published``: trigram candidates, ranked again by the
   procedures' measure) for queries typed without accents and with a typo, at ``--connections``.
   Target p99 < 50 ms. Anchor: a naive ``ILIKE '%…%'`` over the same table, with the accents typed
   (without them it finds nothing).
4. Rebuild of the feedback facts from the logs (``feedback_facts.rebuild``). Target < 2 min.
   Anchor: one scan of the event log (``count(*)`` over ``feedback_events``).

Run: ``.venv/bin/python bench/feedback.py --postgres postgresql+psycopg://postgres@127.0.0.1:5432/postgres``
(``--messages 1000000 --dossiers 100000 --seconds 10 --connections 32``).
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import random
import statistics
import threading
import time
from collections.abc import Callable
from typing import Any

os.environ.setdefault("MOTCUA_ALLOW_GENERATED_SECRET", "1")  # production mode, generated keys

from sqlalchemy import create_engine, func, select, text
from sqlalchemy.orm import Session

from motcua import clock, db
from motcua.accounts.service import Actor
from motcua.feedback.models import FeedbackEvent, FeedbackMessage

DATABASE = "motcua_bench_feedback"
SEARCHES = [  # (typed without accents, with a typo) → the anchor's query with the accents
    ("via he bi lan chiem", "Vỉa hè bị lấn chiếm"),
    ("trung tam dong nguoi cho lau", "Trung tâm đông người"),
    ("kien nghi ve muc phi", "Kiến nghị về mức phí"),
    ("can bo huong dan chua tan tinh", "Cán bộ hướng dẫn"),
    ("ho so bi tra cham", "Hồ sơ bị trả chậm"),
    ("de nghi don gian hoa thu tuc", "Đề nghị đơn giản hóa"),
    ("thoi gian tiep nhan ngan", "Thời gian tiếp nhận"),
    ("bieu mau kho hieu", "Biểu mẫu khó hiểu"),
]
TYPOS = [("lan chiem", "lan chem"), ("muc phi", "muc phis"), ("tiep nhan", "tiep nhann")]


def database(postgres: str, reuse: bool) -> tuple[str, bool]:
    """The benchmark's database URL, and whether it must be filled."""
    admin = create_engine(postgres, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        exists = conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": DATABASE})
        if exists and not reuse:
            conn.execute(text(f'DROP DATABASE "{DATABASE}" WITH (FORCE)'))
        if not exists or not reuse:
            conn.execute(text(f'CREATE DATABASE "{DATABASE}"'))
    admin.dispose()
    url = postgres.rsplit("/", 1)[0] + f"/{DATABASE}"
    return url, not (exists and reuse)


def fill(url: str, messages: int, dossiers: int) -> None:
    from motcua.demo import prepare_demo
    from motcua.dossiers.synthetic import generate_activity, rebuild_dossier_facts
    from motcua.feedback.synthetic import generate_feedback

    prepare_demo(url, dossiers=0)
    engine = db.make_engine(url)
    now = clock.now()
    begun = time.perf_counter()
    d = generate_activity(engine, dossiers, 12, now, seed=16, rebuild_facts=False)
    print(f"setup: {d.dossiers:,} dossiers in {d.seconds:.0f} s", flush=True)
    f = generate_feedback(engine, messages, 16, now, seed=16)
    print(f"setup: {f.messages:,} messages, {f.events:,} events in {f.seconds:.0f} s", flush=True)
    rebuild_dossier_facts(engine)
    with engine.connect() as conn:
        conn.execution_options(isolation_level="AUTOCOMMIT").execute(text("VACUUM ANALYZE"))
    print(f"setup: {time.perf_counter() - begun:.0f} s in all", flush=True)
    engine.dispose()


# -- 1. filing ------------------------------------------------------------------------------------


def filer(url: str, kind: str, seconds: float, seed: int, out: Any) -> None:
    from motcua.calendar.service import CalendarCache
    from motcua.catalog.routing import CatalogSnapshot
    from motcua.feedback import messages as fb

    engine = db.make_engine(url)
    factory = db.session_factory(engine)
    calendars = CalendarCache(factory)
    rng = random.Random(seed)
    with factory() as s:
        snapshot = CatalogSnapshot.load(s)
        communes = list(s.scalars(text("SELECT commune_code FROM agencies WHERE kind = 'commune_people_committee'")))
    officer = Actor(0, "bench", "reception_officer", None, via="worker")
    done, end = 0, time.perf_counter() + seconds
    while time.perf_counter() < end:
        commune = rng.choice(communes)
        request = fb.FeedbackRequest(
            about="agency",
            title="Trung tâm đông người, chờ lâu",
            body="Phải chờ hơn hai giờ mới được tiếp nhận hồ sơ tại trung tâm.",
            sender=fb.Sender("Nguyễn Văn An", "12 Lê Lợi", "0901234567"),
            about_ref=f"{commune}.UBND",
            commune_code=commune,
            channel="phone",
        )
        with db.transaction(factory) as s:
            if kind == "service":
                fb.file_feedback(s, officer, request, clock.now(), calendars.get, snapshot)
            else:  # the anchor: the row alone
                cal = calendars.get(commune[:2])
                competent = (f"{commune}.UBND", "bench", commune, "79")
                code = f"BENCH.{seed}.{done}.{time.perf_counter_ns() % 10**9}"
                s.add(fb.new_message(request, code[:24], officer, clock.now(), cal, competent))
        done += 1
    out.put(done)
    engine.dispose()


def filing_rate(url: str, kind: str, seconds: float, processes: int) -> float:
    ctx = multiprocessing.get_context("spawn")
    out = ctx.Queue()
    procs = [ctx.Process(target=filer, args=(url, kind, seconds, 1000 + i, out)) for i in range(processes)]
    for p in procs:
        p.start()
    total = sum(out.get() for _ in procs)
    for p in procs:
        p.join()
    return float(total) / seconds


# -- 2, 3. latency at N connections -----------------------------------------------------------------


def _caller(url: str, task: str, seconds: float, threads: int, seed: int, out: Any) -> None:
    engine = db.make_engine(url, pool_size=threads, max_overflow=0)
    factory = db.session_factory(engine)
    with factory() as s:
        busiest = s.scalar(
            select(FeedbackMessage.agency_code)
            .group_by(FeedbackMessage.agency_code)
            .order_by(func.count().desc())
            .limit(1)
        )
    call = CALLS[task](str(busiest))
    times: list[float] = []
    lock = threading.Lock()
    end = time.perf_counter() + seconds

    def loop(i: int) -> None:
        rng = random.Random(seed * 100 + i)
        mine = []
        with factory() as s:
            while time.perf_counter() < end:
                begun = time.perf_counter()
                call(s, rng)
                s.rollback()
                mine.append(time.perf_counter() - begun)
        with lock:
            times.extend(mine)

    workers = [threading.Thread(target=loop, args=(i,)) for i in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    out.put(times)
    engine.dispose()


def _queue(agency: str) -> Callable[[Session, random.Random], object]:
    from motcua.feedback.messages import queue

    actor = Actor(0, "bench", "leader", agency)

    def call(s: Session, rng: random.Random) -> object:
        return s.scalars(queue(actor, "open", clock.today()).limit(50)).all()

    return call


def _queue_no_index(agency: str) -> Callable[[Session, random.Random], object]:
    inner = _queue(agency)

    def call(s: Session, rng: random.Random) -> object:
        s.execute(text("SET LOCAL enable_indexscan = off"))
        s.execute(text("SET LOCAL enable_bitmapscan = off"))
        return inner(s, rng)

    return call


def _search(_agency: str) -> Callable[[Session, random.Random], object]:
    from motcua.feedback.published import published

    def call(s: Session, rng: random.Random) -> object:
        typed = rng.choice(SEARCHES)[0]
        if rng.random() < 0.5:
            right, wrong = rng.choice(TYPOS)
            typed = typed.replace(right, wrong)
        return published(s, typed)

    return call


def _ilike(_agency: str) -> Callable[[Session, random.Random], object]:
    sql = text(
        "SELECT code, title, public_question, answer FROM feedback_messages WHERE published_at IS NOT NULL "
        "AND (title ILIKE :q OR public_question ILIKE :q) ORDER BY published_at DESC LIMIT 50"
    )

    def call(s: Session, rng: random.Random) -> object:
        return s.execute(sql, {"q": f"%{rng.choice(SEARCHES)[1]}%"}).all()

    return call


CALLS: dict[str, Callable[[str], Callable[[Session, random.Random], object]]] = {
    "queue": _queue,
    "queue_no_index": _queue_no_index,
    "search": _search,
    "ilike": _ilike,
}


def latency(url: str, task: str, seconds: float, connections: int, processes: int) -> dict[str, float]:
    ctx = multiprocessing.get_context("spawn")
    out = ctx.Queue()
    threads = max(1, connections // processes)
    procs = [ctx.Process(target=_caller, args=(url, task, seconds, threads, i + 1, out)) for i in range(processes)]
    for p in procs:
        p.start()
    times = sorted(t for _ in procs for t in out.get())
    for p in procs:
        p.join()
    q = statistics.quantiles(times, n=100) if len(times) > 1 else [times[0]] * 99
    return {"calls_per_s": len(times) / seconds, "p50_ms": q[49] * 1000, "p99_ms": q[98] * 1000}


def hits(url: str) -> tuple[float, float]:
    """How many of the typed searches find something: ours (no accents, typos) and the anchor's."""
    from motcua.feedback.published import published

    engine = db.make_engine(url)
    with db.session_factory(engine)() as s:
        ours = [bool(published(s, typed)) for typed, _ in SEARCHES]
        ours += [bool(published(s, typed.replace(a, b))) for typed, _ in SEARCHES for a, b in TYPOS if a in typed]
        plain = [bool(_ilike("")(s, random.Random(i))) for i in range(len(SEARCHES))]
        naive_unaccented = sum(
            bool(
                s.execute(text("SELECT 1 FROM feedback_messages WHERE title ILIKE :q LIMIT 1"), {"q": f"%{t}%"}).first()
            )
            for t, _ in SEARCHES
        )
    engine.dispose()
    print(f"search: ours found {sum(ours)}/{len(ours)} (no accents, typos); naive ILIKE without accents "
          f"{naive_unaccented}/{len(SEARCHES)}, with accents {sum(plain)}/{len(plain)}")  # fmt: skip
    return sum(ours) / len(ours), sum(plain) / len(plain)


# -- 4. rebuild -----------------------------------------------------------------------------------


def rebuild(url: str) -> tuple[float, float, int]:
    from motcua.indicators import feedback_facts

    engine = db.make_engine(url)
    factory = db.session_factory(engine)
    begun = time.perf_counter()
    with db.transaction(factory) as s:
        rows = feedback_facts.rebuild(s)
    ours = time.perf_counter() - begun
    begun = time.perf_counter()
    with factory() as s:
        s.scalar(select(func.count()).select_from(FeedbackEvent))
    anchor = time.perf_counter() - begun
    engine.dispose()
    return ours, anchor, rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--postgres", required=True, help="URL of a PostgreSQL server's maintenance database")
    parser.add_argument("--messages", type=int, default=1_000_000)
    parser.add_argument("--dossiers", type=int, default=100_000)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--processes", type=int, default=2)
    parser.add_argument("--reuse", action="store_true", help="keep a filled database from an earlier run")
    parser.add_argument(
        "--parts",
        default="filing,queue,search,rebuild",
        help="what to measure (comma-separated; none: only fill the database)",
    )
    args = parser.parse_args()
    url, empty = database(args.postgres, args.reuse)
    if empty:
        fill(url, args.messages, args.dossiers)
    engine = db.make_engine(url)
    with engine.connect() as conn:
        n = conn.scalar(select(func.count()).select_from(FeedbackMessage)) or 0
        published = conn.scalar(select(func.count()).where(FeedbackMessage.published_at.is_not(None))) or 0
    engine.dispose()
    print(f"database: {n:,} feedback messages ({published:,} published)")

    parts = set(args.parts.split(","))
    if "filing" in parts:
        filing(url, args.seconds, args.processes)
    for task, anchor, what in (("queue", "queue_no_index", "queue"), ("search", "ilike", "search")):
        if what in parts:
            compare(url, task, anchor, what, args.seconds, args.connections, args.processes)
    if "search" in parts:
        hits(url)
    if "rebuild" in parts:
        ours_s, anchor_s, rows = rebuild(url)
        print(f"rebuild: {ours_s:.1f} s for {rows:,} fact rows (target < 120 s); anchor (one scan of the log) "
              f"{anchor_s:.1f} s; ratio {ours_s / anchor_s:.1f}")  # fmt: skip


def filing(url: str, seconds: float, processes: int) -> None:
    ours_rate = filing_rate(url, "service", seconds, processes)
    anchor_rate = filing_rate(url, "row", seconds, processes)
    print(f"filing: {ours_rate:,.0f}/s (target ≥ 500); anchor (the row alone) {anchor_rate:,.0f}/s; "
          f"ratio {ours_rate / anchor_rate:.2f}")  # fmt: skip


def compare(url: str, task: str, anchor: str, what: str, seconds: float, connections: int, processes: int) -> None:
    ours = latency(url, task, seconds, connections, processes)
    base = latency(url, anchor, seconds, connections, processes)
    alone = latency(url, task, min(seconds, 5), 1, 1)
    print(f"{what}: p99 {ours['p99_ms']:.1f} ms, p50 {ours['p50_ms']:.1f} ms, {ours['calls_per_s']:,.0f}/s at "
          f"{connections} connections (target p99 < 50 ms); one caller alone p50 {alone['p50_ms']:.1f} ms, "
          f"p99 {alone['p99_ms']:.1f} ms; anchor ({anchor}) p99 {base['p99_ms']:.1f} ms, {base['calls_per_s']:,.0f}/s; "
          f"p99 ratio {ours['p99_ms'] / base['p99_ms']:.2f}")  # fmt: skip


if __name__ == "__main__":
    main()
