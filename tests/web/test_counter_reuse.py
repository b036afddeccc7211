"""Reuse at the counter: the reception officer looks up the store of the applicant standing there (by
the ID number typed in the form), ticks what the applicant agrees to give, and the dossier received
takes it by reference. A look-up needs a well-formed ID number, is in the audit trail without personal
data, and the store offered follows the number typed: change it and the offer goes."""

from __future__ import annotations

import html
import random
import re
from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from motcua import clock, db
from motcua.accounts.service import create_user
from motcua.api.app import create_app
from motcua.audit.trail import EVENTS
from motcua.catalog.models import ServiceCentre
from motcua.digitisation.models import DocumentReuse, StoredDocument
from motcua.dossiers.models import Dossier

PERMIT = {"site_address": "12 Lê Lợi", "works_type": "nhà ở riêng lẻ", "floor_area_m2": "120", "floors": "3"}


@pytest.fixture
def counter(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    monkeypatch.setenv("MOTCUA_SECURE_COOKIES", "0")
    rng = random.Random()
    holder = f"0790{rng.randrange(10**8):08d}"  # born in the 1900s, registered in Hồ Chí Minh City
    tag = f"{rng.randrange(16**8):08x}"
    with db.transaction(db.session_factory(engine)) as s:
        centre = s.scalars(select(ServiceCentre.identifier).where(ServiceCentre.commune_code == "26740")).one()
        officer = create_user(s, f"counter-{tag}", "reception_officer", unit_code=centre, password="đúng-mật-khẩu")
        certificate = StoredDocument(
            holder_kind="citizen",
            holder_id=holder,
            doc_type="land_use_right_certificate",
            title="Giấy chứng nhận quyền sử dụng đất",
            issuer_code="79.land",
            issuer_name="Văn phòng đăng ký đất đai",
            issued_on=date(2026, 3, 2),
            origin="result",
            source_ref=f"TEST-{tag}",
            dossier_code=f"TEST-{tag}",
            province_code="79",
            created_at=clock.now(),
        )
        s.add(certificate)
        s.flush()
        ids = {"officer": officer.id, "certificate": certificate.id}
    c = TestClient(create_app(engine.url.render_as_string(hide_password=False)))
    token = re.search(r'name="csrf" value="([^"]+)"', c.get("/signin").text)
    assert token
    signed = c.post("/signin", data={"username": f"counter-{tag}", "password": "đúng-mật-khẩu", "csrf": token.group(1)})
    assert signed.status_code in (200, 303)
    return {"client": c, "holder": holder, "centre": centre, "engine": engine, **ids}


def _form(c: TestClient, lang: str = "vi") -> tuple[str, str]:
    page = c.get("/dossiers/new/1.013225", params={"lang": lang}).text
    token = re.search(r'name="csrf" value="([^"]+)"', page)
    assert token and 'name="store_lookup"' in page
    return page, token.group(1)


def _post(c: TestClient, token: str, holder_id: str, **extra: Any) -> Any:
    data = {
        "csrf": token,
        "applicant_name": "Phạm Thị Thu",
        "applicant_id": holder_id,
        "subject_address": "12 Lê Lợi, Phường Sài Gòn, Thành phố Hồ Chí Minh",
        "channel": "in_person",
        **PERMIT,
        **extra,
    }
    return c.post("/dossiers/new/1.013225", data=data, follow_redirects=False)


def test_the_officer_looks_up_the_applicants_store_and_the_dossier_reuses_the_certificate(
    counter: dict[str, Any],
) -> None:
    c, holder = counter["client"], counter["holder"]
    page, token = _form(c)
    assert 'name="reuse"' not in page  # nothing offered before a look-up

    refused = _post(c, token, "07912", centre=counter["centre"], store_lookup="1")
    assert refused.status_code == 422
    assert "Nhập đủ 12 chữ số của số định danh của người nộp" in html.unescape(refused.text)
    assert 'href="#applicant_id"' in refused.text

    looked = _post(c, token, holder, centre=counter["centre"], store_lookup="1")
    text = html.unescape(looked.text)
    assert looked.status_code == 200 and 'id="reuse"' in text
    assert f'name="reuse" type="checkbox" value="{counter["certificate"]}"' in text
    assert "Giấy chứng nhận quyền sử dụng đất, Văn phòng đăng ký đất đai, 02/03/2026" in text
    assert f'name="store_holder" value="{holder}"' in text and "Phạm Thị Thu" in text  # what was typed is kept
    with db.session_factory(counter["engine"])() as s:
        trail = s.execute(
            select(EVENTS.c.action, EVENTS.c.subject, EVENTS.c.details).where(
                EVENTS.c.actor_id == counter["officer"], EVENTS.c.action == "store.lookup"
            )
        ).all()
    assert [(t.subject, t.details) for t in trail] == [("1.013225", {"offered": 1})]  # the refused one is not

    # The certificate cannot be taken for another applicant (whose store was looked up or not).
    other = f"0791{holder[4:]}"
    for looked_up in (holder, other):
        refused = _post(
            c, token, other, centre=counter["centre"], store_holder=looked_up, reuse=str(counter["certificate"])
        )
        assert refused.status_code == 422 and "không thuộc kho dữ liệu" in html.unescape(refused.text)
        assert 'name="reuse"' not in refused.text  # nor offered for them

    sent = _post(c, token, holder, centre=counter["centre"], store_holder=holder, reuse=str(counter["certificate"]))
    assert sent.status_code == 303, sent.text
    code = sent.headers["location"].rsplit("/", 1)[-1]
    with db.session_factory(counter["engine"])() as s:
        d = s.scalars(select(Dossier).where(Dossier.code == code)).one()
        reused = s.scalars(select(DocumentReuse.stored_document_id).where(DocumentReuse.dossier_id == d.id)).all()
        assert (d.status, d.channel, d.applicant_id_number, reused) == (
            "accepted",
            "in_person",
            holder,
            [counter["certificate"]],
        )
    assert "Giấy chứng nhận quyền sử dụng đất" in html.unescape(c.get(f"/work/dossiers/{code}").text)


@pytest.mark.parametrize(
    ("lang", "button", "empty"),
    [
        ("vi", "Tra cứu kho dữ liệu của người nộp", "Kho dữ liệu của người nộp không có giấy tờ nào"),
        ("fr", "Consulter l'espace du demandeur", "L'espace du demandeur ne contient"),
        ("en", "Look up the applicant's store", "The applicant's store holds nothing this procedure asks for."),
    ],
)
def test_the_look_up_speaks_the_pages_language_and_says_when_the_store_is_empty(
    counter: dict[str, Any], lang: str, button: str, empty: str
) -> None:
    c = counter["client"]
    page, token = _form(c, lang)
    assert button in html.unescape(page)
    nobody = f"0011{counter['holder'][4:]}"  # a well-formed number whose store holds nothing
    looked = _post(c, token, nobody, centre=counter["centre"], store_lookup="1")
    assert looked.status_code == 200 and empty in html.unescape(looked.text) and 'id="reuse"' not in looked.text
