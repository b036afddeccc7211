"""``motcua accounts …``: create accounts and API tokens (until sign-in pages exist)."""

from __future__ import annotations

from typing import Annotated

import typer

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
    except ValueError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from None
    typer.echo(f"account {username} ({role}{', ' + unit if unit else ''}) created")
    if issued:
        typer.echo(f"API token (shown once): {issued}")
