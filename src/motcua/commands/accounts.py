"""``motcua accounts …``: create accounts and API tokens, import the officials of every commune."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from motcua.accounts.models import User

accounts_app = typer.Typer(no_args_is_help=True, help="Accounts and API tokens.")
UrlOption = Annotated[str | None, typer.Option("--url", help="Database URL (default: MOTCUA_DATABASE_URL).")]


@accounts_app.command("create")
def create(
    username: str,
    role: Annotated[str, typer.Option(help="citizen, reception_officer, processing_officer, leader or admin.")],
    unit: Annotated[str | None, typer.Option(help="Centre identifier or agency code the account works for.")] = None,
    full_name: Annotated[str, typer.Option()] = "",
    personal_id: Annotated[str | None, typer.Option(help="Citizen ID number (citizens).")] = None,
    token: Annotated[bool, typer.Option("--token/--no-token", help="Also issue an API token.")] = True,
    url: UrlOption = None,
) -> None:
    """Create an account (the password is asked for, hidden) and print an API token once."""
    from motcua import db
    from motcua.accounts.service import create_user, issue_token
    from motcua.audit.trail import record

    password = typer.prompt("password (empty: none)", default="", hide_input=True, show_default=False)
    try:
        with db.transaction(db.session_factory(db.make_engine(url))) as session:
            user = create_user(
                session,
                username,
                role,
                unit_code=unit,
                full_name=full_name,
                password=password or None,
                personal_id=personal_id,
            )
            issued = issue_token(session, user, "cli") if token else None
            record(session, "account_create", channel="cli", subject=f"user:{user.id}", details={"role": role})
    except ValueError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"account {username} ({role}{', ' + unit if unit else ''}) created")
    if issued:
        typer.echo(f"API token (shown once): {issued}")


@accounts_app.command("import-officials")
def import_officials_command(
    file: Annotated[Path, typer.Argument(help="CSV with columns username, full_name, role, unit.")],
    codes_out: Annotated[
        Path | None, typer.Option("--codes-out", help="Where to write the activation codes of new accounts (CSV).")
    ] = None,
    url: UrlOption = None,
) -> None:
    """Create or update the officials listed in a CSV file, all or nothing; new accounts get a one-time
    activation code (written to --codes-out, or printed) with which they choose a password on /activate."""
    from motcua import db
    from motcua.accounts.officials import import_officials

    if not file.exists():
        raise typer.BadParameter(f"no such file: {file}", param_hint="FILE")
    with db.transaction(db.session_factory(db.make_engine(url))) as session:
        report = import_officials(session, file.read_text(encoding="utf-8"))
        if not report.ok:
            session.rollback()
        else:
            from motcua.audit.trail import record

            record(session, "import_officials", details={"created": report.created, "updated": report.updated})
    if not report.ok:
        for error in report.errors[:200]:
            typer.echo(f"{file}: {error}", err=True)
        typer.echo(f"nothing imported: {len(report.errors)} error(s)", err=True)
        raise typer.Exit(1)
    typer.echo(f"officials: {report.created} created, {report.updated} updated, {report.unchanged} unchanged")
    if report.codes:
        if codes_out:
            codes_out.write_text(report.codes_csv(), encoding="utf-8")
            codes_out.chmod(0o600)
            typer.echo(f"activation codes of the new accounts: {codes_out}")
        else:
            typer.echo(report.codes_csv(), nl=False)


def _user(session: Session, username: str) -> User:
    from sqlalchemy import select

    from motcua.accounts.models import User

    user = session.scalars(select(User).where(User.username == username)).first()
    if user is None:
        raise typer.BadParameter(f"no account {username!r}", param_hint="USERNAME")
    return user


@accounts_app.command("token")
def token(
    username: str,
    days: Annotated[
        int | None, typer.Option(min=1, max=3650, help="Lifetime (default: MOTCUA_TOKEN_LIFETIME_DAYS).")
    ] = None,
    label: Annotated[str, typer.Option(help="What the token is for.")] = "cli",
    url: UrlOption = None,
) -> None:
    """Issue an API token for an account, valid for --days; printed once."""
    from datetime import timedelta

    from motcua import db
    from motcua.accounts.service import issue_token
    from motcua.audit.trail import record

    with db.transaction(db.session_factory(db.make_engine(url))) as session:
        user = _user(session, username)
        issued = issue_token(session, user, label, timedelta(days=days) if days else None)
        record(session, "token_issue", channel="cli", subject=f"user:{user.id}")
    typer.echo(f"API token (shown once): {issued}")


@accounts_app.command("revoke-token")
def revoke_token_command(
    token_value: Annotated[str, typer.Argument(metavar="TOKEN", help="The token to revoke.")],
    url: UrlOption = None,
) -> None:
    """Revoke an API token: it stops working at once on every server (within two seconds)."""
    from motcua import db
    from motcua.accounts.service import revoke_token
    from motcua.audit.trail import record

    with db.transaction(db.session_factory(db.make_engine(url))) as session:
        done = revoke_token(session, token_value)
        if done:
            record(session, "token_revoke", channel="cli")
    if not done:
        typer.echo("error: no such token, or already revoked", err=True)
        raise typer.Exit(1)
    typer.echo("token revoked")


@accounts_app.command("disable")
def disable(
    username: str,
    enable: Annotated[bool, typer.Option("--enable", help="Enable the account again.")] = False,
    url: UrlOption = None,
) -> None:
    """Disable an account: no sign-in; its sessions and tokens stop at once. --enable undoes it."""
    from motcua import db
    from motcua.accounts.service import disable_user
    from motcua.audit.trail import record

    with db.transaction(db.session_factory(db.make_engine(url))) as session:
        user = _user(session, username)
        disable_user(session, user, disabled=not enable)
        action = "account_enable" if enable else "account_disable"
        record(session, action, channel="cli", subject=f"user:{user.id}")
    typer.echo(f"account {username} {'enabled' if enable else 'disabled'}")
