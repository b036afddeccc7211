"""The dossier journey on the command line: counter reception to a signed, verified result."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from motcua import db
from motcua.accounts.service import create_user
from motcua.catalog import agencies, service
from motcua.catalog.models import ServiceCentre
from motcua.cli import app
from tests.units.test_cli import flat

runner = CliRunner()


@pytest.fixture(scope="module")
def url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('cli') / 'cli.sqlite3'}"
    db.upgrade(url)
    with db.transaction(db.session_factory(db.make_engine(url))) as s:
        service.load_demo(s)
        agencies.generate(s, date.today())
        centre = s.scalars(select(ServiceCentre.identifier).where(ServiceCentre.commune_code == "26740")).one()
        create_user(s, "cli-reception", "reception_officer", unit_code=centre)
        create_user(s, "cli-officer", "processing_officer", unit_code="26740.economy")
        create_user(s, "cli-leader", "leader", unit_code="26740.UBND")
        create_user(s, "cli-citizen", "citizen", personal_id="079123456789")
    return url


def test_counter_reception_to_signed_result(url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # the development CA and the files go under ./var
    form = tmp_path / "form.json"
    form.write_text(
        json.dumps(
            {"business_name": "Tạp hóa An", "business_address": "12 Lê Lợi", "activities": ["Bán lẻ"], "capital_vnd": 1}
        ),
        encoding="utf-8",
    )
    with db.session_factory(db.make_engine(url))() as s:
        centre = s.scalars(select(ServiceCentre.identifier).where(ServiceCentre.commune_code == "26740")).one()
    result = runner.invoke(
        app,
        [
            "dossiers",
            "submit",
            "--as",
            "cli-reception",
            "--procedure",
            "1.001612",
            "--centre",
            centre,
            "--applicant-id",
            "079123456789",
            "--applicant-name",
            "Nguyễn Văn An",
            "--subject",
            "12 Lê Lợi, P. Bến Nghé, Q.1, TP.HCM",
            "--form",
            str(form),
            "--channel",
            "in_person",
            "--url",
            url,
        ],
    )
    assert result.exit_code == 0, result.output
    code = result.stdout.split()[0]
    assert " accepted due " in result.stdout
    steps = [
        ["transfer", "--as", "cli-reception"],
        ["request_supplement", "--as", "cli-officer", "--reason", "Thiếu", "--missing", "Hợp đồng thuê nhà"],
        ["supplement", "--as", "cli-reception", "--documents", "Hợp đồng thuê nhà"],
        ["approve", "--as", "cli-leader"],
        ["return_result", "--as", "cli-reception"],
    ]
    for step in steps:
        out = runner.invoke(app, ["dossiers", "act", code, *step, "--url", url])
        assert out.exit_code == 0, (step, out.output)
    assert "returned (national code 10)" in out.stdout
    pdf = tmp_path / "result.pdf"
    out = runner.invoke(
        app, ["dossiers", "document", code, "result", "--as", "cli-citizen", "--output", str(pdf), "--url", url]
    )
    assert out.exit_code == 0, out.output
    verified = runner.invoke(app, ["documents", "verify", str(pdf)])
    assert verified.exit_code == 0 and verified.stdout.startswith("VALID")
    assert runner.invoke(app, ["dossiers", "verify", code, "--url", url]).exit_code == 0


def test_a_wrong_step_is_refused_with_its_reason(url: str) -> None:
    out = runner.invoke(app, ["dossiers", "act", "nope", "approve", "--as", "cli-leader", "--url", url])
    assert out.exit_code == 1 and "unknown_dossier" in flat(out.output)
    out = runner.invoke(app, ["dossiers", "act", "x", "approve", "--as", "nobody", "--url", url])
    assert out.exit_code == 2 and "no account" in flat(out.output)
