"""Helpers shared by the command groups."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from typing import Annotated, Any, TypeVar

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


def _context(url: str | None) -> tuple[Any, Any, Any]:
    """The session factory, catalog snapshots and calendars of the database at ``url``."""
    from motcua import db
    from motcua.calendar.service import CalendarCache
    from motcua.catalog.routing import SnapshotCache

    factory = db.session_factory(db.make_engine(url))
    return factory, SnapshotCache(factory), CalendarCache(factory)


def _actor(session: Any, username: str) -> Any:
    from sqlalchemy import select

    from motcua.accounts.models import User
    from motcua.accounts.service import actor_of

    user = session.scalars(select(User).where(User.username == username)).first()
    if user is None:
        raise typer.BadParameter(f"no account {username!r}", param_hint="--as")
    return actor_of(user)


def _fail(exc: Any) -> None:
    typer.echo(f"error: {exc.code}: {exc.message}", err=True)
    for problem in exc.details.get("problems", []):
        typer.echo(f"  - {problem}", err=True)
    raise typer.Exit(1)


def step_payload(options: dict[str, Any]) -> dict[str, Any]:
    """The options given on the command line, the others left out, as a step's payload."""
    return {k: v for k, v in options.items() if v is not None and v != []}


T = TypeVar("T")


def take_step(url: str | None, as_user: str, step: Callable[[Any, Any, Any], T], describe: Callable[[T], str]) -> None:
    """Take one step (of a dossier or a feedback message) as ``as_user`` in one transaction and print
    what it led to; a refusal prints its reason and problems and exits with 1."""
    from motcua import db
    from motcua.dossiers.errors import DossierError

    factory, _snapshots, calendars = _context(url)
    try:
        with db.transaction(factory) as s:
            result = step(s, _actor(s, as_user), calendars.for_session(s))
            typer.echo(describe(result))
    except DossierError as exc:
        _fail(exc)
