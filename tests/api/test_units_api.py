"""``/api/v1/units`` and ``/api/v1/addresses``."""

from __future__ import annotations

from fastapi.testclient import TestClient

from motcua.api.app import create_app

client = TestClient(create_app())


def test_convert_batch_and_single() -> None:
    r = client.post(
        "/api/v1/addresses/convert",
        json={"addresses": ["P.2, Q.5, TP.HCM", "Xã Cổ Bi, Gia Lâm, Hà Nội"], "at": "2026-11-24"},
    )
    assert r.status_code == 200
    assert [x["status"] for x in r.json()] == ["converted", "ambiguous"]
    r = client.get("/api/v1/addresses/convert", params={"q": "Phường Trúc Bạch, Quận Ba Đình, Hà Nội"})
    assert r.json()["commune_code"] == "00004"


def test_bad_requests_get_json_errors_with_a_code_and_a_translated_message() -> None:
    r = client.post("/api/v1/addresses/convert", json={"addresses": []}, headers={"Accept-Language": "en"})
    assert r.status_code == 422
    body = r.json()["error"]
    assert body["code"] == "invalid_request" and body["problems"][0]["where"] == "body.addresses"
    assert body["message"].startswith("The request is not valid")
    r = client.get("/api/v1/units/commune/99999", headers={"Accept-Language": "fr-FR,fr;q=0.9"})
    assert r.status_code == 404
    assert r.json()["error"] == {
        "code": "unknown_unit",
        "message": "Aucune unité (commune) avec le code 99999.",
        "details": {"level": "commune", "code": "99999"},
    }
    r = client.get("/api/v1/units/commune/99999")
    assert r.json()["error"]["message"] == "Không có đơn vị (commune) mã 99999."
    r = client.post("/api/v1/addresses/convert", json={"addresses": ["x"] * 1001})
    assert r.status_code == 422


def test_unit_detail_with_versions_and_lineage() -> None:
    r = client.get("/api/v1/units/province/75")
    body = r.json()
    assert [v["name"] for v in body["versions"]] == ["Tỉnh Đồng Nai", "Thành phố Đồng Nai"]
    assert {p["code"] for p in body["predecessors"]} == {"70", "75"}  # Bình Phước + Đồng Nai
    r = client.get("/api/v1/units/commune/00553", params={"era": "old"})
    assert len(r.json()["successors"]) == 3


def test_provinces_children_search_counts_by_date() -> None:
    assert len(client.get("/api/v1/units/provinces", params={"at": "2025-06-30"}).json()) == 63
    assert len(client.get("/api/v1/units/provinces").json()) == 34
    assert len(client.get("/api/v1/units/provinces/01/children", params={"at": "2026-01-01"}).json()) == 126
    assert len(client.get("/api/v1/units/provinces/01/children", params={"at": "2025-01-01"}).json()) == 30
    found = client.get("/api/v1/units/search", params={"q": "ba dinh", "level": "commune", "province": "01"}).json()
    assert [u["code"] for u in found] == ["00004"]
    assert client.get("/api/v1/units/counts", params={"at": "2025-07-01"}).json()["total_communes"] == 3321


def test_openapi_document_is_served() -> None:
    spec = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/addresses/convert" in spec["paths"]
