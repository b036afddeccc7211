"""Helpers shared by the command groups."""

from __future__ import annotations

import json
from datetime import date
from typing import Annotated, Any

import typer

from motcua import clock

DateOption = Annotated[str | None, typer.Option("--at", help="Date the answer is for, YYYY-MM-DD (default: today).")]


def parse_date(value: str | None, option: str = "--at") -> date:
    if value is None:
        return clock.today()
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date in the form YYYY-MM-DD", param_hint=option) from None


def echo_json(data: Any) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, indent=1))


def unit_dict(unit: Any, at: date) -> dict[str, Any]:
    version = unit.version_at(at) or unit.current
    return {
        "era": unit.era,
        "level": unit.level,
        "code": unit.code,
        "name": version.name,
        "unit_type": version.unit_type,
        "province_code": unit.province_code,
        "district_code": unit.district_code,
        "name_en": unit.name_en or None,
        "valid_from": unit.valid_from.isoformat() if unit.valid_from else None,
        "valid_to": unit.valid_to.isoformat() if unit.valid_to else None,
    }
