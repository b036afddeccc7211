"""REST of digitisation and the data store: a counter sends a paper component's scans (read in the
background), follows the reading and confirms the fields; a citizen lists and downloads their store.
Thin adapters over ``motcua.digitisation``."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Path, Request, UploadFile
from fastapi.responses import Response
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from motcua import clock, db
from motcua.api.dossiers import ActorDep, json_response
from motcua.api.errors import DOCUMENTED, ApiError, domain_error
from motcua.digitisation import jobs
from motcua.digitisation.models import Digitisation, StoredDocument
from motcua.digitisation.store import holdings, read_document
from motcua.dossiers.attachments import MAX_BYTES
from motcua.dossiers.errors import DossierError
from motcua.dossiers.service import get_dossier, readable
from motcua.i18n import N_

router = APIRouter(prefix="/api/v1", tags=["digitisation"], responses=DOCUMENTED)
MAX_SCAN_FILES = 20


class FieldsIn(BaseModel):
    id_number: str | None = Field(None, max_length=20, description="Personal identification number, 12 digits")
    full_name: str | None = Field(None, max_length=200)
    date_of_birth: str | None = Field(None, max_length=10, description="YYYY-MM-DD")
    address: str | None = Field(None, max_length=500)


def job_view(job: Digitisation, with_text: bool = False) -> dict[str, Any]:
    view: dict[str, Any] = {
        "id": job.id,
        "component": job.component,
        "status": job.status,
        "pages": job.pages,
        "attempts": job.attempts,
        "error": job.error_code or None,
        "originals": list(job.originals),
        "pdfa_attachment": job.pdfa_attachment_id,
        "suggestions": list(job.suggestions),
        "confirmed": dict(job.confirmed),
    }
    if with_text:
        view["text"] = job.text
    return view


def document_view(doc: StoredDocument) -> dict[str, Any]:
    return {
        "id": doc.id,
        "type": doc.doc_type,
        "title": doc.title,
        "issuer": {"code": doc.issuer_code, "name": doc.issuer_name},
        "issued_on": doc.issued_on.isoformat(),
        "valid_until": doc.valid_until.isoformat() if doc.valid_until else None,
        "origin": doc.origin,
        "dossier_code": doc.dossier_code,
        "province_code": doc.province_code,
    }


@router.post(
    "/dossiers/{code}/digitisations",
    status_code=202,
    summary="Send a paper component's scans to be read (reception officer of the receiving centre)",
    response_model=None,
)
async def send_scans(
    code: str,
    request: Request,
    actor: ActorDep,
    component: Annotated[str, Form(max_length=500, description="Which component of the dossier it is")],
    files: Annotated[list[UploadFile], File(description="The scanned pages, in order: PDF, JPEG or PNG")],
) -> Response:
    data = [(f.filename or "scan", await f.read(MAX_BYTES + 1)) for f in files[:MAX_SCAN_FILES]]

    def run() -> dict[str, Any]:
        with db.transaction(request.app.state.session_factory) as s:
            d = get_dossier(s, code, for_update=True)
            job = jobs.request(s, request.app.state.storage, actor, d, component, data, clock.now())
            return job_view(job)

    try:
        return json_response(await run_in_threadpool(run), status_code=202)
    except DossierError as exc:
        raise domain_error(exc) from None


@router.get("/dossiers/{code}/digitisations", summary="The scanned components of a dossier and their reading")
def scans(code: str, request: Request, actor: ActorDep, text: bool = False) -> Response:
    with request.app.state.session_factory() as s:
        d = readable(s, actor, code)
        if d is None:
            raise ApiError(404, "unknown_dossier", N_("No dossier with code {code}."), code=code)
        return json_response([job_view(j, with_text=text and actor.role != "citizen") for j in jobs.of_dossier(s, d)])


@router.post(
    "/dossiers/{code}/digitisations/{digitisation_id}/confirm",
    summary="Confirm a read component's fields, as checked against the paper (it is then digitised)",
    response_model=None,
)
def confirm(
    code: str,
    digitisation_id: Annotated[int, Path(ge=1, le=2**31 - 1)],
    body: FieldsIn,
    request: Request,
    actor: ActorDep,
) -> Response:
    try:
        with db.transaction(request.app.state.session_factory) as s:
            d = get_dossier(s, code, for_update=True)
            job = jobs.confirm(
                s,
                request.app.state.storage,
                actor,
                d,
                digitisation_id,
                body.model_dump(exclude_none=True),
                clock.now(),
                request.app.state.calendars.for_session(s),
            )
            return json_response(job_view(job))
    except DossierError as exc:
        raise domain_error(exc) from None


@router.get("/my/documents", summary="The signed-in citizen's store: results issued and papers digitised")
def my_documents(request: Request, actor: ActorDep) -> Response:
    if actor.role != "citizen":
        raise ApiError(
            403, "wrong_role", N_("A {role} cannot {transition}."), role=actor.role, transition="own a store"
        )
    with request.app.state.session_factory() as s:
        found = holdings(s, actor.personal_id) if actor.personal_id else []
        return json_response([document_view(d) for d in found])


@router.get(
    "/documents/{document_id}/file",
    summary="A stored document's PDF (its holder's; officials: referenced by a dossier of their unit)",
    response_model=None,
    responses={200: {"content": {"application/pdf": {}}}},
)
def document_file(document_id: Annotated[int, Path(ge=1, le=2**31 - 1)], request: Request, actor: ActorDep) -> Response:
    state = request.app.state
    try:
        with db.transaction(state.session_factory) as s:
            _doc, data = read_document(s, state.storage, state.signing, actor, document_id, clock.now())
    except DossierError as exc:
        raise domain_error(exc) from None
    return Response(
        data,
        media_type="application/pdf",
        headers={"Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff"},
    )
