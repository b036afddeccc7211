"""``/api/v1/dossiers`` over HTTP: a dossier's whole life, scoping, errors, attachments."""

from __future__ import annotations

import uuid

from tests.api_fixtures import PDF, body, h


def test_a_dossier_from_online_submission_to_returned_result(api: dict) -> None:  # type: ignore[type-arg]
    c = api["client"]
    key = uuid.uuid4().hex
    r = c.post("/api/v1/dossiers", json=body(api), headers=h(api, "citizen", **{"Idempotency-Key": key}))
    assert r.status_code == 201, r.text
    code = r.json()["code"]
    again = c.post("/api/v1/dossiers", json=body(api), headers=h(api, "citizen", **{"Idempotency-Key": key}))
    assert again.status_code == 200 and again.json()["code"] == code
    steps = [
        ("reception", "accept", {}),
        ("reception", "transfer", {}),
        ("officer", "request_supplement", {"reason": "Thiếu", "missing": ["Hợp đồng thuê nhà"]}),
        ("citizen", "supplement", {"documents": ["Hợp đồng thuê nhà"]}),
        ("leader", "approve", {}),
        ("reception", "return_result", {}),
    ]
    for who, name, payload in steps:
        r = c.post(f"/api/v1/dossiers/{code}/transitions/{name}", json=payload, headers=h(api, who))
        assert r.status_code == 200, (name, r.text)
    assert r.json()["status"] == "returned" and r.json()["status_code"] == 10
    public = c.get(f"/api/v1/track/{code}").json()
    assert public["status_code"] == 10 and "applicant" not in public and "079123456789" not in str(public)
    detail = c.get(f"/api/v1/dossiers/{code}", headers=h(api, "leader")).json()
    assert detail["history"][0]["transition"] == "submit" and len(detail["history"]) == 7


def test_scoping_of_reads_and_writes(api: dict) -> None:  # type: ignore[type-arg]
    c = api["client"]
    code = c.post("/api/v1/dossiers", json=body(api), headers=h(api, "citizen")).json()["code"]
    assert c.get(f"/api/v1/dossiers/{code}", headers=h(api, "stranger")).status_code == 404
    assert c.get(f"/api/v1/dossiers/{code}", headers=h(api, "other")).status_code == 404
    assert c.get(f"/api/v1/dossiers/{code}").status_code == 401
    r = c.post(f"/api/v1/dossiers/{code}/transitions/accept", json={}, headers=h(api, "other"))
    assert r.status_code == 403 and r.json()["error"]["code"] == "wrong_unit"  # its unit first: nothing told
    mine = c.get("/api/v1/dossiers", headers=h(api, "citizen")).json()
    assert code in {d["code"] for d in mine["items"]}
    assert code not in {d["code"] for d in c.get("/api/v1/dossiers", headers=h(api, "stranger")).json()["items"]}
    assert code in {
        d["code"] for d in c.get("/api/v1/dossiers", params={"limit": 200}, headers=h(api, "reception")).json()["items"]
    }


def test_bad_requests_get_clear_errors_and_change_nothing(api: dict) -> None:  # type: ignore[type-arg]
    c = api["client"]
    r = c.post(
        "/api/v1/dossiers",
        json=body(api, form={"business_name": ""}),
        headers=h(api, "citizen", **{"Accept-Language": "en"}),
    )
    assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_form"
    assert r.json()["error"]["message"].startswith("The form has")
    r = c.post("/api/v1/dossiers", json=body(api, procedure_code="0.000"), headers=h(api, "citizen"))
    assert r.json()["error"]["code"] == "unknown_procedure"
    code = c.post("/api/v1/dossiers", json=body(api), headers=h(api, "citizen")).json()["code"]
    r = c.post(f"/api/v1/dossiers/{code}/transitions/approve", json={}, headers=h(api, "leader"))
    assert r.status_code == 422 and r.json()["error"]["code"] == "wrong_state"
    assert c.get(f"/api/v1/track/{code}").json()["status"] == "submitted"


def test_attachments_over_http(api: dict) -> None:  # type: ignore[type-arg]
    c = api["client"]
    code = c.post("/api/v1/dossiers", json=body(api), headers=h(api, "citizen")).json()["code"]
    r = c.post(
        f"/api/v1/dossiers/{code}/attachments",
        files={"file": ("cccd.pdf", PDF, "application/pdf")},
        headers=h(api, "citizen"),
    )
    assert r.status_code == 201 and r.json()["content_type"] == "application/pdf"
    attachment = r.json()["id"]
    got = c.get(f"/api/v1/dossiers/{code}/attachments/{attachment}", headers=h(api, "reception"))
    assert got.content == PDF and got.headers["x-content-type-options"] == "nosniff"
    assert c.get(f"/api/v1/dossiers/{code}/attachments/{attachment}", headers=h(api, "stranger")).status_code == 404
    big = PDF + b"0" * (10 * 1024 * 1024)
    r = c.post(
        f"/api/v1/dossiers/{code}/attachments",
        files={"file": ("big.pdf", big, "application/pdf")},
        headers=h(api, "citizen"),
    )
    assert r.status_code == 422 and r.json()["error"]["code"] == "attachment_too_large"
    assert len(c.get(f"/api/v1/dossiers/{code}/attachments", headers=h(api, "citizen")).json()) == 1
