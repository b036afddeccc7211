"""``motcua dossiers …``: checking the event logs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from motcua import clock
from motcua.commands.common import _actor, _context, _fail, step_payload, take_step

dossiers_app = typer.Typer(no_args_is_help=True, help="Dossiers: submit, act, documents, verify the event logs.")
UrlOption = Annotated[str | None, typer.Option("--url", help="Database URL (default: MOTCUA_DATABASE_URL).")]


@dossiers_app.command("verify")
def verify(
    codes: Annotated[list[str] | None, typer.Argument(help="Dossier codes (default: every dossier).")] = None,
    url: UrlOption = None,
) -> None:
    """Check every event's keyed hash chain, that replaying the log gives the stored dossier (its
    projection and the fields it was created with), the feedback messages' logs, the audit trail, and
    every daily seal against the events held now (deleted, truncated or recomputed logs of a sealed
    day)."""
    from motcua import db
    from motcua.audit.seals import verify_seals
    from motcua.audit.trail import verify_trail
    from motcua.calendar.service import CalendarCache
    from motcua.dossiers.integrity import verify_all
    from motcua.feedback.messages import verify as verify_feedback

    factory = db.session_factory(db.make_engine(url))
    calendars = CalendarCache(factory)
    with factory() as session:
        results = verify_all(session, calendars.get, codes or None)
        trail = [] if codes else verify_trail(session)
        seals = [] if codes else verify_seals(session)
        feedback = [] if codes else verify_feedback(session)
    bad = [r for r in results if not r.ok]
    for r in bad:
        typer.echo(f"{r.code}: TAMPERED OR INCONSISTENT", err=True)
        for p in r.problems:
            typer.echo(f"  - {p}", err=True)
    for problem in trail:
        typer.echo(f"audit trail: {problem}", err=True)
    for problem in feedback:
        typer.echo(f"feedback: {problem}", err=True)
    for seal in seals:
        for p in seal.problems:
            typer.echo(f"seal of {seal.day.isoformat()}: {p}", err=True)
    events = sum(r.events for r in results)
    legacy = sum(r.legacy_events for r in results)
    typer.echo(
        f"{len(results)} dossiers, {events} events checked ({legacy} of the unkeyed chain 1): "
        f"{len(bad)} with problems; feedback: {len(feedback)} problem(s); audit trail: {len(trail)} problem(s); "
        f"seals: {len(seals)} day(s) with problems"
    )
    if bad or trail or seals or feedback:
        raise typer.Exit(1)


@dossiers_app.command("seal")
def seal(url: UrlOption = None) -> None:
    """Seal every day that is over and not sealed yet (``motcua worker`` does it after midnight)."""
    from motcua import db
    from motcua.audit.seals import seal_pending

    with db.transaction(db.session_factory(db.make_engine(url))) as session:
        made = seal_pending(session)
        lines = [f"{s.day.isoformat()}: {s.dossier_events} events, {s.audit_events} audit entries" for s in made]
    for line in lines:
        typer.echo(f"sealed {line}")
    typer.echo(f"{len(lines)} day(s) sealed")


@dossiers_app.command("seals")
def seals(
    output: Annotated[Path | None, typer.Option(help="Write the JSON here (default: standard output).")] = None,
    url: UrlOption = None,
) -> None:
    """Export every seal and the seal key's public part, to publish or keep elsewhere."""
    from motcua import db
    from motcua.audit.seals import export

    with db.session_factory(db.make_engine(url))() as session:
        text = json.dumps(export(session), ensure_ascii=False, indent=1)
    if output:
        output.write_text(text + "\n", encoding="utf-8")
        typer.echo(f"seals written to {output}")
    else:
        typer.echo(text)


AsOption = Annotated[str, typer.Option("--as", help="Username of the account acting (citizen or official).")]


