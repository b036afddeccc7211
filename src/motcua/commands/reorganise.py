"""``motcua reorganise …`` and ``motcua units changes validate``: a resolution as data, checked,
planned, applied ahead of its date, decided by hand where it must be, and taking effect."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from motcua.commands.common import DateOption, parse_date

reorganise_app = typer.Typer(
    no_args_is_help=True,
    help="Reorganisations of units: plan a resolution file, apply it, decide what it leaves to people.",
)
changes_app = typer.Typer(no_args_is_help=True, help="Resolution files that change the units.")
UrlOption = Annotated[str | None, typer.Option("--url", help="Database URL (default: MOTCUA_DATABASE_URL).")]
FileArgument = Annotated[Path, typer.Argument(help="The resolution file (CSV, see docs/reorganisation.md).")]


def _read(file: Path) -> Any:
    from motcua.reorganisation.resolution import parse

    if not file.exists():
        raise typer.BadParameter(f"no such file: {file}", param_hint="FILE")
    resolution, problems = parse(file.read_text(encoding="utf-8-sig"))
    if problems:
        _print_problems(file, problems)
        raise typer.Exit(1)
    return resolution


def _print_problems(file: Path, problems: list[Any]) -> None:
    typer.echo(f"{file}: {len(problems)} problem(s); nothing was changed", err=True)
    for p in problems:
        typer.echo(f"  {file}:{p}", err=True)


def _factory(url: str | None) -> Any:
    from motcua import db

    return db.session_factory(db.make_engine(url))


def _decisions(file: Path | None) -> dict[str, str]:
    """A decisions file: CSV ``item,successor`` (item: dossier:CODE, feedback:CODE, official:USERNAME)."""
    if file is None:
        return {}
    from motcua.csvrows import read_csv

    source = read_csv(file.read_text(encoding="utf-8-sig"), ("item", "successor"))
    if source.missing:
        raise typer.BadParameter(f"the header needs the columns item,successor ({file})", param_hint="--decisions")
    return {row["item"]: row["successor"] for _line, row in source.rows if row["item"]}


@changes_app.command("validate")
def validate(file: FileArgument, url: UrlOption = None) -> None:
    """Check a resolution file against the registry (with the resolutions already applied) and the
    recorded agencies and centres: every unit accounted for, codes known or new, no unit split
    without a rule, dates coherent. Problems are printed by line; exit code 1 when there are any."""
    from motcua import db
    from motcua.reorganisation.apply import checked

    resolution = _read(file)
    with db.transaction(_factory(url)) as session:
        problems = checked(session, resolution)
    if problems:
        _print_problems(file, problems)
        raise typer.Exit(1)
    typer.echo(
        f"{file}: {resolution.reference}, {len(resolution.changes)} change(s) on {resolution.effective_date}: valid"
    )


@reorganise_app.command("plan")
def plan(
    file: FileArgument,
    at: DateOption = None,
    json_out: Annotated[Path | None, typer.Option("--json", help="Write the plan as JSON to this file.")] = None,
    html_out: Annotated[
        Path | None, typer.Option("--html", help="Write the plan as an HTML page to this file.")
    ] = None,
    language: Annotated[str, typer.Option(help="Language of the HTML page: vi, fr or en.")] = "vi",
    url: UrlOption = None,
) -> None:
    """Print what applying the resolution would do (nothing changes): units, agencies, centres and
    officials affected, open dossiers and feedback per successor agency, deadlines across the date,
    procedures changing level that day, and the decisions to make."""
    from motcua import db
    from motcua.i18n import LANGUAGES
    from motcua.reorganisation.plan import make_plan, render_html

    if language not in LANGUAGES:
        raise typer.BadParameter(f"one of {', '.join(LANGUAGES)}", param_hint="--language")
    resolution = _read(file)
    with db.transaction(_factory(url)) as session:
        made = make_plan(session, resolution, parse_date(at))
        session.rollback()  # a plan writes nothing
    if json_out:
        json_out.write_text(json.dumps(made.to_json(), ensure_ascii=False, indent=2), encoding="utf-8")
    if html_out:
        html_out.write_text(render_html(made, language), encoding="utf-8")
    if not made.ok:
        _print_problems(file, made.problems)
        raise typer.Exit(1)
    typer.echo(f"{made.reference}: takes effect at 00:00 on {made.effective_date} (Vietnam time)")
    for key, value in made.totals.items():
        typer.echo(f"  {key.replace('_', ' ')}: {value}")
    for item, successors, why in made.decisions[:20]:
        typer.echo(f"  decision: {item} → one of {successors}: {why}")
    for note in made.notes:
        typer.echo(f"  note: {note}")


@reorganise_app.command("apply")
def apply_command(
    file: FileArgument,
    decisions: Annotated[
        Path | None, typer.Option("--decisions", help="CSV item,successor for what the rule leaves to people.")
    ] = None,
    by: Annotated[str, typer.Option("--by", help="Who applies it (kept with the reorganisation).")] = "",
    url: UrlOption = None,
) -> None:
    """Apply the resolution in one transaction (all of it, or nothing with the problems printed). Ahead
    of its date it is scheduled: it takes effect at 00:00 Vietnam time of the date (``motcua worker``
    runs it; ``motcua reorganise effect`` does it now)."""
    from motcua import clock, db
    from motcua.reorganisation.apply import Refused, apply

    resolution = _read(file)
    try:
        with db.transaction(_factory(url)) as session:
            row = apply(session, resolution, clock.now(), applied_by=by, decisions=_decisions(decisions))
            reference, day = row.reference, row.effective_date
    except Refused as refused:
        _print_problems(file, refused.problems)
        raise typer.Exit(1) from None
    typer.echo(f"{reference}: applied; takes effect at 00:00 on {day} (Vietnam time)")


@reorganise_app.command("decide")
def decide_command(
    reference: Annotated[str, typer.Argument(help="The resolution's reference, as applied.")],
    decisions: Annotated[Path, typer.Argument(help="CSV item,successor.")],
    url: UrlOption = None,
) -> None:
    """Give decisions by hand (a dossier, message or official of a split unit → its successor); the
    next run of the worker moves them."""
    from motcua import db
    from motcua.reorganisation.apply import Refused, decide

    try:
        with db.transaction(_factory(url)) as session:
            decide(session, reference, _decisions(decisions))
    except Refused as refused:
        _print_problems(decisions, refused.problems)
        raise typer.Exit(1) from None
    typer.echo(f"{reference}: decisions recorded")


@reorganise_app.command("effect")
def effect_command(url: UrlOption = None) -> None:
    """Run now what the worker runs every few seconds: reorganisations whose date has come take
    effect, and open work still at a unit that ended moves to its successor."""
    from motcua import clock
    from motcua.calendar.service import CalendarCache
    from motcua.reorganisation.effect import take_effect

    factory = _factory(url)
    done = take_effect(factory, clock.now(), CalendarCache(factory).get)
    for reference in done.started:
        typer.echo(f"{reference}: in effect")
    typer.echo(
        f"moved: {done.dossiers} dossiers, {done.feedback} feedback messages, {done.officials} officials; "
        f"waiting for a decision: {done.waiting}"
    )


@reorganise_app.command("list")
def list_command(url: UrlOption = None) -> None:
    """The reorganisations applied, with their state and what they moved (for the replay of 2025, the
    open dossiers by the level that decided them before and after)."""
    from sqlalchemy import func, select

    from motcua import db
    from motcua.commands.common import echo_json
    from motcua.reorganisation.models import JournalEntry, Reorganisation

    with db.transaction(_factory(url)) as session:
        rows = session.scalars(select(Reorganisation).order_by(Reorganisation.effective_date, Reorganisation.id)).all()
        levels: dict[int, dict[str, int]] = {}
        moved_by_level = (
            select(JournalEntry.reorganisation_id, JournalEntry.note, func.count())
            .where(JournalEntry.kind == "dossier")
            .group_by(JournalEntry.reorganisation_id, JournalEntry.note)
        )
        for rid, note, n in session.execute(moved_by_level):  # the replay of 2025: level before → after
            levels.setdefault(rid, {})[note] = n
        echo_json(
            [
                {
                    "reference": r.reference,
                    "effective_date": r.effective_date.isoformat(),
                    "status": r.status,
                    "applied_at": r.applied_at.isoformat(),
                    "effective_at": r.effective_at.isoformat() if r.effective_at else None,
                    "moved_dossiers": r.moved_dossiers,
                    "moved_feedback": r.moved_feedback,
                    "moved_officials": r.moved_officials,
                    "waiting": r.waiting,
                    "levels": levels.get(r.id, {}),
                }
                for r in rows
            ]
        )


@reorganise_app.command("replay-2025")
def replay_2025(
    province: Annotated[str, typer.Argument(help="New province code (e.g. 46 for Huế).")],
    pre_reform: Annotated[
        bool,
        typer.Option("--load-pre-reform", help="First record the three-level map's bodies of the province."),
    ] = False,
    do_apply: Annotated[bool, typer.Option("--apply", help="Apply it and move the open work now.")] = False,
    json_out: Annotated[Path | None, typer.Option("--json", help="Write the plan as JSON to this file.")] = None,
    html_out: Annotated[
        Path | None, typer.Option("--html", help="Write the plan as an HTML page to this file.")
    ] = None,
    url: UrlOption = None,
) -> None:
    """Replay the 1 July 2025 reform for one province from its resolution's file (shipped, built from
    ../shared): plan it — open dossiers of the three-level map by the level deciding them before and
    after, the decisions to make — and with --apply move them."""
    from motcua import clock, db
    from motcua.calendar.service import CalendarCache
    from motcua.reorganisation.apply import Refused, apply
    from motcua.reorganisation.effect import take_effect
    from motcua.reorganisation.plan import make_plan, render_html
    from motcua.reorganisation.reform2025 import files, load_pre_reform, resolution_text
    from motcua.reorganisation.resolution import parse

    if f"{province}.csv" not in files():
        raise typer.BadParameter(f"no resolution file for province {province!r}", param_hint="PROVINCE")
    resolution, problems = parse(resolution_text(province))
    assert resolution is not None and not problems
    factory = _factory(url)
    if pre_reform:
        with db.transaction(factory) as session:
            made = load_pre_reform(session, province)
        typer.echo(f"three-level map of {province}: {made.agencies} agencies, {made.centres} centres recorded")
    with db.transaction(factory) as session:
        made_plan = make_plan(session, resolution, clock.today())
        session.rollback()
    if json_out:
        json_out.write_text(json.dumps(made_plan.to_json(), ensure_ascii=False, indent=2), encoding="utf-8")
    if html_out:
        html_out.write_text(render_html(made_plan, "vi"), encoding="utf-8")
    typer.echo(f"{resolution.reference}: {made_plan.totals.get('dossiers', 0)} open dossiers of the old map")
    for levels, n in made_plan.levels.items():
        typer.echo(f"  {levels}: {n}")
    typer.echo(f"  decisions to make: {len(made_plan.decisions)}")
    if not do_apply:
        return
    try:
        with db.transaction(factory) as session:
            apply(session, resolution, clock.now(), applied_by="replay-2025")
    except Refused as refused:
        _print_problems(Path(f"{province}.csv"), refused.problems)
        raise typer.Exit(1) from None
    done = take_effect(factory, clock.now(), CalendarCache(factory).get)
    typer.echo(f"moved {done.dossiers} dossiers; waiting for a decision: {done.waiting}")
