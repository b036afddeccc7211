"""Scale-out, tested on loopback with real parts: three ``motcua serve`` hosts behind HAProxy (the shipped
``deploy/haproxy.cfg``), writes through PgBouncer in transaction mode (``deploy/pgbouncer.ini``) to a
PostgreSQL primary, lag-tolerant reads on its streaming replica, rate limits in Redis, sessions in the
database, attachments in a shared folder. Under a mixed load one app host is killed and then the
replica: no error beyond the requests that host had in flight, nothing lost, nothing duplicated."""

from __future__ import annotations

import http.client
import json
import os
import re
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine, func, select, text

from motcua import clock, db
from motcua.accounts.service import create_user, issue_token
from motcua.catalog import agencies, service
from motcua.catalog.models import ServiceCentre
from motcua.dossiers.models import Dossier
from tests.api_fixtures import body
from tests.deploy.cluster import PgCluster, Process, app_host, cluster_root, free_port, haproxy, need, pgbouncer

pytestmark = pytest.mark.slow
DATABASE = "motcua"
PASSWORD = "a long shared-host password"


@dataclass
class Deployment:
    root: Path
    primary: PgCluster
    replica: PgCluster
    hosts: list[Process]
    ports: list[int]
    balancer: int
    primary_url: str
    replica_url: str
    citizen_token: str
    centre: str


@pytest.fixture(scope="module")
def deployment() -> Iterator[Deployment]:
    need("initdb", "pg_basebackup", "haproxy", "pgbouncer", "redis-cli")
    root = cluster_root()
    primary = PgCluster(root, "primary").init_primary()
    primary.start()
    processes: list[Process] = []
    replica = PgCluster(root, "replica")
    try:
        admin = create_engine(primary.url, isolation_level="AUTOCOMMIT")
        with admin.connect() as c:
            c.execute(text(f"CREATE DATABASE {DATABASE}"))
            # Through a transaction-mode pooler the timeouts live on the role (deploy/pgbouncer.ini).
            c.execute(text("ALTER ROLE postgres SET statement_timeout = '5s'"))
            c.execute(text("ALTER ROLE postgres SET idle_in_transaction_session_timeout = '10s'"))
        admin.dispose()
        primary_url = primary.url.rsplit("/", 1)[0] + f"/{DATABASE}"
        db.upgrade(primary_url)
        engine = db.make_engine(primary_url)
        with db.transaction(db.session_factory(engine)) as s:
            service.load_demo(s)
            agencies.generate(s, clock.today())
            centre = s.scalars(select(ServiceCentre.identifier).where(ServiceCentre.commune_code == "26740")).one()
            citizen = create_user(s, "scale-citizen", "citizen", personal_id="079123456789", password=PASSWORD)
            token = issue_token(s, citizen)
        engine.dispose()
        replica.init_replica_of(primary).start()
        replica_url = replica.url.rsplit("/", 1)[0] + f"/{DATABASE}"
        bouncer_port = free_port()
        processes.append(pgbouncer(root, bouncer_port, primary, DATABASE))
        shared = root / "shared"  # the folder every host mounts (NFS, CephFS… in production)
        env = {
            **os.environ,
            "MOTCUA_DATABASE_URL": f"postgresql+psycopg://postgres@127.0.0.1:{bouncer_port}/{DATABASE}",
            "MOTCUA_DB_PGBOUNCER": "1",
            "MOTCUA_REPLICA_URL": replica_url,
            "MOTCUA_REDIS_URL": "redis://127.0.0.1:6379/3",
            "MOTCUA_DATA_DIR": str(shared / "data"),
            "MOTCUA_STORAGE_DIR": str(shared / "attachments"),
            "MOTCUA_SECRET_KEY": "one secret for every host of the deployment",
            "MOTCUA_CHAIN_KEY": "one chain key for every host of the deployment",
            "MOTCUA_SECURE_COOKIES": "0",
            "MOTCUA_THREADS": "4",
            "MOTCUA_DB_POOL_SIZE": "4",
            "MOTCUA_SUBMISSIONS_PER_ACCOUNT": "100000",
            "MOTCUA_SIGNIN_PER_ADDRESS": "100000",
        }
        ports = [free_port() for _ in range(3)]
        hosts = [app_host(port, env, root / f"app{i + 1}.log") for i, port in enumerate(ports)]
        processes.extend(hosts)
        balancer = free_port()
        processes.append(haproxy(balancer, ports, root / "haproxy.log"))
        yield Deployment(root, primary, replica, hosts, ports, balancer, primary_url, replica_url, token, centre)
    finally:
        for p in reversed(processes):
            p.stop()
        replica.stop("immediate")
        primary.stop("immediate")


def _request(port: int, method: str, path: str, token: str | None, payload: Any = None) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    data = None
    if payload is not None:
        data = json.dumps(payload).encode()
        headers["Content-Type"] = "application/json"
    try:
        conn.request(method, path, body=data, headers=headers)
        r = conn.getresponse()
        return r.status, r.read()
    finally:
        conn.close()


