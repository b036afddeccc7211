"""Open data of the indicators: JSON and CSV, counts only, errors named."""

from __future__ import annotations

from datetime import datetime

from fastapi.testclient import TestClient
from sqlalchemy import Engine, delete, select

from motcua import db
from motcua.api.app import create_app
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.indicators.facts import rebuild
from tests.dossiers.helpers import World
from tests.tamper import owner_rights


def test_the_index_as_json_and_csv(engine: Engine, database_url: str) -> None:
    factory = db.session_factory(engine)
    with db.transaction(factory) as s:
        code = World(s, f"open-data-{engine.dialect.name}").submit(at=datetime(2026, 2, 3, 9)).code
    client = TestClient(create_app(database_url))
    r = client.get("/api/v1/indicators/index", params={"from": "2026-02-01", "to": "2026-02-28"})
    assert r.status_code == 200
    rows = r.json()
    assert any(x["unit"] == "79" and x["received"] >= 1 for x in rows)
    assert all({"unit", "rank", "percent", "received", "online_rate", "points_progress"} <= set(x) for x in rows)
    assert not any("applicant" in key for x in rows for key in x)
    csv = client.get("/api/v1/indicators/index", params={"from": "2025-01-01", "to": "2026-12-31", "format": "csv"})
    assert csv.status_code == 200 and csv.text.splitlines()[0].startswith("level,unit")
    bad = client.get("/api/v1/indicators/index", params={"from": "2026-12-31", "to": "2026-01-01"})
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "invalid_period"
    with db.transaction(factory) as s, owner_rights(s):
        d = s.scalars(select(Dossier).where(Dossier.code == code)).one()
        s.execute(delete(DossierEvent).where(DossierEvent.dossier_id == d.id))
        s.delete(d)
        rebuild(s)
