"""Benchmark: notifications (issue 17).

1. Queued with the dossier events. Worker processes submit dossiers for ``--seconds`` each round
   (one transaction per submission, as the portal does), alternating two configurations in the same
   run: *with* notifications (e-mail, SMS and app providers configured; every applicant chose the
   three channels: three rows written in each submission's transaction) and *without* (no provider:
   the subscriber writes nothing). Reports submissions/s of each, the ratio, and notifications
   queued per second. Target: ≥ 1,000 notifications/s, submission rate lowered by ≤ 10 %.
2. Sent by one worker. ``--emails`` e-mail notifications queued, then sent by one ``Sender`` (this
   process) to a local SMTP server (aiosmtpd's Sink, its own process). Anchor, in the same run: the
   same number of messages sent by plain smtplib over the same number of connections, no database.
   Target: ≥ 500 e-mails/s.

Run: ``.venv/bin/python bench/notifications.py [--postgres URL] [--seconds 10 --rounds 2 --processes 3
--emails 5000]`` (``--postgres``: a database made and dropped by the benchmark; default SQLite).
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import random
import smtplib
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from email.mime.text import MIMEText
from pathlib import Path

from sqlalchemy import create_engine, delete, func, select, text

os.environ.setdefault("MOTCUA_ALLOW_GENERATED_SECRET", "1")  # production mode (no demo sandbox), generated keys
os.environ["MOTCUA_EMAIL_RATE_LIMIT"] = "1000000/second"  # measure the worker, not the limit

from motcua import clock, db
from motcua.catalog import agencies, service
from motcua.notifications.models import Notification

WITH = {
    "MOTCUA_EMAIL_PROVIDER": "smtp",
    "MOTCUA_SMTP_HOST": "127.0.0.1",
    "MOTCUA_SMS_PROVIDER": "sandbox",
    "MOTCUA_APP_PROVIDER": "sandbox",
}
WITHOUT = {"MOTCUA_EMAIL_PROVIDER": "", "MOTCUA_SMTP_HOST": "", "MOTCUA_SMS_PROVIDER": "", "MOTCUA_APP_PROVIDER": ""}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def database(postgres: str | None, workdir: Path) -> Iterator[str]:
    if postgres is None:
        yield f"sqlite:///{workdir / 'notify.sqlite3'}"
        return
    admin = create_engine(postgres, isolation_level="AUTOCOMMIT")
    name = f"motcua_bench_notify_{uuid.uuid4().hex[:6]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield f"{postgres.rsplit('/', 1)[0]}/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def prepare(url: str) -> None:
    db.upgrade(url)
    with db.transaction(db.session_factory(db.make_engine(url))) as s:
        service.load_demo(s)
        agencies.generate(s, clock.today())


def submitter(url: str, env: dict[str, str], seconds: float, tag: str, out: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    """One worker process: submissions, each in its own transaction, for ``seconds``."""
    os.environ.update(env)
    from motcua.accounts.service import actor_of, create_user
    from motcua.calendar.service import CalendarCache
    from motcua.catalog.models import ServiceCentre
    from motcua.catalog.routing import CatalogSnapshot
    from motcua.dossiers.service import Applicant, SubmitRequest, submit

    factory = db.session_factory(db.make_engine(url))
    with db.transaction(factory) as s:
        citizen = actor_of(create_user(s, f"bench-{tag}", "citizen", personal_id="079123456789"))
        # Submissions spread over the communes' centres, as the portal's are (one centre would make
        # every submission wait for the same dossier-number row).
        centres = s.execute(
            select(ServiceCentre.identifier, ServiceCentre.commune_code)
            .where(ServiceCentre.commune_code.is_not(None))
            .order_by(ServiceCentre.identifier)
        ).all()
        snapshot = CatalogSnapshot.load(s)
    calendars = CalendarCache(factory)
    applicant = Applicant(
        "citizen", "079123456789", "Nguyễn Văn An", "0901234567", "an@example.vn", ["email", "sms", "app"]
    )
    form = {"business_name": "Tạp hóa An", "business_address": "12 Lê Lợi", "activities": ["Bán lẻ"], "capital_vnd": 5}
    rng = random.Random(tag)
    done, end = 0, time.perf_counter() + seconds
    while time.perf_counter() < end:
        centre, commune = rng.choice(centres)
        request = SubmitRequest("1.001612", centre, applicant, form, subject_commune_code=commune)
        with db.transaction(factory) as s:
            submit(s, citizen, request, clock.now(), snapshot, calendars.for_session(s))
        done += 1
    out.put(done)


def submissions(url: str, env: dict[str, str], seconds: float, processes: int) -> float:
    ctx = multiprocessing.get_context("spawn")
    out: multiprocessing.Queue = ctx.Queue()  # type: ignore[type-arg]
    tag = uuid.uuid4().hex[:8]
    workers = [ctx.Process(target=submitter, args=(url, env, seconds, f"{tag}-{i}", out)) for i in range(processes)]
    for w in workers:
        w.start()
    total = sum(out.get() for _ in workers)
    for w in workers:
        w.join()
    return float(total / seconds)


def count(url: str) -> int:
    with db.session_factory(db.make_engine(url))() as s:
        return int(s.scalar(select(func.count()).select_from(Notification)) or 0)


def smtp_sink(port: int) -> subprocess.Popen[bytes]:
    cmd = [sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{port}", "-c", "aiosmtpd.handlers.Sink"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return proc
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("the SMTP sink did not start")


def queue_emails(url: str, n: int) -> None:
    from motcua.notifications.outbox import Wanted, write

    factory = db.session_factory(db.make_engine(url))
    at = clock.now() - timedelta(seconds=1)
    values = {"code": "BENCH", "procedure": "Đăng ký hộ kinh doanh", "due": clock.today(), "link": "https://x/y"}
    batch = 1000
    for start in range(0, n, batch):
        wanted = [
            Wanted(f"bench:{i}", "applicant", "email", f"user{i}@example.vn", "vi", "dossier_received", values)
            for i in range(start, min(n, start + batch))
        ]
        with db.transaction(factory) as s:
            write(s.connection(), wanted, at)


def send_with_worker(url: str, port: int) -> tuple[int, float]:
    from motcua.notifications.sender import Sender

    os.environ.update({**WITH, "MOTCUA_SMTP_PORT": str(port), "MOTCUA_SMTP_SECURITY": "none"})
    os.environ.update({"MOTCUA_SMS_PROVIDER": "", "MOTCUA_APP_PROVIDER": ""})
    sender = Sender(db.session_factory(db.make_engine(url)))
    start = time.perf_counter()
    try:
        tally = sender.drain()
    finally:
        sender.close()
    return tally.delivered, time.perf_counter() - start


def send_plain(port: int, n: int, connections: int) -> float:
    """The anchor: smtplib alone, ``connections`` sessions, the same messages."""

    def one(share: range) -> None:
        conn = smtplib.SMTP("127.0.0.1", port)
        for i in share:
            m = MIMEText("Hồ sơ BENCH (Đăng ký hộ kinh doanh) đã được tiếp nhận.", "plain", "utf-8")
            m["From"], m["To"], m["Subject"] = "motcua <no-reply@motcua.gov.vn>", f"user{i}@example.vn", "Hồ sơ BENCH"
            conn.sendmail("no-reply@motcua.gov.vn", [f"user{i}@example.vn"], m.as_bytes())
        conn.quit()

    start = time.perf_counter()
    threads = [threading.Thread(target=one, args=(range(k, n, connections),)) for k in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--postgres", help="PostgreSQL server URL (a database is made and dropped)")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--processes", type=int, default=3)
    parser.add_argument("--emails", type=int, default=5000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, database(args.postgres, Path(tmp)) as url:
        os.environ["MOTCUA_DATA_DIR"] = tmp
        prepare(url)
        print(f"database: {url.split('@')[-1]}; {args.processes} processes × {args.seconds:g} s per round")
        rates: dict[str, list[float]] = {"without": [], "with": []}
        queued: list[float] = []
        for r in range(args.rounds):
            for name, env in (("without", WITHOUT), ("with", WITH)):
                before = count(url)
                rate = submissions(url, env, args.seconds, args.processes)
                rates[name].append(rate)
                if name == "with":
                    queued.append((count(url) - before) / args.seconds)
                print(f"round {r + 1} {name:7} notifications: {rate:8.1f} submissions/s")
        without, with_ = statistics.median(rates["without"]), statistics.median(rates["with"])
        print(
            f"submissions/s: with {with_:.1f}, without {without:.1f} (anchor); ratio {with_ / without:.3f} "
            f"(target ≥ 0.90); queued: {statistics.median(queued):.0f} notifications/s (target ≥ 1,000); medians"
        )
        with db.transaction(db.session_factory(db.make_engine(url))) as s:
            s.execute(delete(Notification))
        port = free_port()
        sink = smtp_sink(port)
        try:
            queue_emails(url, args.emails)
            sent, elapsed = send_with_worker(url, port)
            plain = send_plain(port, args.emails, 4)
        finally:
            sink.terminate()
            sink.wait(10)
        print(
            f"e-mails: one worker sent {sent} in {elapsed:.2f} s = {sent / elapsed:.0f}/s (target ≥ 500); "
            f"smtplib alone, 4 connections (anchor): {args.emails / plain:.0f}/s; ratio {plain / elapsed:.2f}"
        )


if __name__ == "__main__":
    main()
