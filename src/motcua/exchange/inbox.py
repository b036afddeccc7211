"""The receiving side: a verified message is checked against the contract, applied once (the inbox
remembers each (sender, message id) with its answer) and in order (a dossier's status changes carry
increasing sequences; a gap is answered 409 and the sender retries)."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from typing import Any

import orjson
from jsonschema import Draft202012Validator, FormatChecker
from sqlalchemy import select
from sqlalchemy.orm import Session

from motcua import db
from motcua.dossiers.errors import DossierError
from motcua.exchange.contract import contract
from motcua.exchange.models import DossierMirror, InboxMessage
from motcua.exchange.node import NATIONAL
from motcua.exchange.outbox import wall_clock


@dataclass
class Answer:
    status: int
    body: dict[str, Any] = field(default_factory=dict)


def problem(status: int, title: str, detail: str = "", errors: list[dict[str, str]] | None = None) -> Answer:
    body: dict[str, Any] = {"type": "about:blank", "title": title, "status": status}
    if detail:
        body["detail"] = detail
    if errors:
        body["errors"] = errors
    return Answer(status, body)


@cache
def _validator(name: str) -> Draft202012Validator:
    root = {"$ref": f"#/components/schemas/{name}", "components": contract()["components"]}
    return Draft202012Validator(root, format_checker=FormatChecker())


def contract_errors(name: str, data: Any) -> list[dict[str, str]]:
    """Where ``data`` breaks the contract's schema ``name`` (JSON pointers)."""
    return [
        {"location": "/" + "/".join(str(p) for p in e.absolute_path), "message": e.message}
        for e in sorted(_validator(name).iter_errors(data), key=lambda e: list(e.absolute_path))
    ]


def refused_by_domain(title: str, exc: DossierError) -> Answer:
    """A 400 for a message the domain refused, each of its problems located by the field it names
    (``"form.child_name: ..."`` → ``/form/child_name``)."""
    problems = exc.details.get("problems") or []
    errors = [{"location": "/" + str(p).split(":", 1)[0].replace(".", "/"), "message": str(p)} for p in problems]
    return problem(400, title, exc.message, errors=errors)


def refused_for_case(schema: str, what: str, data: Any, case: str, field: str, named: str) -> Answer | None:
    """The first checks of a message about one case: the contract, then the case its path names."""
    errors = contract_errors(schema, data)
    if errors:
        return problem(400, f"The {what} does not follow the contract", errors=errors)
    if data[field] != named:
        return problem(400, f"Wrong {case}", f"the path names {named}, the body {data[field]}")
    return None


def refused_from_national(schema: str, what: str, sender: str, data: Any) -> Answer | None:
    """The first checks of a message only the national node sends: the contract, then the sender."""
    errors = contract_errors(schema, data)
    if errors:
        return problem(400, f"The {what} does not follow the contract", errors=errors)
    if sender != NATIONAL:
        return problem(403, f"Only the national node sends the {what}", f"{sender} may not")
    return None


def receive(
    session: Session, sender: str, message_id: str, operation: str, body: bytes, now: datetime, apply: Any
) -> tuple[Answer, bool]:
    """Apply a message once: ``apply(session, data) -> Answer``. Returns the answer and whether it is a
    duplicate. A refused message (4xx) is not remembered: once mended, it may be sent again."""
    digest = hashlib.sha256(body).hexdigest()
    db.lock_for_write(session)  # on SQLite, a real transaction around the savepoint below
    seen = session.scalars(
        select(InboxMessage).where(InboxMessage.sender == sender, InboxMessage.message_id == message_id)
    ).first()
    if seen is not None:
        if seen.body_sha256 != digest:
            return problem(
                401, "Replayed message", f"message {message_id} was already received with another body"
            ), False
        return Answer(200, {**seen.answer, "duplicate": True}), True  # the contract: 200, whatever the first was
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        return problem(400, "Not JSON", str(exc)), False
    savepoint = session.begin_nested()  # a refusal leaves nothing behind
    answer = apply(session, data)
    if answer.status >= 400:
        savepoint.rollback()
    else:
        savepoint.commit()
        answer.body.setdefault("messageId", message_id)
        answer.body.setdefault("duplicate", False)
        session.add(
            InboxMessage(
                sender=sender,
                message_id=message_id,
                operation=operation,
                dossier_code=answer.body.get("dossierCode"),
                sequence=data.get("sequence") if isinstance(data, dict) else None,
                body_sha256=digest,
                status=answer.status,
                answer=answer.body,
                received_at=now,
            )
        )
    return answer, False


def _holder_of(session: Session, code: str) -> str | None:
    """The member whose centre received dossier ``code`` (``<centre>-YYMMDD-NNNN``)."""
    from motcua.catalog.models import ServiceCentre

    centre = code.rsplit("-", 2)[0] if code.count("-") >= 2 else ""
    province = session.scalar(select(ServiceCentre.province_code).where(ServiceCentre.identifier == centre))
    if province is None:  # a centre this node does not list: the identifier standard ends with H<province>
        suffix = re.search(r"\.H(\d{2})$", centre)
        province = suffix.group(1) if suffix else None
    return f"province-{province}" if province else None


def apply_status(sender: str, code: str, now: datetime) -> Any:
    """``reportStatus`` at the national node: the mirror of the dossier moves to the reported state."""

    def apply(session: Session, data: Any) -> Answer:
        refused = refused_for_case("StatusChange", "status change", data, "dossier", "dossierCode", code)
        if refused is not None:
            return refused
        mirror = session.scalars(
            select(DossierMirror).where(DossierMirror.dossier_code == code).with_for_update()
        ).first()
        reference = data.get("reference")
        if mirror is None and reference:
            # The first change of a dossier delivered by this node: it names the national reference.
            mirror = session.get(DossierMirror, reference, with_for_update=True)
            if mirror is None:
                return problem(404, "No such dossier", f"no dossier was delivered under the reference {reference}")
            if mirror.dossier_code not in (None, code):
                return problem(409, "Another dossier", f"{reference} is {mirror.dossier_code} at {mirror.member}")
        if mirror is not None and mirror.member != sender:
            return problem(403, "Not your dossier", f"{code} is held by {mirror.member}, not {sender}")
        last = mirror.last_sequence if mirror else 0
        sequence = int(data["sequence"])
        if sequence <= last:
            return Answer(200, {"dossierCode": code, "alreadyApplied": True})
        if sequence != last + 1:
            return problem(
                409, "Out of order", f"{code}: sequence {sequence} arrived after {last}; send {last + 1} first"
            )
        if mirror is None:  # a dossier received at the province's own counter: its code names its centre
            holder = _holder_of(session, code)
            if holder != sender:
                return problem(403, "Not your dossier", f"{code} was not received by a centre of {sender}")
            mirror = DossierMirror(code=code, member=sender, procedure_code=str(data.get("procedureCode", "")))
            session.add(mirror)
        mirror.dossier_code = code
        mirror.status, mirror.status_code, mirror.last_sequence = data["status"], data["statusCode"], sequence
        mirror.received_on = _day(data.get("receivedOn"))
        mirror.due_on = _day(data.get("dueOn"))
        mirror.finished_at = _moment(data.get("finishedAt"))
        mirror.returned_at = _moment(data.get("returnedAt"))
        mirror.updated_at = now
        return Answer(200, {"dossierCode": code})

    return apply


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def _moment(value: str | None) -> datetime | None:
    return wall_clock(value) if value else None
