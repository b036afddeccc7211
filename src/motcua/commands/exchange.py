"""``motcua exchange …`` (keys, members, dead letters) and ``motcua worker`` (the relay)."""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path
from typing import Annotated

import typer

REORGANISATION_CHECK_SECONDS = 10  # how soon after 00:00 a change of units moves the open work

exchange_app = typer.Typer(no_args_is_help=True, help="The exchange between the national portal and the provinces.")
UrlOption = Annotated[str | None, typer.Option("--url", help="Database URL (default: MOTCUA_DATABASE_URL).")]


@exchange_app.command("keygen")
def keygen(out: Annotated[Path, typer.Option(help="File for the private key (JWK); refused if it exists.")]) -> None:
    """Make this node's key pair; prints the public key to register at the other members."""
    from motcua.exchange.signing import new_key, public_jwk

    if out.exists():
        raise typer.BadParameter(f"{out} exists: a key is never overwritten", param_hint="--out")
    key = new_key()
    out.write_text(json.dumps(key.as_dict(private=True)))
    out.chmod(0o600)
    typer.echo(json.dumps(public_jwk(key)))


@exchange_app.command("add-member")
def add_member(
    identifier: Annotated[str, typer.Argument(help="national or province-<code>")],
    public_key: Annotated[str, typer.Option(help="The member's public JWK (JSON) or a file holding it.")],
    base_url: Annotated[str, typer.Option(help="Where the member is reached, e.g. https://dvc.example.gov.vn")] = "",
    adapter: Annotated[str, typer.Option(help="Back end: motcua (the contract) or legacy-portal.")] = "motcua",
    option: Annotated[
        list[str] | None, typer.Option("--option", help="An option of the adapter, name=value (repeatable).")
    ] = None,
    url: UrlOption = None,
) -> None:
    """Register (or update) a member: its key, address, adapter and the adapter's options."""
    from joserfc.errors import JoseError
    from sqlalchemy import select

    from motcua import db
    from motcua.exchange.adapters import AdapterError, adapter_for
    from motcua.exchange.adapters.base import parse_options
    from motcua.exchange.models import Member
    from motcua.exchange.node import is_member_identifier
    from motcua.exchange.signing import load_key, public_jwk

    options: dict[str, str] = {}
    for item in option or []:
        name, equals, value = item.partition("=")
        if not equals or not name.strip():
            raise typer.BadParameter(f"{item!r}: expected name=value", param_hint="--option")
        options[name.strip()] = value
    try:
        checked = parse_options(adapter_for(adapter), options).model_dump(exclude_none=True)
    except AdapterError as exc:
        raise typer.BadParameter(str(exc), param_hint="--adapter/--option") from None

    if not is_member_identifier(identifier):
        raise typer.BadParameter(
            f"{identifier!r}: expected national or province-<2-digit code>", param_hint="IDENTIFIER"
        )
    text = Path(public_key).read_text("utf-8") if Path(public_key).is_file() else public_key
    try:
        jwk = public_jwk(load_key(json.loads(text)))
    except (ValueError, KeyError, JoseError) as exc:
        raise typer.BadParameter(f"not an Ed25519 public JWK: {exc}", param_hint="--public-key") from None
    with db.transaction(db.session_factory(db.make_engine(url))) as s:
        member = s.scalars(select(Member).where(Member.identifier == identifier)).first()
        if member is None:
            member = Member(identifier=identifier, role="national" if identifier == "national" else "province")
            s.add(member)
        member.province_code = None if identifier == "national" else identifier[-2:]
        member.public_jwk, member.base_url, member.adapter, member.active = jwk, base_url, adapter, True
        member.options, member.last_error = checked, member.last_error or ""
    typer.echo(f"{identifier}: registered")


