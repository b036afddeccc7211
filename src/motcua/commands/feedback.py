"""``motcua feedback …``: file feedback (as a citizen, or entered by an official from the counter, a
phone call, a letter or an e-mail), take a step, show a message and list what is due."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Annotated, Any

import typer

from motcua import clock
from motcua.commands.common import _actor, _context, _fail, step_payload, take_step
from motcua.commands.dossiers import AsOption, UrlOption

feedback_app = typer.Typer(no_args_is_help=True, help="Feedback and recommendations (phản ánh, kiến nghị).")


@feedback_app.command("submit")
def submit_cmd(
    as_user: AsOption,
    about: Annotated[str, typer.Option(help="procedure, dossier, agency, official or regulation.")],
    title: Annotated[str, typer.Option()],
    body: Annotated[str, typer.Option(help="What happened.")],
    name: Annotated[str, typer.Option(help="The sender's full name (required by law).")],
    address: Annotated[str, typer.Option(help="The sender's address (required by law).")],
    phone: Annotated[str, typer.Option(help="The sender's phone (required by law).")],
    ref: Annotated[str, typer.Option(help="The procedure's, dossier's or agency's code.")] = "",
    place: Annotated[str, typer.Option(help="Commune code, or an address (old or new) to convert.")] = "",
    email: Annotated[str | None, typer.Option()] = None,
    show_name: Annotated[bool, typer.Option(help="The name may be shown with the published answer.")] = False,
    channel: Annotated[str, typer.Option(help="online or api (citizen); counter, phone, letter, email.")] = "",
    language: Annotated[str, typer.Option(help="vi, fr or en: the language of the messages to the sender.")] = "vi",
    url: UrlOption = None,
) -> None:
    """File a message; prints its tracking code, status and classification deadline."""
    from motcua import db
    from motcua.dossiers.errors import DossierError
    from motcua.feedback import messages as fb

    factory, snapshots, calendars = _context(url)
    commune, place_address = (place, "") if place.isdigit() and len(place) == 5 else (None, place)
    try:
        with db.transaction(factory) as s:
            actor = _actor(s, as_user)
            req = fb.FeedbackRequest(
                about=about,
                title=title,
                body=body,
                sender=fb.Sender(name, address, phone, email, show_name),
                about_ref=ref,
                commune_code=commune,
                place_address=place_address,
                channel=channel or ("online" if actor.role == "citizen" else "counter"),
                language=language,
            )
            m = fb.file_feedback(s, actor, req, clock.now(), calendars.for_session(s), snapshots.get(s))
            typer.echo(f"{m.code} {m.status} at {m.agency_code} due {m.due_on or '-'}")
    except DossierError as exc:
        _fail(exc)


@feedback_app.command("act")
def act_cmd(
    code: Annotated[str, typer.Argument(help="Tracking code, PAKN.YYYYMMDD.NNNN.")],
    step: Annotated[
        str, typer.Argument(help="accept, decline, forward, merge, request_info, provide_info, draft_answer, …")
    ],
    as_user: AsOption,
    reason: Annotated[str | None, typer.Option()] = None,
    kind: Annotated[str | None, typer.Option(help="decline: anonymous, abusive, already_answered, …")] = None,
    where: Annotated[str | None, typer.Option(help="decline as a complaint: where to go instead.")] = None,
    agency: Annotated[str | None, typer.Option(help="forward: the competent agency's code.")] = None,
    original: Annotated[str | None, typer.Option(help="merge: the original message's code.")] = None,
    info: Annotated[str | None, typer.Option(help="provide_info: the information asked.")] = None,
    answer: Annotated[str | None, typer.Option(help="draft_answer: the answer.")] = None,
    public_question: Annotated[str | None, typer.Option(help="publish: the question as published.")] = None,
    value: Annotated[str | None, typer.Option(help="rate: satisfied, neutral or dissatisfied.")] = None,
    title: Annotated[str | None, typer.Option(help="split: the second matter's title.")] = None,
    body: Annotated[str | None, typer.Option(help="split: the second matter's text.")] = None,
    url: UrlOption = None,
) -> None:
    """Take one step of the feedback's transition table."""
    from motcua.feedback import messages as fb

    given = {
        "reason": reason,
        "kind": kind,
        "where": where,
        "agency": agency,
        "original": original,
        "info": info,
        "answer": answer,
        "public_question": public_question,
        "value": value,
        "title": title,
        "body": body,
    }
    take_step(
        url,
        as_user,
        lambda s, actor, calendars: fb.act(s, actor, code, step, clock.now(), calendars, step_payload(given)),
        lambda m: f"{m.code} {m.status} at {m.agency_code} stage {m.stage} due {m.due_on or '-'}",
    )


@feedback_app.command("show")
def show_cmd(
    code: Annotated[str, typer.Argument(help="Tracking code.")],
    as_user: Annotated[
        str | None, typer.Option("--as", help="Show what this account may see (default: the public view).")
    ] = None,
    url: UrlOption = None,
) -> None:
    """A message as JSON: the public view (no personal data), or, with ``--as``, what that account
    may read, with the steps it may take."""
    from motcua.api.feedback import full, tracked
    from motcua.feedback import messages as fb

    factory, _snapshots, _calendars = _context(url)
    with factory() as s:
        found = tracked(s, code)
        if found is None:
            typer.echo(f"error: not_found: no feedback has the code {code}", err=True)
            raise typer.Exit(1)
        m, public = found
        out: dict[str, Any] = dict(public)
        if as_user is not None:
            actor = _actor(s, as_user)
            if m is None or not fb.can_read(actor, m):
                typer.echo(f"error: not_found: no feedback has the code {code}", err=True)
                raise typer.Exit(1)
            out = full(m, fb.allowed_steps(actor, m))
        typer.echo(json.dumps(out, ensure_ascii=False, indent=1, default=str))


@feedback_app.command("due")
def due_cmd(
    as_user: AsOption,
    days: Annotated[int, typer.Option(help="Due within this many days (0: overdue only).")] = 2,
    url: UrlOption = None,
) -> None:
    """The messages of the account's agency (or province) overdue or due within ``days``, the
    earliest first."""
    from motcua.feedback import messages as fb
    from motcua.feedback.models import FeedbackMessage

    factory, _snapshots, _calendars = _context(url)
    today = clock.today()
    with factory() as s:
        actor = _actor(s, as_user)
        query = fb.queue(actor, "open", today).where(FeedbackMessage.due_on <= today + timedelta(days=days))
        rows = s.scalars(query.limit(500)).all()
        for m in rows:
            state = "OVERDUE" if m.due_on is not None and m.due_on < today else "due"
            typer.echo(f"{m.code}\t{m.status}\t{m.stage}\t{state} {m.due_on}\t{m.agency_code}\t{m.title}")
        typer.echo(f"{len(rows)} message(s)")
