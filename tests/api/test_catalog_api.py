"""``/api/v1/catalog``."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from motcua.api.app import create_app


def client(engine: Engine) -> TestClient:
    return TestClient(create_app(engine.url.render_as_string(hide_password=False)))


def test_procedures_search_detail_route_report(engine: Engine) -> None:
    c = client(engine)
    found = c.get("/api/v1/catalog/procedures", params={"q": "khai sinh", "at": "2026-11-24"}).json()
    assert "1.001193" in {p["code"] for p in found}
    detail = c.get("/api/v1/catalog/procedures/1.001612").json()
    assert [v["level"] for v in detail["versions"]] == ["district", "commune"]
    r = c.get(
        "/api/v1/catalog/procedures/1.001612/route",
        params={"subject": "26740", "centre": "000.00.01.H79", "at": "2026-11-24"},
    )
    assert r.status_code == 200 and r.json()["deciding_agency"]["code"] == "26740.UBND"
    assert c.get("/api/v1/catalog/report", params={"at": "2025-07-01"}).json()["moved_total"] == 17
    assert len(c.get("/api/v1/catalog/centres", params={"province": "22"}).json()) == 55


def test_routing_refusals_are_json_errors_in_the_request_language(engine: Engine) -> None:
    c = client(engine)
    r = c.get(
        "/api/v1/catalog/procedures/1.001612/route",
        params={"subject": "00004", "centre": "000.00.01.H79"},
        headers={"Accept-Language": "fr"},
    )
    assert r.status_code == 422 and r.json()["error"]["code"] == "centre_outside_province"
    assert "se trouve dans Thành phố Hồ Chí Minh" in r.json()["error"]["message"]
    r = c.get("/api/v1/catalog/procedures/1.001612/route", params={"subject": "00004", "centre": "000.00.01.H79"})
    assert "hồ sơ liên quan đến Phường Ba Đình" in r.json()["error"]["message"]
    r = c.get("/api/v1/catalog/procedures/0.000/route", params={"subject": "00004", "centre": "000.00.01.H01"})
    assert r.status_code == 404 and r.json()["error"]["code"] == "unknown_procedure"
    r = c.get("/api/v1/catalog/procedures/1.001612/route", params={"subject": "abc", "centre": "000.00.01.H01"})
    assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_request"
