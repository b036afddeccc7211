"""Digitisation and the store through the REST API: the counter sends scans (refused with a clear
error when they are not scans), the worker reads them, the officer confirms; the citizen lists and
downloads the result kept in their store and reuses it; nobody else reads it or reuses it."""

from __future__ import annotations

import random

import pytest
from fastapi.testclient import TestClient

from motcua.digitisation.jobs import run_once
from motcua.digitisation.specimens import pages, papers, scanned
from tests.api_fixtures import body, h
from tests.digitisation.test_ocr import pytestmark as _ocr  # noqa: F401 (skips without ocrmypdf)

pytestmark = pytest.mark.slow
PERMIT = {"site_address": "12 Lê Lợi", "works_type": "nhà ở riêng lẻ", "floor_area_m2": 120, "floors": 3}
LAND = {"parcel_address": "12 Lê Lợi", "area_m2": 96.4, "land_use": "Đất ở tại đô thị"}


def test_scans_read_confirmed_kept_and_reused_through_the_api(api: dict) -> None:  # type: ignore[type-arg]
    c: TestClient = api["client"]
    made = c.post(
        "/api/v1/dossiers",
        json=body(api, procedure_code="1.012753", form=LAND, channel="in_person"),
        headers=h(api, "reception"),
    )
    assert made.status_code == 201, made.text
    code = made.json()["code"]
    url = f"/api/v1/dossiers/{code}/digitisations"
    refused = c.post(
        url, data={"component": "Đơn"}, files={"files": ("a.txt", b"text", "text/plain")}, headers=h(api, "reception")
    )
    assert refused.status_code == 422 and refused.json()["error"]["code"] == "scan_type"
    jpeg = scanned(pages(papers(seed=11)[2].pdf)[0], random.Random(3))
    sent = c.post(
        url,
        data={"component": "Đơn đăng ký đất đai"},
        files={"files": ("p1.jpg", jpeg, "image/jpeg")},
        headers=h(api, "reception"),
    )
    assert sent.status_code == 202 and sent.json()["status"] == "queued"
    assert (
        c.post(
            url, data={"component": "Đơn"}, files={"files": ("p1.jpg", jpeg, "image/jpeg")}, headers=h(api, "officer")
        ).status_code
        == 403
    )

    state = c.app.state  # type: ignore[attr-defined]
    assert run_once(state.session_factory, state.storage) == 1  # the worker
    read = c.get(url, headers=h(api, "reception")).json()[0]
    assert read["status"] == "read" and {s["field"] for s in read["suggestions"]} >= {"id_number", "full_name"}
    fields = {"id_number": "079123456789", "full_name": "Nguyễn Văn An"}
    confirmed = c.post(f"{url}/{read['id']}/confirm", json=fields, headers=h(api, "reception"))
    assert confirmed.status_code == 200 and confirmed.json()["status"] == "confirmed"

    for who, step in (("reception", "transfer"), ("leader", "approve")):
        assert c.post(f"/api/v1/dossiers/{code}/transitions/{step}", json={}, headers=h(api, who)).status_code == 200
    store = c.get("/api/v1/my/documents", headers=h(api, "citizen")).json()
    result = next(d for d in store if d["origin"] == "result" and d["dossier_code"] == code)
    assert result["type"] == "land_use_right_certificate"
    pdf = c.get(f"/api/v1/documents/{result['id']}/file", headers=h(api, "citizen"))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert c.get(f"/api/v1/documents/{result['id']}/file", headers=h(api, "stranger")).status_code == 404
    assert all(d["dossier_code"] != code for d in c.get("/api/v1/my/documents", headers=h(api, "stranger")).json())

    # The citizen's building permit reuses the certificate; the stranger may not.
    other = body(api, procedure_code="1.013225", form=PERMIT, reuse=[result["id"]])
    stranger = {**other, "applicant": {"kind": "citizen", "id_number": "001012345678", "name": "Lê Thị Hoa"}}
    refused = c.post("/api/v1/dossiers", json=stranger, headers=h(api, "stranger"))
    assert refused.status_code == 422 and refused.json()["error"]["code"] == "reuse_not_yours"
    permit = c.post("/api/v1/dossiers", json=other, headers=h(api, "citizen"))
    assert permit.status_code == 201, permit.text
    # The officials of the permit's centre may open the reused certificate; another unit's may not.
    assert c.get(f"/api/v1/documents/{result['id']}/file", headers=h(api, "reception")).status_code == 200
    assert c.get(f"/api/v1/documents/{result['id']}/file", headers=h(api, "other_reception")).status_code == 404
