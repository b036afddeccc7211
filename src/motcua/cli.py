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
from motcua.commands.feedback import feedback_app
from motcua.commands.indicators import indicators_app
from motcua.commands.notifications import notifications_app, supervision_app
from motcua.commands.reorganise import changes_app, reorganise_app
from motcua.commands.report import report_app
from motcua.commands.units import units_app

app = typer.Typer(
    no_args_is_help=True,
    help="motcua: one-stop public services for Vietnam's two-level local government.\n\n"
    "Start with `motcua demo` to run the portal on the embedded database, or "
    "`motcua units convert` to convert old addresses to the new units.",
)
units_app.add_typer(changes_app, name="changes")
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
app.add_typer(notifications_app, name="notifications")
app.add_typer(feedback_app, name="feedback")
app.add_typer(supervision_app, name="supervision")
app.add_typer(reorganise_app, name="reorganise")
app.command("worker")(worker)


@app.command("serve")
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option(help="Worker processes.")] = 1,
) -> None:
    """Run the portal and the REST API on the configured database (MOTCUA_DATABASE_URL). In production
    (the default) it refuses unsafe settings and says which setting to give."""
    import uvicorn

    from motcua.logs import configure_logging
    from motcua.settings import get_settings, unsafe

    settings = get_settings()
    problems = unsafe(settings)
    if problems:
        typer.echo("motcua will not start in production with:", err=True)
        for p in problems:
            typer.echo(f"  - {p.what}: {p.fix}, or allow it with {p.allow}", err=True)
        typer.echo("(motcua check-config prints the whole configuration)", err=True)
        raise typer.Exit(2)
    configure_logging(settings)
    typer.echo(f"motcua {settings.mode}: data folder {settings.data_dir}", err=True)
    proxies = ",".join(settings.trusted_proxies)
    uvicorn.run(
        "motcua.api.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level=settings.log_level.lower(),
        log_config=None,  # our handlers: JSON, personal data masked
        access_log=False,  # api.request_log logs each request without its query string
        proxy_headers=bool(proxies),
        forwarded_allow_ips=proxies or "",  # X-Forwarded-For believed only from the named proxies
    )


@app.command("check-config")
def check_config() -> None:
    """Print the whole configuration (secrets masked) and what is unsafe for production."""
    from motcua.settings import describe, get_settings, unsafe

    settings = get_settings()
    for name, value, description in describe(settings):
        typer.echo(f"{name}={value}\n    {description}")
    problems = unsafe(settings)
    if not problems:
        typer.echo(f"\nmode {settings.mode}: nothing unsafe")
        return
    typer.echo(f"\nunsafe in production ({len(problems)}):")
    for p in problems:
        typer.echo(f"  - {p.what}: {p.fix}, or allow it with {p.allow}")
    raise typer.Exit(1)


def main() -> None:
    from sqlalchemy.exc import OperationalError, ProgrammingError

    try:
        app()
    except (OperationalError, ProgrammingError) as exc:
        # A newcomer's first command on a database that has no schema yet: one line, and what to run.
        text = str(exc.orig) if exc.orig is not None else str(exc)
        if "no such table" in text or "does not exist" in text or "UndefinedTable" in type(exc.orig).__name__:
            from motcua.db import database_url

            typer.echo(
                f"error: the database {_shown(database_url())} has no motcua tables yet: run `motcua db upgrade` "
                "(and `motcua catalog load-demo` for the demo catalog)",
                err=True,
            )
            raise SystemExit(2) from None
        if "could not connect" in text or "Connection refused" in text or "unable to open database" in text:
            typer.echo(f"error: cannot reach the database {_shown(database_url())}: {text.splitlines()[0]}", err=True)
            raise SystemExit(2) from None
        raise


def _shown(url: str) -> str:
    from sqlalchemy import make_url

    return make_url(url).render_as_string(hide_password=True)


if __name__ == "__main__":
    main()
