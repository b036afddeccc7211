"""Procedure search and pages (public), and the citizen's dossiers: submit, list, follow, download.

Thin adapters over the services: the catalog search, ``route`` for where a procedure is submitted,
``submit`` and ``add_attachment`` in one transaction for a new dossier, ``document`` for the PDFs.
A refused submission shows the form again with everything typed kept and each problem named.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select
from starlette.datastructures import UploadFile

from motcua import clock, db
from motcua.accounts.identity import personal_id_problem
from motcua.accounts.service import Actor
from motcua.api.exchange import exchange_client
from motcua.audit.trail import record
from motcua.catalog.declaration import is_translated
from motcua.catalog.models import ProcedureVersion
from motcua.catalog.nearby import centres_near
from motcua.catalog.routing import CatalogSnapshot, procedure_name, who_decides
from motcua.catalog.search import fields, in_force, search
from motcua.catalog.sheet import localized_name, sheet
from motcua.digitisation.reuse import Offer, asked_kinds, offers
from motcua.digitisation.types import document_types
from motcua.documents.forms import FormName
from motcua.dossiers.attachments import MAX_BYTES, add_attachment
from motcua.dossiers.errors import DossierError
from motcua.dossiers.models import Attachment, Dossier
from motcua.dossiers.service import Applicant, SubmitRequest, readable, submit
from motcua.dossiers.states import STEPS
from motcua.exchange.delivery import deliver_online
from motcua.exchange.documents import Elsewhere, bring, find_elsewhere
from motcua.exchange.models import DossierMirror
from motcua.feedback.service import RATEABLE, rate, rating_of
from motcua.i18n import N_, gettext_for
from motcua.notifications.reading import of_dossier
from motcua.units import get_registry
from motcua.units.address import convert_address
from motcua.web.account import current_actor
from motcua.web.dossier_view import history
from motcua.web.form_errors import field_errors
from motcua.web.rendering import flash_error, language_of, message, render
from motcua.web.routes import ROLE_NAMES, STATUS_NAMES
from motcua.web.schema_form import data_of, fields_of
from motcua.web.security import RateLimit, check_csrf
from motcua.web.work import STEP_NAMES, steps_for

router = APIRouter(include_in_schema=False)
SUBMIT_LIMIT = RateLimit(limit=20, window=3600)  # dossiers per account per hour
MAX_FILES = 10
LEVELS = {"commune": N_("Commune"), "province": N_("Province"), "central": N_("Central")}
DEFAULT_PROVINCE = "79"
SUBMITTERS = ("citizen", "reception_officer")  # online by the applicant, or at the counter


def now() -> datetime:
    return clock.now()


def _snapshot(request: Request) -> CatalogSnapshot:
    snapshot: CatalogSnapshot = request.app.state.snapshots.get()
    return snapshot


def _provinces() -> list[tuple[str, str]]:
    return sorted(((u.code, u.name) for u in get_registry().in_force(clock.today(), "province")), key=lambda p: p[1])


def _sign_in(request: Request) -> Response:
    """To the sign-in page, coming back afterwards to this very page (its query, e.g. the province, kept)."""
    here = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/signin?{urlencode({'next': here})}", status_code=303)


PROCEDURES_PER_PAGE = 30


@router.get("/procedures", response_class=HTMLResponse)
def procedures(
    request: Request,
    q: str = "",
    field: str = "",
    level: str = "",
    counter: int = 0,
    page: Annotated[int, Query(ge=1, le=1000)] = 1,
) -> HTMLResponse:
    snapshot = _snapshot(request)
    language = language_of(request)
    found = search(
        snapshot, q[:200], clock.today(), field=field or None, level=level or None, limit=None, language=language
    )
    start = (page - 1) * PROCEDURES_PER_PAGE
    return render(
        request,
        "procedures.html",
        q=q,
        field=field,
        level=level,
        hits=found[start : start + PROCEDURES_PER_PAGE],
        total=len(found),
        page=page,
        more=len(found) > start + PROCEDURES_PER_PAGE,
        fields=fields(snapshot),
        levels=LEVELS,
        counter=bool(counter),
    )


@router.get("/procedures/{code}", response_class=HTMLResponse)
def procedure(
    request: Request,
    code: str,
    province: Annotated[str, Query(max_length=2)] = "",
    address: Annotated[str, Query(max_length=300)] = "",
    centre_q: Annotated[str, Query(max_length=100)] = "",
) -> HTMLResponse:
    """The procedure as a person reads it before going: what to bring, fees, time limit, who decides
    for them and every centre of their province, nearest first from their address."""
    snapshot = _snapshot(request)
    p = snapshot.procedures.get(code)
    today = clock.today()
    version = in_force(p, today) if p else None
    if p is None or version is None:
        return render(request, "not_found.html", status_code=404)
    province = chosen_province(request, province)
    conversion = convert_address(address, today) if address.strip() else None
    communes: list[str] = []
    if conversion is not None and conversion.commune_code and conversion.province_code:
        communes, province = [conversion.commune_code], conversion.province_code
    elif conversion is not None and conversion.candidates:
        communes = [c.code for c in conversion.candidates]
        province = conversion.candidates[0].province_code
    remember_province(request, province)
    with request.app.state.session_factory() as s:
        row = s.get(ProcedureVersion, version.id)
        info = sheet(row, language_of(request)) if row else None
        steps = row.steps if row else ""
    if info is None:
        return render(request, "not_found.html", status_code=404)
    deciding = who_decides(snapshot, code, province, communes[0] if len(communes) == 1 else None, today)
    centres = centres_near(snapshot, province, communes, centre_q)
    return render(
        request,
        "procedure.html",
        p=p,
        version=version,
        info=info,
        steps=steps,
        deciding=deciding,
        conversion=conversion,
        address=address,
        centre_q=centre_q,
        centres=centres,
        nearest=[] if centre_q else [c for c in centres if c.nearness in ("own_commune", "former_district")][:5],
        province=province,
        province_name=dict(_provinces()).get(province, province),
        provinces=_provinces(),
        levels=LEVELS,
    )


def chosen_province(request: Request, asked: str) -> str:
    """The province asked for, else the one chosen earlier in this session, else the default."""
    known = dict(_provinces())
    if asked in known:
        return asked
    remembered = request.session.get("province") if "session" in request.scope else None
    return remembered if remembered in known else DEFAULT_PROVINCE


def remember_province(request: Request, province: str) -> None:
    """Kept in the session so that signing in or coming back does not lose it."""
    if "session" in request.scope and request.session.get("province") != province:
        request.session["province"] = province


def _held_elsewhere(
    request: Request, session: Any, holder: str, documents: list[dict[str, Any]], offered: list[Offer]
) -> list[Elsewhere]:
    """At a province's node: the holder's documents of the asked kinds in other provinces' stores (through
    the national node), those this province does not already hold."""
    node = request.app.state.exchange_node
    if node is None or node.is_national:
        return []
    held = {o.document.source_ref for o in offered}
    kinds = list(asked_kinds(documents))
    found = find_elsewhere(session, exchange_client(request.app), node, holder, kinds)
    return [e for e in found if e.key not in held]


def _store_holder(actor: Actor, posted: dict[str, str]) -> str:
    """Whose store the form offers: a citizen's own; at the counter, the applicant's once the officer has
    looked it up for the ID number typed (the applicant, present, asks for it), as long as that number
    stays the one looked up."""
    if actor.role == "citizen":
        return actor.personal_id or ""
    typed = posted.get("applicant_id", "").strip()
    asked = posted.get("store_lookup") or posted.get("store_holder") == typed
    if actor.role == "reception_officer" and typed and asked and personal_id_problem(typed) is None:
        return typed
    return ""


def _form_context(request: Request, code: str, province: str, actor: Actor, holder: str = "") -> dict[str, Any] | None:
    snapshot = _snapshot(request)
    p = snapshot.procedures.get(code)
    version = in_force(p, clock.today()) if p else None
    if p is None or version is None:
        return None
    if actor.role == "reception_officer":  # at the counter: the officer's own centre
        centres = [c for c in snapshot.centres.values() if c.identifier == actor.unit_code]
        province = centres[0].province_code if centres else province
    else:
        centres = sorted(
            (c for c in snapshot.centres_in_force(clock.today()) if c.province_code == province),
            key=lambda c: (c.level != "province", c.name),
        )
    language = language_of(request)
    name, name_language = localized_name(version, language)
    offered: list[Offer] = []
    elsewhere: list[Elsewhere] = []
    if holder:  # what the holder's store (and their stores in other provinces) can give this procedure
        with request.app.state.session_factory() as s:
            documents = s.scalar(select(ProcedureVersion.documents).where(ProcedureVersion.id == version.id)) or []
            offered = offers(s, holder, documents, clock.today())
            elsewhere = _held_elsewhere(request, s, holder, documents, offered)
    return {
        "p": p,
        "version": version,
        "name": name,
        "name_language": name_language,
        "form_translated": is_translated(version.form_schema, language),
        "fields": fields_of(version.form_schema, language=language),
        "centres": centres,
        "province": province,
        "provinces": _provinces(),
        "max_mb": MAX_BYTES // (1024 * 1024),
        "counter": actor.role == "reception_officer",
        "offers": offered,
        "elsewhere": elsewhere,
        "store_holder": holder if actor.role == "reception_officer" else "",
        "document_types": document_types().types,
    }


@router.get("/dossiers/new/{code}", response_class=HTMLResponse, response_model=None)
def new_dossier(request: Request, code: str, province: str = "") -> Response:
    actor = current_actor(request)
    if actor is None or actor.role not in SUBMITTERS:
        return _sign_in(request)
    province = chosen_province(request, province)
    remember_province(request, province)
    context = _form_context(request, code, province, actor, _store_holder(actor, {}))
    if context is None:
        return render(request, "not_found.html", status_code=404)
    return render(request, "new_dossier.html", values={}, problems=[], error=None, **context)


@router.post("/dossiers/new/{code}", response_class=HTMLResponse, response_model=None)
async def submit_dossier(request: Request, code: str) -> Response:
    form = await request.form()
    check_csrf(request, str(form.get("csrf", "")))
    actor = await _run(current_actor, request)
    if actor is None or actor.role not in SUBMITTERS:
        return _sign_in(request)
    posted = {k: v for k, v in form.items() if isinstance(v, str)}
    channels = [c for c in form.getlist("notify") if isinstance(c, str)][:3]
    reuse = [int(r) for r in form.getlist("reuse") if isinstance(r, str) and r.isdigit()][:20]
    brought = [r for r in form.getlist("reuse_elsewhere") if isinstance(r, str)][:20]
    files = [f for f in form.getlist("files") if isinstance(f, UploadFile) and f.filename]
    uploads = [(f.filename or "file", await f.read(MAX_BYTES + 1)) for f in files[:MAX_FILES]]
    holder = _store_holder(actor, posted)
    context = await _run(_form_context, request, code, posted.get("province", DEFAULT_PROVINCE), actor, holder)
    if context is None:
        return render(request, "not_found.html", status_code=404)
    if posted.get("store_lookup") and actor.role == "reception_officer":
        looked: Response = await _run(_looked_up, request, actor, code, {**posted, "notify": channels}, context)
        return looked
    if not SUBMIT_LIMIT.allow(f"user:{actor.user_id}"):
        error = N_("Too many dossiers sent in an hour from this account. Try again later.")
        return render(request, "new_dossier.html", 429, values=posted, problems=[], error=error, **context)
    schema = context["version"].form_schema
    result = await _run(_create, request, actor, code, posted, uploads, schema, channels, reuse, brought, holder)
    if isinstance(result, DossierError):
        details = {k: v for k, v in result.details.items() if k != "problems"}
        problems = [str(p) for p in result.details.get("problems", [])]
        error = message(request, result.template, **details)
        values = {**posted, "notify": channels, "reuse": [str(r) for r in reuse], "reuse_elsewhere": brought}
        translate = gettext_for(language_of(request)).gettext
        told = field_errors(schema, data_of(schema, posted), context["fields"], problems, translate)
        return render(
            request,
            "new_dossier.html",
            422,
            values=values,
            problems=[*told.summary, *told.untold],
            field_errors=told.by_name,
            error=error,
            **context,
        )
    if result.startswith("track:"):  # delivered to its province by the national node
        return RedirectResponse(f"/track/{result.removeprefix('track:')}", status_code=303)
    if actor.role == "citizen":
        return RedirectResponse(f"/my/dossiers/{result}?sent=1", status_code=303)
    request.session["flash_done"] = "receive"
    return RedirectResponse(f"/work/dossiers/{result}", status_code=303)


def _looked_up(request: Request, actor: Actor, code: str, values: dict[str, Any], context: dict[str, Any]) -> Response:
    """At the counter: the form again, with what the applicant's store holds for this procedure (or why
    it could not be looked up). Each look-up is in the audit trail, by whom and for which procedure."""
    typed = str(values.get("applicant_id", "")).strip()
    if personal_id_problem(typed) is not None:
        asked = N_("Enter the applicant's 12-digit ID number, as printed on their ID card, to look up their store.")
        text = message(request, asked)
        return render(
            request,
            "new_dossier.html",
            422,
            values=values,
            problems=[(text, "applicant_id")],
            field_errors={"applicant.id_number": text},
            error=message(request, N_("The applicant's store could not be looked up")),
            **context,
        )
    with db.transaction(request.app.state.session_factory) as s:
        record(
            s,
            "store.lookup",
            actor_id=actor.user_id,
            actor_role=actor.role,
            channel="web",
            subject=code,
            details={"offered": len(context["offers"]) + len(context["elsewhere"])},
        )
    return render(request, "new_dossier.html", values=values, problems=[], error=None, looked_up=True, **context)


def _bring(request: Request, holder: str, code: str, keys: list[str]) -> list[int]:
    """The chosen documents of other provinces' stores, fetched and kept here; their ids in this store."""
    state = request.app.state
    client = exchange_client(request.app)
    with db.transaction(state.session_factory) as s:
        snapshot = state.snapshots.get(s)
        version = in_force(snapshot.procedures[code], clock.today()) if code in snapshot.procedures else None
        documents = (
            s.scalar(select(ProcedureVersion.documents).where(ProcedureVersion.id == version.id)) if version else []
        ) or []
        found = {e.key: e for e in find_elsewhere(s, client, state.exchange_node, holder, list(asked_kinds(documents)))}
        ids = []
        for key in keys:
            if key not in found:
                raise DossierError(
                    "reuse_not_yours",
                    N_("Document {id} is not in the applicant's store: only their own documents can be reused."),
                    id=key,
                )
            ids.append(bring(s, state.storage, client, state.exchange_node, holder, found[key]).id)
        return ids


