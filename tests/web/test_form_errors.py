"""A refused dossier form, told field by field: an error summary at the top linking to each field,
the message above the field in the page's language (never the validator's English), what was typed
kept, and nothing stored."""

from __future__ import annotations

import html
import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from motcua import db
from motcua.dossiers.models import Dossier


def _sign_in(c: TestClient) -> None:
    token = re.search(r'name="csrf" value="([^"]+)"', c.get("/signin").text)
    assert token
    c.post("/signin", data={"username": c.headers["X-Test-User"], "password": "đúng-mật-khẩu", "csrf": token.group(1)})


@pytest.mark.parametrize(
    ("lang", "required", "number", "id_number"),
    [
        ("vi", "Nhập Địa chỉ trụ sở.", "Vốn kinh doanh (đồng): nhập một số.", "Nhập đủ 12 chữ số"),
        # The form's labels in the page's language (the form's own translations).
        ("fr", "Saisissez Adresse du siège.", "Capital (dongs) : saisissez un nombre.", "Saisissez les 12"),
        ("en", "Enter Address of its premises.", "Business capital (dong): enter a number.", "Enter the 12 digits"),
    ],
)
def test_each_problem_is_told_at_its_field_in_the_pages_language(
    client: TestClient, engine: Engine, lang: str, required: str, number: str, id_number: str
) -> None:
    _sign_in(client)
    page = client.get("/dossiers/new/1.001612", params={"province": "79", "lang": lang}).text
    token = re.search(r'name="csrf" value="([^"]+)"', page)
    assert token
    centre = re.search(r'<option value="([^"]+)"', page.split('id="centre"')[1])
    assert centre
    with db.session_factory(engine)() as s:
        before = s.scalar(select(func.count()).select_from(Dossier))
    r = client.post(
        "/dossiers/new/1.001612",
        data={
            "csrf": token.group(1),
            "province": "79",
            "centre": centre.group(1),
            "applicant_name": "Trần Thị Lan",
            "applicant_id": "07919",
            "subject_address": "3 Hàm Nghi, Phường Sài Gòn, TP. Hồ Chí Minh",
            "business_name": "Quán cơm Cô Lan",
            "activities": "Ăn uống",
            "capital_vnd": "tám mươi triệu",
        },
    )
    assert r.status_code == 422
    text = html.unescape(r.text)
    summary = text.split('class="govuk-error-summary"')[1].split("</ul>")[0]
    assert required in summary and number in summary and id_number in summary
    assert 'href="#f-business_address"' in summary and 'href="#f-capital_vnd"' in summary
    assert 'href="#applicant_id"' in summary
    assert 'id="f-capital_vnd-error"' in text and 'aria-describedby="f-capital_vnd-error"' in text
    assert "is a required property" not in text and "is not of type" not in text
    assert 'value="Quán cơm Cô Lan"' in text and 'value="tám mươi triệu"' in text  # what was typed is kept
    with db.session_factory(engine)() as s:
        assert s.scalar(select(func.count()).select_from(Dossier)) == before
