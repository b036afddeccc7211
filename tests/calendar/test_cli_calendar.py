"""``motcua calendar …``."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from motcua import db
from motcua.cli import app
from tests.units.test_cli import flat

runner = CliRunner()


def test_due_prints_the_date_and_with_json_the_rules() -> None:
    result = runner.invoke(app, ["calendar", "due", "--received", "2026-06-01T09:00", "--days", "5"])
    assert result.exit_code == 0 and result.stdout.strip() == "2026-06-08"
    result = runner.invoke(app, ["calendar", "due", "--received", "2026-02-13T16:00", "--days", "0", "--json"])
    body = json.loads(result.stdout)
    assert body["due"] == "2026-02-23" and body["kind"] == "same_day" and "15:00" in body["rules"][0]


def test_bad_input_is_refused_clearly() -> None:
    result = runner.invoke(app, ["calendar", "due", "--received", "01/06/2026", "--days", "5"])
    assert result.exit_code == 2 and "2026-06-01T09:00" in flat(result.output)
    result = runner.invoke(app, ["calendar", "due", "--received", "2026-06-01T09:00", "--days", "-1"])
    assert result.exit_code == 2 and "negative" in flat(result.output)


def test_an_operator_adds_a_provincial_day_off(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'cal.sqlite3'}"
    db.upgrade(url)
    result = runner.invoke(
        app,
        ["calendar", "set", "2026-06-02", "--kind", "day_off", "--reason", "Lễ hội", "--province", "46", "--url", url],
    )
    assert result.exit_code == 0, result.output
    base = ["calendar", "due", "--received", "2026-06-01T09:00", "--days", "1", "--db", "--url", url]
    assert runner.invoke(app, [*base, "--province", "46"]).stdout.strip() == "2026-06-03"
    assert runner.invoke(app, [*base, "--province", "01"]).stdout.strip() == "2026-06-02"
    days = json.loads(
        runner.invoke(app, ["calendar", "days-off", "2026", "--province", "46", "--db", "--url", url]).stdout
    )
    assert {"date": "2026-06-02", "working": False, "reason": "Lễ hội"} in days
