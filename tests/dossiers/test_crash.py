"""kill -9 during concurrent submissions on both channels (online by citizens, at the counter by an
officer), every unanswered request retried with its Idempotency-Key after the restart: no submission
acknowledged and lost, none made twice, the codes contiguous per centre and day, every log verified."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine, func, select

from motcua import db
from motcua.accounts.service import create_user, issue_token
from motcua.calendar.service import CalendarCache
from motcua.catalog.models import ServiceCentre
from motcua.dossiers.integrity import verify_all
from motcua.dossiers.models import Dossier
from tests.exchange.network import free_port

pytestmark = pytest.mark.slow
PER_CHANNEL = 100


def _serve(url: str, port: int, logs: Path, n: int) -> subprocess.Popen[bytes]:
    env = {**os.environ, "MOTCUA_DATABASE_URL": url, "MOTCUA_SUBMISSIONS_PER_ACCOUNT": "1000000"}
    log = (logs / f"serve-{n}.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "motcua.cli", "serve", "--port", str(port), "--workers", "2"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/v1/health", timeout=1).status_code == 200:
                return process
        except httpx.HTTPError:
            time.sleep(0.1)
    raise RuntimeError(f"the server did not start: {logs}")


def test_kill_9_under_concurrent_submissions_loses_and_duplicates_nothing(
    engine: Engine, database_url: str, tmp_path: Path
) -> None:
    tag = uuid.uuid4().hex[:8]
    factory = db.session_factory(engine)
    with db.transaction(factory) as s:
        centre = s.scalars(select(ServiceCentre.identifier).where(ServiceCentre.commune_code == "26740")).one()
        citizen = issue_token(s, create_user(s, f"{tag}-crash-c", "citizen", personal_id="079123456789"))
        officer = issue_token(s, create_user(s, f"{tag}-crash-r", "reception_officer", unit_code=centre))
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    body = {
        "procedure_code": "1.001612",
        "centre": centre,
        "subject_commune_code": "26740",
        "applicant": {"kind": "citizen", "id_number": "079123456789", "name": "Nguyễn Văn An"},
        "form": {"business_name": "An", "business_address": "12 Lê Lợi", "activities": ["Bán lẻ"], "capital_vnd": 1},
    }
    jobs = [(citizen, "online", f"{tag}-o-{i}") for i in range(PER_CHANNEL)]
    jobs += [(officer, "in_person", f"{tag}-p-{i}") for i in range(PER_CHANNEL)]
    acknowledged: dict[str, str] = {}
    lock = threading.Lock()

    def send(token: str, channel: str, key: str) -> bool:
        try:
            r = httpx.post(
                base + "/api/v1/dossiers",
                json={**body, "channel": channel},
                headers={"Authorization": f"Bearer {token}", "Idempotency-Key": key},
                timeout=10,
            )
        except httpx.HTTPError:
            return False
        if r.status_code in (200, 201):
            with lock:
                previous = acknowledged.setdefault(key, r.json()["code"])
            assert previous == r.json()["code"], "one key, two dossiers"
            return True
        assert r.status_code in (502, 503), r.text
        return False

    server = _serve(database_url, port, tmp_path, 1)
    pending = list(jobs)
    workers = []

    def drain(mine: list[tuple[str, str, str]]) -> None:
        for job in mine:
            send(*job)

    for i in range(8):
        workers.append(threading.Thread(target=drain, args=(pending[i::8],)))
    for w in workers:
        w.start()
    while len(acknowledged) < len(jobs) // 3:
        time.sleep(0.02)
    children = _children(server.pid)
    server.send_signal(signal.SIGKILL)  # a crash of the master and of its workers, no clean shut-down
    for child in children:
        os.kill(child, signal.SIGKILL)
    server.wait(10)
    for w in workers:
        w.join()
    killed_at = len(acknowledged)
    server = _serve(database_url, port, tmp_path, 2)
    try:
        for job in jobs:  # every request the client is not sure of, sent again with its key
            for _ in range(5):
                if job[2] in acknowledged or send(*job):
                    break
                time.sleep(0.2)
    finally:
        server.terminate()
        server.wait(10)
    assert killed_at < len(jobs) and len(acknowledged) == len(jobs)
    with factory() as s:
        keys = [k for _, _, k in jobs]
        rows = s.execute(select(Dossier.idempotency_key, Dossier.code).where(Dossier.idempotency_key.in_(keys))).all()
        assert len(rows) == len(jobs)  # none lost, none twice
        assert {k: c for k, c in rows} == acknowledged
        numbers = sorted(
            int(c.rsplit("-", 1)[1])
            for (c,) in s.execute(select(Dossier.code).where(Dossier.centre_identifier == centre))
            if c.split("-")[1] == next(iter(acknowledged.values())).split("-")[1]
        )
        assert numbers == list(range(numbers[0], numbers[0] + len(numbers)))  # contiguous codes
        codes = list(acknowledged.values())
        assert all(v.ok for v in verify_all(s, CalendarCache(factory).get, codes))
        assert s.scalar(select(func.count()).select_from(Dossier).where(Dossier.code.in_(codes))) == len(jobs)


def _children(pid: int) -> list[int]:
    try:
        out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True, check=False).stdout
    except FileNotFoundError:
        return []
    return [int(p) for p in out.split()]