async def _run(fn: Any, *args: Any) -> Any:
    from starlette.concurrency import run_in_threadpool

    return await run_in_threadpool(fn, *args)


def _create(
    request: Request,
    actor: Actor,
    code: str,
    posted: dict[str, str],
    uploads: list[tuple[str, bytes]],
    schema: dict[str, Any],
    channels: list[str],
    reuse: list[int],
    brought: list[str],
    holder: str,
) -> str | DossierError:
    """Submit, then attach the files, as one whole: a file refused means no dossier at all. Documents
    the applicant chose from another province's store are fetched first (through the national node)."""
    req = SubmitRequest(
        procedure_code=code,
        centre_identifier=posted.get("centre", ""),
        applicant=Applicant(
            kind="citizen",
            id_number=posted.get("applicant_id", "").strip(),
            name=posted.get("applicant_name", "").strip(),
            phone=posted.get("applicant_phone", "").strip(),
            email=posted.get("applicant_email", "").strip(),
            channels=list(channels),
        ),
        language=language_of(request),
        form=data_of(schema, posted),
        subject_address=posted.get("subject_address", "").strip(),
        channel=posted.get("channel", "in_person") if actor.role == "reception_officer" else "online",
        idempotency_key=posted.get("draft_id") or None,
        reuse=reuse,
    )
    state = request.app.state
    factory = state.session_factory
    node = state.exchange_node
    try:
        if brought and holder and node is not None and not node.is_national:
            req.reuse = [*req.reuse, *_bring(request, holder, code, brought)]
        if node is not None and node.is_national and actor.role == "citizen":
            with db.transaction(factory) as s:
                delivered = deliver_online(s, actor, req, now(), state.snapshots.get(s), uploads, state.storage)
                if delivered is not None:
                    return f"track:{delivered.code}"
        with db.transaction(factory) as s:
            dossier, created = submit(s, actor, req, now(), state.snapshots.get(s), state.calendars.for_session(s))
            if created:
                for name, data in uploads:
                    kind = "applicant" if actor.role == "citizen" else "scan"
                    add_attachment(s, state.storage, actor, dossier, name, data, kind, now())
            return dossier.code
    except DossierError as exc:
        return exc


