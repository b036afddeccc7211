"""Feedback pages: a citizen files feedback and follows it; anyone tracks a message by its code
(no personal data); an agency's officials work through their queue and take each step."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select
from starlette.datastructures import UploadFile as StarletteUpload

from motcua import clock, db
from motcua.api.dossiers import attachment_response
from motcua.api.feedback import tracked
from motcua.dossiers.attachments import MAX_BYTES
from motcua.dossiers.errors import DossierError
from motcua.exchange import feedback as exchange
from motcua.feedback import messages as fb
from motcua.feedback.attachments import MAX_FILES, add_file, files_of, read_file
from motcua.feedback.labels import ABOUT_NAMES, DECLINE_NAMES, STATUS_NAMES, STEP_NAMES
from motcua.feedback.models import FeedbackMessage
from motcua.feedback.published import published
from motcua.feedback.states import DECLINE_REASONS, TRANSITIONS
from motcua.i18n import N_, gettext_for
from motcua.web.account import current_actor
from motcua.web.form_errors import FEEDBACK_FIELDS, known_field_errors
from motcua.web.rendering import flash_error, language_of, message, render
from motcua.web.security import check_csrf

router = APIRouter(include_in_schema=False)
WORK_ROLES = ("processing_officer", "leader")
QUEUE_VIEWS = {"open": N_("Open"), "new": N_("New"), "due_soon": N_("Due within a week"), "overdue": N_("Overdue")}
FIELDS = ("about", "about_ref", "commune_code", "place_address", "title", "body", "name", "address", "phone", "email")


def _names() -> dict[str, Any]:
    return {
        "status_names": STATUS_NAMES,
        "step_names": STEP_NAMES,
        "about_names": ABOUT_NAMES,
        "decline_reasons": DECLINE_REASONS,
        "decline_names": DECLINE_NAMES,
        "transitions": TRANSITIONS,
    }


@router.get("/feedback", response_class=HTMLResponse, response_model=None)
def feedback_home(request: Request, code: Annotated[str, Query(max_length=40)] = "") -> Response:
    if code.strip():
        return RedirectResponse(f"/feedback/track/{code.strip().upper()}", status_code=303)
    actor = current_actor(request)
    mine: list[Any] = []
    if actor is not None and actor.role == "citizen":
        with request.app.state.session_factory() as s:
            mine = list(s.scalars(fb.visible(actor).order_by(FeedbackMessage.id.desc()).limit(50)))
            mine += exchange.mirrors_of(s, actor)  # at the national node: those delivered to a province
    return render(request, "feedback_home.html", mine=mine, **_names())


@router.get("/feedback/answers", response_class=HTMLResponse, response_model=None)
def feedback_answers(
    request: Request,
    q: Annotated[str, Query(max_length=200)] = "",
    province: Annotated[str, Query(max_length=2)] = "",
) -> Response:
    with request.app.state.session_factory() as s:
        node = request.app.state.exchange_node
        listed = exchange.published_here if node is not None and node.is_national else published
        found = listed(s, q, province=province or None, limit=50)
    return render(request, "feedback_answers.html", found=found, q=q, province=province, **_names())


@router.get("/feedback/new", response_class=HTMLResponse, response_model=None)
def feedback_form(request: Request) -> Response:
    actor = current_actor(request)
    if actor is None:
        return RedirectResponse("/signin?next=/feedback/new", status_code=303)
    return render(request, "feedback_new.html", values={"about": "agency"}, problems=[], **_names())


@router.post("/feedback/new", response_class=HTMLResponse, response_model=None)
async def feedback_file(request: Request) -> Response:
    form = await request.form()
    check_csrf(request, str(form.get("csrf", "")))
    actor = current_actor(request)
    if actor is None:
        return RedirectResponse("/signin?next=/feedback/new", status_code=303)
    values = {k: str(form.get(k, ""))[:10_000] for k in FIELDS}
    sender = fb.Sender(values["name"], values["address"], values["phone"], values["email"] or None, "show_name" in form)
    channel = "online" if actor.role == "citizen" else str(form.get("channel", "counter"))
    req = fb.FeedbackRequest(
        about=values["about"],
        title=values["title"],
        body=values["body"],
        sender=sender,
        about_ref=values["about_ref"],
        commune_code=values["commune_code"].strip() or None,
        place_address=values["place_address"],
        channel=channel,
        language=language_of(request),
    )
    problems: list[str | tuple[str, str]] = []  # a text, or (text, the field it links to)
    field_errors: dict[str, str] = {}
    uploads = [u for u in form.getlist("files") if isinstance(u, StarletteUpload) and u.filename]
    files = [(u.filename or "file", await u.read(MAX_BYTES + 1)) for u in uploads[: MAX_FILES + 1]]
    node = request.app.state.exchange_node
    try:
        with db.transaction(request.app.state.session_factory) as s:  # a refused file: nothing is filed
            now = clock.now()
            if node is not None and node.is_national and actor.role == "citizen":
                mirror = exchange.file_at_national(s, actor, req, now, files, request.app.state.storage)
                if mirror is not None:  # the province's node answers it
                    return RedirectResponse(f"/feedback/track/{mirror.code}?filed=1", status_code=303)
            m = fb.file_feedback(
                s,
                actor,
                req,
                now,
                request.app.state.calendars.for_session(s),
                request.app.state.snapshots.get(s),
            )
            for name, data in files:
                add_file(s, request.app.state.storage, actor, m, name, data, now)
            code = m.code
    except DossierError as exc:  # each problem at its field, or the one error
        found = [str(p) for p in exc.details.get("problems", [])] or [exc.code]
        told = known_field_errors(found, FEEDBACK_FIELDS, gettext_for(language_of(request)).gettext)
        field_errors = told.by_name
        problems = [*told.summary, *(message(request, exc.template, **exc.details) for _ in told.untold[:1])]
    if problems:  # what the sender typed is kept
        return render(
            request,
            "feedback_new.html",
            status_code=422,
            values=values,
            problems=problems,
            field_errors=field_errors,
            **_names(),
        )
    return RedirectResponse(f"/feedback/track/{code}?filed=1", status_code=303)


@router.get("/feedback/track/{code}", response_class=HTMLResponse, response_model=None)
def feedback_track(request: Request, code: str) -> Response:
    with request.app.state.session_factory() as s:
        found = tracked(s, code)
        if found is None:
            return render(request, "not_found.html", status_code=404)
        m, seen = found
        actor = current_actor(request)
        mine = m is not None and actor is not None and actor.role == "citizen" and fb.can_read(actor, m)
        steps = fb.allowed_steps(actor, m) if m is not None and actor is not None and actor.role == "citizen" else []
        files = files_of(s, m) if mine and m is not None else []
        if m is None and actor is not None:  # at the national node: the sender's own delivered message
            mirror = exchange.mirror_of(s, actor, seen["code"])
            steps = exchange.sender_steps(mirror) if mirror is not None else []
    return render(
        request,
        "feedback_track.html",
        m=seen,
        steps=steps,
        files=files,
        filed=request.query_params.get("filed") == "1",
        sent=request.query_params.get("sent") == "1",
        error=request.session.pop("flash_error", None),
        **_names(),
    )


@router.get("/work/feedback", response_class=HTMLResponse, response_model=None)
def feedback_queue(
    request: Request,
    view: Annotated[str, Query(max_length=12)] = "open",
    about: Annotated[str, Query(max_length=12)] = "",
) -> Response:
    actor = current_actor(request)
    if actor is None:
        return RedirectResponse("/signin?next=/work/feedback", status_code=303)
    if actor.role not in (*WORK_ROLES, "supervisor", "admin"):
        return render(request, "not_found.html", status_code=404)
    today = clock.today()
    view = view if view in QUEUE_VIEWS else "open"
    about = about if about in fb.ABOUT else ""
    with request.app.state.session_factory() as s:
        items = list(s.scalars(fb.queue(actor, view, today, about or None).limit(200)))
    return render(
        request, "feedback_queue.html", items=items, view=view, about=about, views=QUEUE_VIEWS, today=today, **_names()
    )


@router.get("/work/feedback/{code}", response_class=HTMLResponse, response_model=None)
def feedback_work(request: Request, code: str) -> Response:
    actor = current_actor(request)
    if actor is None:
        return RedirectResponse(f"/signin?next=/work/feedback/{code}", status_code=303)
    with request.app.state.session_factory() as s:
        m = s.scalar(select(FeedbackMessage).where(FeedbackMessage.code == code))
        if m is None or actor.role == "citizen" or not fb.can_read(actor, m):
            return render(request, "not_found.html", status_code=404)
        events = list(m.events)
        steps = fb.allowed_steps(actor, m)
        return render(
            request,
            "feedback_work.html",
            m=m,
            events=events,
            files=files_of(s, m),
            steps=steps,
            error=request.session.pop("flash_error", None),
            **_names(),
        )


@router.post("/feedback/{code}/steps/{step}", response_model=None)
async def feedback_step(request: Request, code: str, step: str, csrf: Annotated[str, Form()] = "") -> Response:
    check_csrf(request, csrf)
    actor = current_actor(request)
    if actor is None:
        return RedirectResponse("/signin", status_code=303)
    form = await request.form()
    names = (
        "reason",
        "kind",
        "where",
        "agency",
        "original",
        "info",
        "answer",
        "public_question",
        "value",
        "title",
        "body",
    )
    payload = {k: str(form[k])[:10_000] for k in names if str(form.get(k, "")).strip()}
    back = f"/feedback/track/{code}" if actor.role == "citizen" else f"/work/feedback/{code}"
    node = request.app.state.exchange_node
    try:
        with db.transaction(request.app.state.session_factory) as s:
            national = node is not None and node.is_national and actor.role == "citizen"
            if national and exchange.step_at_national(s, actor, code, step, payload, clock.now()) is not None:
                return RedirectResponse(back + "?sent=1", status_code=303)
            fb.act(s, actor, code, step, clock.now(), request.app.state.calendars.for_session(s), payload)
    except DossierError as exc:
        flash_error(request, exc)
    return RedirectResponse(back, status_code=303)


@router.get("/feedback/{code}/files/{file_id}", response_model=None)
def feedback_file_download(request: Request, code: str, file_id: int) -> Response:
    """A file sent with feedback, for its sender and the agency's staff (signed in)."""
    actor = current_actor(request)
    if actor is None:
        return RedirectResponse(f"/signin?next=/feedback/track/{code}", status_code=303)
    try:
        with request.app.state.session_factory() as s:
            row, data = read_file(s, request.app.state.storage, actor, fb.get_message(s, code), file_id)
    except DossierError:
        return render(request, "not_found.html", status_code=404)
    return attachment_response(row, data)