def test_sessions_attachments_and_reads_are_shared_by_every_host(deployment: Deployment) -> None:
    d = deployment
    first, second, third = (f"http://127.0.0.1:{p}" for p in d.ports)
    # A browser signs in on one host and is known on another (sessions in the database, one secret).
    with httpx.Client(base_url=first) as browser:
        page = browser.get("/signin").text
        csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
        signed = browser.post("/signin", data={"username": "scale-citizen", "password": PASSWORD, "csrf": csrf})
        assert signed.status_code == 303
        elsewhere = httpx.get(f"{second}/my/dossiers", cookies=browser.cookies)
        assert elsewhere.status_code == 200 and "/signin" not in str(elsewhere.url)
    # A dossier submitted on one host, its attachment stored by a second, read back by the third.
    status, answer = _request(d.ports[0], "POST", "/api/v1/dossiers", d.citizen_token, body({"centre": d.centre}))
    assert status == 201, answer
    code = json.loads(answer)["code"]
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    with httpx.Client(headers={"Authorization": f"Bearer {d.citizen_token}"}) as api:
        stored = api.post(
            f"{second}/api/v1/dossiers/{code}/attachments", files={"file": ("id.pdf", pdf, "application/pdf")}
        )
        assert stored.status_code == 201, stored.text
        back = api.get(f"{third}/api/v1/dossiers/{code}/attachments/{stored.json()['id']}")
        assert back.status_code == 200 and back.content == pdf
    # Public tracking right after the submission: read on the replica, or on the primary if it lags.
    status, tracked = _request(d.balancer, "GET", f"/api/v1/track/{code}", None)
    assert status == 200 and json.loads(tracked)["code"] == code
    replica = create_engine(d.replica_url)
    deadline = time.monotonic() + 10
    with replica.connect() as c:  # streaming replication really carries the writes
        while c.execute(text("SELECT count(*) FROM dossiers WHERE code = :c"), {"c": code}).scalar() == 0:
            assert time.monotonic() < deadline, "the replica never received the dossier"
            time.sleep(0.2)
            c.rollback()
    replica.dispose()


def test_killing_an_app_host_and_the_replica_under_load_loses_nothing(deployment: Deployment) -> None:
    d = deployment
    engine = create_engine(d.primary_url)
    with engine.connect() as c:
        before = c.scalar(select(func.count()).select_from(Dossier)) or 0
    results: list[tuple[float, float, str, int | str, str | None]] = []
    lock = threading.Lock()
    stop = threading.Event()
    started_at = time.monotonic()
    kill_host_at: list[float] = []  # when the kill was sent, and when the last process of the host was gone
    kill_replica_at: list[float] = []

    def client(n: int) -> None:
        i = 0
        while not stop.is_set():
            i += 1
            kind = ("track", "search", "mine", "submit")[(n + i) % 4]
            began = time.monotonic()
            code = None
            try:
                if kind == "track":
                    with lock:
                        known = [r[4] for r in results if r[4]]
                    status, _ = _request(d.balancer, "GET", f"/api/v1/track/{known[-1] if known else 'X'}", None)
                    status = 200 if status == 404 and not known else status
                elif kind == "search":
                    status, _ = _request(d.balancer, "GET", "/api/v1/catalog/procedures?q=khai+sinh&limit=5", None)
                elif kind == "mine":
                    status, _ = _request(d.balancer, "GET", "/api/v1/dossiers?limit=5", d.citizen_token)
                else:
                    form = body({"centre": d.centre})
                    status, answer = _request(d.balancer, "POST", "/api/v1/dossiers", d.citizen_token, form)
                    if status == 201:
                        code = json.loads(answer)["code"]
                outcome: int | str = status
            except OSError as exc:
                outcome = type(exc).__name__
            with lock:
                results.append((began - started_at, time.monotonic() - started_at, kind, outcome, code))

    threads = [threading.Thread(target=client, args=(n,)) for n in range(12)]
    for t in threads:
        t.start()
    time.sleep(4)
    kill_host_at.append(time.monotonic() - started_at)
    d.hosts[0].kill()
    kill_host_at.append(time.monotonic() - started_at)
    time.sleep(4)
    kill_replica_at.append(time.monotonic() - started_at)
    d.replica.stop("immediate")
    time.sleep(4)
    stop.set()
    for t in threads:
        t.join(30)

    failures = [r for r in results if r[3] not in (200, 201)]
    assert len(results) > 200, f"too little load to mean anything: {len(results)} requests"
    # Only requests in flight on the killed host may fail; none because the replica went away.
    killed, gone = kill_host_at
    assert all(began <= gone and ended + 0.1 >= killed for began, ended, *_ in failures), (kill_host_at, failures)
    assert len(failures) <= len(threads), failures
    after = [r for r in results if r[0] > gone + 0.5]
    assert after and all(r[3] in (200, 201) for r in after)
    assert any(r[0] > kill_replica_at[0] + 0.5 and r[2] == "track" for r in after)  # tracking on the primary

    # Nothing lost, nothing duplicated: every 201 is a stored dossier, and no submission is stored twice.
    accepted = [r[4] for r in results if r[3] == 201]
    with engine.connect() as c:
        stored = set(c.scalars(select(Dossier.code).where(Dossier.code.in_(accepted))))
        now = c.scalar(select(func.count()).select_from(Dossier)) or 0
    engine.dispose()
    assert len(set(accepted)) == len(accepted) and stored == set(accepted)
    # A POST is never sent twice by the balancer: at most the failed submissions may have been applied.
    assert len(accepted) <= now - before <= len(accepted) + sum(1 for r in failures if r[2] == "submit")
