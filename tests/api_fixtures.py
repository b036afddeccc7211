"""The ``api`` fixture (a test client of the whole application with accounts of every role) and its
helpers, shared by the API, documents and trust tests (registered in ``tests/conftest.py``)."""

from __future__ import annotations

import uuid

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from motcua import db
from motcua.accounts.service import create_user, issue_token
from motcua.api.app import create_app
from motcua.catalog.models import ServiceCentre

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
FORM = {
    "business_name": "Tạp hóa An",
    "business_address": "12 Lê Lợi",
    "activities": ["Bán lẻ"],
    "capital_vnd": 50_000_000,
}


@pytest.fixture
def api(engine: Engine, tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> dict:  # type: ignore[type-arg]
    monkeypatch.setenv("MOTCUA_STORAGE_DIR", str(tmp_path_factory.mktemp("files")))
    tag = uuid.uuid4().hex[:8]
    with db.transaction(db.session_factory(engine)) as s:
        centre = s.scalars(select(ServiceCentre.identifier).where(ServiceCentre.commune_code == "26740")).one()
        tokens = {}
        for name, role, unit, pid in [
            ("citizen", "citizen", None, "079123456789"),
            ("stranger", "citizen", None, "001012345678"),
            ("reception", "reception_officer", centre, None),
            ("officer", "processing_officer", "26740.economy", None),
            ("leader", "leader", "26740.UBND", None),
            ("other", "leader", "25747.UBND", None),
            ("other_officer", "processing_officer", "25747.economy", None),
            ("other_reception", "reception_officer", "000.00.00.H01", None),
            ("supervisor", "supervisor", "79", None),  # Thành phố Hồ Chí Minh, where Phường Sài Gòn is
            ("inspector", "inspector", "79", None),
            ("other_supervisor", "supervisor", "01", None),  # Hà Nội
            ("other_inspector", "inspector", "01", None),
        ]:
            tokens[name] = issue_token(s, create_user(s, f"{tag}-{name}", role, unit_code=unit, personal_id=pid))
    client = TestClient(create_app(engine.url.render_as_string(hide_password=False)))
    return {"client": client, "centre": centre, "tokens": tokens, "engine": engine}


def h(api: dict, who: str, **extra: str) -> dict[str, str]:  # type: ignore[type-arg]
    return {"Authorization": f"Bearer {api['tokens'][who]}", **extra}


def body(api: dict, **changes: object) -> dict:  # type: ignore[type-arg]
    data = {
        "procedure_code": "1.001612",
        "centre": api["centre"],
        "subject_commune_code": "26740",
        "applicant": {"kind": "citizen", "id_number": "079123456789", "name": "Nguyễn Văn An", "phone": "0901234567"},
        "form": FORM,
    }
    data.update(changes)
    return data
