"""The public dashboard: the map of the 34 provinces with the two archipelagos, the ranking, offline."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, delete, select

from motcua import db
from motcua.accounts.service import create_user
from motcua.api.app import create_app
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.feedback import messages as fb
from motcua.indicators.facts import rebuild
from motcua.indicators.maps import colour, province_map
from tests.dossiers.helpers import T0, World, calendar_for
from tests.feedback.test_messages import SENDER
from tests.tamper import owner_rights

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
    drawn_map = r.text.split('<figure class="map">', 1)[1].split("</figure>", 1)[0]
    assert drawn_map.count("<path ") == 34 and "Quần đảo Hoàng Sa" in drawn_map and "Quần đảo Trường Sa" in drawn_map
    assert "http://" not in drawn_map.replace("http://www.w3.org/2000/svg", "")
    assert drawn_map.count('<a href="/dashboard/') == 34
    trend = r.text.split('<figure class="chart">', 1)[1].split("</figure>", 1)[0]
    assert trend.startswith("<svg") and "12 tháng gần nhất" in trend  # drawn on the server, in Vietnamese
    english = client.get("/dashboard", params={"lang": "en"}).text
    assert '<h2 class="govuk-heading-m">Ranking of the provinces</h2>' in english
    assert colour(None) == "#e0e0e0" and colour(0.0) != colour(1.0)


def test_drill_down_to_the_late_dossiers_for_officials_only(
    engine: Engine, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MOTCUA_SECURE_COOKIES", "0")
    factory = db.session_factory(engine)
    with db.transaction(factory) as s:
        world = World(s, f"drill-{engine.dialect.name}")
        d = world.in_state("processing")  # received on T0 (2026): overdue today
        code, officer = d.code, f"drill-officer-{engine.dialect.name}"
        create_user(s, officer, "processing_officer", unit_code="26740.economy", password="cán-bộ-xem-số-liệu")
        # Feedback about the late dossier, left unclassified past its deadline: the agency is slow.
        complaint = fb.FeedbackRequest("dossier", "Hồ sơ trễ hạn", "Hồ sơ của tôi chưa có kết quả.", SENDER, code)
        fb.file_feedback(s, world.citizen, complaint, T0, calendar_for, world.snapshot)
        rebuild(s)
    client = TestClient(create_app(database_url))
    period = {"start": "2026-01-01", "end": "2026-12-31"}
    province = client.get("/dashboard/79", params=period)
    assert province.status_code == 200 and "/dashboard/79?commune=26740" in province.text
    assert 'class="govuk-summary-list summary"' in province.text and '<figure class="chart"><svg' in province.text
    section = province.text.split('id="feedback"')[1]
    slowest = section.split('id="feedback-slowest"')[1].split("</table>")[0]
    assert 'id="feedback-topics"' in section and "<td>1</td>" in slowest  # the complaint, overdue
    commune = client.get("/dashboard/79", params={**period, "commune": "26740"})
    assert commune.status_code == 200 and 'id="late"' not in commune.text  # the public sees numbers only
    token = re.search(r'name="csrf" value="([^"]+)"', client.get("/signin").text).group(1)  # type: ignore[union-attr]
    client.post("/signin", data={"username": officer, "password": "cán-bộ-xem-số-liệu", "csrf": token})
    commune = client.get("/dashboard/79", params={**period, "commune": "26740"})
    assert 'id="late"' in commune.text and code in commune.text
    assert client.get("/dashboard/99").status_code == 404
    with db.transaction(factory) as s, owner_rights(s):
        row = s.scalars(select(Dossier).where(Dossier.code == code)).one()
        s.execute(delete(DossierEvent).where(DossierEvent.dossier_id == row.id))
        s.delete(row)
        rebuild(s)
