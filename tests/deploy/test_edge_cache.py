"""The nginx edge with the shipped template (``deploy/nginx/motcua.conf.template``) in front of a real
``motcua serve``: public search and tracking are kept as long as the app allows (and no longer), a
request with a token or a session cookie is never answered from the cache, signed-in answers and
errors are never stored, writes pass through."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest
from sqlalchemy import select, update

from motcua import clock, db
from motcua.accounts.service import create_user, issue_token
from motcua.catalog import agencies, service
from motcua.catalog.models import ServiceCentre
from motcua.dossiers.models import Dossier
from tests.api_fixtures import body
from tests.deploy.cluster import Process, app_host, cluster_root, edge, free_port, need

pytestmark = pytest.mark.slow
SEARCH = "/api/v1/catalog/procedures?q=khai+sinh&limit=5"
KEPT_SECONDS = 1


@dataclass
class Edge:
    url: str
    database: str
    token: str
    centre: str


@pytest.fixture(scope="module")
def site() -> Iterator[Edge]:
    need("nginx")
    root = cluster_root()
    url = f"sqlite:///{root / 'motcua.db'}"
    db.upgrade(url)
    engine = db.make_engine(url)
    with db.transaction(db.session_factory(engine)) as s:
        service.load_demo(s)
        agencies.generate(s, clock.today())
        centre = s.scalars(select(ServiceCentre.identifier).where(ServiceCentre.commune_code == "26740")).one()
        token = issue_token(s, create_user(s, "edge-citizen", "citizen", personal_id="079123456789"))
    engine.dispose()
    env = {
        **os.environ,
        "MOTCUA_DATABASE_URL": url,
        "MOTCUA_DATA_DIR": str(root / "data"),
        "MOTCUA_PUBLIC_CACHE_SECONDS": str(KEPT_SECONDS),
        "MOTCUA_THREADS": "2",
    }
    processes: list[Process] = []
    try:
        app = free_port()
        processes.append(app_host(app, env, root / "app.log"))
        listen = free_port()
        processes.append(edge(listen, f"127.0.0.1:{app}", root, root / "nginx.log"))
        yield Edge(f"http://127.0.0.1:{listen}", url, token, centre)
    finally:
        for p in reversed(processes):
            p.stop()


def test_public_search_is_kept_by_the_edge_and_personal_requests_never_are(site: Edge) -> None:
    with httpx.Client(base_url=site.url) as http:
        first, second = http.get(SEARCH), http.get(SEARCH)
        assert first.status_code == second.status_code == 200
        assert first.headers["cache-control"] == f"public, max-age={KEPT_SECONDS}"
        assert (first.headers["x-cache"], second.headers["x-cache"]) == ("MISS", "HIT")
        assert first.content == second.content and json.loads(first.content)
        # The same address with a token or a session cookie goes to the app, every time.
        signed = http.get(SEARCH, headers={"Authorization": f"Bearer {site.token}"})
        assert signed.headers["x-cache"] == "BYPASS"
        cookie = http.get(SEARCH, headers={"Cookie": "motcua_session=someone"})
        assert cookie.headers["x-cache"] == "BYPASS"
        # A citizen's own dossiers: not a cached location, and marked so for any other cache.
        mine = http.get("/api/v1/dossiers", headers={"Authorization": f"Bearer {site.token}"})
        assert mine.status_code == 200 and "x-cache" not in mine.headers
        assert "no-store" in mine.headers["cache-control"]


def test_tracking_is_stale_no_longer_than_the_app_allows_and_misses_are_not_kept(site: Edge) -> None:
    with httpx.Client(base_url=site.url, headers={"Authorization": f"Bearer {site.token}"}) as api:
        submitted = api.post("/api/v1/dossiers", json=body({"centre": site.centre}))  # a write, through the edge
        assert submitted.status_code == 201, submitted.text
        code = submitted.json()["code"]
    with httpx.Client(base_url=site.url) as public:
        before = public.get(f"/api/v1/track/{code}")
        assert before.status_code == 200 and before.headers["x-cache"] == "MISS"
        status = before.json()["status"]
        engine = db.make_engine(site.database)
        with db.transaction(db.session_factory(engine)) as s:  # the dossier moves on behind the cache
            s.execute(update(Dossier).where(Dossier.code == code).values(status="processing"))
        engine.dispose()
        assert public.get(f"/api/v1/track/{code}").json()["status"] == status  # within the allowed staleness
        time.sleep(KEPT_SECONDS + 0.5)
        deadline = time.monotonic() + 3
        while public.get(f"/api/v1/track/{code}").json()["status"] != "processing":  # refreshed in background
            assert time.monotonic() < deadline, "the edge kept a tracking answer past its max-age"
            time.sleep(0.1)
        unknown = [public.get("/api/v1/track/NO-SUCH-DOSSIER") for _ in range(2)]
        assert [r.status_code for r in unknown] == [404, 404]
        assert [r.headers["x-cache"] for r in unknown] == ["MISS", "MISS"]
