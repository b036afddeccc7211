"""``motcua documents …``: verifying signed PDFs."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

documents_app = typer.Typer(no_args_is_help=True, help="Signed documents (PAdES).")


@documents_app.command("verify")
def verify(
    file: Annotated[Path, typer.Argument(help="A signed PDF.")],
    trust: Annotated[
        list[Path] | None,
        typer.Option(
            help="Trusted root certificates (PEM or DER); default: the "
            "configured ones (MOTCUA_SIGNING_TRUST or the dev CA)."
        ),
    ] = None,
) -> None:
    """Check a PDF's signature: intact, trusted, covering the whole file. Exit status 1 if not."""
    from motcua.documents.signing import load_roots, signing_config, verify_pdf

    if not file.exists():
        raise typer.BadParameter(f"no such file: {file}", param_hint="FILE")
    roots = load_roots(tuple(trust) if trust else signing_config().trust_roots)
    check = verify_pdf(file.read_bytes(), roots)
    if check.valid:
        typer.echo(f"VALID: signed by {check.signer} at {check.signed_at}; intact, trusted, whole file")
        return
    typer.echo(f"INVALID: {'; '.join(check.problems)}", err=True)
    raise typer.Exit(1)
