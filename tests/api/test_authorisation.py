"""The authorisation matrix, generated from the OpenAPI document: every operation on a dossier,
every role, against another citizen's or another unit's dossier — all refused; the owner and the
dossier's own units allowed. An operation the matrix does not know fails the test (so a new
endpoint cannot be added unchecked)."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from motcua.dossiers.states import TRANSITIONS
from tests.api_fixtures import PDF, body, h

# Operations on one dossier, as the OpenAPI document names them.
KNOWN = {
    ("get", "/api/v1/dossiers/{code}"),
    ("get", "/api/v1/dossiers/{code}/attachments"),
    ("post", "/api/v1/dossiers/{code}/attachments"),
    ("get", "/api/v1/dossiers/{code}/attachments/{attachment_id}"),
    ("get", "/api/v1/dossiers/{code}/documents/{form}"),
    ("get", "/api/v1/dossiers/{code}/notifications"),
    ("post", "/api/v1/dossiers/{code}/transitions/{name}"),
    ("get", "/api/v1/dossiers/{code}/digitisations"),
    ("post", "/api/v1/dossiers/{code}/digitisations"),
    ("post", "/api/v1/dossiers/{code}/digitisations/{digitisation_id}/confirm"),
}
FOREIGN = (
    "stranger",
    "other",
    "other_reception",
    "other_officer",
    "other_supervisor",
    "other_inspector",
    None,
)  # None: no token
DENIED = {401, 403, 404}
FILE = {"file": ("a.pdf", PDF, "application/pdf")}


def _requests(code: str, attachment: int) -> list[tuple[str, str, dict[str, Any]]]:
    out: list[tuple[str, str, dict[str, Any]]] = [
        ("get", f"/api/v1/dossiers/{code}", {}),
        ("get", f"/api/v1/dossiers/{code}/attachments", {}),
        ("post", f"/api/v1/dossiers/{code}/attachments", {"files": FILE}),
        ("post", f"/api/v1/dossiers/{code}/attachments?kind=scan", {"files": FILE}),
        ("get", f"/api/v1/dossiers/{code}/attachments/{attachment}", {}),
        ("get", f"/api/v1/dossiers/{code}/notifications", {}),
        ("get", f"/api/v1/dossiers/{code}/digitisations", {}),
        (
            "post",
            f"/api/v1/dossiers/{code}/digitisations",
            {"data": {"component": "Đơn"}, "files": {"files": ("a.pdf", PDF, "application/pdf")}},
        ),
        ("post", f"/api/v1/dossiers/{code}/digitisations/1/confirm", {"json": {"full_name": "A"}}),
    ]
    for form in ("receipt", "supplement_request", "refusal", "apology", "control_sheet", "result"):
        out.append(("get", f"/api/v1/dossiers/{code}/documents/{form}", {}))
    for name in TRANSITIONS:
        if name not in ("submit", "receive"):
            payload = {"reason": "x", "missing": ["x"], "documents": ["x"], "new_due": "2030-01-02", "user_id": 1}
            out.append(("post", f"/api/v1/dossiers/{code}/transitions/{name}", {"json": payload}))
    return out


def test_the_matrix_covers_every_operation_on_a_dossier(api: dict) -> None:  # type: ignore[type-arg]
    paths = api["client"].app.openapi()["paths"]
    on_a_dossier = {(m, p) for p, ops in paths.items() if p.startswith("/api/v1/dossiers/{code}") for m in ops}
    assert on_a_dossier == KNOWN


def test_foreign_actors_are_refused_everything_and_the_dossiers_own_are_allowed(api: dict) -> None:  # type: ignore[type-arg]
    c: TestClient = api["client"]
    code = c.post("/api/v1/dossiers", json=body(api), headers=h(api, "citizen")).json()["code"]
    for who, step in (("reception", "accept"), ("reception", "transfer")):
        assert c.post(f"/api/v1/dossiers/{code}/transitions/{step}", json={}, headers=h(api, who)).status_code == 200
    attachment = c.post(f"/api/v1/dossiers/{code}/attachments", files=FILE, headers=h(api, "citizen")).json()["id"]
    allowed = []
    for method, url, kwargs in _requests(code, attachment):
        for who in FOREIGN:
            headers = h(api, who) if who else {}
            r = c.request(method.upper(), url, headers=headers, **kwargs)
            assert r.status_code in DENIED, (who, method, url, r.status_code, r.text[:200])
        allowed.append((method, url))
    seen = [d["code"] for who in FOREIGN[:-1] for d in c.get("/api/v1/dossiers", headers=h(api, who)).json()["items"]]
    assert code not in seen
    for who in ("citizen", "reception", "officer", "leader"):
        assert c.get(f"/api/v1/dossiers/{code}", headers=h(api, who)).status_code == 200, who
        assert code in [d["code"] for d in c.get("/api/v1/dossiers", headers=h(api, who)).json()["items"]] or who in (
            "citizen",
            "reception",
        )
    assert c.get(f"/api/v1/dossiers/{code}/attachments/{attachment}", headers=h(api, "officer")).status_code == 200
    assert len(allowed) > 20
