"""The design system as shipped: assets built from the npm packages into the package (current with
their sources, served locally, nothing from a CDN), an HTML error page in the visitor's language for
an unknown address or a crash (the API keeps JSON), and the API documentation under the pages' CSP."""

from __future__ import annotations

import re
import runpy
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from motcua.api.app import create_app

ROOT = Path(__file__).resolve().parents[2]
DIST = ROOT / "src" / "motcua" / "web" / "static" / "dist"
app = create_app()
client = TestClient(app)


def test_the_built_assets_are_current_with_their_sources() -> None:
    stamp = runpy.run_path(str(ROOT / "scripts" / "build_assets.py"))["_stamp"]()
    assert (DIST / "STAMP").read_text().strip() == stamp, "run python scripts/build_assets.py"
    css = (DIST / "motcua.css").read_text()
    assert ".govuk-button" in css and ".app-header" in css and "#a3161c" in css.lower()
    assert "GDS Transport" not in css  # the GOV.UK typeface is theirs alone: system fonts here


@pytest.mark.parametrize(
    "path", ["/static/dist/motcua.css", "/static/dist/govuk-frontend.min.js", "/static/dist/favicon.svg"]
)
def test_assets_are_served_from_the_package(path: str) -> None:
    r = client.get(path)
    assert r.status_code == 200 and len(r.content) > 100


def test_pages_load_nothing_from_elsewhere() -> None:
    page = client.get("/", params={"lang": "vi"}).text
    assert 'href="/static/dist/motcua.css"' in page and 'rel="icon" href="/static/dist/favicon.svg"' in page
    assert not re.search(r'(src|href)="(https?:)?//', page), "a page must not load from another host"


@pytest.mark.parametrize(("lang", "heading"), [("vi", "Không tìm thấy"), ("fr", "Introuvable"), ("en", "Not found")])
def test_an_unknown_address_is_a_page_in_the_visitors_language(lang: str, heading: str) -> None:
    r = client.get("/no-such-page", params={"lang": lang})
    assert r.status_code == 404 and r.headers["content-type"].startswith("text/html")
    assert heading in r.text and f'<html lang="{lang}" ' in r.text


def test_the_api_keeps_json_errors() -> None:
    r = client.get("/api/v1/no-such-thing")
    assert r.status_code == 404 and r.headers["content-type"].startswith("application/json")


def test_a_crash_on_a_page_is_a_page_and_on_the_api_json() -> None:
    crashing = create_app()

    @crashing.get("/boom")
    def boom() -> None:
        raise RuntimeError("079190000123 must never reach the visitor")

    @crashing.get("/api/v1/boom")
    def api_boom() -> None:
        raise RuntimeError("boom")

    c = TestClient(crashing, raise_server_exceptions=False)
    page = c.get("/boom", params={"lang": "en"})
    assert page.status_code == 500 and "Something went wrong on our side" in page.text
    assert "079190000123" not in page.text and "Traceback" not in page.text
    api = c.get("/api/v1/boom")
    assert api.status_code == 500 and api.json()["error"]["code"] == "internal_error"


def test_the_api_documentation_is_served_locally_under_the_csp() -> None:
    r = client.get("/api/v1/docs")
    assert r.status_code == 200 and "script-src 'self'" in r.headers["content-security-policy"]
    assert "/static/dist/swagger-ui-bundle.js" in r.text and "cdn" not in r.text.lower()
    assert "<script>" not in r.text  # its start-up is a file: the CSP forbids inline scripts
    assert client.get("/static/dist/swagger-ui-bundle.js").status_code == 200
