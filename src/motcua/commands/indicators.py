"""``motcua indicators …``: the fact tables behind the indicators."""

from __future__ import annotations

import time
from typing import Annotated

import typer

indicators_app = typer.Typer(no_args_is_help=True, help="Indicators and their fact tables.")
UrlOption = Annotated[str | None, typer.Option("--url", help="Database URL (default: MOTCUA_DATABASE_URL).")]


@indicators_app.command("rebuild")
def rebuild_command(url: UrlOption = None) -> None:
    """Recompute the fact tables from every dossier's event log (they are kept on each event; this
    repairs them, and proves the live tables right: the result must be the same)."""
    from motcua import db
    from motcua.indicators.facts import rebuild

    start = time.perf_counter()
    with db.transaction(db.session_factory(db.make_engine(url))) as session:
        days, opens = rebuild(session)
    typer.echo(f"fact tables rebuilt: {days} day rows, {opens} open rows in {time.perf_counter() - start:.1f} s")
