"""``deliverDossier``: a dossier submitted online at the national node goes to the province competent
for it, through the outbox; the province gives it its own code and reports every change back.

National side: ``deliver_online`` checks what the national node can check (applicant, subject commune,
procedure and form), keeps a mirror under a national reference and queues the delivery; the relay
records the province's code from the acknowledgement (``acknowledged``). Provincial side:
``apply_delivery`` submits the dossier through the same service as every other dossier, once per
reference.
"""

from __future__ import annotations

import hashlib
import os
import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

import httpx
import orjson
from sqlalchemy import select
from sqlalchemy.orm import Session

from motcua import clock
from motcua.accounts.models import User
from motcua.accounts.service import Actor, actor_of, create_user
from motcua.catalog.models import ServiceCentre
from motcua.catalog.routing import CatalogSnapshot, RoutingRefused, subject_province
from motcua.dossiers.attachments import add_attachment, checked_type
from motcua.dossiers.errors import DossierError
from motcua.dossiers.models import Dossier
from motcua.dossiers.service import Applicant, CalendarFor, SubmitRequest, applicant_problems, submit, validate_form
from motcua.dossiers.storage import Storage
from motcua.exchange.inbox import Answer, problem, refused_by_domain, refused_from_national
from motcua.exchange.models import Delivery, DossierMirror, FeedbackMirror, HeldDocument, Member
from motcua.exchange.node import Node
from motcua.exchange.outbox import enqueue, stamp, wall_clock
from motcua.exchange.signing import sign
from motcua.i18n import N_
from motcua.units.address import convert_address

DOCUMENTS = "/exchange/v1/documents"  # where a province fetches the files of a delivered dossier
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
    session: Session,
    actor: Actor,
    req: SubmitRequest,
    at: datetime,
    snapshot: CatalogSnapshot,
    files: list[tuple[str, bytes]] | None = None,
    storage: Storage | None = None,
) -> DossierMirror | None:
    """At the national node: queue the dossier for its province's node and keep its mirror; its files
    are kept here until the province fetches them. None when the province has no node of its own (the
    national node then processes the dossier itself)."""
    problems = applicant_problems(req.applicant)
    commune = req.subject_commune_code
    if not commune:
        converted = convert_address(req.subject_address, clock.local_date(at))
        commune = converted.commune_code
        if commune is None:
            problems.append(f"subject_address: {converted.status} ({converted.reason})")
    if problems:
        raise invalid(problems)
    assert commune is not None
    try:
        province = subject_province(commune, clock.local_date(at))
    except RoutingRefused as exc:
        raise DossierError(exc.code, exc.template, **exc.details) from None
    member = province_member(session, province)
    if member is None:
        return None
    procedure = snapshot.procedures.get(req.procedure_code)
    version = next((v for v in procedure.versions if v.in_force(clock.local_date(at))), None) if procedure else None
    if procedure is None or version is None:
        raise DossierError("unknown_procedure", N_("No procedure with code {procedure}."), procedure=req.procedure_code)
    form_problems = validate_form(version.form_schema, req.form)
    if form_problems:
        raise DossierError(
            "invalid_form", N_("The form has {count} problem(s)."), count=len(form_problems), problems=form_problems
        )
    reference = new_reference(at)
    documents = hold(session, storage, reference, files or [], at)
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
    if documents:
        body["documents"] = documents
    enqueue(session, member.identifier, "deliverDossier", "POST", "/exchange/v1/dossiers", body, at, reference)
    return mirror


def hold(
    session: Session, storage: Storage | None, reference: str, files: list[tuple[str, bytes]], at: datetime
) -> list[dict[str, Any]]:
    """Keep the files of a dossier or a feedback message until its province fetches them; their
    contract descriptions."""
    checked = [(os.path.basename(name)[:200] or "file", data, checked_type(name, data)) for name, data in files]
    if checked and storage is None:
        raise ValueError("files need a storage")
    documents = []
    for name, data, content_type in checked:
        digest = hashlib.sha256(data).hexdigest()
        key = f"exchange/{reference}/{digest}"
        assert storage is not None
        storage.put(key, data)
        session.add(
            HeldDocument(
                reference=reference,
                name=name,
                content_type=content_type,
                size=len(data),
                sha256=digest,
                storage_key=key,
                created_at=at,
            )
        )
        documents.append(
            {
                "name": name,
                "sha256": digest,
                "size": len(data),
                "contentType": content_type,
                "path": f"{DOCUMENTS}/{reference}/{digest}",
            }
        )
    return documents


