"""deliverDossier and synchroniseCatalog between the national node and a provincial node (in one
process): a citizen submits at the national portal; the province receives the dossier once, gives it
its own code and reports every change back; the citizen follows it at the national node."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterator
from pathlib import Path

import orjson
import pytest
from sqlalchemy import Engine, delete, func, select

from motcua import db
from motcua.accounts.service import create_user, issue_token
from motcua.catalog.models import Procedure, ServiceCentre
from motcua.catalog.service import export_records, import_records
from motcua.dossiers.models import Attachment, Dossier
from motcua.exchange.catalog_sync import push_catalog
from motcua.exchange.models import CatalogSync, Delivery, DossierMirror, InboxMessage, Member, OutboxMessage, utc_now
from motcua.exchange.node import Node
from motcua.exchange.signing import new_key, public_jwk, sign
from tests.dossiers.helpers import SAI_GON, World
from tests.exchange.nodes import NATIONAL_URL, PROVINCE_URL, Pair, drain, paired

FORM = {
    "business_name": "Tạp hóa An",
    "business_address": "12 Lê Lợi, Phường Sài Gòn",
    "activities": ["Bán lẻ"],
    "capital_vnd": 50_000_000,
}


@pytest.fixture
def nodes(
    engine: Engine, database_url: str, empty_database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Pair]:
    with paired(database_url, empty_database_url, tmp_path, monkeypatch) as nodes:
        yield nodes


def _submit_at_national(p: Pair, tag: str, **changes: object) -> tuple[dict[str, object], str]:
    with db.transaction(p.national_factory) as s:
        citizen = create_user(s, f"{tag}-citizen", "citizen", personal_id="079123456789")
        s.flush()
        token = issue_token(s, citizen)
    with p.province_factory() as s:  # the citizen chooses a centre of the province (listed by the portal)
        centre = s.scalars(select(ServiceCentre.identifier).where(ServiceCentre.commune_code == SAI_GON)).one()
    body = {
        "procedure_code": "1.001612",
        "centre": centre,
        "subject_commune_code": SAI_GON,
        "applicant": {"kind": "citizen", "id_number": "079123456789", "name": "Nguyễn Văn An"},
        "form": FORM,
        **changes,
    }
    response = p.national_client().post("/api/v1/dossiers", json=body, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 201, response.text
    data: dict[str, object] = response.json()
    return data, token


def test_a_dossier_submitted_nationally_is_processed_by_its_province(nodes: Pair) -> None:
    p, tag = nodes, f"deliver-{uuid.uuid4().hex[:8]}"
    submitted, token = _submit_at_national(p, tag)
    reference = str(submitted["code"])
    assert reference.startswith("QG-") and submitted["delivered_to"] == "province-79"

    assert drain(p.national_factory, p.client, p.national) == 1  # the delivery
    with p.province_factory() as s:
        delivery = s.get(Delivery, reference)
        assert delivery is not None
        dossier = s.scalars(select(Dossier).where(Dossier.code == delivery.dossier_code)).one()
        assert (dossier.status, dossier.channel, dossier.subject_commune_code) == ("submitted", "online", SAI_GON)
        first = s.scalars(select(OutboxMessage).where(OutboxMessage.dossier_code == dossier.code)).one()
        assert orjson.loads(first.body)["reference"] == reference
    code = dossier.code

    with db.transaction(p.province_factory) as s:  # the province's officials take it in
        world = World(s, tag)
        world.act(s.scalars(select(Dossier).where(Dossier.code == code)).one(), "accept")
    assert drain(p.province_factory, p.client, p.province) == 2  # submitted, accepted: in order
    with p.national_factory() as s:
        mirror = s.get(DossierMirror, reference)
        assert mirror is not None
        assert (mirror.dossier_code, mirror.status, mirror.last_sequence) == (code, "accepted", 2)
        assert mirror.delivered_at is not None and mirror.due_on is not None
    tracked = p.national_client().get(f"/api/v1/track/{reference}").json()
    assert (tracked["code"], tracked["status"], tracked["reference"]) == (code, "accepted", reference)
    assert p.national_client().get(f"/api/v1/track/{code}").json()["status"] == "accepted"

    # A file added afterwards through the API goes after the dossier, and joins it at the province.
    pdf = b"%PDF-1.4\n% added later\ntrailer<<>>\n%%EOF\n"
    added = p.national_client().post(
        f"/api/v1/dossiers/{reference}/attachments",
        files={"file": ("bo-sung.pdf", pdf, "application/pdf")},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert added.status_code == 201 and added.json()["sent_to"] == "province-79", added.text
    _, stranger = _submit_at_national(p, tag + "-other")
    refused = p.national_client().post(
        f"/api/v1/dossiers/{reference}/attachments",
        files={"file": ("x.pdf", pdf, "application/pdf")},
        headers={"Authorization": f"Bearer {stranger}"},
    )
    assert refused.status_code == 404  # another citizen's dossier: as if it did not exist
    drain(p.national_factory, p.client, p.national)
    with p.province_factory() as s:
        names = s.scalars(
            select(Attachment.name).join(Dossier, Dossier.id == Attachment.dossier_id).where(Dossier.code == code)
        ).all()
        assert names == ["bo-sung.pdf"]

    # The delivery sent again (its acknowledgement lost): the province answers with the same code,
    # and holds one dossier.
    with db.transaction(p.national_factory) as s:
        again = s.scalars(
            select(OutboxMessage).where(
                OutboxMessage.dossier_code == reference, OutboxMessage.operation == "deliverDossier"
            )
        ).one()
        again.state, again.next_attempt_at = "pending", utc_now()
    assert drain(p.national_factory, p.client, p.national) == 1
    with p.province_factory() as s:
        assert s.scalar(select(func.count()).select_from(Delivery).where(Delivery.reference == reference)) == 1

    # The national node looks the dossier up at the province, by reference or by code.
    for key in (reference, code):
        path = f"/exchange/v1/dossiers/{key}"
        headers = sign(p.national.key, "national", "GET", path, b"")
        found = p.client.get(PROVINCE_URL + path, headers=headers)
        assert found.status_code == 200 and found.json()["lastSequence"] == 2 and found.json()["code"] == code

    # Another province may look up neither at the province nor, at the national node, what it does
    # not hold.
    other = Node("province-01", new_key())
    for factory in (p.national_factory, p.province_factory):
        with db.transaction(factory) as s:
            s.add(
                Member(identifier="province-01", role="province", province_code="01", public_jwk=public_jwk(other.key))
            )
    path = f"/exchange/v1/dossiers/{code}"
    at_province = p.client.get(PROVINCE_URL + path, headers=sign(other.key, other.member, "GET", path, b""))
    assert at_province.status_code == 403
    at_national = p.client.get(NATIONAL_URL + path, headers=sign(other.key, other.member, "GET", path, b""))
    assert at_national.status_code == 404
    mine = p.client.get(NATIONAL_URL + path, headers=sign(p.province.key, p.province.member, "GET", path, b""))
    assert mine.status_code == 200 and mine.json()["reference"] == reference
    for factory in (p.national_factory, p.province_factory):
        with db.transaction(factory) as s:
            s.execute(delete(Member).where(Member.identifier == "province-01"))


def test_the_province_refuses_what_is_not_its_own(nodes: Pair) -> None:
    p = nodes
    hanoi_commune = "00004"  # Phường Ba Đình, Hà Nội
    body = {
        "reference": f"QG-TEST-{uuid.uuid4().hex[:8]}",
        "procedureCode": "1.001612",
        "channel": "online",
        "submittedAt": "2026-06-01T09:00:00+07:00",
        "applicant": {"kind": "citizen", "idNumber": "079123456789", "name": "Nguyễn Văn An"},
        "subjectCommuneCode": hanoi_commune,
        "form": FORM,
    }

    def post(data: dict[str, object], member: Node) -> tuple[int, dict[str, object]]:
        raw = orjson.dumps(data)
        headers = sign(member.key, member.member, "POST", "/exchange/v1/dossiers", raw)
        r = p.client.post(PROVINCE_URL + "/exchange/v1/dossiers", content=raw, headers=headers)
        return r.status_code, r.json()

    status, answer = post(body, p.national)
    assert status == 403 and "province 01" in str(answer["detail"])
    status, answer = post({**body, "subjectCommuneCode": SAI_GON, "form": {"business_name": ""}}, p.national)
    assert status == 400 and answer["title"] == "The dossier is refused"
    assert any(e["location"].startswith("/form") for e in answer["errors"])  # type: ignore[union-attr]
    status, answer = post({**body, "channel": "fax"}, p.national)
    assert status == 400 and answer["errors"] == [  # type: ignore[comparison-overlap]
        {"location": "/channel", "message": "'fax' is not one of ['online', 'postal']"}
    ]
    with p.province_factory() as s:  # nothing was kept of the refusals
        assert s.get(Delivery, body["reference"]) is None


def test_the_catalog_reaches_the_provinces_once_per_revision(nodes: Pair) -> None:
    p = nodes
    code = f"9.{uuid.uuid4().hex[:6]}"  # a procedure the national catalog gains
    with db.transaction(p.province_factory) as s:  # revisions applied by other tests (the conformance battery's)
        s.execute(delete(CatalogSync))
    with db.transaction(p.national_factory) as s:
        new = export_records(s, ["1.001612"])[0].model_copy(update={"code": code})
        import_records(s, [new])
        assert push_catalog(s, utc_now()) == ["province-79"]
    assert drain(p.national_factory, p.client, p.national) == 1
    with p.province_factory() as s:
        applied = s.scalars(select(CatalogSync)).one()
        answer = s.scalars(
            select(InboxMessage.answer)
            .where(InboxMessage.operation == "synchroniseCatalog")
            .order_by(InboxMessage.id.desc())
        ).first()
        assert answer is not None and (answer["added"], answer["replaced"]) == (1, 0)
        assert answer["unchanged"] == applied.procedures - 1  # the rest is the same: not rewritten
        assert s.scalars(select(Procedure).where(Procedure.code == code)).one()
    with db.transaction(p.national_factory) as s:
        push_catalog(s, utc_now())
    assert drain(p.national_factory, p.client, p.national) == 1
    with db.transaction(p.province_factory) as s:  # the same revision: acknowledged, not applied again
        assert s.scalar(select(func.count()).select_from(CatalogSync)) == 1
        s.execute(delete(Procedure).where(Procedure.code == code))


def test_the_citizen_portal_of_the_national_node_delivers_and_tracks(nodes: Pair) -> None:
    p, tag = nodes, f"portal-{uuid.uuid4().hex[:8]}"
    with db.transaction(p.national_factory) as s:
        create_user(s, f"{tag}-citizen", "citizen", password="mật-khẩu-công-dân", personal_id="079123456789")
    with p.national_factory() as s:
        centre = s.scalars(select(ServiceCentre.identifier).where(ServiceCentre.commune_code == SAI_GON)).one()
    web = p.national_client()
    web.post(
        "/signin", data={"username": f"{tag}-citizen", "password": "mật-khẩu-công-dân", "csrf": _csrf(web, "/signin")}
    )
    fields = {
        "csrf": _csrf(web, "/dossiers/new/1.001612?province=79"),
        "province": "79",
        "centre": centre,
        "applicant_id": "079123456789",
        "applicant_name": "Nguyễn Văn An",
        "subject_address": "Phường Sài Gòn, Thành phố Hồ Chí Minh",
        "business_name": "Tạp hóa An",
        "business_address": "12 Lê Lợi",
        "activities": "Bán lẻ",
        "capital_vnd": "50000000",
    }
    r = web.post("/dossiers/new/1.001612", data=fields, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/track/QG-"), (
        r.status_code,
        r.text[r.text.find("<main") :][:1500],
    )
    reference = r.headers["location"].removeprefix("/track/")
    page = web.get(f"/track/{reference}", headers={"Accept-Language": "en"})
    assert page.status_code == 200 and "Submitted" in page.text

    drain(p.national_factory, p.client, p.national)
    drain(p.province_factory, p.client, p.province)
    with p.national_factory() as s:
        mirror = s.get(DossierMirror, reference)
        assert mirror is not None and mirror.dossier_code is not None
    page = web.get(f"/track/{reference}", headers={"Accept-Language": "en"})
    assert mirror.dossier_code in page.text  # the province's code, once it has acknowledged
    mine = web.get("/my/dossiers", headers={"Accept-Language": "en"})
    assert "Sent to a province" in mine.text and f'href="/track/{reference}">{mirror.dossier_code}<' in mine.text

    # With a file: kept at the national node, fetched by the province (signed, checked against its
    # digest) before the delivery is applied, attached to the province's dossier.
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    fields["csrf"] = _csrf(web, "/dossiers/new/1.001612?province=79")
    r = web.post(
        "/dossiers/new/1.001612",
        data=fields,
        files={"files": ("giay-phep.pdf", pdf, "application/pdf")},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text[r.text.find("<main") :][:800]
    with_file = r.headers["location"].removeprefix("/track/")
    document_path = f"/exchange/v1/documents/{with_file}/{hashlib.sha256(pdf).hexdigest()}"
    assert p.client.get(NATIONAL_URL + document_path).status_code == 401  # unsigned: refused
    stranger = Node("province-01", new_key())
    signed = sign(stranger.key, stranger.member, "GET", document_path, b"")
    assert p.client.get(NATIONAL_URL + document_path, headers=signed).status_code == 401  # not a member
    drain(p.national_factory, p.client, p.national)
    with p.province_factory() as s:
        code = s.scalars(select(Delivery.dossier_code).where(Delivery.reference == with_file)).one()
        files = s.scalars(
            select(Attachment).join(Dossier, Dossier.id == Attachment.dossier_id).where(Dossier.code == code)
        ).all()
        assert [(f.name, f.sha256, f.kind) for f in files] == [
            ("giay-phep.pdf", hashlib.sha256(pdf).hexdigest(), "applicant")
        ]


def _csrf(c: object, path: str) -> str:
    import re

    match = re.search(r'name="csrf" value="([^"]+)"', c.get(path).text)  # type: ignore[attr-defined]
    assert match, path
    return match.group(1)
