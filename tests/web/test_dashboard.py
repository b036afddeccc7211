"""The public dashboard: the map of the 34 provinces with the two archipelagos, the ranking, offline."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from motcua.api.app import create_app
from motcua.web.dashboard import colour, province_map

REPO = Path(__file__).resolve().parents[2]


def test_the_shipped_map_is_rebuilt_from_the_shared_boundaries() -> None:
    result = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "build_map.py"), "--check"], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    geo = province_map()
    assert len(geo["paths"]) == 34
    assert {a["name"]: a["province"] for a in geo["archipelagos"]} == {
        "Quần đảo Hoàng Sa": "48",
        "Quần đảo Trường Sa": "56",
    }


def test_the_dashboard_draws_every_province_and_the_ranking(engine: Engine, database_url: str) -> None:
    client = TestClient(create_app(database_url))
    r = client.get("/dashboard", params={"measure": "online_rate", "start": "2025-01-01", "end": "2026-12-31"})
    assert r.status_code == 200
    assert r.text.count("<path ") == 34 and "Quần đảo Hoàng Sa" in r.text and "Quần đảo Trường Sa" in r.text
    assert "http://" not in r.text.split("<svg", 1)[1].split("</svg>", 1)[0].replace("http://www.w3.org/2000/svg", "")
    assert "<h2>Ranking of the provinces</h2>" in client.get("/dashboard", params={"lang": "en"}).text
    assert colour(None) == "#e0e0e0" and colour(0.0) != colour(1.0)
