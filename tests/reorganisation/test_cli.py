"""The reorganisation commands as an operator runs them: validate with problems by line, plan to JSON
and HTML, apply (once), list, and the replay of 2025."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from sqlalchemy import Engine
from typer.testing import CliRunner

from motcua.cli import app
from tests.reorganisation.files import HEADER, merge_into_existing

runner = CliRunner()


def test_validate_plan_apply_list(own_engine: Engine, tmp_path: Path) -> None:
    url = own_engine.url.render_as_string(hide_password=False)
    bad = tmp_path / "bad.csv"
    bad.write_text(HEADER + "NQ 1,2027-01-01,merge,commune,26743,,,,,,,\nNQ 1,2027-01-01,merge,commune,9,,,,26740,,,\n")
    result = runner.invoke(app, ["units", "changes", "validate", str(bad), "--url", url])
    assert result.exit_code == 1
    assert f"{bad}:line 2, successor: 26743 ends: name the unit that takes it over" in result.output
    assert f"{bad}:line 3, code: no commune with code '9'" in result.output

    good = tmp_path / "good.csv"
    good.write_text(merge_into_existing(date(2027, 1, 1)))
    assert runner.invoke(app, ["units", "changes", "validate", str(good), "--url", url]).exit_code == 0
    plan_json, plan_html = tmp_path / "plan.json", tmp_path / "plan.html"
    result = runner.invoke(
        app, ["reorganise", "plan", str(good), "--at", "2026-12-20", "--json", str(plan_json), "--html", str(plan_html),
              "--language", "en", "--url", url],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "units ended: 1" in result.output and "agencies ended: 5" in result.output
    assert json.loads(plan_json.read_text())["totals"]["units_ended"] == 1
    assert "Reorganisation plan" in plan_html.read_text()
    result = runner.invoke(app, ["reorganise", "apply", str(good), "--by", "Sở Nội vụ", "--url", url])
    assert result.exit_code == 0 and "takes effect at 00:00 on 2027-01-01" in result.output
    again = runner.invoke(app, ["reorganise", "apply", str(good), "--url", url])
    assert again.exit_code == 1 and "is already applied" in again.output
    listed = json.loads(runner.invoke(app, ["reorganise", "list", "--url", url]).output)
    assert [(r["reference"], r["status"]) for r in listed] == [("NQ 9001/NQ-UBTVQH15", "scheduled")]


def test_replay_2025_of_a_province(own_engine: Engine) -> None:
    url = own_engine.url.render_as_string(hide_password=False)
    result = runner.invoke(app, ["reorganise", "replay-2025", "46", "--load-pre-reform", "--apply", "--url", url])
    assert result.exit_code == 0, result.output
    assert "three-level map of 46: 142 agencies, 9 centres recorded" in result.output
    assert "1675/NQ-UBTVQH15: 0 open dossiers of the old map" in result.output
    assert "moved 0 dossiers" in result.output
    assert runner.invoke(app, ["reorganise", "replay-2025", "99", "--url", url]).exit_code == 2
