"""``motcua catalog …`` against a fresh database."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from motcua import db
from motcua.cli import app
from tests.units.test_cli import flat

runner = CliRunner()


@pytest.fixture
def url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    db.upgrade(url)
    return url


def test_import_export_validate_round_trip(url: str, tmp_path: Path) -> None:
    assert runner.invoke(app, ["catalog", "load-demo", "--url", url]).exit_code == 0
    out = tmp_path / "csv"
    result = runner.invoke(app, ["catalog", "export", "--format", "csv", "--output", str(out), "--url", url])
    assert result.exit_code == 0, result.output
    result = runner.invoke(
        app, ["catalog", "validate", str(out / "procedures.csv"), "--changes", str(out / "changes.csv")]
    )
    assert result.exit_code == 0 and "45 procedures valid" in result.output
    exported = runner.invoke(app, ["catalog", "export", "--url", url]).stdout
    assert len(json.loads(exported)) == 45


def test_a_bad_import_is_rejected_with_line_errors_and_changes_nothing(url: str, tmp_path: Path) -> None:
    runner.invoke(app, ["catalog", "load-demo", "--url", url])
    out = tmp_path / "csv"
    runner.invoke(app, ["catalog", "export", "--format", "csv", "--output", str(out), "--url", url])
    with (out / "procedures.csv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    rows[3][rows[0].index("status")] = "finished"
    bad = tmp_path / "bad.csv"
    with bad.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)
    result = runner.invoke(app, ["catalog", "import", str(bad), "--url", url])
    assert result.exit_code == 1 and "row 4, status" in flat(result.output)
    assert json.loads(runner.invoke(app, ["catalog", "export", "--url", url]).stdout)[0]["versions"]


def test_route_and_report(url: str) -> None:
    runner.invoke(app, ["catalog", "load-demo", "--url", url])
    assert runner.invoke(app, ["catalog", "agencies", "generate", "--url", url, "--at", "2026-11-24"]).exit_code == 0
    result = runner.invoke(
        app,
        [
            "catalog",
            "route",
            "1.001193",
            "--subject",
            "Phường Trúc Bạch, Ba Đình, Hà Nội",
            "--centre",
            "000.00.01.H01",
            "--at",
            "2026-11-24",
            "--url",
            url,
        ],
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["deciding_agency"]["name"] == "Ủy ban nhân dân Phường Ba Đình"
    result = runner.invoke(
        app,
        [
            "catalog",
            "route",
            "1.001193",
            "--subject",
            "Xã Cổ Bi, Gia Lâm, Hà Nội",
            "--centre",
            "000.00.01.H01",
            "--url",
            url,
        ],
    )
    assert result.exit_code == 1 and "Xã Phù Đổng" in flat(result.output)
    result = runner.invoke(
        app, ["catalog", "route", "1.001193", "--subject", "26740", "--centre", "000.00.01.H01", "--url", url]
    )
    assert result.exit_code == 1 and "centre_outside_province" in flat(result.output)
    report = json.loads(runner.invoke(app, ["catalog", "report", "--at", "2025-07-01", "--url", url]).stdout)
    assert report["moved_total"] == 17
