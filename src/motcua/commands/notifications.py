"""``motcua notifications`` and ``motcua supervision``: check the templates, send what is due, see
the delivery record; run a day's supervision alerts and export the audit trail."""

from __future__ import annotations

from collections import Counter
from typing import Annotated

import typer

from motcua.commands.accounts import UrlOption
from motcua.commands.common import DateOption, parse_date

notifications_app = typer.Typer(no_args_is_help=True, help="Messages to citizens and officials.")
supervision_app = typer.Typer(no_args_is_help=True, help="Deadline alerts, digests and the audit trail.")


@notifications_app.command("check")
def check() -> None:
    """Check the templates and the providers' settings: a language missing (Vietnamese is sent
    instead), an unknown placeholder, an SMS text too long, a provider misconfigured."""
    from motcua.notifications.providers import ProviderError, chosen, configured
    from motcua.notifications.templates import problems
    from motcua.settings import get_settings

    found = problems()
    settings = get_settings()
    try:
        for p in configured(settings).values():
            p.close()
    except ProviderError as exc:
        found.append(f"providers: {exc}")
    channels = chosen(settings)
    typer.echo("channels: " + (", ".join(f"{c} ({n})" for c, n in channels.items()) or "none (inbox only)"))
    for line in found:
        typer.echo(line)
    if found:
        raise typer.Exit(1)
    typer.echo("templates and providers: ok")


@notifications_app.command("send")
def send(url: UrlOption = None) -> None:
    """Send everything due now (what the worker does continuously), then stop."""
    from motcua import db
    from motcua.notifications.providers import ProviderError
    from motcua.notifications.sender import Sender

    try:
        sender = Sender(db.session_factory(db.make_engine(url)))
    except ProviderError as exc:
        raise typer.BadParameter(str(exc)) from None
    try:
        tally = sender.drain()
    finally:
        sender.close()
    typer.echo(
        f"delivered {tally.delivered}, sending {tally.sending}, retried {tally.retried}, "
        f"failed {tally.failed}, fallbacks {tally.fallbacks}"
    )


@notifications_app.command("status")
def status(
    dossier: Annotated[str | None, typer.Option(help="Only the messages of this dossier.")] = None,
    url: UrlOption = None,
) -> None:
    """Messages per channel and status (no addresses)."""
    from sqlalchemy import select

    from motcua import db
    from motcua.notifications.models import Notification

    query = select(Notification.channel, Notification.status, Notification.template)
    if dossier:
        query = query.where(Notification.dossier_code == dossier)
    with db.session_factory(db.make_engine(url))() as s:
        counts = Counter((c, st) for c, st, _ in s.execute(query))
    for (channel, state), n in sorted(counts.items()):
        typer.echo(f"{channel:6} {state:18} {n}")
    if not counts:
        typer.echo("no notifications")


@supervision_app.command("run")
def run(at: DateOption = None, url: UrlOption = None) -> None:
    """Write a day's alerts and digests (the worker does it each working day); a second run of the
    same day writes nothing twice."""
    from motcua import db
    from motcua.supervision.alerts import run_day

    day = parse_date(at)
    with db.transaction(db.session_factory(db.make_engine(url))) as s:
        report = run_day(s, day)
    if not report.working_day:
        typer.echo(f"{day.isoformat()} is not a working day: no alerts")
        return
    for rule, n in report.alerts.items():
        typer.echo(f"{rule}: {n} dossier(s)")
    typer.echo(f"digests: {report.digests}")


@supervision_app.command("audit")
def audit(
    start: Annotated[str, typer.Option("--from", help="First day, YYYY-MM-DD.")],
    end: Annotated[str, typer.Option("--to", help="Last day, YYYY-MM-DD.")],
    province: Annotated[str, typer.Option(help="The province (two digits) whose dossiers to read.")],
    unit: Annotated[str, typer.Option(help="Only steps by officials of this unit.")] = "",
    official: Annotated[str, typer.Option(help="Only steps by this account.")] = "",
    dossier: Annotated[str, typer.Option(help="Only the steps of this dossier (its code).")] = "",
    url: UrlOption = None,
) -> None:
    """The audit trail of dossier steps as CSV on standard output."""
    from motcua import db
    from motcua.accounts.service import Actor
    from motcua.supervision.audit import QueryError, TrailQuery, as_csv, rows

    q = TrailQuery(parse_date(start, "--from"), parse_date(end, "--to"), unit, official, dossier)
    if problems := q.problems():
        raise typer.BadParameter("; ".join(problems), param_hint="--to")
    inspector = Actor(0, "cli", "inspector", province, via="cli")
    with db.session_factory(db.make_engine(url))() as s:
        try:
            for chunk in as_csv(rows(s, inspector, q)):
                typer.echo(chunk, nl=False)
        except QueryError as exc:
            raise typer.BadParameter(str(exc)) from None
