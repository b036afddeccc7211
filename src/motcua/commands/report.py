"""``motcua report two-level``: the operation report of the two-level local government, as HTML and PDF."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from motcua import clock
from motcua.commands.common import parse_date

report_app = typer.Typer(no_args_is_help=True, help="Reports for leaders.")


@report_app.command("two-level")
def two_level(
    start: Annotated[str, typer.Option("--from", help="First day, YYYY-MM-DD.")],
    end: Annotated[str, typer.Option("--to", help="Last day, YYYY-MM-DD.")],
    output: Annotated[Path, typer.Option(help="Directory to write the HTML and PDF into (made if missing).")],
    province: Annotated[str | None, typer.Option(help="Code of one of the 34 provinces.")] = None,
    national: Annotated[bool, typer.Option("--national", help="The whole country.")] = False,
    lang: Annotated[str, typer.Option(help="vi, fr or en.")] = "vi",
    url: Annotated[str | None, typer.Option("--url", help="Database URL (default: MOTCUA_DATABASE_URL).")] = None,
) -> None:
    """Units before and after, centres, dossiers by channel and level, online, on-time, payment and
    satisfaction rates, procedures decentralised, the most-late procedures and units, staff workload;
    with charts and the map."""
    from motcua import db
    from motcua.i18n import LANGUAGES, Language
    from motcua.indicators.report.data import gather
    from motcua.indicators.report.html import render_html
    from motcua.indicators.report.pdf import render_pdf

    if national == (province is not None):
        raise typer.BadParameter("give either --province CODE or --national", param_hint="--province/--national")
    if lang not in LANGUAGES:
        raise typer.BadParameter(f"{lang!r}: choose one of {', '.join(LANGUAGES)}", param_hint="--lang")
    first, last = parse_date(start, "--from"), parse_date(end, "--to")
    if last < first:
        raise typer.BadParameter(f"{end} is before {start}", param_hint="--to")
    language: Language = lang
    with db.session_factory(db.make_engine(url))() as session:
        try:
            report = gather(session, province, first, last, clock.today())
        except ValueError as exc:
            raise typer.BadParameter(str(exc), param_hint="--province") from None
    output.mkdir(parents=True, exist_ok=True)
    stem = f"two-level-{report.scope}-{first.isoformat()}-{last.isoformat()}"
    html, pdf = output / f"{stem}.html", output / f"{stem}.pdf"
    html.write_text(render_html(report, language), encoding="utf-8")
    pdf.write_bytes(render_pdf(report, language))
    typer.echo(f"{html}\n{pdf}")
