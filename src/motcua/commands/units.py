"""``motcua units …``: administrative units, lineage and address conversion."""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path
from typing import Annotated, Any, TextIO

import typer

from motcua.commands.common import DateOption, echo_json, parse_date, unit_dict

units_app = typer.Typer(no_args_is_help=True, help="Administrative units: look up, lineage, address conversion.")


@units_app.command("convert")
def units_convert(
    file: Annotated[
        Path | None, typer.Argument(help="File with one address per line (or CSV with --column). Default: stdin.")
    ] = None,
    column: Annotated[
        str | None, typer.Option("--column", "-c", help="Read a CSV file and convert this column.")
    ] = None,
    at: DateOption = None,
    progress: Annotated[
        bool | None, typer.Option("--progress/--no-progress", help="Progress bar on stderr (default: on a terminal).")
    ] = None,
) -> None:
    """Convert old addresses to the two-level units (from 1 July 2025), writing JSON Lines.

    One JSON object per input line, in order, with: input, status (converted | ambiguous |
    unchanged | not_found), reason, province_code, commune_code (when one new commune is
    certain), candidates (every possible new commune), formatted (street part kept) and old
    (the old units recognised). Nothing is sent over the network.

    Examples:

      echo "P.2, Q.5, TP.HCM" | motcua units convert

      motcua units convert addresses.csv --column dia_chi > converted.jsonl
    """
    from motcua.units.address import get_converter

    when = parse_date(at)
    source: TextIO
    if file is None:
        source = sys.stdin
    else:
        if not file.exists():
            raise typer.BadParameter(f"no such file: {file}", param_hint="FILE")
        source = file.open(encoding="utf-8-sig", errors="replace", newline="")
    lines: Any
    if column is not None:
        reader = csv.DictReader(source)
        if reader.fieldnames is None or column not in reader.fieldnames:
            found = ", ".join(reader.fieldnames or [])
            raise typer.BadParameter(f"column {column!r} not in the CSV header ({found})", param_hint="--column")
        lines = (row[column] or "" for row in reader)
    else:
        lines = (line.rstrip("\r\n") for line in source)
    show = progress if progress is not None else sys.stderr.isatty()
    if show:
        from tqdm import tqdm

        lines = tqdm(lines, unit=" addresses", file=sys.stderr, mininterval=0.5)
    converter = get_converter()
    out = sys.stdout
    for line in lines:
        out.write(json.dumps(converter.convert(line, when).to_dict(), ensure_ascii=False) + "\n")


@units_app.command("show")
def units_show(
    code: Annotated[str, typer.Argument(help="Unit code: 2 digits (province), 3 (old district) or 5 (commune).")],
    at: DateOption = None,
    old: Annotated[bool, typer.Option("--old", help="The unit before 1 July 2025 (codes were reused).")] = False,
) -> None:
    """Show a unit with its versions, successors and predecessors."""
    from motcua.units import UnknownUnit, get_registry

    reg = get_registry()
    when = parse_date(at)
    level = {2: "province", 3: "district", 5: "commune"}.get(len(code))
    if level is None:
        raise typer.BadParameter("a code has 2, 3 or 5 digits", param_hint="CODE")
    try:
        unit = reg.get(level, code, era="old" if old or level == "district" else "new")  # type: ignore[arg-type]
    except UnknownUnit as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from None
    data = unit_dict(unit, when)
    data["versions"] = [
        {
            "valid_from": v.valid_from.isoformat() if v.valid_from else None,
            "valid_to": v.valid_to.isoformat() if v.valid_to else None,
            "name": v.name,
            "reference": v.reference,
        }
        for v in unit.versions
    ]
    data["successors"] = [{"code": s.new.code, "name": s.new.name, "kind": s.kind} for s in reg.successors(unit)]
    data["predecessors"] = [{"code": s.old.code, "name": s.old.name, "kind": s.kind} for s in reg.predecessors(unit)]
    echo_json(data)


@units_app.command("search")
def units_search(
    name: Annotated[str, typer.Argument(help="Name, with or without diacritics or type word.")],
    at: DateOption = None,
    province: Annotated[str | None, typer.Option("--province", help="Province code to search in.")] = None,
) -> None:
    """Find units by name (diacritics-insensitive) in force at a date."""
    from motcua.units import get_registry

    when = parse_date(at)
    found = get_registry().search(name, at=when, province_code=province)
    echo_json([unit_dict(u, when) for u in found])


@units_app.command("list")
def units_list(
    province: Annotated[str | None, typer.Option("--province", help="List the units under this province.")] = None,
    at: DateOption = None,
) -> None:
    """List the provinces, or the units of one province, in force at a date."""
    from motcua.units import UnknownUnit, get_registry
    from motcua.units.registry import era_at

    reg = get_registry()
    when = parse_date(at)
    if province is None:
        units = reg.in_force(when, "province")
    else:
        try:
            parent = reg.get("province", province, era=era_at(when), at=when)
        except UnknownUnit as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(1) from None
        units = reg.children(parent, when)
    echo_json([unit_dict(u, when) for u in sorted(units, key=lambda u: u.code)])


@units_app.command("counts")
def units_counts(at: DateOption = None) -> None:
    """How many units of each type are in force at a date."""
    from motcua.units import get_registry

    when = parse_date(at)
    c = get_registry().counts(when)
    echo_json(
        {
            "at": when.isoformat(),
            "provinces": c.provinces,
            "districts": c.districts,
            "communes": c.communes,
            "total_provinces": c.total_provinces,
            "total_communes": c.total_communes,
        }
    )
