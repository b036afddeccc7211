"""The officials' workspace and the steps of a dossier taken from a page (citizens and officials).

The queue lists only what the official's unit may see (``visible``); a dossier page offers exactly
the steps the transition table allows the official's role in the dossier's state; each step posts to
one route that calls ``act`` with the event count the page was drawn from, so a step someone else
took in between is refused with a clear message instead of being applied blindly.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from starlette.datastructures import UploadFile

from motcua import clock, db
from motcua.accounts.models import User
from motcua.accounts.service import Actor
from motcua.api.dossiers import attachment_response
from motcua.catalog.models import ProcedureVersion
from motcua.catalog.routing import procedure_name
from motcua.catalog.sheet import localized_name
from motcua.dossiers.attachments import MAX_BYTES, add_attachment, read_attachment
from motcua.dossiers.codes import as_typed
from motcua.dossiers.errors import DossierError
from motcua.dossiers.models import Attachment, Dossier
from motcua.dossiers.service import act, assignable, can_read, get_dossier, readable, visible
from motcua.dossiers.states import FINAL, STEPS
from motcua.i18n import N_, gettext_for
from motcua.notifications.reading import of_dossier
from motcua.web.account import current_actor
from motcua.web.digitisation import digitisation_context
from motcua.web.dossier_view import declaration, history
from motcua.web.rendering import flash_error, language_of, render
from motcua.web.routes import ROLE_NAMES, STATUS_NAMES
from motcua.web.security import check_csrf

router = APIRouter(include_in_schema=False)
OFFICIALS = ("reception_officer", "processing_officer", "leader", "supervisor", "inspector", "admin")
DUE_SOON_DAYS = 3  # calendar days: what a queue shows as "due soon"
# Each step's name in words comes from its declaration; rating is not a step of the table.
STEP_NAMES = {name: step.label for name, step in STEPS.items()} | {"rate": N_("Rate the service")}


def now() -> datetime:
    return clock.now()


def steps_for(actor: Actor, d: Dossier) -> list[str]:
    return [
        name
        for name, step in STEPS.items()
        if step.on_page and d.status in step.transition.sources and actor.role in step.transition.roles
    ]


PAGE = 50
COUNT_CAP = 10_000  # a queue's count reads at most this many index entries ("10 000+")


def capped_count(session: Session, query: Any) -> str:
    """How many rows ``query`` has, read no further than ``COUNT_CAP`` (a commune of a big city holds
    tens of thousands of dossiers: an exact count would read them all on every page view)."""
    bounded = query.with_only_columns(Dossier.id).order_by(None).limit(COUNT_CAP + 1).subquery()
    n = session.scalar(select(func.count()).select_from(bounded)) or 0
    return f"{COUNT_CAP:,}+" if n > COUNT_CAP else str(n)


# How the queue may be sorted: the officer's words for it and the columns behind it. New work first
# by default: dossiers not yet received (no appointment) on top, then the nearest appointment.
SORTS: dict[str, tuple[str, tuple[Any, ...]]] = {
    "due": (N_("Appointment, nearest first"), (Dossier.due_on.is_not(None), Dossier.due_on, Dossier.id)),
    "newest": (N_("Newest first"), (Dossier.submitted_at.desc(), Dossier.id.desc())),
    "oldest": (N_("Oldest first"), (Dossier.submitted_at, Dossier.id)),
}


@router.get("/work", response_class=HTMLResponse, response_model=None)
def queue(
    request: Request,
    view: str = "open",
    page: Annotated[int, Query(ge=1, le=200)] = 1,
    sort: str = "due",
    status: str = "",
    procedure: str = "",
    q: Annotated[str, Query(max_length=100)] = "",
) -> Response:
    actor = current_actor(request)
    if actor is None or actor.role not in OFFICIALS:
        return RedirectResponse("/signin?next=/work", status_code=303)
    today = clock.today()
    base = visible(actor).where(Dossier.status.not_in(FINAL))
    views = {
        "open": base,
        "due_soon": base.where(
            Dossier.due_on.between(today, today + timedelta(days=DUE_SOON_DAYS)), Dossier.finished_at.is_(None)
        ),
        "overdue": base.where(Dossier.due_on < today, Dossier.finished_at.is_(None)),
    }
    if actor.role == "leader":  # the dossiers their officers submitted for signature
        views["to_sign"] = base.where(Dossier.status == "awaiting_signature")
    view = view if view in views else "open"
    sort = sort if sort in SORTS else "due"
    shown = views[view]
    if status in STATUS_NAMES:
        shown = shown.where(Dossier.status == status)
    if procedure:
        shown = shown.where(Dossier.procedure_code == procedure)
    if q.strip():
        wanted = q.strip()
        shown = shown.where(
            (Dossier.code == as_typed(wanted))
            | (Dossier.applicant_id_number == wanted)
            | Dossier.applicant_name.ilike(f"%{wanted}%")
        )
    with request.app.state.session_factory() as s:
        counts = {k: capped_count(s, query) for k, query in views.items()}
        rows = s.scalars(shown.order_by(*SORTS[sort][1]).limit(PAGE + 1).offset((page - 1) * PAGE)).all()
        assignees = dict(
            s.execute(
                select(User.id, func.coalesce(User.full_name, User.username)).where(
                    User.id.in_({d.assigned_to for d in rows if d.assigned_to})
                )
            ).all()
        )
        snapshot = request.app.state.snapshots.get(s)
    language = language_of(request)
    procedures = {
        code: procedure_name(snapshot, code, language) for code in {d.procedure_code for d in rows} | {procedure}
    }
    more = len(rows) > PAGE
    return render(
        request,
        "work.html",
        actor=actor,
        dossiers=rows[:PAGE],
        counts=counts,
        view=view,
        page=page,
        more=more,
        sort=sort,
        sorts={k: v[0] for k, v in SORTS.items()},
        status=status,
        procedure=procedure,
        q=q,
        procedures=procedures,
        assignees=assignees,
        today=today,
        soon=today + timedelta(days=DUE_SOON_DAYS),
        status_names=STATUS_NAMES,
    )


@router.get("/work/dossiers/{code}", response_class=HTMLResponse, response_model=None)
def work_dossier(request: Request, code: str, error: str = "") -> Response:
    actor = current_actor(request)
    if actor is None or actor.role not in OFFICIALS:
        return RedirectResponse(f"/signin?next=/work/dossiers/{code}", status_code=303)
    return _dossier_page(request, actor, code, "work_dossier.html")


def _dossier_page(request: Request, actor: Actor, code: str, template: str, **extra: Any) -> Response:
    language = language_of(request)
    with request.app.state.session_factory() as s:
        d = readable(s, actor, code)
        if d is None:
            return render(request, "not_found.html", status_code=404)
        attachments = s.scalars(select(Attachment).where(Attachment.dossier_id == d.id).order_by(Attachment.id)).all()
        officials = assignable(s, d) if "assign" in steps_for(actor, d) else []
        version = s.get(ProcedureVersion, d.procedure_version_id)
        events = list(d.events)
        people = {e.actor_id for e in events if e.actor_id} | ({d.assigned_to} if d.assigned_to else set())
        names = dict(
            s.execute(select(User.id, func.coalesce(User.full_name, User.username)).where(User.id.in_(people))).all()
        )
        notifications = of_dossier(s, d.code)
        snapshot = request.app.state.snapshots.get(s)
        scans = digitisation_context(s, actor, d, list(version.documents or []) if version else [])
    translate = gettext_for(language).gettext
    proposal = next((e for e in reversed(events) if e.transition == "submit_for_signature"), None)
    return render(
        request,
        template,
        d=d,
        procedure_name=localized_name(version, language)[0] if version else d.procedure_code,
        declaration=declaration(version.form_schema if version else {}, d.form_data or {}, language),
        history=history(
            events,
            names,
            {**{c: snapshot.unit_name(c) for c in {e.actor_unit for e in events if e.actor_unit}}},
            {k: translate(v) for k, v in ROLE_NAMES.items()},
            show_names=True,
        ),
        centre_name=snapshot.unit_name(d.centre_identifier),
        agency_name=snapshot.unit_name(d.deciding_agency_code),
        handler_name=snapshot.unit_name(d.handling_unit_code) if d.handling_unit_code else "",
        proposal=proposal if d.status == "awaiting_signature" else None,
        proposer=names.get(proposal.actor_id or 0, "") if proposal else "",
        notifications=notifications,
        attachments=attachments,
        steps=steps_for(actor, d),
        step_names=STEP_NAMES,
        declared=STEPS,
        officials=officials,
        holder=names.get(d.assigned_to) if d.assigned_to else None,
        status_names=STATUS_NAMES,
        error=request.session.pop("flash_error", None),
        done=request.session.pop("flash_done", None),
        **scans,
        **extra,
    )


@router.post("/dossiers/{code}/steps/{name}", response_model=None)
async def take_step(request: Request, code: str, name: str) -> Response:
    form = await request.form()
    check_csrf(request, str(form.get("csrf", "")))
    from starlette.concurrency import run_in_threadpool

    actor = await run_in_threadpool(current_actor, request)
    if actor is None:
        return RedirectResponse("/signin", status_code=303)
    posted = {k: v for k, v in form.items() if isinstance(v, str)}
    files = [f for f in form.getlist("files") if isinstance(f, UploadFile) and f.filename]
    uploads = [(f.filename or "file", await f.read(MAX_BYTES + 1)) for f in files[:10]]
    back = f"/my/dossiers/{code}" if actor.role == "citizen" else f"/work/dossiers/{code}"
    try:
        await run_in_threadpool(_step, request, actor, code, name, posted, uploads)
    except DossierError as exc:
        flash_error(request, exc)
    else:
        request.session["flash_done"] = name
    return RedirectResponse(back, status_code=303)


def _digits(text: str) -> int | None:
    digits = text.replace(".", "").replace(",", "").replace(" ", "")
    return int(digits) if digits.isdigit() else None


# How a page's form gives each payload field a step may declare (``states.Field``); an empty or
# unreadable value is left out, and the step's guard says what is missing.
FORM_FIELDS: dict[str, Callable[[str], Any]] = {
    "missing": lambda text: [line.strip() for line in text.splitlines() if line.strip()] or None,
    "note": lambda text: text.strip() or None,
    "new_due": lambda text: text.strip() or None,
    "amount_vnd": _digits,
    "user_id": lambda text: int(text) if text.strip().isdigit() else None,
    "proposal": lambda text: text.strip() or None,
}


def _payload(name: str, posted: dict[str, str], uploaded: list[str]) -> dict[str, Any]:
    """The step's payload from its form: the reason, then the fields its declaration names."""
    payload: dict[str, Any] = {}
    if posted.get("reason", "").strip():
        payload["reason"] = posted["reason"].strip()
    for field in STEPS[name].fields:
        value = uploaded or None if field == "documents" else FORM_FIELDS[field](posted.get(field, ""))
        if value is not None:
            payload[field] = value
    return payload


