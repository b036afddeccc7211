"""The ``motcua`` command line: one sub-command group per domain (``motcua/commands/``).

Domain modules are imported inside the commands so that ``motcua --help`` and a one-line
conversion start fast.
"""

from __future__ import annotations

from typing import Annotated

import typer

from motcua.commands.accounts import accounts_app
from motcua.commands.calendar import calendar_app
from motcua.commands.catalog import catalog_app
from motcua.commands.db import db_app
from motcua.commands.demo import demo_app
from motcua.commands.documents import documents_app
from motcua.commands.dossiers import dossiers_app
from motcua.commands.exchange import exchange_app, worker
from motcua.commands.indicators import indicators_app
from motcua.commands.report import report_app
from motcua.commands.units import units_app

app = typer.Typer(
    no_args_is_help=True,
    help="motcua: one-stop public services for Vietnam's two-level local government.\n\n"
    "Start with `motcua demo` to run the portal on the embedded database, or "
    "`motcua units convert` to convert old addresses to the new units.",
)
app.add_typer(units_app, name="units")
app.add_typer(catalog_app, name="catalog")
app.add_typer(calendar_app, name="calendar")
app.add_typer(dossiers_app, name="dossiers")
app.add_typer(documents_app, name="documents")
app.add_typer(accounts_app, name="accounts")
app.add_typer(db_app, name="db")
app.add_typer(indicators_app, name="indicators")
app.add_typer(demo_app, name="demo")
app.add_typer(report_app, name="report")
app.add_typer(exchange_app, name="exchange")
app.command("worker")(worker)


@app.command("serve")
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(help="Worker processes.")] = 1,
) -> None:
    """Run the portal and the REST API on the configured database (MOTCUA_DATABASE_URL)."""
    import uvicorn

    uvicorn.run("motcua.api.app:create_app", factory=True, host=host, port=port, workers=workers, log_level="info")


def main() -> None:
    app()


if __name__ == "__main__":
    main()
