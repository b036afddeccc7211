"""``motcua calendar …``: working days, legal deadlines, the yearly notices."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

import typer

if TYPE_CHECKING:
    from motcua.calendar.working import WorkingCalendar
from motcua.commands.common import echo_json, parse_date

calendar_app = typer.Typer(no_args_is_help=True, help="Working-day calendar and legal deadlines.")
UrlOption = Annotated[str | None, typer.Option("--url", help="Database URL (default: MOTCUA_DATABASE_URL).")]
ProvinceOption = Annotated[str | None, typer.Option("--province", help="Province code (its own notices apply).")]


def _calendar(province: str | None, url: str | None, use_db: bool) -> WorkingCalendar:
    from motcua.calendar.working import default_calendar

    if not use_db:
        return default_calendar(province or "")
    from motcua import db
    from motcua.calendar.service import build_calendar

    with db.session_factory(db.make_engine(url))() as session:
        return build_calendar(session, province or "")


@calendar_app.command("due")
def due(
    received: Annotated[str, typer.Option(help="Reception date and time, YYYY-MM-DDTHH:MM.")],
    days: Annotated[float, typer.Option(help="Time limit; 0 means immediately.")],
    kind: Annotated[Literal["working_days", "days", "hours", "months"], typer.Option()] = "working_days",
    province: ProvinceOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Also print the rules applied.")] = False,
    use_db: Annotated[bool, typer.Option("--db/--no-db", help="Include operators' changes from the database.")] = False,
    url: UrlOption = None,
) -> None:
    """Print the due date (YYYY-MM-DD) of a time limit counted on the working-day calendar."""
    try:
        at = datetime.fromisoformat(received)
    except ValueError:
        raise typer.BadParameter(
            f"{received!r} is not a date-time like 2026-06-01T09:00", param_hint="--received"
        ) from None
    if days < 0:
        raise typer.BadParameter("a time limit cannot be negative", param_hint="--days")
    cal = _calendar(province, url, use_db)
    result = cal.due(at, days, "same_day" if days == 0 else kind)
    if as_json:
        echo_json(result.to_dict())
    else:
        typer.echo(result.due.isoformat())


@calendar_app.command("days-off")
def days_off(
    year: Annotated[int, typer.Argument(help="Year.")],
    province: ProvinceOption = None,
    use_db: Annotated[bool, typer.Option("--db/--no-db")] = False,
    url: UrlOption = None,
) -> None:
    """List the weekday rest days and the make-up working days of a year, with their reasons."""
    from datetime import timedelta

    cal = _calendar(province, url, use_db)
    out = []
    d = date(year, 1, 1)
    while d.year == year:
        rule = cal.rules.get(d)
        working = cal.is_working_day(d)
        if (d.weekday() < 5 and not working) or (d.weekday() >= 5 and working):
            out.append({"date": d.isoformat(), "working": working, "reason": rule.reason if rule else ""})
        d += timedelta(days=1)
    echo_json(out)


@calendar_app.command("set")
def set_day(
    day: Annotated[str, typer.Argument(help="Date YYYY-MM-DD.")],
    kind: Annotated[Literal["day_off", "working_day"], typer.Option()],
    reason: Annotated[str, typer.Option(help="Why (e.g. the notice).")],
    province: ProvinceOption = None,
    reference: Annotated[str, typer.Option(help="Number of the notice or decision.")] = "",
    url: UrlOption = None,
) -> None:
    """Record a day off or a make-up working day (nationally, or for one province)."""
    from motcua import db
    from motcua.calendar.service import set_day as record

    with db.transaction(db.session_factory(db.make_engine(url))) as session:
        record(session, parse_date(day), kind, reason, province or "", reference)
    typer.echo(f"{day}: {kind} ({'province ' + province if province else 'whole country'})")


@calendar_app.command("saturday-reception")
def saturday_reception(
    province: Annotated[str, typer.Argument(help="Province code.")],
    receives: Annotated[bool, typer.Option("--on/--off")] = True,
    url: UrlOption = None,
) -> None:
    """Say whether a province's centres also receive dossiers on Saturdays."""
    from motcua import db
    from motcua.calendar.service import set_saturday_reception

    with db.transaction(db.session_factory(db.make_engine(url))) as session:
        set_saturday_reception(session, province, receives)
    typer.echo(f"province {province}: Saturday reception {'on' if receives else 'off'}")


@calendar_app.command("import")
def import_notices_command(
    file: Annotated[Path, typer.Argument(help="CSV: day, kind (day_off|working_day), reason, province, reference.")],
    url: UrlOption = None,
) -> None:
    """Record a year's notices from a CSV file, all or nothing (errors by line)."""
    from motcua import db
    from motcua.calendar.service import import_notices

    if not file.exists():
        raise typer.BadParameter(f"no such file: {file}", param_hint="FILE")
    with db.transaction(db.session_factory(db.make_engine(url))) as session:
        count, errors = import_notices(session, file.read_text(encoding="utf-8"))
        if not errors:
            from motcua.audit.trail import record

            record(session, "import_calendar", details={"days": count})
    if errors:
        for error in errors[:200]:
            typer.echo(f"{file}: {error}", err=True)
        typer.echo(f"nothing recorded: {len(errors)} error(s)", err=True)
        raise typer.Exit(1)
    typer.echo(f"{count} day(s) recorded")
