"""Benchmark: the exchange relay (issue 7) — messages per second through outbox → relay → national
inbox over real HTTP, and the delivery lag (from the change's transaction to its application at the
national node) p50/p99 under a steady load and after an outage of the national node.

Set-up: the national node is ``motcua serve`` (one process) on its database; the province's node is
``motcua worker`` (``--parallel 8``) on its own. Status changes of synthetic dossiers are written to
the province's outbox as a provincial node writes them.

1. Burst: ``--burst`` messages (dossiers of 5 changes each) queued at once; time to drain → msgs/s.
   Anchor, in the same run: the same number of signed messages posted straight to the national node
   by the same number of threads, without outbox, claim or record (what the outbox's guarantees cost).
2. Steady: messages queued at ``--rate`` per second for ``--seconds``; lag p50/p99.
3. Outage: the same load; the national node is killed for ``--outage`` seconds and restarted; lag
   p50/p99 of the messages written during and after the outage, and the time to catch up.

Run: ``.venv/bin/python bench/exchange_relay.py [--postgres URL] [--burst 5000 --rate 100 --seconds 30 --outage 15]``
(``--postgres`` puts both nodes on PostgreSQL, in databases made and dropped by the benchmark).
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import httpx
import orjson
from joserfc.jwk import OKPKey
from sqlalchemy import create_engine, delete, func, select, text
from sqlalchemy.orm import Session, sessionmaker

from motcua import db
from motcua.exchange.models import InboxMessage, Member, OutboxMessage, utc_now
from motcua.exchange.outbox import enqueue
from motcua.exchange.signing import new_key, public_jwk, sign

# A benchmark server is a demo: sandbox payments, a development CA and generated keys are allowed.
os.environ.setdefault("MOTCUA_MODE", "demo")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def databases(postgres: str | None, workdir: Path) -> Iterator[tuple[str, str]]:
    if postgres is None:
        yield f"sqlite:///{workdir / 'national.sqlite3'}", f"sqlite:///{workdir / 'province.sqlite3'}"
        return
    admin = create_engine(postgres, isolation_level="AUTOCOMMIT")
    names = [f"motcua_bench_{role}_{uuid.uuid4().hex[:6]}" for role in ("national", "province")]
    with admin.connect() as conn:
        for name in names:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    base = postgres.rsplit("/", 1)[0]
    try:
        yield f"{base}/{names[0]}", f"{base}/{names[1]}"
    finally:
        with admin.connect() as conn:
            for name in names:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


class Process:
    def __init__(self, args: list[str], env: dict[str, str], log: Path) -> None:
        self.args, self.env, self.log = args, env, log
        self.popen: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.popen = subprocess.Popen(
            [sys.executable, "-m", "motcua.cli", *self.args],
            env={**os.environ, **self.env},
            stdout=self.log.open("ab"),
            stderr=subprocess.STDOUT,
        )

    def kill(self) -> None:
        if self.popen and self.popen.poll() is None:
            self.popen.send_signal(signal.SIGKILL)
            self.popen.wait(10)


def wait_up(url: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(url + "/exchange/v1/health", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{url} did not start")


def change(code: str, sequence: int, at: datetime) -> dict[str, object]:
    status = ["submitted", "accepted", "processing", "processed", "returned"][sequence - 1]
    return {
        "dossierCode": code,
        "procedureCode": "1.001612",
        "sequence": sequence,
        "statusCode": [1, 2, 4, 9, 10][sequence - 1],
        "status": status,
        "at": at.isoformat() + "+00:00",
        "receivedOn": None,
        "dueOn": None,
        "finishedAt": None,
        "returnedAt": None,
        "outcome": None,
        "note": "",
    }


def queue(factory: sessionmaker[Session], dossiers: int, tag: str) -> int:
    now = utc_now()
    with db.transaction(factory) as s:
        for d in range(dossiers):
            code = f"BENCH-{tag}-{d:06d}"
            for seq in range(1, 6):
                path = f"/exchange/v1/dossiers/{code}/status"
                enqueue(s, "national", "reportStatus", "POST", path, change(code, seq, now), now, code)
    return dossiers * 5


def pending(factory: sessionmaker[Session]) -> int:
    with factory() as s:
        return int(
            s.scalar(select(func.count()).select_from(OutboxMessage).where(OutboxMessage.state != "delivered")) or 0
        )


def lags(national: sessionmaker[Session], province: sessionmaker[Session], since: datetime) -> list[float]:
    with province() as s:
        created: dict[str, datetime] = dict(
            s.execute(
                select(OutboxMessage.message_id, OutboxMessage.created_at).where(OutboxMessage.created_at >= since)
            ).all()
        )
    with national() as s:
        received: dict[str, datetime] = dict(
            s.execute(
                select(InboxMessage.message_id, InboxMessage.received_at).where(InboxMessage.received_at >= since)
            ).all()
        )
    return sorted((received[m] - c).total_seconds() * 1000 for m, c in created.items() if m in received)


def percentile(values: list[float], p: float) -> float:
    return values[min(len(values) - 1, round(p / 100 * (len(values) - 1)))] if values else float("nan")


def steady(factory: sessionmaker[Session], rate: float, seconds: float, tag: str, stop: threading.Event) -> int:
    """Queue one status change every 1/rate s (dossiers of 5 changes, in order)."""
    sent, start = 0, time.monotonic()
    while time.monotonic() - start < seconds and not stop.is_set():
        now = utc_now()
        code = f"BENCH-{tag}-{sent // 5:06d}"
        with db.transaction(factory) as s:
            body = change(code, sent % 5 + 1, now)
            enqueue(s, "national", "reportStatus", "POST", f"/exchange/v1/dossiers/{code}/status", body, now, code)
        sent += 1
        time.sleep(max(0.0, start + sent / rate - time.monotonic()))
    return sent


def drain(factory: sessionmaker[Session], timeout: float = 600) -> float:
    start = time.monotonic()
    while pending(factory):
        if time.monotonic() - start > timeout:
            raise RuntimeError("the outbox did not drain")
        time.sleep(0.05)
    return time.monotonic() - start


def anchor(url: str, key: OKPKey, count: int, parallel: int) -> float:
    """The same number of signed status changes posted straight to the national node."""
    bodies = []
    now = utc_now()
    for d in range(count // 5):
        code = f"ANCHOR-{uuid.uuid4().hex[:8]}-{d}"
        bodies += [(code, orjson.dumps(change(code, seq, now))) for seq in range(1, 6)]

    def post_dossier(i: int, client: httpx.Client) -> None:
        for code, body in bodies[i * 5 : i * 5 + 5]:  # in order, as the relay does
            path = f"/exchange/v1/dossiers/{code}/status"
            headers = sign(key, "province-79", "POST", path, body)
            r = client.post(url + path, content=body, headers={**headers, "Content-Type": "application/json"})
            assert r.status_code == 200, r.text

    start = time.monotonic()
    with httpx.Client(timeout=30) as client, ThreadPoolExecutor(parallel) as pool:
        list(pool.map(lambda i: post_dossier(i, client), range(len(bodies) // 5)))
    return len(bodies) / (time.monotonic() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--postgres", help="PostgreSQL server URL (default: SQLite files)")
    parser.add_argument("--burst", type=int, default=5000)
    parser.add_argument("--rate", type=float, default=100.0)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--outage", type=float, default=15.0)
    parser.add_argument("--parallel", type=int, default=8)
    args = parser.parse_args()

    workdir = Path(tempfile.mkdtemp(prefix="motcua-relay-"))
    national_key, province_key = new_key(), new_key()
    (workdir / "national.jwk").write_text(json.dumps(national_key.as_dict(private=True)))
    (workdir / "province.jwk").write_text(json.dumps(province_key.as_dict(private=True)))
    with databases(args.postgres, workdir) as (national_url, province_url):
        for url in (national_url, province_url):
            db.upgrade(url)
        port = free_port()
        national_address = f"http://127.0.0.1:{port}"
        national = db.session_factory(db.make_engine(national_url))
        province = db.session_factory(db.make_engine(province_url))
        with db.transaction(national) as s:
            s.add(
                Member(
                    identifier="province-79", role="province", province_code="79", public_jwk=public_jwk(province_key)
                )
            )
        with db.transaction(province) as s:
            s.add(
                Member(
                    identifier="national",
                    role="national",
                    base_url=national_address,
                    public_jwk=public_jwk(national_key),
                )
            )
        server = Process(
            ["serve", "--port", str(port)],
            {
                "MOTCUA_DATABASE_URL": national_url,
                "MOTCUA_EXCHANGE_MEMBER": "national",
                "MOTCUA_EXCHANGE_KEY": str(workdir / "national.jwk"),
            },
            workdir / "national.log",
        )
        worker = Process(
            ["worker", "--interval", "0.05", "--parallel", str(args.parallel)],
            {
                "MOTCUA_DATABASE_URL": province_url,
                "MOTCUA_EXCHANGE_MEMBER": "province-79",
                "MOTCUA_EXCHANGE_KEY": str(workdir / "province.jwk"),
                "MOTCUA_RELAY_LEASE_SECONDS": "10",
            },
            workdir / "worker.log",
        )
        server.start()
        wait_up(national_address)
        backend = "PostgreSQL" if args.postgres else "SQLite"
        print(f"exchange relay on {backend}, {args.parallel} messages in flight; logs in {workdir}")
        try:
            # 1. Burst, and its anchor.
            queued = queue(province, args.burst // 5, "burst")
            worker.start()
            burst_seconds = drain(province)
            relay_rate = queued / burst_seconds
            direct_rate = anchor(national_address, province_key, queued, args.parallel)
            print(
                f"burst: {queued} messages in {burst_seconds:.1f} s = {relay_rate:.0f} msgs/s through outbox and relay"
            )
            ratio = relay_rate / direct_rate
            print(f"anchor: the same messages posted straight, {direct_rate:.0f} msgs/s; relay ÷ anchor = {ratio:.2f}")

            # 2. Steady load.
            since = utc_now()
            sent = steady(province, args.rate, args.seconds, "steady", threading.Event())
            drain(province)
            steady_lags = lags(national, province, since)
            print(
                f"steady {args.rate:.0f} msgs/s for {args.seconds:.0f} s ({sent} messages): lag p50 "
                f"{percentile(steady_lags, 50):.0f} ms, p99 {percentile(steady_lags, 99):.0f} ms"
            )

            # 3. Outage of the national node under the same load.
            since = utc_now()
            stop = threading.Event()
            producer = threading.Thread(
                target=steady, args=(province, args.rate, args.seconds + args.outage, "outage", stop)
            )
            producer.start()
            time.sleep(args.seconds / 3)
            server.kill()
            down_at = time.monotonic()
            time.sleep(args.outage)
            server.start()
            wait_up(national_address)
            up_at = time.monotonic()
            producer.join()
            catch_up = drain(province)
            outage_lags = lags(national, province, since)
            print(
                f"outage of {up_at - down_at:.0f} s under {args.rate:.0f} msgs/s: "
                f"lag p50 {percentile(outage_lags, 50):.0f} ms, "
                f"p99 {percentile(outage_lags, 99):.0f} ms, max {max(outage_lags) / 1000:.1f} s; backlog cleared "
                f"{catch_up:.1f} s after the load ended ({len(outage_lags)} messages, none lost)"
            )
            with province() as s:
                assert (
                    s.scalar(select(func.count()).select_from(OutboxMessage).where(OutboxMessage.state == "dead")) == 0
                )
        finally:
            worker.kill()
            server.kill()
            with db.transaction(province) as s:
                s.execute(delete(OutboxMessage))


if __name__ == "__main__":
    main()
