"""Production is the default: ``motcua serve`` refuses the sandbox payments, a development CA, generated
secrets and public metrics unless each is allowed by name; ``check-config`` shows all, secrets masked;
a newcomer's command on a database without tables gets one line saying what to run."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from motcua.cli import app, main
from motcua.settings import Settings, UnsafeConfiguration, unsafe

ALLOWANCES = ("SANDBOX_PAYMENTS", "DEVELOPMENT_CA", "GENERATED_SECRET", "PUBLIC_METRICS", "LOCAL_PUBLIC_URL")


@pytest.fixture
def production(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ALLOWANCES:
        monkeypatch.delenv(f"MOTCUA_ALLOW_{name}", raising=False)
    monkeypatch.setenv("MOTCUA_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("MOTCUA_MODE", raising=False)
    monkeypatch.delenv("MOTCUA_PUBLIC_URL", raising=False)


def test_serve_refuses_each_unsafe_default_and_names_the_setting(production: None) -> None:
    result = CliRunner().invoke(app, ["serve", "--port", "1"])
    assert result.exit_code == 2
    for allow in ALLOWANCES:
        assert f"MOTCUA_ALLOW_{allow}=1" in result.output
    assert "MOTCUA_PAYMENT_PROVIDER" in result.output and "MOTCUA_METRICS_TOKEN" in result.output
    assert "MOTCUA_PUBLIC_URL" in result.output


def test_create_app_refuses_too(production: None) -> None:
    from motcua.api.app import create_app

    with pytest.raises(UnsafeConfiguration) as refused:
        create_app("sqlite://")
    assert len(refused.value.problems) == 5


def test_each_allowance_lifts_only_its_own_refusal(production: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MOTCUA_ALLOW_SANDBOX_PAYMENTS", "1")
    monkeypatch.setenv("MOTCUA_METRICS_TOKEN", "t")
    monkeypatch.setenv("MOTCUA_PUBLIC_URL", "https://dichvucong.example.gov.vn")
    left = {p.allow for p in unsafe(Settings())}
    assert left == {"MOTCUA_ALLOW_DEVELOPMENT_CA=1", "MOTCUA_ALLOW_GENERATED_SECRET=1"}
    monkeypatch.setenv("MOTCUA_MODE", "demo")
    assert unsafe(Settings()) == []


def test_check_config_masks_secrets_and_lists_the_unsafe(production: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MOTCUA_SECRET_KEY", "very-secret-value")
    monkeypatch.setenv("MOTCUA_DATABASE_URL", "postgresql+psycopg://motcua:pa55word@db/motcua")
    result = CliRunner().invoke(app, ["check-config"])
    assert result.exit_code == 1
    assert "very-secret-value" not in result.output and "pa55word" not in result.output
    assert "MOTCUA_SECRET_KEY=********" in result.output and "unsafe in production (5)" in result.output
    assert "MOTCUA_DATA_DIR=" in result.output


def test_a_command_without_tables_says_what_to_run(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = f"sqlite:///{tmp_path / 'new.sqlite3'}"
    for args in (["dossiers", "verify", "--url", url], ["catalog", "export", "--url", url, "--output", str(tmp_path)]):
        with pytest.raises(SystemExit) as stopped:
            import sys

            sys.argv = ["motcua", *args]
            main()
        assert stopped.value.code == 2
        err = capsys.readouterr().err
        assert "no motcua tables yet: run `motcua db upgrade`" in err and "Traceback" not in err
        assert len(err.strip().splitlines()) == 1


def test_documents_verify_creates_nothing(production: None, tmp_path: Path) -> None:
    pdf = tmp_path / "x.pdf"
    pdf.write_bytes(b"%PDF-1.4\n%%EOF\n")
    result = CliRunner().invoke(app, ["documents", "verify", str(pdf)])
    assert result.exit_code == 2 and "no signing key is configured" in result.output
    assert not (tmp_path / "signing").exists()
