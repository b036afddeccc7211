"""Benchmark: server-side render time of the portal's main pages on the demo data (issue 5: < 50 ms).

Loads the demo (catalog, agencies, 3,000 dossiers) into a temporary SQLite database, then requests
each page in process through the ASGI app (no network, no browser) and reports p50/p99 per page
against the 50 ms target. Signed-in pages use the demo accounts (password ``demo``).

Run: ``.venv/bin/python bench/pages_render.py [--repeat 200]``.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import tempfile
import time
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import select

from motcua import db
from motcua.dossiers.models import Dossier

# A benchmark server is a demo: sandbox payments, a development CA and generated keys are allowed.
os.environ.setdefault("MOTCUA_MODE", "demo")

TARGET_MS = 50.0
PUBLIC = ["/", "/procedures", "/procedures?q=dang+ki+khai+sinh", "/procedures/1.001612", "/address?q=P.2,+Q.5,+TP.HCM"]


def timings(client: TestClient, path: str, repeat: int) -> list[float]:
    client.get(path)  # warm: caches, templates
    out = []
    for _ in range(repeat):
        start = time.perf_counter()
        response = client.get(path)
        out.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (path, response.status_code)
    return out


def sign_in(client: TestClient, username: str) -> None:
    page = client.get("/signin").text
    token = re.search(r'name="csrf" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    response = client.post("/signin", data={"username": username, "password": "demo", "csrf": token})
    assert response.status_code == 200, response.status_code


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        os.chdir(tmp)
        os.environ["MOTCUA_SECURE_COOKIES"] = "0"
        url = f"sqlite:///{Path(tmp) / 'demo.sqlite3'}"
        from motcua.api.app import create_app
        from motcua.demo import prepare_demo

        prepare_demo(url)
        with db.session_factory(db.make_engine(url))() as s:
            code = s.scalars(select(Dossier.code).where(Dossier.received_on.is_not(None)).limit(1)).one()
            citizen_code = s.scalars(select(Dossier.code).where(Dossier.owner_id.is_not(None)).limit(1)).one()
        app = create_app(url)
        rows = []
        with TestClient(app) as public:
            for path in [*PUBLIC, f"/track/{code}"]:
                rows.append((path, timings(public, path, args.repeat)))
        with TestClient(app) as citizen:
            sign_in(citizen, "demo-citizen")
            for path in ["/my/dossiers", f"/my/dossiers/{citizen_code}", "/dossiers/new/1.001612"]:
                rows.append((path, timings(citizen, path, args.repeat)))
        with TestClient(app) as official:
            sign_in(official, "demo-00004-reception")
            for path in ["/work", "/work?view=overdue"]:
                rows.append((path, timings(official, path, args.repeat)))
    print(f"server-side render, in process, demo data (3,000 dossiers), {args.repeat} requests per page")
    print(f"{'page':<42}{'p50 ms':>8}{'p99 ms':>8}{'target':>8}{'×target':>9}")
    for path, ms in rows:
        p99 = statistics.quantiles(ms, n=100)[98]
        print(f"{path[:41]:<42}{statistics.median(ms):>8.1f}{p99:>8.1f}{TARGET_MS:>8.0f}{TARGET_MS / p99:>8.1f}×")


if __name__ == "__main__":
    main()