CLOSED = ("rejected", "stopped", "returned")


def add_documents_online(
    session: Session, actor: Actor, reference: str, files: list[tuple[str, bytes]], storage: Storage, at: datetime
) -> DossierMirror | None:
    """At the national node: files the applicant adds to a dossier delivered to a province, sent after
    the delivery (same dossier, so in order). None if ``reference`` is not such a dossier of theirs."""
    mirror = session.get(DossierMirror, reference)
    if mirror is None or mirror.owner_id != actor.user_id:
        return None
    if mirror.status in CLOSED:
        raise DossierError(
            "dossier_closed", N_("The dossier is closed ({status}); nothing can be added."), status=mirror.status
        )
    documents = hold(session, storage, reference, files, at)
    body = {"reference": reference, "documents": documents}
    enqueue(
        session,
        mirror.member,
        "addDocuments",
        "POST",
        f"/exchange/v1/dossiers/{reference}/documents",
        body,
        at,
        reference,
    )
    return mirror


# What the national node learns from a province's answer to a delivery: the mirror it updates, the
# answer's field with the province's code and the mirror's column that keeps it.
ACKNOWLEDGED: dict[str, tuple[type[DossierMirror] | type[FeedbackMirror], str, str]] = {
    "deliverDossier": (DossierMirror, "dossierCode", "dossier_code"),
    "deliverFeedback": (FeedbackMirror, "feedbackCode", "feedback_code"),
}


def acknowledged(session: Session, operation: str, reference: str, answer: bytes, at: datetime) -> None:
    """The province accepted a delivery: remember its code for the dossier or message (unless a
    status report carrying the reference arrived first and did it)."""
    if operation not in ACKNOWLEDGED:
        return
    model, field, attribute = ACKNOWLEDGED[operation]
    try:
        code = orjson.loads(answer).get(field)
    except (orjson.JSONDecodeError, AttributeError):
        code = None
    mirror: Any = session.get(model, reference)  # either mirror: both have delivered_at
    if mirror is None:
        return
    if code and getattr(mirror, attribute) is None:
        setattr(mirror, attribute, str(code))
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
    return actor_of(user, "exchange")


def fetch_documents(client: httpx.Client, node: Node, sender_url: str, body: bytes) -> dict[str, bytes] | Answer:
    """Before a delivery is applied: fetch the files it lists from the node that sent it (signed
    GETs), each checked against its digest and size. A sender that does not answer gives a 503 (the
    relay tries again later); a file that is not what was announced, a 400."""
    try:
        documents = orjson.loads(body).get("documents") or []
    except (orjson.JSONDecodeError, AttributeError):
        return {}  # the contract check will say what is wrong
    fetched: dict[str, bytes] = {}
    for i, doc in enumerate(documents if isinstance(documents, list) else []):
        path, digest = str(doc.get("path", "")), str(doc.get("sha256", ""))
        if not path.startswith(DOCUMENTS + "/"):
            return problem(
                400,
                "Document without a path",
                errors=[{"location": f"/documents/{i}/path", "message": f"must start with {DOCUMENTS}/"}],
            )
        headers = sign(node.key, node.member, "GET", path, b"")
        try:
            response = client.get(sender_url.rstrip("/") + path, headers=headers, timeout=30)
        except httpx.HTTPError as exc:
            return problem(503, "Document unavailable", f"{path}: {exc.__class__.__name__}")
        if response.status_code >= 500:
            return problem(503, "Document unavailable", f"{path}: HTTP {response.status_code}")
        data = response.content
        if response.status_code != 200 or hashlib.sha256(data).hexdigest() != digest or len(data) != doc.get("size"):
            return problem(
                400,
                "Document not as announced",
                f"{path}: HTTP {response.status_code}, {len(data)} bytes",
                errors=[{"location": f"/documents/{i}", "message": "the file fetched does not match sha256 and size"}],
            )
        fetched[digest] = data
    return fetched