@dossiers_app.command("submit")
def submit_cmd(
    as_user: AsOption,
    procedure: Annotated[str, typer.Option(help="Procedure code, e.g. 1.001612.")],
    centre: Annotated[str, typer.Option(help="Identifier of the receiving centre.")],
    applicant_id: Annotated[str, typer.Option(help="Citizen ID (12 digits) or business code.")],
    applicant_name: Annotated[str, typer.Option()],
    subject: Annotated[str, typer.Option(help="Commune code, or an address (old or new) to convert.")],
    form: Annotated[Path | None, typer.Option(help="JSON file with the form data.")] = None,
    applicant_kind: Annotated[str, typer.Option()] = "citizen",
    phone: Annotated[str, typer.Option()] = "",
    channel: Annotated[str, typer.Option(help="online, in_person or postal.")] = "online",
    url: UrlOption = None,
) -> None:
    """Submit a dossier (as a citizen) or receive one at the counter (as a reception officer)."""

    from motcua import db
    from motcua.dossiers.errors import DossierError
    from motcua.dossiers.service import Applicant, SubmitRequest, submit

    data = json.loads(form.read_text(encoding="utf-8")) if form else {}
    factory, snapshots, calendars = _context(url)
    commune, address = (subject, "") if subject.isdigit() and len(subject) == 5 else (None, subject)
    req = SubmitRequest(
        procedure,
        centre,
        Applicant(applicant_kind, applicant_id, applicant_name, phone),
        data,
        subject_commune_code=commune,
        subject_address=address,
        channel=channel,
    )
    try:
        with db.transaction(factory) as s:
            dossier, _ = submit(
                s,
                _actor(s, as_user),
                req,
                clock.now(),
                snapshots.get(s),
                calendars.for_session(s),
            )
            typer.echo(f"{dossier.code} {dossier.status} due {dossier.due_on or '-'}")
    except DossierError as exc:
        _fail(exc)


@dossiers_app.command("act")
def act_cmd(
    code: Annotated[str, typer.Argument(help="Dossier code.")],
    transition: Annotated[
        str,
        typer.Argument(
            help="accept, transfer, request_supplement, supplement, extend, approve, refuse, return_result, …"
        ),
    ],
    as_user: AsOption,
    reason: Annotated[str | None, typer.Option()] = None,
    missing: Annotated[list[str] | None, typer.Option(help="A missing document (repeat).")] = None,
    documents: Annotated[list[str] | None, typer.Option(help="A supplied document (repeat).")] = None,
    new_due: Annotated[str | None, typer.Option(help="New appointment for an extension, YYYY-MM-DD.")] = None,
    assignee: Annotated[int | None, typer.Option(help="User id to assign the dossier to.")] = None,
    url: UrlOption = None,
) -> None:
    """Take one step of the state machine on a dossier."""

    from motcua.dossiers.service import act

    given = {"reason": reason, "missing": missing, "documents": documents, "new_due": new_due, "user_id": assignee}
    take_step(
        url,
        as_user,
        lambda s, actor, calendars: act(s, actor, code, transition, clock.now(), calendars, step_payload(given)),
        lambda d: f"{d.code} {d.status} (national code {d.status_code}) due {d.due_on or '-'}",
    )


@dossiers_app.command("document")
def document_cmd(
    code: Annotated[str, typer.Argument(help="Dossier code.")],
    form: Annotated[
        str, typer.Argument(help="receipt, supplement_request, refusal, apology, control_sheet or result (signed).")
    ],
    as_user: AsOption,
    output: Annotated[Path, typer.Option(help="Where to write the PDF.")],
    url: UrlOption = None,
) -> None:
    """Write one of the dossier's documents as PDF."""

    from sqlalchemy import select
    from sqlalchemy.orm import selectinload

    from motcua import db
    from motcua.documents.service import document
    from motcua.documents.signing import signing_config
    from motcua.dossiers.errors import DossierError
    from motcua.dossiers.models import Dossier
    from motcua.dossiers.storage import configured_storage

    factory, _s, _c = _context(url)
    try:
        with db.transaction(factory) as s:
            d = s.scalars(select(Dossier).where(Dossier.code == code).options(selectinload(Dossier.events))).first()
            if d is None:
                typer.echo(f"error: no dossier {code}", err=True)
                raise typer.Exit(1)
            data = document(
                s,
                configured_storage(),
                signing_config(),
                _actor(s, as_user),
                d,
                form,  # type: ignore[arg-type]
                clock.now(),
            )
    except DossierError as exc:
        _fail(exc)
    output.write_bytes(data)
    typer.echo(f"wrote {output} ({len(data)} bytes)")