def _step(
    request: Request, actor: Actor, code: str, name: str, posted: dict[str, str], uploads: list[tuple[str, bytes]]
) -> None:
    """The step and the files it brings, as one whole."""
    if name in STEPS and STEPS[name].confirm and posted.get("confirm") != "yes":
        raise DossierError(
            "confirmation_required",
            N_("Tick the box to confirm: {step} cannot be undone."),
            step=gettext_for(language_of(request)).gettext(STEP_NAMES.get(name, name)),
        )
    state = request.app.state
    expected = int(posted["expected_events"]) if posted.get("expected_events", "").isdigit() else None
    with db.transaction(state.session_factory) as s:
        if uploads:
            d = get_dossier(s, code, for_update=True)
            if not can_read(actor, d):
                raise DossierError("unknown_dossier", N_("No dossier with code {code}."), code=code)
        stored = [
            add_attachment(s, state.storage, actor, get_dossier(s, code), n, data, "applicant", now()).name
            for n, data in uploads
        ]
        payload = _payload(name, posted, stored)
        act(s, actor, code, name, now(), state.calendars.for_session(s), payload, expected)


@router.get("/dossiers/{code}/files/{attachment_id}", response_model=None)
def download(
    request: Request, code: str, attachment_id: Annotated[int, Path(ge=1, le=2**31 - 1)], view: int = 0
) -> Response:
    """A file of the dossier: downloaded, or (``view=1``) shown in the browser; only PDF, JPEG and
    PNG are ever stored (sniffed on upload), and a shown file runs nothing (a sandbox CSP)."""
    actor = current_actor(request)
    if actor is None:
        return RedirectResponse("/signin", status_code=303)
    try:
        with request.app.state.session_factory() as s:
            d = get_dossier(s, code)
            row, data = read_attachment(s, request.app.state.storage, actor, d, attachment_id)
    except DossierError:
        return render(request, "not_found.html", status_code=404)
    response = attachment_response(row, data)
    if view:
        response.headers["Content-Disposition"] = "inline"
        response.headers["Content-Security-Policy"] = "sandbox; default-src 'none'; img-src 'self'; object-src 'self'"
    return response


@router.get("/work/dossiers/{code}/preview", response_model=None)
def preview(request: Request, code: str, outcome: str = "approved", reason: str = "") -> Response:
    """The result as it will be issued, before the leader signs: rendered, marked as a preview, neither
    signed nor kept."""
    from motcua.documents.service import preview_result

    actor = current_actor(request)
    if actor is None or actor.role not in ("processing_officer", "leader"):
        return RedirectResponse(f"/signin?next=/work/dossiers/{code}", status_code=303)
    try:
        with request.app.state.session_factory() as s:
            d = readable(s, actor, code)
            if d is None:
                return render(request, "not_found.html", status_code=404)
            data = preview_result(s, actor, d, "refused" if outcome == "refused" else "approved", reason[:4000], now())
    except DossierError as exc:
        flash_error(request, exc)
        return RedirectResponse(f"/work/dossiers/{code}", status_code=303)
    return Response(
        data,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'inline; filename="preview-{code}.pdf"',
            "Cache-Control": "private, no-store",
            "X-Content-Type-Options": "nosniff",
        },
    )
