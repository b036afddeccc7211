"""Forms 01–05 and the signed result; ``motcua documents verify``."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from motcua.catalog.routing import CatalogSnapshot
from motcua.cli import app
from motcua.documents.forms import tracking_url
from motcua.documents.service import document
from motcua.documents.signing import SigningConfig, create_dev_authority, load_roots, verify_pdf
from motcua.dossiers.errors import DossierError
from motcua.dossiers.storage import LocalStorage
from tests.dossiers.helpers import World


@pytest.fixture(scope="module")
def signing(tmp_path_factory: pytest.TempPathFactory) -> SigningConfig:
    return create_dev_authority(tmp_path_factory.mktemp("signing"))


@pytest.fixture
def world(session: Session, snapshot: CatalogSnapshot, request: pytest.FixtureRequest) -> World:
    return World(session, request.node.name[:40], snapshot)


def title(pdf: bytes) -> str:
    return str(PdfFileReader(io.BytesIO(pdf), strict=False).trailer["/Info"]["/Title"])


@pytest.mark.parametrize(
    ("state", "form", "heading"),
    [
        ("accepted", "receipt", "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ"),
        ("supplement_requested", "supplement_request", "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ"),
        ("rejected", "refusal", "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ"),
        ("processing", "control_sheet", "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ"),
    ],
)
def test_each_form_is_a_pdf_in_vietnamese(
    world: World, tmp_path: Path, signing: SigningConfig, state: str, form: str, heading: str
) -> None:
    d = world.in_state(state)
    world.session.refresh(d)
    pdf = document(world.session, LocalStorage(tmp_path), signing, world.citizen, d, form, d.submitted_at)  # type: ignore[arg-type]
    assert pdf.startswith(b"%PDF") and title(pdf) == f"{heading} {d.code}"


def test_apology_after_an_extension(world: World, tmp_path: Path, signing: SigningConfig) -> None:
    from datetime import datetime

    d = world.in_state("processing")
    world.act(d, "extend", at=datetime(2026, 6, 2, 9), reason="Cần xác minh", new_due="2026-06-10")
    world.session.refresh(d)
    pdf = document(world.session, LocalStorage(tmp_path), signing, world.citizen, d, "apology", d.submitted_at)
    assert title(pdf).startswith("PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ")


def test_a_form_that_does_not_exist_yet_is_refused(world: World, tmp_path: Path, signing: SigningConfig) -> None:
    d = world.in_state("submitted")
    with pytest.raises(DossierError) as err:
        document(world.session, LocalStorage(tmp_path), signing, world.citizen, d, "receipt", d.submitted_at)
    assert err.value.code == "document_not_available"


def test_the_result_is_signed_once_and_verifies(world: World, tmp_path: Path, signing: SigningConfig) -> None:
    storage = LocalStorage(tmp_path)
    d = world.in_state("returned")
    world.session.refresh(d)
    first = document(world.session, storage, signing, world.citizen, d, "result", d.submitted_at)
    again = document(world.session, storage, signing, world.reception, d, "result", d.submitted_at)
    assert first == again
    check = verify_pdf(first, load_roots(signing.trust_roots))
    assert check.valid and check.intact and check.trusted and check.covers_whole_file
    tampered = bytearray(first)
    tampered[len(first) // 3] ^= 0x20
    assert not verify_pdf(bytes(tampered), load_roots(signing.trust_roots)).valid
    other_ca = create_dev_authority(tmp_path / "other")
    untrusted = verify_pdf(first, load_roots(other_ca.trust_roots))
    assert not untrusted.valid and "trusted root" in untrusted.problems[0]


def test_verify_command(world: World, tmp_path: Path, signing: SigningConfig) -> None:
    d = world.in_state("processed")
    world.session.refresh(d)
    signed = tmp_path / "result.pdf"
    signed.write_bytes(
        document(world.session, LocalStorage(tmp_path), signing, world.leader, d, "result", d.submitted_at)
    )
    runner = CliRunner()
    ok = runner.invoke(app, ["documents", "verify", str(signed), "--trust", str(signing.trust_roots[0])])
    assert ok.exit_code == 0 and ok.stdout.startswith("VALID")
    data = bytearray(signed.read_bytes())
    data[200] ^= 0x01
    changed = tmp_path / "changed.pdf"
    changed.write_bytes(bytes(data))
    bad = runner.invoke(app, ["documents", "verify", str(changed), "--trust", str(signing.trust_roots[0])])
    assert bad.exit_code == 1 and "INVALID" in bad.output


def test_the_qr_code_points_to_public_tracking(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MOTCUA_PUBLIC_URL", "https://dichvucong.example.gov.vn/")
    assert (
        tracking_url("000.00.01.H01-260601-0001") == "https://dichvucong.example.gov.vn/track/000.00.01.H01-260601-0001"
    )
