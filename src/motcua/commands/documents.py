"""``motcua documents …``: verifying signed PDFs."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

documents_app = typer.Typer(no_args_is_help=True, help="Signed documents (PAdES).")


@documents_app.command("verify")
def verify(
    file: Annotated[Path, typer.Argument(help="A signed PDF.")],
    code: Annotated[
        str | None, typer.Option(help="The dossier the document must belong to (its code, e.g. on the receipt).")
    ] = None,
    trust: Annotated[
        list[Path] | None,
        typer.Option(help="Trusted root certificates (PEM or DER); default: MOTCUA_SIGNING_TRUST or the dev CA."),
    ] = None,
    crl: Annotated[
        list[Path] | None,
        typer.Option(help="Revocation lists of the CA (default: MOTCUA_SIGNING_CRLS or the dev CA's)."),
    ] = None,
    fetch: Annotated[bool, typer.Option(help="Fetch CRLs and OCSP answers named in the certificates.")] = False,
) -> None:
    """Check a PDF's signature: intact, trusted, not revoked, covering the whole file, its time-stamp,
    and with --code that it is that dossier's. Exit status 1 if not. Creates nothing."""
    from motcua.documents.signing import SigningNotConfigured, load_crls, load_roots, signing_config, verify_pdf

    if not file.exists():
        raise typer.BadParameter(f"no such file: {file}", param_hint="FILE")
    roots_from, crls_from = tuple(trust or ()), tuple(crl or ())
    if not roots_from:
        try:
            config = signing_config(create=False)
        except SigningNotConfigured as exc:
            raise typer.BadParameter(str(exc), param_hint="--trust") from None
        roots_from, crls_from = config.trust_roots, crls_from or config.crls
        fetch = fetch or config.fetch_revocation
    check = verify_pdf(
        file.read_bytes(), load_roots(roots_from), crls=load_crls(crls_from) or None, fetch=fetch, dossier_code=code
    )
    if check.valid:
        revocation = "not revoked" if check.revocation_checked else "revocation not checked (no CRL given)"
        stamp = "time-stamped" if check.timestamped else "no time-stamp"
        belongs = f"; dossier {check.dossier}" if check.dossier else ""
        typer.echo(
            f"VALID: signed by {check.signer} at {check.signed_at}; intact, trusted, {revocation}, {stamp}, "
            f"whole file{belongs}"
        )
        return
    typer.echo(f"INVALID: {'; '.join(check.problems)}", err=True)
    raise typer.Exit(1)