@exchange_app.command("members")
def members(
    check: Annotated[bool, typer.Option("--check", help="Also call each member's health check.")] = False,
    url: UrlOption = None,
) -> None:
    """Each member: adapter, queue, dead letters, last contact and error (and its health with --check)."""
    import httpx
    from sqlalchemy import select

    from motcua import db
    from motcua.exchange.adapters import AdapterError, Recipient, adapter_for
    from motcua.exchange.models import Member, utc_now
    from motcua.exchange.monitor import member_statuses
    from motcua.exchange.node import NodeMisconfigured, this_node

    factory = db.session_factory(db.make_engine(url))
    with factory() as s:
        statuses = member_statuses(s, utc_now())
        registered = {m.identifier: m for m in s.scalars(select(Member))}
    try:
        node = this_node() if check else None
    except NodeMisconfigured as exc:
        raise typer.BadParameter(str(exc), param_hint="--check") from None
    if check and node is None:
        raise typer.BadParameter("MOTCUA_EXCHANGE_MEMBER and MOTCUA_EXCHANGE_KEY say who checks", param_hint="--check")
    with httpx.Client() as client:
        for m in statuses:
            oldest = f"{m.oldest_pending_seconds:.0f} s" if m.oldest_pending_seconds is not None else "-"
            contact = m.last_contact_at.isoformat(timespec="seconds") if m.last_contact_at else "never"
            line = (
                f"{m.identifier:<12} {m.state:<8} {m.adapter or '-':<14} waiting {m.pending:>6} (oldest {oldest}), "
                f"dead {m.dead}, delivered/h {m.delivered_last_hour}, received/h {m.received_last_hour}, "
                f"last contact {contact}"
            )
            if m.last_error:
                line += f", last error: {m.last_error}"
            typer.echo(line)
            member = registered.get(m.identifier)
            if check and member is not None and node is not None:
                try:
                    to = Recipient(member.identifier, member.base_url, member.adapter, dict(member.options or {}))
                    health = adapter_for(member.adapter).health(client, node, to)
                    typer.echo(f"  health: {'ok' if health.ok else 'FAILING'} ({health.detail})")
                except AdapterError as exc:
                    typer.echo(f"  health: FAILING ({exc})")
    if not statuses:
        typer.echo("no member registered")


@exchange_app.command("conformance")
def conformance(
    target: Annotated[str, typer.Argument(help="Base URL of the provincial system, e.g. https://hcc.test.example")],
    key: Annotated[Path, typer.Option(help="Private key (JWK) the target has registered for --member.")],
    member: Annotated[str, typer.Option(help="Who the battery speaks as.")] = "national",
    province: Annotated[str | None, typer.Option(help="The province code the target must answer as.")] = None,
    sample: Annotated[
        Path | None, typer.Option(help="A DossierDelivery (JSON) valid at the target, without reference/submittedAt.")
    ] = None,
) -> None:
    """Run the contract's test battery against a provincial implementation and print what to fix.
    It delivers one test dossier (reference CONF-…): use a test instance. Exit code 1 if a check fails."""
    import httpx
    from joserfc.errors import JoseError

    from motcua.exchange.conformance import Battery
    from motcua.exchange.signing import load_key

    try:
        private = load_key(json.loads(key.read_text("utf-8")))
    except (OSError, ValueError, KeyError, JoseError) as exc:
        raise typer.BadParameter(f"{key}: not a private JWK ({exc})", param_hint="--key") from None
    example = None
    if sample is not None:
        try:
            example = json.loads(sample.read_text("utf-8"))
        except (OSError, ValueError) as exc:
            raise typer.BadParameter(f"{sample}: not JSON ({exc})", param_hint="--sample") from None
    with httpx.Client() as client:
        report = Battery(target, private, client, member=member, province=province, sample=example).run()
    typer.echo(report.text())
    raise typer.Exit(0 if report.passed else 1)


@exchange_app.command("push-catalog")
def push_catalog_command(url: UrlOption = None) -> None:
    """At the national node: send the procedure catalog to every province's node (through the outbox)."""
    from motcua import db
    from motcua.exchange.catalog_sync import push_catalog
    from motcua.exchange.models import utc_now

    with db.transaction(db.session_factory(db.make_engine(url))) as s:
        recipients = push_catalog(s, utc_now())
    typer.echo(f"catalog queued for {len(recipients)} member(s): {', '.join(recipients) or '-'}")


@exchange_app.command("dead")
def dead(url: UrlOption = None) -> None:
    """Messages set aside after a refusal, with the reason: mend and replay them."""
    from sqlalchemy import select

    from motcua import db
    from motcua.exchange.models import OutboxMessage

    with db.session_factory(db.make_engine(url))() as s:
        rows = s.scalars(select(OutboxMessage).where(OutboxMessage.state == "dead").order_by(OutboxMessage.id)).all()
        for m in rows:
            typer.echo(f"{m.message_id}  {m.recipient}  {m.operation}  {m.dossier_code or '-'}  {m.last_error}")
        typer.echo(f"{len(rows)} dead message(s)")