def apply_delivery(
    node: Node,
    sender: str,
    now: datetime,
    snapshot_of: Callable[[Session], CatalogSnapshot],
    calendars_of: Callable[[Session], CalendarFor],
    storage: Storage | None = None,
    fetched: dict[str, bytes] | None = None,
) -> Callable[[Session, Any], Answer]:
    """``deliverDossier`` at a provincial node: the dossier is submitted here, once per reference,
    with the files fetched beforehand (``fetch_documents``)."""

    def apply(session: Session, data: Any) -> Answer:
        refused = refused_from_national("DossierDelivery", "delivery", sender, data)
        if refused is not None:
            return refused
        reference = data["reference"]
        known = session.get(Delivery, reference)
        if known is not None:
            return Answer(200, {"dossierCode": known.dossier_code, "alreadyApplied": True})
        commune = data["subjectCommuneCode"]
        submitted_at = wall_clock(data["submittedAt"])
        try:
            province = subject_province(commune, clock.local_date(submitted_at))
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
        documents = data.get("documents") or []
        if documents and (storage is None or fetched is None):
            return problem(503, "Documents not fetched", "this node could not fetch the dossier's files")
        try:
            actor = portal_actor(session)
            with delivering(session, reference):
                dossier, _ = submit(session, actor, req, submitted_at, snapshot_of(session), calendars_of(session))
            for doc in documents:
                assert storage is not None and fetched is not None
                add_attachment(
                    session, storage, actor, dossier, doc["name"], fetched[doc["sha256"]], "applicant", submitted_at
                )
        except DossierError as exc:
            return refused_by_domain("The dossier is refused", exc)
        session.add(Delivery(reference=reference, sender=sender, dossier_code=dossier.code, received_at=now))
        return Answer(201, {"dossierCode": dossier.code})

    return apply


def apply_files(
    sender: str,
    code: str,
    storage: Storage | None,
    fetched: dict[str, bytes],
    what: str,
    find: Callable[[Session, str], Any],
    attach: Callable[[Session, Storage, Actor, Any, str, bytes], object],
    answer: Callable[[Any], dict[str, Any]],
) -> Callable[[Session, Any], Answer]:
    """``DocumentsAdded`` at a provincial node (``addDocuments``, ``addFeedbackDocuments``): the fetched
    files join the ``what`` delivered under ``code`` (``find``), each attached by the portal's account
    on the sender's behalf (``attach``); ``answer`` gives the case's fields of the acknowledgement."""

    def apply(session: Session, data: Any) -> Answer:
        refused = refused_from_national("DocumentsAdded", "documents", sender, data)
        if refused is not None:
            return refused
        if data["reference"] != code:
            return problem(400, f"Wrong {what}", f"the path names {code}, the body {data['reference']}")
        case = find(session, code)
        if case is None:
            return problem(404, f"No such {what}", f"no {what} was delivered here under {code}")
        if storage is None or any(doc["sha256"] not in fetched for doc in data["documents"]):
            return problem(503, "Documents not fetched", "this node could not fetch the files")
        actor = portal_actor(session)
        try:
            for doc in data["documents"]:
                attach(session, storage, actor, case, doc["name"], fetched[doc["sha256"]])
        except DossierError as exc:
            return problem(409, f"The {what} takes no more files", exc.message)
        return Answer(200, {**answer(case), "added": len(data["documents"])})

    return apply


def apply_documents(
    node: Node,
    sender: str,
    code: str,
    storage: Storage | None,
    fetched: dict[str, bytes],
) -> Callable[[Session, Any], Answer]:
    """``addDocuments`` at a provincial node: the fetched files join the delivered dossier."""

    def find(session: Session, reference: str) -> Dossier | None:
        delivery = session.get(Delivery, reference)
        if delivery is None:
            return None
        return session.scalars(select(Dossier).where(Dossier.code == delivery.dossier_code)).first()

    def attach(session: Session, storage: Storage, actor: Actor, d: Any, name: str, data: bytes) -> object:
        return add_attachment(session, storage, actor, d, name, data, "applicant", _now_vn())

    return apply_files(sender, code, storage, fetched, "dossier", find, attach, lambda d: {"dossierCode": d.code})


def _now_vn() -> datetime:
    return clock.now()
