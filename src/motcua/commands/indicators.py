"""``motcua indicators …``: the fact tables behind the indicators."""

from __future__ import annotations

import time
from typing import Annotated

import typer

indicators_app = typer.Typer(no_args_is_help=True, help="Indicators and their fact tables.")
UrlOption = Annotated[str | None, typer.Option("--url", help="Database URL (default: MOTCUA_DATABASE_URL).")]


@indicators_app.command("rebuild")
def rebuild_command(
    url: UrlOption = None,
    replay: Annotated[
        bool, typer.Option("--replay", help="Replay every event through the live rule (slow; checks the SQL).")
    ] = False,
) -> None:
    """Recompute the fact tables from every dossier's and feedback message's event log (they are kept
    on each event; this repairs them, and proves the live tables right: the result must be the same)."""
    from motcua import db
    from motcua.indicators import facts, feedback_facts

    start = time.perf_counter()
    with db.transaction(db.session_factory(db.make_engine(url))) as session:
        days, opens = (facts.replay if replay else facts.rebuild)(session)
        feedback = (feedback_facts.replay if replay else feedback_facts.rebuild)(session)
    typer.echo(
        f"fact tables rebuilt: {days} day rows, {opens} open rows, {feedback} feedback rows"
        f" in {time.perf_counter() - start:.1f} s"
    )


@indicators_app.command("index")
def index_command(
    start: Annotated[str, typer.Option("--from", help="First day, YYYY-MM-DD.")],
    end: Annotated[str, typer.Option("--to", help="Last day, YYYY-MM-DD.")],
    level: Annotated[str, typer.Option(help="province (the ranking), commune or procedure.")] = "province",
    province: Annotated[str | None, typer.Option(help="Only this province (communes, procedures).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="JSON lines instead of a table.")] = False,
    url: UrlOption = None,
) -> None:
    """The Decision 766 index over a period, from the fact tables, ranked."""
    import json
    from datetime import date

    from motcua import db
    from motcua.indicators.index import KEY_COLUMN, index

    if level not in KEY_COLUMN:
        raise typer.BadParameter(f"{level!r} is not province, commune or procedure", param_hint="--level")
    try:
        first, last = date.fromisoformat(start), date.fromisoformat(end)
    except ValueError:
        raise typer.BadParameter("dates are YYYY-MM-DD", param_hint="--from/--to") from None
    with db.session_factory(db.make_engine(url))() as session:
        scores = index(session, first, last, level, province)  # type: ignore[arg-type]
    for s in scores:
        if as_json:
            row = {"rank": s.rank, "unit": s.unit, "percent": round(s.percent, 1), "points": s.total}
            typer.echo(json.dumps({**row, "reachable": s.reachable, "groups": s.groups, "rates": s.rates}))
        else:
            on_time, online = s.rates["on_time_rate"], s.rates["online_rate"]
            typer.echo(
                f"{s.rank:>3}  {s.unit:<10} {s.percent:5.1f}%  {s.total:5.1f}/{s.reachable:.0f} pts  "
                f"received {s.counts.received:>7}  on time {on_time or 0:6.1%}  online {online or 0:6.1%}"
            )


@indicators_app.command("workload")
def workload_command(
    province: Annotated[str, typer.Option(help="Province code.")],
    start: Annotated[str, typer.Option("--from", help="First day, YYYY-MM-DD.")],
    end: Annotated[str, typer.Option("--to", help="Last day, YYYY-MM-DD.")],
    url: UrlOption = None,
) -> None:
    """Dossiers per official in each commune of a province, flagged against the province's median."""
    from datetime import date

    from motcua import db
    from motcua.indicators.workload import workload

    try:
        first, last = date.fromisoformat(start), date.fromisoformat(end)
    except ValueError:
        raise typer.BadParameter("dates are YYYY-MM-DD", param_hint="--from/--to") from None
    with db.session_factory(db.make_engine(url))() as session:
        loads = workload(session, province, first, last)
    for c in sorted(loads, key=lambda c: -(c.per_official or 0)):
        ratio = f"{c.per_official:8.1f}" if c.per_official is not None else "       -"
        typer.echo(f"{c.commune_code}  {c.dossiers:>7} dossiers  {c.officials:>4} officials  {ratio}  {c.staffing}")