@router.get("/my/dossiers", response_class=HTMLResponse, response_model=None)
def my_dossiers(request: Request) -> Response:
    actor = current_actor(request)
    if actor is None:
        return _sign_in(request)
    with request.app.state.session_factory() as s:
        query = select(Dossier).where(Dossier.owner_id == actor.user_id)
        if actor.personal_id:
            query = select(Dossier).where(
                (Dossier.owner_id == actor.user_id) | (Dossier.applicant_id_number == actor.personal_id)
            )
        rows = s.scalars(query.order_by(Dossier.submitted_at.desc(), Dossier.id.desc()).limit(200)).all()
        delivered = (
            s.scalars(
                select(DossierMirror)
                .where(DossierMirror.owner_id == actor.user_id)
                .order_by(DossierMirror.updated_at.desc())
                .limit(200)
            ).all()
            if request.app.state.exchange_node is not None
            else []
        )
        snapshot = request.app.state.snapshots.get(s)
    language = language_of(request)
    names = {code: procedure_name(snapshot, code, language) for code in {d.procedure_code for d in rows}}
    return render(
        request, "my_dossiers.html", dossiers=rows, delivered=delivered, procedures=names, status_names=STATUS_NAMES
    )


@router.get("/my/dossiers/{code}", response_class=HTMLResponse, response_model=None)
def my_dossier(request: Request, code: str, sent: int = 0) -> Response:
    actor = current_actor(request)
    if actor is None:
        return _sign_in(request)
    with request.app.state.session_factory() as s:
        d = readable(s, actor, code)
        if d is None:
            return render(request, "not_found.html", status_code=404)
        attachments = s.scalars(select(Attachment).where(Attachment.dossier_id == d.id).order_by(Attachment.id)).all()
        version = s.get(ProcedureVersion, d.procedure_version_id)
        events = list(d.events)
        rating = rating_of(s, d)
        notifications = of_dossier(s, d.code)
        rateable = actor.role == "citizen" and d.status in RATEABLE and rating is None
        snapshot = request.app.state.snapshots.get(s)
    translate = gettext_for(language_of(request)).gettext
    units = {e.actor_unit: snapshot.unit_name(e.actor_unit) for e in events if e.actor_unit}
    steps_taken = history(events, {}, units, {k: translate(v) for k, v in ROLE_NAMES.items()}, show_names=False)
    documents: list[FormName] = ["receipt"] if d.received_on else []
    if d.outcome == "approved":
        documents.append("result")
    return render(
        request,
        "my_dossier.html",
        d=d,
        notifications=notifications,
        events=events,
        history=steps_taken,
        attachments=attachments,
        procedure_name=localized_name(version, language_of(request))[0] if version else d.procedure_code,
        status_names=STATUS_NAMES,
        documents=documents,
        sent=bool(sent),
        rating=rating.value if rating else None,
        rateable=rateable,
        steps=steps_for(actor, d),
        step_names=STEP_NAMES,
        declared=STEPS,
        officials=[],
        error=request.session.pop("flash_error", None),
        done=request.session.pop("flash_done", None),
    )


