"""A result issued in one province, reused in another, through the national node: province 79
announces what entered a holder's store; at province 01 the holder, signed in and starting a building
permit, is offered the land use right certificate of Hồ Chí Minh City, ticks it and sends the dossier
without uploading anything — the file is fetched through the national node (which checks it is the
holder's) and kept at province 01. Nobody else gets it; a province cannot read another's store."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from motcua import clock, db
from motcua.accounts.service import create_user
from motcua.api.app import create_app
from motcua.catalog import agencies, service
from motcua.digitisation.models import DocumentReuse, StoredDocument
from motcua.dossiers.errors import DossierError
from motcua.dossiers.models import Dossier
from motcua.dossiers.service import submit
from motcua.exchange.documents import bring, find_elsewhere
from motcua.exchange.models import DocumentIndexEntry, Member
from motcua.exchange.node import Node
from motcua.exchange.signing import new_key, public_jwk, sign
from tests.conftest import TODAY
from tests.dossiers.helpers import World, calendar_for
from tests.exchange.nodes import NATIONAL_URL, PROVINCE_URL, Pair, drain, paired

HANOI_URL = "http://province01.test"
HOLDER = "079123456789"  # World's citizen
LAND = {"parcel_address": "3 Hàm Nghi", "area_m2": 96.4, "land_use": "Đất ở tại đô thị"}
PERMIT = {"site_address": "1 Hùng Vương", "works_type": "nhà ở riêng lẻ", "floor_area_m2": 120, "floors": 3}


@pytest.fixture
def three(
    engine: Engine, database_url: str, empty_database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[Pair, Node, TestClient]]:
    """The national node, province 79 (this process's node, on the shared database) and province 01
    (an app of its own, on a database of its own), each registered where it must be."""
    with paired(database_url, empty_database_url, tmp_path, monkeypatch) as p:
        hanoi = Node("province-01", new_key())
        url = f"sqlite:///{tmp_path / 'hanoi.sqlite3'}"
        db.upgrade(url)
        factory = db.session_factory(db.make_engine(url))
        with db.transaction(factory) as s:
            service.load_demo(s)
            agencies.generate(s, TODAY)
            s.add(
                Member(
                    identifier="national", role="national", base_url=NATIONAL_URL, public_jwk=public_jwk(p.national.key)
                )
            )
        with db.transaction(p.national_factory) as s:
            s.add(
                Member(
                    identifier=hanoi.member,
                    role="province",
                    province_code="01",
                    base_url=HANOI_URL,
                    public_jwk=public_jwk(hanoi.key),
                )
            )
        app = create_app(url)
        app.state.exchange_node = hanoi
        transports = {
            "national.test": TestClient(p.national_app, base_url=NATIONAL_URL)._transport,
            "province79.test": TestClient(p.province_app, base_url=PROVINCE_URL)._transport,
            "province01.test": TestClient(app, base_url=HANOI_URL)._transport,
        }

        def route(request: httpx.Request) -> httpx.Response:
            response = transports[request.url.host].handle_request(request)
            response.read()
            return response

        client = httpx.Client(transport=httpx.MockTransport(route))
        for a in (p.national_app, p.province_app, app):
            a.state.exchange_client = client
        p.client = client
        yield p, hanoi, TestClient(app, base_url=HANOI_URL)


def _approved_land_registration(p: Pair) -> str:
    """Province 79 decides a land registration for the holder: the certificate enters their store."""
    with db.transaction(p.province_factory) as s:
        world = World(s, f"dx-{uuid.uuid4().hex[:6]}")
        request = world.request(procedure_code="1.012753", form=LAND, channel="in_person")
        d, _ = submit(s, world.reception, request, clock.now(), world.snapshot, calendar_for)
        world.act(d, "transfer", world.reception, at=clock.now())
        world.act(d, "approve", world.leader, at=clock.now())
        return d.code


def test_a_result_of_one_province_is_reused_in_another(three: tuple[Pair, Node, TestClient]) -> None:
    p, hanoi, hanoi_client = three
    code = _approved_land_registration(p)
    assert drain(p.province_factory, p.client, p.province) >= 1  # announced to the national node
    with p.national_factory() as s:
        indexed = s.scalars(select(DocumentIndexEntry).where(DocumentIndexEntry.dossier_code == code)).one()
        assert (indexed.member, indexed.holder_id, indexed.doc_type) == (
            "province-79",
            HOLDER,
            "land_use_right_certificate",
        )

    # At province 01, the holder signs in and starts a building permit: the certificate is offered.
    hanoi_factory = hanoi_client.app.state.session_factory  # type: ignore[attr-defined]
    with db.transaction(hanoi_factory) as s:
        create_user(s, "chau", "citizen", full_name="Nguyễn Văn An", password="mật-khẩu-đủ-dài", personal_id=HOLDER)
    page = hanoi_client.get("/signin").text
    csrf = re.search(r'name="csrf" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    hanoi_client.post("/signin", data={"username": "chau", "password": "mật-khẩu-đủ-dài", "csrf": csrf})
    form = hanoi_client.get("/dossiers/new/1.013225?province=01")
    assert form.status_code == 200 and 'name="reuse_elsewhere"' in form.text
    key = re.search(r'name="reuse_elsewhere" type="checkbox" value="([^"]+)"', form.text).group(1)  # type: ignore[union-attr]
    assert key.startswith("province-79:")
    centre = re.search(r'<option value="([^"]+)"', form.text.split('id="centre"')[1]).group(1)  # type: ignore[union-attr]
    sent = hanoi_client.post(
        "/dossiers/new/1.013225",
        data={
            "csrf": re.search(r'name="csrf" value="([^"]+)"', form.text).group(1),  # type: ignore[union-attr]
            "province": "01",
            "centre": centre,
            "applicant_name": "Nguyễn Văn An",
            "applicant_id": HOLDER,
            "subject_address": "Phường Ba Đình, Thành phố Hà Nội",
            "reuse_elsewhere": key,
            **{f"{k}": str(v) for k, v in PERMIT.items()},
        },
        follow_redirects=False,
    )
    assert sent.status_code == 303, sent.text[-2000:]
    with hanoi_factory() as s:
        brought = s.scalars(select(StoredDocument).where(StoredDocument.origin == "exchanged")).one()
        assert brought.holder_id == HOLDER and brought.province_code == "79" and brought.sha256
        reuse = s.scalars(select(DocumentReuse).where(DocumentReuse.stored_document_id == brought.id)).one()
        permit = s.get(Dossier, reuse.dossier_id)
        assert permit is not None and permit.events[0].payload["reused"] is True
    pdf = hanoi_client.get(f"/documents/{brought.id}/file")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")  # the signed result of province 79

    # Nobody else: another holder finds nothing and cannot have it fetched; a province cannot read
    # another's store; the national node serves no store of its own.
    with db.transaction(hanoi_factory) as s:
        assert find_elsewhere(s, p.client, hanoi, "001098765432", ["land_use_right_certificate"]) == []
        found = find_elsewhere(s, p.client, hanoi, HOLDER, ["land_use_right_certificate"])
        assert [e.key for e in found] == [key]
        with pytest.raises(DossierError) as err:
            bring(s, hanoi_client.app.state.storage, p.client, hanoi, "001098765432", found[0])  # type: ignore[attr-defined]
        assert err.value.code == "reuse_not_yours"
        s.rollback()
    reference = key.split(":")[1]
    path = f"/exchange/v1/store/{reference}"
    direct = p.client.get(PROVINCE_URL + path, headers=sign(hanoi.key, hanoi.member, "GET", path, b""))
    assert direct.status_code == 401  # province 01 is not a member province 79 knows; the national node only
    asked = p.client.get(NATIONAL_URL + path, headers=sign(hanoi.key, hanoi.member, "GET", path, b""))
    assert asked.status_code == 404
    announce = json.dumps({"documents": []}).encode()
    refused = p.client.post(
        PROVINCE_URL + "/exchange/v1/holders/documents",
        content=announce,
        headers=sign(p.national.key, "national", "POST", "/exchange/v1/holders/documents", announce),
    )
    assert refused.status_code == 404  # announcements go to the national node
