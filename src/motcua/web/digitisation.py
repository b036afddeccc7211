"""Pages of digitisation and the data store: the reception officer sends a paper component's scans
(read in the background), follows the reading and confirms the fields; the citizen sees and
downloads their store. Thin adapters over ``motcua.digitisation``."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from motcua import clock, db
from motcua.accounts.service import Actor
from motcua.digitisation import jobs
from motcua.digitisation.fields import FIELDS
from motcua.digitisation.models import Digitisation
from motcua.digitisation.store import holdings, read_document
from motcua.digitisation.types import document_types
from motcua.dossiers.attachments import MAX_BYTES
from motcua.dossiers.errors import DossierError
from motcua.dossiers.models import Dossier
from motcua.dossiers.service import get_dossier, readable
from motcua.web.account import current_actor
from motcua.web.rendering import flash_error, render
from motcua.web.security import check_csrf

router = APIRouter(include_in_schema=False)
MAX_SCAN_FILES = 20  # pages sent as separate photos


def _back(code: str) -> str:
    return f"/work/dossiers/{code}#digitisation"


@router.post("/work/dossiers/{code}/digitisations", response_model=None)
async def send_scan(request: Request, code: str) -> Response:
    form = await request.form()
    check_csrf(request, str(form.get("csrf", "")))
    actor = await run_in_threadpool(current_actor, request)
    if actor is None:
        return RedirectResponse("/signin", status_code=303)
    uploads = [f for f in form.getlist("files") if isinstance(f, UploadFile) and f.filename]
    files = [(f.filename or "scan", await f.read(MAX_BYTES + 1)) for f in uploads[:MAX_SCAN_FILES]]
    component = str(form.get("component", "")) or str(form.get("component_other", ""))
    try:
        await run_in_threadpool(_request, request, actor, code, component, files)
    except DossierError as exc:
        flash_error(request, exc)
    else:
        request.session["flash_done"] = "digitise"
    return RedirectResponse(_back(code), status_code=303)


def _request(request: Request, actor: Actor, code: str, component: str, files: list[tuple[str, bytes]]) -> None:
    state = request.app.state
    with db.transaction(state.session_factory) as s:  # a refused scan: nothing stored
        d = get_dossier(s, code, for_update=True)
        jobs.request(s, state.storage, actor, d, component, files, clock.now())


@router.post("/work/dossiers/{code}/digitisations/{job_id}/confirm", response_model=None)
async def confirm_fields(request: Request, code: str, job_id: Annotated[int, Path(ge=1, le=2**31 - 1)]) -> Response:
    form = await request.form()
    check_csrf(request, str(form.get("csrf", "")))
    actor = await run_in_threadpool(current_actor, request)
    if actor is None:
        return RedirectResponse("/signin", status_code=303)
    fields = {k: str(form.get(k, "")) for k in FIELDS}
    try:
        await run_in_threadpool(_confirm, request, actor, code, job_id, fields)
    except DossierError as exc:
        flash_error(request, exc)
    else:
        request.session["flash_done"] = "digitise"
    return RedirectResponse(_back(code), status_code=303)


def _confirm(request: Request, actor: Actor, code: str, job_id: int, fields: dict[str, str]) -> None:
    state = request.app.state
    with db.transaction(state.session_factory) as s:
        d = get_dossier(s, code, for_update=True)
        jobs.confirm(s, state.storage, actor, d, job_id, fields, clock.now(), state.calendars.for_session(s))


@router.get("/work/dossiers/{code}/digitisations.json", response_model=None)
def progress(request: Request, code: str) -> Response:
    """Where each scan of the dossier stands, for the page to follow it without reloading."""
    actor = current_actor(request)
    if actor is None:
        return JSONResponse({"error": "sign in"}, status_code=401)
    with request.app.state.session_factory() as s:
        d = readable(s, actor, code)
        if d is None:
            return JSONResponse({"error": "not found"}, status_code=404)
        rows = s.execute(select(Digitisation.id, Digitisation.status).where(Digitisation.dossier_id == d.id)).all()
    return JSONResponse(
        {"digitisations": [{"id": i, "status": status} for i, status in rows]},
        headers={"Cache-Control": "private, no-store"},
    )


def digitisation_context(session: Any, actor: Actor, d: Dossier, documents: list[dict[str, Any]]) -> dict[str, Any]:
    """What the dossier page's digitisation panel shows (``_digitisation.html``)."""
    from motcua.digitisation.reuse import of_dossier as reused

    components = [str(doc.get("name", "")) for doc in documents if doc.get("section") in ("submit", "show")]
    return {
        "digitisations": jobs.of_dossier(session, d),
        "components": list(dict.fromkeys(c for c in components if c))[:60],
        "can_scan": actor.role in jobs.SCANNERS and actor.unit_code == d.centre_identifier,
        "reused": reused(session, d),
        "max_mb": MAX_BYTES // (1024 * 1024),
    }


@router.get("/my/documents", response_class=HTMLResponse, response_model=None)
def my_documents(request: Request) -> Response:
    actor = current_actor(request)
    if actor is None or actor.role != "citizen":
        return RedirectResponse("/signin?next=/my/documents", status_code=303)
    with request.app.state.session_factory() as s:
        documents = holdings(s, actor.personal_id or "") if actor.personal_id else []
    return render(
        request,
        "my_documents.html",
        documents=documents,
        types=document_types().types,
        has_id=bool(actor.personal_id),
    )


@router.get("/documents/{document_id}/file", response_model=None)
def document_file(request: Request, document_id: Annotated[int, Path(ge=1, le=2**31 - 1)], view: int = 0) -> Response:
    """A stored document: its holder's, or referenced by a dossier of the official's unit."""
    actor = current_actor(request)
    if actor is None:
        return RedirectResponse("/signin", status_code=303)
    state = request.app.state
    try:
        with db.transaction(state.session_factory) as s:
            doc, data = read_document(s, state.storage, state.signing, actor, document_id, clock.now())
            name = f"{doc.doc_type}-{doc.id}.pdf"
    except DossierError:
        return render(request, "not_found.html", status_code=404)
    return Response(
        data,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'{"inline" if view else "attachment"}; filename="{name}"',
            "Cache-Control": "private, no-store",
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "sandbox; default-src 'none'",
        },
    )
