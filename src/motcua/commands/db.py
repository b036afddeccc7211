"""``motcua db …``: the database schema."""

from __future__ import annotations

from typing import Annotated

import typer

db_app = typer.Typer(no_args_is_help=True, help="Database schema (SQLite by default, PostgreSQL in production).")


@db_app.command("upgrade")
def upgrade(
    url: Annotated[
        str | None, typer.Option(help="Database URL (default: MOTCUA_DATABASE_URL or var/motcua.sqlite3).")
    ] = None,
    revision: Annotated[str, typer.Option(help="Target revision.")] = "head",
) -> None:
    """Apply the migrations up to REVISION."""
    from motcua import db

    db.upgrade(url, revision)
    typer.echo(f"database at revision {revision}")
