"""Public pages: home and the old→new address converter."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import select
from sqlalchemy.orm import Session

from motcua import clock
from motcua.catalog.models import Procedure, ProcedureVersion
from motcua.dossiers.models import Dossier
from motcua.i18n import N_
from motcua.units import get_registry
from motcua.units.address import MAX_INPUT_CHARS, get_converter
from motcua.web.rendering import render

router = APIRouter(include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
def home(request: Request) -> HTMLResponse:
    counts = get_registry().counts(clock.today())
    return render(request, "home.html", counts=counts)


@router.get("/address", response_class=HTMLResponse)
def address(request: Request, q: str = "") -> HTMLResponse:
    result = None
    too_long = len(q) > MAX_INPUT_CHARS
    if q.strip() and not too_long:
        result = get_converter().convert(q)
    return render(request, "address.html", q=q, result=result, too_long=too_long, max_chars=MAX_INPUT_CHARS)


STATUS_NAMES = {
    "submitted": N_("Submitted, waiting for reception"),
    "accepted": N_("Received"),
    "rejected": N_("Not accepted"),
    "processing": N_("Being processed"),
    "awaiting_signature": N_("Awaiting the leader's signature"),
    "supplement_requested": N_("Documents to supplement"),
    "payment_requested": N_("Fees to pay"),
    "withdrawal_requested": N_("Withdrawal requested"),
    "stopped": N_("Processing stopped"),
    "processed": N_("Processed, result ready"),
    "returned": N_("Result returned"),
}


ROLE_NAMES = {
    "citizen": N_("Applicant"),
    "reception_officer": N_("Reception officer"),
    "processing_officer": N_("Processing officer"),
    "leader": N_("Leader"),
    "supervisor": N_("Supervisor"),
    "inspector": N_("Inspector"),
    "admin": N_("Administrator"),
    "system": N_("System"),
}


def _held_by_a_province(session: Session, code: str) -> tuple[Any, str] | None:
    """At the national node: a dossier delivered to (or reported by) a province, as last reported."""
    from motcua.exchange.lookup import mirror_of

    mirror = mirror_of(session, code)
    if mirror is None:
        return None
    procedure = session.scalars(
        select(ProcedureVersion.name_vi)
        .join(Procedure, Procedure.id == ProcedureVersion.procedure_id)
        .where(Procedure.code == mirror.procedure_code)
        .order_by(ProcedureVersion.number.desc())
    ).first()
    return SimpleNamespace(
        code=mirror.dossier_code or mirror.code,
        status=mirror.status,
        received_on=mirror.received_on,
        due_on=mirror.due_on,
    ), procedure or mirror.procedure_code


def _tracked(s: Session, code: str, language: str) -> tuple[Dossier, str] | None:
    from motcua.catalog.sheet import localized_name

    dossier = s.scalars(select(Dossier).where(Dossier.code == code)).first()
    if dossier is None:
        return None
    version = s.get(ProcedureVersion, dossier.procedure_version_id)
    return dossier, localized_name(version, language)[0] if version else dossier.procedure_code


@router.get("/track", response_class=HTMLResponse)
@router.get("/track/{code}", response_class=HTMLResponse)
def track(request: Request, code: str = "") -> HTMLResponse:
    """Public tracking: status and appointment only, never personal data."""
    from motcua.dossiers.codes import as_typed
    from motcua.i18n import gettext_for
    from motcua.web.rendering import language_of

    code = as_typed(code or request.query_params.get("code", ""))
    dossier = name = status = None
    if code:
        language = language_of(request)
        found: tuple[Any, str] | None = request.app.state.reads.run(
            lambda s: _tracked(s, code, language)  # the replica if any
        )
        node = request.app.state.exchange_node
        if found is None and node is not None and node.is_national:
            with request.app.state.session_factory() as s:
                found = _held_by_a_province(s, code)
        if found is not None:
            dossier, name = found
            status = gettext_for(language_of(request)).gettext(STATUS_NAMES[dossier.status])
    response = render(
        request,
        "track.html",
        code=code,
        dossier=dossier,
        procedure_name=name,
        status_name=status,
        status_code=404 if code and dossier is None else 200,
    )
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response
