"""``deliverDossier``: a dossier submitted online at the national node goes to the province competent
for it, through the outbox; the province gives it its own code and reports every change back.

National side: ``deliver_online`` checks what the national node can check (applicant, subject commune,
procedure and form), keeps a mirror under a national reference and queues the delivery; the relay
records the province's code from the acknowledgement (``acknowledged``). Provincial side:
``apply_delivery`` submits the dossier through the same service as every other dossier, once per
reference.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import select
from sqlalchemy.orm import Session

from motcua.accounts.models import User
from motcua.accounts.service import Actor, actor_of, create_user
from motcua.catalog.models import ServiceCentre
from motcua.catalog.routing import CatalogSnapshot, RoutingRefused, subject_province
from motcua.dossiers.errors import DossierError
from motcua.dossiers.service import Applicant, CalendarFor, SubmitRequest, applicant_problems, submit, validate_form
from motcua.exchange.inbox import Answer, contract_errors, problem
from motcua.exchange.models import Delivery, DossierMirror, Member
from motcua.exchange.node import NATIONAL, Node
from motcua.exchange.outbox import VIETNAM, enqueue, stamp
from motcua.i18n import N_
from motcua.units.address import convert_address

PORTAL_ACCOUNT = "national-portal"  # the provincial account that dossiers delivered by the national node belong to
REFERENCE_KEY = "motcua.exchange.reference"  # session.info: the reference of the dossier being delivered


def new_reference(at: datetime) -> str:
    return f"QG-{at:%y%m%d}-{secrets.token_hex(5).upper()}"


def invalid(problems: list[str]) -> DossierError:
    return DossierError(
        "invalid_request", N_("The request is not valid: {count} problem(s)."), count=len(problems), problems=problems
    )


# -- national side --------------------------------------------------------------------------------


def province_member(session: Session, province_code: str) -> Member | None:
    return session.scalars(
        select(Member).where(Member.identifier == f"province-{province_code}", Member.active)
    ).first()


def deliver_online(
    session: Session, actor: Actor, req: SubmitRequest, at: datetime, snapshot: CatalogSnapshot
) -> DossierMirror | None:
    """At the national node: queue the dossier for its province's node and keep its mirror. None when
    the province has no node of its own (the national node then processes the dossier itself)."""
    problems = applicant_problems(req.applicant)
    commune = req.subject_commune_code
    if not commune:
        converted = convert_address(req.subject_address, at.date())
        commune = converted.commune_code
        if commune is None:
            problems.append(f"subject_address: {converted.status} ({converted.reason})")
    if problems:
        raise invalid(problems)
    assert commune is not None
    try:
        province = subject_province(commune, at.date())
    except RoutingRefused as exc:
        raise DossierError(exc.code, exc.template, **exc.details) from None
    member = province_member(session, province)
    if member is None:
        return None
    procedure = snapshot.procedures.get(req.procedure_code)
    version = next((v for v in procedure.versions if v.in_force(at.date())), None) if procedure else None
    if procedure is None or version is None:
        raise DossierError("unknown_procedure", N_("No procedure with code {procedure}."), procedure=req.procedure_code)
    form_problems = validate_form(version.form_schema, req.form)
    if form_problems:
        raise DossierError(
            "invalid_form", N_("The form has {count} problem(s)."), count=len(form_problems), problems=form_problems
        )
    reference = new_reference(at)
    mirror = DossierMirror(
        code=reference,
        dossier_code=None,
        owner_id=actor.user_id,
        member=member.identifier,
        procedure_code=req.procedure_code,
        status="submitted",
        status_code=1,
        last_sequence=0,
        updated_at=at,
    )
    session.add(mirror)
    body: dict[str, Any] = {
        "reference": reference,
        "procedureCode": req.procedure_code,
        "procedureVersion": version.number,
        "channel": "online",
        "submittedAt": stamp(at),
        "applicant": {
            "kind": req.applicant.kind,
            "idNumber": req.applicant.id_number,
            "name": req.applicant.name,
            **({"phone": req.applicant.phone} if req.applicant.phone else {}),
            **({"email": req.applicant.email} if req.applicant.email else {}),
        },
        "subjectCommuneCode": commune,
        "subjectAddress": req.subject_address,
        "form": req.form,
    }
    if req.centre_identifier:
        body["receivingCentre"] = req.centre_identifier
    enqueue(session, member.identifier, "deliverDossier", "POST", "/exchange/v1/dossiers", body, at, reference)
    return mirror


def acknowledged(session: Session, reference: str, answer: bytes, at: datetime) -> None:
    """The province accepted the delivery: remember its code for the dossier (unless a status change
    carrying the reference arrived first and did it)."""
    try:
        code = orjson.loads(answer).get("dossierCode")
    except (orjson.JSONDecodeError, AttributeError):
        code = None
    mirror = session.get(DossierMirror, reference)
    if mirror is None:
        return
    if code and mirror.dossier_code is None:
        mirror.dossier_code = str(code)
    mirror.delivered_at = at


# -- provincial side ------------------------------------------------------------------------------


@contextmanager
def delivering(session: Session, reference: str) -> Iterator[None]:
    """While a delivered dossier is submitted, its first status change carries the reference (the
    delivery row is written after the dossier, once its code is known)."""
    session.info[REFERENCE_KEY] = reference
    try:
        yield
    finally:
        session.info.pop(REFERENCE_KEY, None)


def reference_of(session: Session, dossier_code: str) -> str | None:
    """The national reference of a dossier delivered by the national node (None for the others)."""
    current = session.info.get(REFERENCE_KEY)
    if current is not None:
        return str(current)
    return session.scalars(select(Delivery.reference).where(Delivery.dossier_code == dossier_code)).first()


def portal_actor(session: Session) -> Actor:
    user = session.scalars(select(User).where(User.username == PORTAL_ACCOUNT)).first()
    if user is None:
        user = create_user(session, PORTAL_ACCOUNT, "citizen", full_name="Cổng Dịch vụ công quốc gia")
        session.flush()
    return actor_of(user)


def _moment(value: str) -> datetime:
    moment = datetime.fromisoformat(value)
    return moment.astimezone(VIETNAM).replace(tzinfo=None) if moment.tzinfo else moment


def apply_delivery(
    node: Node,
    sender: str,
    now: datetime,
    snapshot_of: Callable[[Session], CatalogSnapshot],
    calendars_of: Callable[[Session], CalendarFor],
) -> Callable[[Session, Any], Answer]:
    """``deliverDossier`` at a provincial node: the dossier is submitted here, once per reference."""

    def apply(session: Session, data: Any) -> Answer:
        errors = contract_errors("DossierDelivery", data)
        if errors:
            return problem(400, "The delivery does not follow the contract", errors=errors)
        if sender != NATIONAL:
            return problem(403, "Only the national node delivers dossiers", f"{sender} may not deliver dossiers")
        reference = data["reference"]
        known = session.get(Delivery, reference)
        if known is not None:
            return Answer(200, {"dossierCode": known.dossier_code, "alreadyApplied": True})
        commune = data["subjectCommuneCode"]
        submitted_at = _moment(data["submittedAt"])
        try:
            province = subject_province(commune, submitted_at.date())
        except RoutingRefused as exc:
            return problem(400, "Unknown subject commune", exc.template.format(**exc.details))
        if province != node.province_code:
            return problem(
                403, "Not this province", f"commune {commune} is in province {province}, not {node.province_code}"
            )
        centre = (
            data.get("receivingCentre")
            or session.scalars(select(ServiceCentre.identifier).where(ServiceCentre.commune_code == commune)).first()
        )
        if centre is None:
            return problem(400, "No receiving centre", f"no centre receives dossiers of commune {commune} here")
        applicant = data["applicant"]
        req = SubmitRequest(
            procedure_code=data["procedureCode"],
            centre_identifier=centre,
            applicant=Applicant(
                applicant["kind"],
                applicant["idNumber"],
                applicant["name"],
                applicant.get("phone", ""),
                applicant.get("email", ""),
            ),
            form=data["form"],
            subject_commune_code=commune,
            subject_address=data.get("subjectAddress", ""),
            channel=data["channel"],
        )
        try:
            with delivering(session, reference):
                dossier, _ = submit(
                    session, portal_actor(session), req, submitted_at, snapshot_of(session), calendars_of(session)
                )
        except DossierError as exc:
            problems = exc.details.get("problems") or []
            return problem(
                400,
                "The dossier is refused",
                exc.message,
                errors=[
                    {"location": "/" + str(p).split(":", 1)[0].replace(".", "/"), "message": str(p)} for p in problems
                ],
            )
        session.add(Delivery(reference=reference, sender=sender, dossier_code=dossier.code, received_at=now))
        return Answer(201, {"dossierCode": dossier.code})

    return apply
