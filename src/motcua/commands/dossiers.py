"""``motcua dossiers …``: checking the event logs."""

from __future__ import annotations

from typing import Annotated

import typer

dossiers_app = typer.Typer(no_args_is_help=True, help="Dossiers: integrity of the event logs.")
UrlOption = Annotated[str | None, typer.Option("--url", help="Database URL (default: MOTCUA_DATABASE_URL).")]


@dossiers_app.command("verify")
def verify(
    codes: Annotated[list[str] | None, typer.Argument(help="Dossier codes (default: every dossier).")] = None,
    url: UrlOption = None,
) -> None:
    """Check every event's hash chain and that replaying the log gives the stored dossier."""
    from motcua import db
    from motcua.calendar.service import CalendarCache
    from motcua.dossiers.integrity import verify_all

    factory = db.session_factory(db.make_engine(url))
    calendars = CalendarCache(factory)
    with factory() as session:
        results = verify_all(session, calendars.get, codes or None)
    bad = [r for r in results if not r.ok]
    for r in bad:
        typer.echo(f"{r.code}: TAMPERED OR INCONSISTENT", err=True)
        for p in r.problems:
            typer.echo(f"  - {p}", err=True)
    events = sum(r.events for r in results)
    typer.echo(f"{len(results)} dossiers, {events} events checked: {len(bad)} with problems")
    if bad:
        raise typer.Exit(1)