@exchange_app.command("replay")
def replay_command(
    message_id: str,
    body: Annotated[Path | None, typer.Option(help="A mended body (JSON file) to send instead.")] = None,
    url: UrlOption = None,
) -> None:
    """Put a dead message back in the queue (with a mended body if given)."""
    from sqlalchemy.exc import NoResultFound

    from motcua import db
    from motcua.exchange.relay import replay

    text = body.read_text("utf-8") if body else None
    if text is not None:
        try:
            json.loads(text)
        except ValueError as exc:
            raise typer.BadParameter(f"{body} is not JSON: {exc}", param_hint="--body") from None
    try:
        with db.transaction(db.session_factory(db.make_engine(url))) as s:
            replay(s, message_id, text)
    except NoResultFound:
        raise typer.BadParameter(f"no message {message_id}", param_hint="MESSAGE_ID") from None
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="MESSAGE_ID") from None
    typer.echo(f"{message_id}: queued again")


def worker(
    once: Annotated[bool, typer.Option("--once", help="Send what is due, then stop.")] = False,
    interval: Annotated[float, typer.Option(help="Seconds between rounds when nothing is due.")] = 1.0,
    parallel: Annotated[int, typer.Option(min=1, max=64, help="Messages sent at once.")] = 8,
    url: UrlOption = None,
) -> None:
    """Background jobs: seal each day's logs once it is over, apply the changes of units on their date,
    send the notifications, read the scanned
    components (OCR), run each working day's supervision alerts and digests, and relay the outbox to the members of the
    exchange (when MOTCUA_EXCHANGE_MEMBER and MOTCUA_EXCHANGE_KEY say who this node is)."""
    import httpx
    from sqlalchemy.exc import SQLAlchemyError

    from motcua import clock, db
    from motcua.audit.seals import seal_pending
    from motcua.calendar.service import CalendarCache
    from motcua.digitisation.jobs import run_once as read_scans
    from motcua.digitisation.jobs import start_reader
    from motcua.dossiers.storage import configured_storage
    from motcua.exchange.node import NodeMisconfigured, this_node
    from motcua.exchange.relay import relay_once
    from motcua.logs import configure_logging
    from motcua.notifications.providers import ProviderError
    from motcua.notifications.sender import Sender
    from motcua.reorganisation.effect import take_effect
    from motcua.settings import get_settings
    from motcua.supervision.jobs import SupervisionJob

    settings = get_settings()
    configure_logging(settings)
    try:
        node = this_node()
    except NodeMisconfigured as exc:
        raise typer.BadParameter(str(exc)) from None
    factory = db.session_factory(db.make_engine(url))
    try:
        sender = Sender(factory, settings)
    except ProviderError as exc:
        raise typer.BadParameter(str(exc)) from None
    supervision = SupervisionJob(factory, settings.supervision_hour)
    storage = configured_storage()
    if not once:
        start_reader(factory, storage, settings, interval)
    log = logging.getLogger("motcua.worker")
    next_seal = next_reorganisation = 0.0
    calendars = CalendarCache(factory)
    with httpx.Client(limits=httpx.Limits(max_connections=parallel * 2)) as client:
        while True:
            sent = False
            try:
                if time.monotonic() >= next_seal:
                    with db.transaction(factory) as session:
                        for made in seal_pending(session):
                            log.info("sealed %s: %s events", made.day.isoformat(), made.dossier_events)
                    next_seal = time.monotonic() + 60
                    for made_day in supervision.due():
                        log.info("supervision of %s: %s", made_day.day.isoformat(), made_day.alerts)
                if time.monotonic() >= next_reorganisation:  # a change of units at 00:00 Vietnam time
                    moved = take_effect(factory, clock.now(), calendars.get)
                    for reference in moved.started:
                        log.info("reorganisation %s in effect", reference)
                    if moved.dossiers or moved.feedback:
                        log.info("reorganisation: moved %s dossiers, %s feedback", moved.dossiers, moved.feedback)
                    next_reorganisation = time.monotonic() + REORGANISATION_CHECK_SECONDS
                tally = sender.once()
                sent = bool(tally.total)
                if tally.total:
                    typer.echo(
                        f"notifications: delivered {tally.delivered}, sending {tally.sending}, "
                        f"retried {tally.retried}, failed {tally.failed}, fallbacks {tally.fallbacks}"
                    )
                if once:  # otherwise the reader's own thread reads them (minutes each: the rest goes on)
                    read_scans(factory, storage, settings)
                if node is not None:
                    report = relay_once(factory, client, node, parallel=parallel)
                    sent = sent or bool(report.sent)
                    if report.sent:
                        typer.echo(f"delivered {report.delivered}, retried {report.retried}, dead {report.dead}")
            except SQLAlchemyError as exc:  # the database restarting or busy: wait, then go on
                log.error("worker: database error, retrying: %s", exc.__class__.__name__)
                if once:
                    raise
                time.sleep(max(interval, 1.0))
                continue
            if once:
                sender.close()
                return
            if not sent:
                time.sleep(interval)
