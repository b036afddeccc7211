"""``motcua exchange …`` (keys, members, dead letters) and ``motcua worker`` (the relay)."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Annotated

import typer

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
    adapter: Annotated[str, typer.Option(help="Back end: motcua (default).")] = "motcua",
    url: UrlOption = None,
) -> None:
    """Register (or update) a member: its key and address."""
    from sqlalchemy import select

    from motcua import db
    from motcua.exchange.models import Member
    from motcua.exchange.signing import load_key, public_jwk

    if identifier != "national" and not (identifier.startswith("province-") and len(identifier) == 11):
        raise typer.BadParameter(
            f"{identifier!r}: expected national or province-<2-digit code>", param_hint="IDENTIFIER"
        )
    text = Path(public_key).read_text("utf-8") if Path(public_key).is_file() else public_key
    try:
        jwk = public_jwk(load_key(json.loads(text)))
    except (ValueError, KeyError) as exc:
        raise typer.BadParameter(f"not an Ed25519 public JWK: {exc}", param_hint="--public-key") from None
    with db.transaction(db.session_factory(db.make_engine(url))) as s:
        member = s.scalars(select(Member).where(Member.identifier == identifier)).first()
        if member is None:
            member = Member(identifier=identifier, role="national" if identifier == "national" else "province")
            s.add(member)
        member.province_code = None if identifier == "national" else identifier[-2:]
        member.public_jwk, member.base_url, member.adapter, member.active = jwk, base_url, adapter, True
        member.options, member.last_error = member.options or {}, member.last_error or ""
    typer.echo(f"{identifier}: registered")


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
    url: UrlOption = None,
) -> None:
    """Relay the outbox to the members (MOTCUA_EXCHANGE_MEMBER and MOTCUA_EXCHANGE_KEY say who this node is)."""
    import httpx

    from motcua import db
    from motcua.exchange.node import NodeMisconfigured, this_node
    from motcua.exchange.relay import relay_once

    try:
        node = this_node()
    except NodeMisconfigured as exc:
        raise typer.BadParameter(str(exc)) from None
    if node is None:
        raise typer.BadParameter("MOTCUA_EXCHANGE_MEMBER is not set: this node sends nothing")
    factory = db.session_factory(db.make_engine(url))
    with httpx.Client() as client:
        while True:
            report = relay_once(factory, client, node)
            if report.sent:
                typer.echo(f"delivered {report.delivered}, retried {report.retried}, dead {report.dead}")
            if once:
                return
            if not report.sent:
                time.sleep(interval)