@router.get("/my/dossiers/{code}/documents/{form}", response_model=None)
def my_document(request: Request, code: str, form: FormName) -> Response:
    from motcua.documents.service import document

    actor = current_actor(request)
    if actor is None:
        return _sign_in(request)
    try:
        with db.transaction(request.app.state.session_factory) as s:
            d = readable(s, actor, code)
            if d is None:
                return render(request, "not_found.html", status_code=404)
            data = document(s, request.app.state.storage, request.app.state.signing, actor, d, form, now())
    except DossierError:
        return render(request, "not_found.html", status_code=404)
    return Response(
        data,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="{form}-{code}.pdf"',
            "Cache-Control": "private, no-store",
        },
    )


@router.post("/my/dossiers/{code}/rating", response_model=None)
def rate_dossier(
    request: Request,
    code: str,
    value: Annotated[str, Form(max_length=12)] = "",
    comment: Annotated[str, Form(max_length=2000)] = "",
    csrf: Annotated[str, Form()] = "",
) -> Response:
    check_csrf(request, csrf)
    actor = current_actor(request)
    if actor is None:
        return _sign_in(request)
    try:
        with db.transaction(request.app.state.session_factory) as s:
            d = s.scalars(select(Dossier).where(Dossier.code == code)).first()
            if d is None:
                return render(request, "not_found.html", status_code=404)
            rate(s, actor, d, value, comment, now())
    except DossierError as exc:
        flash_error(request, exc)
    else:
        request.session["flash_done"] = "rate"
    return RedirectResponse(f"/my/dossiers/{code}", status_code=303)
