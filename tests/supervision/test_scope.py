"""A province's supervisor reads its dossiers and overview only, and changes nothing; an inspector
queries the audit trail of its province by official and period, as JSON and CSV."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

from fastapi.testclient import TestClient

from motcua import clock
from tests.api_fixtures import body, h


def _processing(api: dict) -> str:  # type: ignore[type-arg]
    c: TestClient = api["client"]
    code = c.post("/api/v1/dossiers", json=body(api), headers=h(api, "citizen")).json()["code"]
    for step in ("accept", "transfer"):
        assert (
            c.post(f"/api/v1/dossiers/{code}/transitions/{step}", json={}, headers=h(api, "reception")).status_code
            == 200
        )
    return str(code)


def test_a_supervisor_reads_their_province_only_and_changes_nothing(api: dict) -> None:  # type: ignore[type-arg]
    c: TestClient = api["client"]
    code = _processing(api)
    assert c.get(f"/api/v1/dossiers/{code}", headers=h(api, "supervisor")).status_code == 200
    assert c.get(f"/api/v1/dossiers/{code}/notifications", headers=h(api, "supervisor")).status_code == 200
    assert code in [
        d["code"] for d in c.get("/api/v1/dossiers?limit=200", headers=h(api, "supervisor")).json()["items"]
    ]
    refused = c.post(f"/api/v1/dossiers/{code}/transitions/approve", json={}, headers=h(api, "supervisor"))
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "wrong_role"
    assert c.get(f"/api/v1/dossiers/{code}", headers=h(api, "other_supervisor")).status_code == 404
    mine = c.get("/api/v1/supervision/overview", headers=h(api, "supervisor")).json()
    theirs = c.get("/api/v1/supervision/overview", headers=h(api, "other_supervisor")).json()
    assert "26740" in [x["key"] for x in mine["communes"]]
    assert all(not x["key"].startswith("26740") for x in theirs["communes"] + theirs["agencies"])
    assert c.get("/api/v1/supervision/overview", headers=h(api, "citizen")).status_code == 403
    assert c.get("/api/v1/supervision/overview", headers=h(api, "officer")).status_code == 403


def _all_pages(c: TestClient, params: dict[str, str], headers: dict[str, str]) -> list[dict[str, str]]:
    """Every row of a trail query, following the cursor (the shared test database holds many steps)."""
    found: list[dict[str, str]] = []
    after = 0
    while True:
        page = c.get("/api/v1/supervision/audit", params={**params, "after": after}, headers=headers).json()
        found += page["items"]
        if not page["more"]:
            return found
        assert page["next"] > after
        after = page["next"]


def test_an_inspector_queries_the_audit_trail_by_official_and_period(api: dict) -> None:  # type: ignore[type-arg]
    c: TestClient = api["client"]
    code = _processing(api)
    today = clock.today()
    period = {"from": (today - timedelta(days=1)).isoformat(), "to": (today + timedelta(days=1)).isoformat()}
    reception = next(
        r["official"]
        for r in c.get(
            "/api/v1/supervision/audit", params={**period, "dossier": code}, headers=h(api, "inspector")
        ).json()["items"]
        if r["step"] == "accept"
    )
    found = _all_pages(c, {**period, "official": reception}, h(api, "inspector"))
    mine = [(r["step"], r["via"], r["role"]) for r in found if r["dossier"] == code]
    assert mine == [("accept", "api", "reception_officer"), ("transfer", "api", "reception_officer")]
    assert {r["official"] for r in found} == {reception}
    exported = c.get(
        "/api/v1/supervision/audit",
        params={**period, "official": reception, "format": "csv"},
        headers=h(api, "inspector"),
    )
    assert exported.headers["content-type"].startswith("text/csv")
    table = list(csv.DictReader(io.StringIO(exported.text.lstrip("\ufeff"))))
    assert [(r["step"], r["via"], r["dossier"]) for r in table if r["dossier"] == code] == [
        ("accept", "api", code),
        ("transfer", "api", code),
    ]
    elsewhere = c.get("/api/v1/supervision/audit", params=period, headers=h(api, "other_inspector")).json()["items"]
    assert code not in [r["dossier"] for r in elsewhere]
    assert c.get("/api/v1/supervision/audit", params=period, headers=h(api, "leader")).status_code == 403
    bad = c.get(
        "/api/v1/supervision/audit", params={"from": "2026-01-02", "to": "2026-01-01"}, headers=h(api, "inspector")
    )
    assert bad.status_code == 422 and "end: before start" in bad.text


def test_lapsing_feedback_shows_on_the_supervision_page_of_its_province(api: dict) -> None:  # type: ignore[type-arg]
    from sqlalchemy import update

    from motcua import db
    from motcua.feedback.models import FeedbackMessage
    from tests.api.test_feedback_api import NEW

    c: TestClient = api["client"]
    code = c.post("/api/v1/feedback", json=NEW, headers=h(api, "citizen")).json()["code"]
    with db.transaction(db.session_factory(api["engine"])) as s:  # its classification is due today
        s.execute(update(FeedbackMessage).where(FeedbackMessage.code == code).values(due_on=clock.today()))
    mine = c.get("/api/v1/supervision/overview", headers=h(api, "supervisor")).json()
    theirs = c.get("/api/v1/supervision/overview", headers=h(api, "other_supervisor")).json()
    assert code in [m["code"] for m in mine["feedback"]]
    assert code not in [m["code"] for m in theirs["feedback"]]
