"""Public pages in Vietnamese (default), French and English."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from motcua.api.app import create_app

client = TestClient(create_app())


@pytest.mark.parametrize(
    ("lang", "heading"),
    [
        ("vi", "Chuyển đổi địa chỉ cũ"),
        ("fr", "Convertir une ancienne adresse"),
        ("en", "Convert an old address"),
    ],
)
def test_home_in_each_language(lang: str, heading: str) -> None:
    r = client.get("/", params={"lang": lang})
    assert r.status_code == 200 and heading in r.text and f'<html lang="{lang}" ' in r.text
    assert r.cookies.get("lang") == lang


def test_vietnamese_by_default_and_browser_preference_respected() -> None:
    assert '<html lang="vi" ' in TestClient(create_app()).get("/").text
    assert '<html lang="fr" ' in TestClient(create_app()).get("/", headers={"Accept-Language": "fr"}).text


def test_address_page_converts_and_escapes_input() -> None:
    r = TestClient(create_app()).get("/address", params={"q": "P.2, Q.5, TP.HCM"})
    assert "Phường Chợ Quán, Thành phố Hồ Chí Minh" in r.text
    r = TestClient(create_app()).get("/address", params={"q": "<script>alert(1)</script>"})
    assert "<script>alert(1)</script>" not in r.text and "&lt;script&gt;" in r.text
    r = TestClient(create_app()).get("/address", params={"q": "Xã Cổ Bi, Gia Lâm, Hà Nội", "lang": "en"})
    assert "Several new communes are possible" in r.text and "Xã Phù Đổng" in r.text


def test_public_tracking_page_shows_status_and_appointment_without_personal_data(engine: object) -> None:
    from sqlalchemy import Engine

    from motcua import db
    from tests.dossiers.helpers import World

    assert isinstance(engine, Engine)
    with db.transaction(db.session_factory(engine)) as s:
        d = World(s, "tracking-page").in_state("accepted")
        code, due = d.code, d.due_on
    client = TestClient(create_app(engine.url.render_as_string(hide_password=False)))
    page = client.get(f"/track/{code}", params={"lang": "vi"})
    assert page.status_code == 200 and "Đã tiếp nhận" in page.text and due.strftime("%d/%m/%Y") in page.text  # type: ignore[union-attr]
    assert "079123456789" not in page.text and "Nguyễn Văn An" not in page.text
    assert client.get("/track", params={"code": "nope"}).status_code == 404
    typed = " ".join(code.lower().split("-"))  # read out over the phone: lower case, spaces for dashes
    assert client.get("/track", params={"code": typed.replace(" ", " - ")}).status_code == 200
    assert client.get("/track", params={"code": f"  {code.lower()}\n"}).status_code == 200
    assert "Result returned" not in client.get(f"/track/{code}", params={"lang": "en"}).text
