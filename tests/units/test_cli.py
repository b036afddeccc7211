"""``motcua units …`` on the command line."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from motcua.cli import app

runner = CliRunner()


def flat(output: str) -> str:
    """The output without the error panel's frame and line wrapping."""
    return " ".join(output.replace("│", " ").replace("╭", " ").replace("╰", " ").replace("─", " ").split())


def lines(output: str) -> list[dict]:  # type: ignore[type-arg]
    return [json.loads(line) for line in output.splitlines() if line.strip()]


def test_convert_reads_stdin_and_writes_one_json_line_per_input_in_order() -> None:
    stdin = "P.2, Q.5, TP.HCM\n\nXã Cổ Bi, Gia Lâm, Hà Nội\n\x00\x01garbage\n" + "x" * 10_240 + "\n"
    result = runner.invoke(app, ["units", "convert", "--at", "2026-11-24"], input=stdin)
    assert result.exit_code == 0, result.output
    out = lines(result.stdout)
    assert [r["status"] for r in out] == ["converted", "not_found", "ambiguous", "not_found", "not_found"]
    assert out[0]["commune_code"] == "27301" and out[1]["reason"] == "empty input"
    assert {"input", "status", "province_code", "commune_code", "candidates", "formatted", "old"} <= set(out[0])


def test_convert_csv_column(tmp_path: Path) -> None:
    path = tmp_path / "in.csv"
    path.write_text('id,dia_chi\n1,"Phường Trúc Bạch, Quận Ba Đình, Hà Nội"\n2,\n', encoding="utf-8")
    result = runner.invoke(app, ["units", "convert", str(path), "--column", "dia_chi", "--no-progress"])
    assert result.exit_code == 0, result.output
    assert [r["commune_code"] for r in lines(result.stdout)] == ["00004", None]


def test_convert_unknown_column_or_file_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "in.csv"
    path.write_text("id,address\n1,x\n", encoding="utf-8")
    result = runner.invoke(app, ["units", "convert", str(path), "--column", "dia_chi"])
    assert result.exit_code == 2 and "dia_chi" in flat(result.output) and "(id, address)" in flat(result.output)
    result = runner.invoke(app, ["units", "convert", str(tmp_path / "missing.txt")])
    assert result.exit_code == 2 and "no such file" in flat(result.output)


def test_convert_bad_date_is_a_clear_error() -> None:
    result = runner.invoke(app, ["units", "convert", "--at", "24/11/2026"], input="x\n")
    assert result.exit_code == 2 and "YYYY-MM-DD" in flat(result.output)


def test_show_search_list_counts() -> None:
    shown = json.loads(runner.invoke(app, ["units", "show", "00553", "--old"]).stdout)
    assert shown["name"] == "Xã Cổ Bi" and len(shown["successors"]) == 3
    found = json.loads(runner.invoke(app, ["units", "search", "truc bach", "--at", "2025-06-01"]).stdout)
    assert [u["code"] for u in found] == ["00004"]
    provinces = json.loads(runner.invoke(app, ["units", "list", "--at", "2026-01-01"]).stdout)
    assert len(provinces) == 34
    counts = json.loads(runner.invoke(app, ["units", "counts", "--at", "2025-06-30"]).stdout)
    assert counts["total_communes"] == 10035
    missing = runner.invoke(app, ["units", "show", "99999"])
    assert missing.exit_code == 1 and "99999" in missing.output


def test_help_is_there_for_a_newcomer() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0 and "motcua demo" in result.stdout and "units" in result.stdout
