"""Results only from the signing step: a forged or foreign file is never served as a dossier's result;
``documents verify`` checks the dossier, the revocation list and the time-stamp of a local TSA."""

from __future__ import annotations

import hashlib
import threading
import uuid
from collections.abc import Iterator
from datetime import datetime
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest
from asn1crypto import keys, tsp
from asn1crypto import x509 as asn1_x509
from cryptography.hazmat.primitives import serialization
from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper
from pyhanko_certvalidator.registry import SimpleCertificateStore
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from motcua.cli import app
from motcua.documents.service import document
from motcua.documents.signing import (
    SigningConfig,
    create_dev_authority,
    issue_dev_tsa,
    sign_pdf,
    signer_serial,
    verify_for,
    write_dev_crl,
)
from motcua.dossiers.attachments import add_attachment
from motcua.dossiers.errors import DossierError
from motcua.dossiers.models import Attachment
from motcua.dossiers.storage import LocalStorage
from tests.api_fixtures import body, h
from tests.dossiers.helpers import World

FAKE = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n" + b" " * 64


@pytest.fixture
def signing(tmp_path: Path) -> SigningConfig:
    return create_dev_authority(tmp_path / "ca")


def _approved(session: Session, tag: str) -> tuple[World, object]:
    world = World(session, tag)
    return world, world.in_state("processed")


def test_a_result_cannot_be_uploaded_by_anyone(session: Session, tmp_path: Path) -> None:
    world, d = _approved(session, "result-upload")
    for actor in (world.citizen, world.reception, world.officer, world.leader):
        with pytest.raises(DossierError) as refused:
            add_attachment(session, LocalStorage(tmp_path), actor, d, "kq.pdf", FAKE, "result", datetime(2026, 6, 2))  # type: ignore[arg-type]
        assert refused.value.code in ("result_not_uploadable", "unknown_dossier")
    with pytest.raises(DossierError) as scan:
        add_attachment(session, LocalStorage(tmp_path), world.citizen, d, "s.pdf", FAKE, "scan", datetime(2026, 6, 2))  # type: ignore[arg-type]
    assert scan.value.code == "wrong_role"


def test_the_api_refuses_result_uploads_with_a_clear_error(api: dict) -> None:  # type: ignore[type-arg]
    c = api["client"]
    code = c.post("/api/v1/dossiers", json=body(api), headers=h(api, "citizen")).json()["code"]
    for who in ("citizen", "reception", "officer"):
        r = c.post(
            f"/api/v1/dossiers/{code}/attachments?kind=result",
            files={"file": ("kq.pdf", FAKE, "application/pdf")},
            headers=h(api, who),
        )
        assert r.status_code in (403, 404, 422), (who, r.text)
        if who == "citizen":
            assert r.json()["error"]["code"] == "result_not_uploadable"


def test_a_forged_or_foreign_result_is_never_served(session: Session, tmp_path: Path, signing: SigningConfig) -> None:
    storage = LocalStorage(tmp_path / "files")
    world, d = _approved(session, "result-forged")
    _other_world, other = _approved(session, "result-other")
    session.refresh(d)
    session.refresh(other)
    genuine_other = document(session, storage, signing, _other_world.citizen, other, "result", datetime(2026, 6, 3))  # type: ignore[arg-type]
    # What an attacker with database access plants as this dossier's result: a fake, then another
    # dossier's genuine signed result.
    for planted in (FAKE, genuine_other):
        key = f"{d.code}/{hashlib.sha256(planted).hexdigest()}"  # type: ignore[attr-defined]
        storage.put(key, planted)
        session.add(
            Attachment(
                dossier_id=d.id,  # type: ignore[attr-defined]
                kind="result",
                name="kq.pdf",
                content_type="application/pdf",
                size=len(planted),
                sha256=hashlib.sha256(planted).hexdigest(),
                storage_key=key,
                uploaded_at=datetime(2026, 6, 3),
            )
        )
        session.flush()
        served = document(session, storage, signing, world.citizen, d, "result", datetime(2026, 6, 3))  # type: ignore[arg-type]
        assert served not in (FAKE, genuine_other)
        check = verify_for(served, signing, d.code)  # type: ignore[attr-defined]
        assert check.valid and check.dossier == d.code, check.problems  # type: ignore[attr-defined]
    assert not verify_for(genuine_other, signing, d.code).valid  # type: ignore[attr-defined]
    assert "belongs to dossier" in " ".join(verify_for(genuine_other, signing, d.code).problems)  # type: ignore[attr-defined]


def test_verify_checks_the_dossier_and_the_revocation_list(
    session: Session, tmp_path: Path, signing: SigningConfig, monkeypatch: pytest.MonkeyPatch
) -> None:
    world, d = _approved(session, "result-revoked")
    session.refresh(d)
    pdf = document(session, LocalStorage(tmp_path / "f"), signing, world.citizen, d, "result", datetime(2026, 6, 3))  # type: ignore[arg-type]
    path = tmp_path / "kq.pdf"
    path.write_bytes(pdf)
    ca_dir = signing.p12.parent
    trust = ["--trust", str(signing.trust_roots[0]), "--crl", str(signing.crls[0])]
    runner = CliRunner()
    good = runner.invoke(app, ["documents", "verify", str(path), "--code", d.code, *trust])  # type: ignore[attr-defined]
    assert good.exit_code == 0 and "VALID" in good.output and "not revoked" in good.output, good.output
    wrong = runner.invoke(app, ["documents", "verify", str(path), "--code", "000.00.00.H01-260101-0001", *trust])
    assert wrong.exit_code == 1 and "belongs to dossier" in wrong.output
    write_dev_crl(ca_dir, revoked=(signer_serial(signing),))
    revoked = runner.invoke(app, ["documents", "verify", str(path), *trust])
    assert revoked.exit_code == 1 and "revoked" in revoked.output, revoked.output


class _Tsa(BaseHTTPRequestHandler):
    stamper: DummyTimeStamper

    def do_POST(self) -> None:
        request = tsp.TimeStampReq.load(self.rfile.read(int(self.headers["Content-Length"])))
        answer = self.stamper.request_tsa_response(request).dump()
        self.send_response(200)
        self.send_header("Content-Type", "application/timestamp-reply")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *_args: object) -> None:
        return


@pytest.fixture
def tsa(signing: SigningConfig) -> Iterator[str]:
    """A local RFC 3161 time-stamping authority over HTTP, certified by the development CA."""
    cert, key = issue_dev_tsa(signing.p12.parent)
    asn_cert = asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))
    asn_key = keys.PrivateKeyInfo.load(
        key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    handler = type(
        "Tsa", (_Tsa,), {"stamper": DummyTimeStamper(asn_cert, asn_key, SimpleCertificateStore.from_certs([asn_cert]))}
    )
    server = HTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


def test_a_signature_time_stamped_by_the_configured_tsa(signing: SigningConfig, tsa: str) -> None:
    from dataclasses import replace

    from motcua.documents.forms import Context, render
    from motcua.dossiers.models import Dossier

    d = Dossier(code=f"000.00.01.H79-260601-{uuid.uuid4().int % 10000:04d}", applicant_name="A", subject_address="B")
    pdf = render("result", d, Context("Thủ tục", "Trung tâm", "UBND", [], []), {}, "e" * 64)
    signed = sign_pdf(pdf, replace(signing, tsa_url=tsa))
    check = verify_for(signed, signing, d.code)
    assert check.valid and check.timestamped, check.problems
