"""Feedback between the national portal and the provinces (``deliverFeedback``, ``reportFeedbackStatus``).

A citizen files at the national node about a province's agency, a dossier it holds, a procedure or
a place of the province: the national node checks the message as the province will, gives it a
national code (``PAKN.YYYYMMDD.NNNN``, which the citizen tracks) and queues it for the province's node,
keeping a mirror. The province files it as received online (once per national code), the competent
agency handles it, and every step is reported back in order — no personal data, the answer and the
redacted question once published — so the national page follows it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from datetime import date, datetime
from types import SimpleNamespace
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from motcua import clock
from motcua.accounts.service import Actor
from motcua.catalog.models import Agency
from motcua.catalog.routing import CatalogSnapshot
from motcua.catalog.search import MIN_SCORE, match_score
from motcua.dossiers.errors import Conflict, DossierError, Forbidden
from motcua.dossiers.storage import Storage
from motcua.exchange.delivery import apply_files, hold, portal_actor, province_member
from motcua.exchange.inbox import (
    Answer,
    problem,
    refused_by_domain,
    refused_for_case,
    refused_from_national,
)
from motcua.exchange.models import (
    Delivery,
    DossierMirror,
    FeedbackDelivery,
    FeedbackMirror,
    HeldDocument,
    NationalAnswer,
)
from motcua.exchange.node import NATIONAL, Node, this_node
from motcua.exchange.outbox import enqueue, stamp, wall_clock
from motcua.feedback import messages as fb
from motcua.feedback.attachments import MAX_FILES, add_file
from motcua.feedback.models import FeedbackMessage
from motcua.feedback.published import CANDIDATES, published
from motcua.feedback.published import Answer as PublishedAnswer
from motcua.feedback.states import OPEN, TRANSITIONS
from motcua.feedback.subscribers import FeedbackChange
from motcua.i18n import N_
from motcua.units.registry import get_registry
from motcua.units.text import fold

PATH = "/exchange/v1/feedback"
ANSWERS = "/exchange/v1/answers"
PUBLIC_STATES = ("published", "reopen_requested")  # an answer stays public while a reopening is asked
REFERENCE_KEY = "motcua.exchange.feedback_reference"  # session.info: the national code being delivered


# -- national side --------------------------------------------------------------------------------


def _province_of(session: Session, r: fb.FeedbackRequest) -> str:
    """The province whose node answers: the one holding the dossier, the agency's, or the place's."""
    ref = r.about_ref.strip()
    if r.about == "dossier":
        mirror = session.scalars(
            select(DossierMirror).where(or_(DossierMirror.code == ref, DossierMirror.dossier_code == ref))
        ).first()
        if mirror is None:
            raise fb.FeedbackError("unknown_dossier", N_("No dossier has the code {code}."), code=ref)
        return mirror.member.removeprefix("province-")
    if r.about == "agency":
        province = session.scalar(select(Agency.province_code).where(Agency.code == ref))
        if province is None:
            raise fb.FeedbackError("unknown_agency", N_("No agency has the code {code}."), code=ref)
        return str(province)
    if r.commune_code is None:
        raise fb.FeedbackError("no_place", N_("Say which commune or ward the message concerns."))
    return get_registry().get("commune", r.commune_code, era="new").province_code


def file_at_national(
    session: Session,
    actor: Actor,
    r: fb.FeedbackRequest,
    at: datetime,
    files: Sequence[tuple[str, bytes]] = (),
    storage: Storage | None = None,
) -> FeedbackMirror | None:
    """At the national node: the message checked, its national code taken and its delivery queued for
    the province's node, its files kept until the province fetches them; None when the province has
    no node of its own (the national node then handles it itself)."""
    r = fb.checked(r, actor, at)
    if len(files) > MAX_FILES:
        raise DossierError("too_many_files", N_("A feedback message takes at most {limit} files."), limit=MAX_FILES)
    member = province_member(session, _province_of(session, r))
    if member is None:
        return None
    day = clock.local_date(at)
    code = fb.feedback_code(day, fb.COUNTER.next(session, day, node=""))
    sender = SimpleNamespace(
        sender_name=r.sender.name, sender_phone=r.sender.phone, sender_email=r.sender.email,
        sender_address=r.sender.address,
    )  # fmt: skip
    mirror = FeedbackMirror(
        code=code,
        feedback_code=None,
        owner_id=actor.user_id or None,
        member=member.identifier,
        about=r.about,
        title=fb.redacted(r.title.strip(), sender),
        status="received",
        stage="classify",
        agency_code="",
        note="",
        last_sequence=0,
        filed_at=at,
        updated_at=at,
    )
    session.add(mirror)
    body: dict[str, Any] = {
        "reference": code,
        "filedAt": stamp(at),
        "about": r.about,
        "aboutRef": r.about_ref.strip(),
        "communeCode": r.commune_code,
        "title": r.title.strip(),
        "body": r.body.strip(),
        "language": r.language,
        "sender": {
            "name": r.sender.name.strip(),
            "address": r.sender.address.strip(),
            "phone": r.sender.phone.strip(),
            "email": (r.sender.email or "").strip() or None,
            "showName": r.sender.show_name,
        },
    }
    documents = hold(session, storage, code, list(files), at)
    if documents:
        body["documents"] = documents
    enqueue(session, member.identifier, "deliverFeedback", "POST", PATH, body, at, code)
    return mirror


def apply_status(sender: str, code: str, now: datetime) -> Callable[[Session, Any], Answer]:
    """``reportFeedbackStatus`` at the national node: the mirror moves to the step reported, in order."""

    def apply(session: Session, data: Any) -> Answer:
        refused = refused_for_case("FeedbackStatus", "feedback status", data, "feedback", "reference", code)
        if refused is not None:
            return refused
        mirror = session.get(FeedbackMirror, code, with_for_update=True)
        if mirror is None:
            return problem(404, "No such feedback", f"no feedback was delivered under the code {code}")
        if mirror.member != sender:
            return problem(403, "Not your feedback", f"{code} was delivered to {mirror.member}, not {sender}")
        sequence = int(data["sequence"])
        if sequence <= mirror.last_sequence:
            return Answer(200, {"feedbackCode": data["feedbackCode"], "alreadyApplied": True})
        if sequence != mirror.last_sequence + 1:
            return problem(
                409, "Out of order", f"{code}: sequence {sequence} arrived after {mirror.last_sequence}; send it first"
            )
        mirror.feedback_code = mirror.feedback_code or str(data["feedbackCode"])
        mirror.status, mirror.stage = data["status"], str(data.get("stage", ""))[:16]
        mirror.agency_code = str(data.get("agency", ""))[:60]
        mirror.due_on = date.fromisoformat(data["dueOn"]) if data.get("dueOn") else None
        mirror.note = str(data.get("note", ""))
        if data.get("publishedAt"):
            mirror.question, mirror.answer = data.get("question"), data.get("answer")
            mirror.published_at = wall_clock(data["publishedAt"])
        mirror.last_sequence, mirror.updated_at = sequence, now
        return Answer(200, {"feedbackCode": mirror.feedback_code})

    return apply


SENDER_STEPS = ("provide_info", "rate", "request_reopen")  # what the sender does at the national portal


def sender_steps(mirror: FeedbackMirror) -> list[str]:
    """The sender's steps the mirror's last reported state allows (the province decides in the end)."""
    return [n for n in SENDER_STEPS if mirror.status in TRANSITIONS[n].sources]


def mirror_of(session: Session, actor: Actor, code: str) -> FeedbackMirror | None:
    """The caller's own message delivered to a province (None: not theirs, or not delivered)."""
    mirror = session.get(FeedbackMirror, code.strip().upper())
    if mirror is None or actor.role != "citizen" or mirror.owner_id is None or mirror.owner_id != actor.user_id:
        return None
    return mirror


def mirrors_of(session: Session, actor: Actor, limit: int = 50) -> list[FeedbackMirror]:
    """A citizen's messages filed here and delivered to a province (the national node's "my feedback")."""
    if actor.role != "citizen" or not actor.user_id:
        return []
    query = select(FeedbackMirror).where(FeedbackMirror.owner_id == actor.user_id)
    return list(session.scalars(query.order_by(FeedbackMirror.filed_at.desc()).limit(limit)))


def step_at_national(
    session: Session, actor: Actor, code: str, step: str, payload: dict[str, Any], at: datetime
) -> FeedbackMirror | None:
    """At the national node: the sender's step on a delivered message, sent to its province (None: not
    such a message of the caller's). Refused here already when the last reported state does not allow
    it; the province applies the rules and reports the step back."""
    mirror = mirror_of(session, actor, code)
    if mirror is None:
        return None
    if step not in SENDER_STEPS:
        raise Forbidden("wrong_role", N_("A {role} cannot take the step {step}."), role=actor.role, step=step)
    if step not in sender_steps(mirror):
        raise Conflict(
            "wrong_state",
            N_("The step {step} cannot be taken on feedback that is {status}."),
            step=step,
            status=mirror.status,
        )
    body: dict[str, Any] = {"reference": mirror.code, "step": step, "at": stamp(at)}
    for name, limit in (("info", 10_000), ("value", 12), ("reason", 2000)):
        if payload.get(name):
            body[name] = str(payload[name])[:limit]
    enqueue(session, mirror.member, "takeFeedbackStep", "POST", f"{PATH}/{mirror.code}/steps", body, at, mirror.code)
    return mirror


def add_files_at_national(
    session: Session, actor: Actor, code: str, files: list[tuple[str, bytes]], storage: Storage, at: datetime
) -> FeedbackMirror | None:
    """At the national node: files the sender adds to their message delivered to a province, kept until
    the province fetches them and sent after the delivery (same message, so in order). None: not such
    a message of the caller's."""
    mirror = mirror_of(session, actor, code)
    if mirror is None:
        return None
    if mirror.status not in OPEN:
        raise DossierError("feedback_closed", N_("Files can be added while the feedback is being handled."))
    if len(held_files(session, mirror.code)) + len(files) > MAX_FILES:
        raise DossierError("too_many_files", N_("A feedback message takes at most {limit} files."), limit=MAX_FILES)
    documents = hold(session, storage, mirror.code, files, at)
    body = {"reference": mirror.code, "documents": documents}
    enqueue(session, mirror.member, "addFeedbackDocuments", "POST", f"{PATH}/{mirror.code}/documents", body, at,
            mirror.code)  # fmt: skip
    return mirror


def held_files(session: Session, code: str) -> list[HeldDocument]:
    """At the national node: the files of a message delivered to a province, as the sender sent them."""
    return list(session.scalars(select(HeldDocument).where(HeldDocument.reference == code).order_by(HeldDocument.id)))


def public_view(session: Session, code: str) -> dict[str, Any] | None:
    """What the national page shows of a delivered message (the fields of ``api.feedback.public``)."""
    mirror = session.get(FeedbackMirror, code.strip().upper())
    if mirror is None:
        return None
    agency_name = session.scalar(select(Agency.name_vi).where(Agency.code == mirror.agency_code))
    published = mirror.published_at is not None and mirror.status in ("published", "reopen_requested")
    return {
        "code": mirror.code,
        "status": mirror.status,
        "title": mirror.title,
        "agency": mirror.agency_code,
        "agency_name": agency_name or mirror.agency_code or mirror.member,
        "filed_on": clock.local_date(mirror.filed_at),
        "due_on": mirror.due_on,
        "merged_into": None,
        "sender": None,
        "question": mirror.question if published else None,
        "answer": mirror.answer if published else None,
        "published_on": clock.local_date(mirror.published_at) if published and mirror.published_at else None,
        "handled_by": mirror.member,
        "province_code": mirror.feedback_code,
    }


def published_here(
    session: Session,
    query: str = "",
    *,
    province: str | None = None,
    agency: str | None = None,
    about: str | None = None,
    limit: int = 50,
) -> list[PublishedAnswer]:
    """At the national node: the published answers the public page lists — its own, and those the
    provinces published for messages filed here (reported back with the redacted question), searched
    with the same measure, best then newest."""
    own = published(session, query, province=province, agency=agency, about=about, limit=limit)
    wanted = fold(query).strip()[:200]
    count = CANDIDATES if wanted else limit
    mirrors = select(FeedbackMirror, Agency.name_vi).outerjoin(Agency, Agency.code == FeedbackMirror.agency_code)
    mirrors = _of_unit(mirrors, FeedbackMirror, province, agency, about).where(
        FeedbackMirror.published_at.is_not(None), FeedbackMirror.status.in_(PUBLIC_STATES)
    )
    reported = [
        PublishedAnswer(
            m.code, m.title, m.question or "", m.answer or "", m.agency_code, agency_name or m.agency_code, m.about,
            m.member.removeprefix("province-"), clock.local_date(m.filed_at), clock.local_date(m.published_at),
            None, 0.0,
        )
        for m, agency_name in session.execute(mirrors.order_by(FeedbackMirror.published_at.desc()).limit(count))
        if m.published_at is not None
    ]  # fmt: skip
    listed = _of_unit(select(NationalAnswer), NationalAnswer, province, agency, about).where(
        NationalAnswer.public.is_(True), NationalAnswer.published_at.is_not(None)
    )
    theirs = [
        PublishedAnswer(
            a.feedback_code, a.title, a.question, a.answer, a.agency_code, a.agency_name or a.agency_code, a.about,
            a.member.removeprefix("province-"), a.filed_on or clock.local_date(a.published_at),
            clock.local_date(a.published_at), a.sender_name, 0.0, tracked_here=False,
        )
        for a in session.scalars(listed.order_by(NationalAnswer.published_at.desc()).limit(count))
        if a.published_at is not None
    ]  # fmt: skip
    both = own + _scored(wanted, reported + theirs)
    return sorted(both, key=lambda a: (-a.score, -a.published_on.toordinal(), a.code))[:limit]


def _of_unit(
    sql: Any,
    model: type[FeedbackMirror] | type[NationalAnswer],
    province: str | None,
    agency: str | None,
    about: str | None,
) -> Any:
    """The filters of the public answers on the national node's copies (a province is a member)."""
    if province:
        sql = sql.where(model.member == f"province-{province}")
    if agency:
        sql = sql.where(model.agency_code == agency)
    if about:
        sql = sql.where(model.about == about)
    return sql


def _scored(wanted: str, answers: list[PublishedAnswer]) -> list[PublishedAnswer]:
    """The answers that match what was typed, with the procedures' measure (all of them when nothing was)."""
    if not wanted:
        return answers
    scored = [replace(a, score=match_score(wanted, fold(f"{a.title} {a.question}"))) for a in answers]
    return [a for a in scored if a.score >= MIN_SCORE]


# -- provincial side ------------------------------------------------------------------------------


@contextmanager
def delivering(session: Session, code: str) -> Iterator[None]:
    """While a delivered message is filed, its first report carries the national code (the delivery
    row is written after the message, once its own code is known)."""
    session.info[REFERENCE_KEY] = code
    try:
        yield
    finally:
        session.info.pop(REFERENCE_KEY, None)


def apply_delivery(
    node: Node,
    sender: str,
    now: datetime,
    snapshot_of: Callable[[Session], CatalogSnapshot],
    calendars_of: Callable[[Session], fb.CalendarFor],
    storage: Storage | None = None,
    fetched: dict[str, bytes] | None = None,
) -> Callable[[Session, Any], Answer]:
    """``deliverFeedback`` at a provincial node: the message is filed here as received online, once
    per national code, and received by the agency competent for it, with the files the sender sent
    (fetched from the national node before this transaction)."""

    def apply(session: Session, data: Any) -> Answer:
        refused = refused_from_national("FeedbackDelivery", "feedback", sender, data)
        if refused is not None:
            return refused
        code = data["reference"]
        known = session.get(FeedbackDelivery, code)
        if known is not None:
            return Answer(200, {"feedbackCode": known.feedback_code, "alreadyApplied": True})
        s = data["sender"]
        about_ref = data.get("aboutRef", "")
        if data["about"] == "dossier":  # named by its national reference: the dossier delivered under it
            about_ref = (
                session.scalar(select(Delivery.dossier_code).where(Delivery.reference == about_ref)) or about_ref
            )
        request = fb.FeedbackRequest(
            about=data["about"],
            title=data["title"],
            body=data["body"],
            sender=fb.Sender(s["name"], s["address"], s["phone"], s.get("email"), bool(s.get("showName"))),
            about_ref=about_ref,
            commune_code=data.get("communeCode"),
            channel="online",
            language=data["language"],
        )
        documents = data.get("documents") or []
        if documents and (storage is None or fetched is None):
            return problem(503, "Documents not fetched", "this node could not fetch the message's files")
        try:
            actor, filed_at = portal_actor(session), wall_clock(data["filedAt"])
            with delivering(session, code):
                m = fb.file_feedback(session, actor, request, filed_at, calendars_of(session), snapshot_of(session))
            for doc in documents:
                assert storage is not None and fetched is not None
                add_file(session, storage, actor, m, doc["name"], fetched[doc["sha256"]], filed_at)
        except DossierError as exc:
            return refused_by_domain("The feedback is refused", exc)
        if m.province_code != node.province_code:
            return problem(
                403, "Not this province", f"the competent agency {m.agency_code} is not in {node.province_code}"
            )
        session.add(FeedbackDelivery(reference=code, sender=sender, feedback_code=m.code, received_at=now))
        return Answer(201, {"feedbackCode": m.code})

    return apply


def apply_step(
    node: Node, sender: str, code: str, now: datetime, calendars_of: Callable[[Session], fb.CalendarFor]
) -> Callable[[Session, Any], Answer]:
    """``takeFeedbackStep`` at a provincial node: the sender's step, taken on their behalf by the portal's
    account (the message's owner here), under the rules of the table."""

    def apply(session: Session, data: Any) -> Answer:
        refused = refused_from_national("FeedbackStep", "feedback step", sender, data)
        if refused is not None:
            return refused
        if data["reference"] != code:
            return problem(400, "Wrong feedback", f"the path names {code}, the body {data['reference']}")
        delivery = session.get(FeedbackDelivery, code)
        if delivery is None:
            return problem(404, "No such feedback", f"no feedback was delivered under the code {code}")
        payload = {k: data[k] for k in ("info", "value", "reason") if k in data}
        try:
            fb.act(session, portal_actor(session), delivery.feedback_code, data["step"], wall_clock(data["at"]),
                   calendars_of(session), payload)  # fmt: skip
        except DossierError as exc:
            return problem(409 if exc.code == "wrong_state" else 400, "The step is refused", exc.message)
        return Answer(200, {"feedbackCode": delivery.feedback_code})

    return apply


def apply_documents(
    node: Node, sender: str, code: str, storage: Storage | None, fetched: dict[str, bytes]
) -> Callable[[Session, Any], Answer]:
    """``addFeedbackDocuments`` at a provincial node: the fetched files join the delivered message (a
    file already there is not added twice)."""

    def find(session: Session, reference: str) -> FeedbackMessage | None:
        delivery = session.get(FeedbackDelivery, reference)
        if delivery is None:
            return None
        return session.scalar(select(FeedbackMessage).where(FeedbackMessage.code == delivery.feedback_code))

    def attach(session: Session, storage: Storage, actor: Actor, m: Any, name: str, data: bytes) -> object:
        return add_file(session, storage, actor, m, name, data, clock.now())

    return apply_files(sender, code, storage, fetched, "feedback", find, attach, lambda m: {"feedbackCode": m.code})


def national_code_of(session: Session, feedback_code: str) -> str | None:
    current = session.info.get(REFERENCE_KEY)
    if current is not None:
        return str(current)
    return session.scalars(
        select(FeedbackDelivery.reference).where(FeedbackDelivery.feedback_code == feedback_code)
    ).first()


def on_feedback_change(change: FeedbackChange) -> None:
    """The feedback's subscriber (``feedback.subscribers``): at a provincial node, every step of a
    message delivered by the national node is reported to it, in order."""
    node = this_node()
    if node is None or node.is_national:
        return
    m = change.message
    code = national_code_of(change.session, m.code)
    if code is None:  # filed here: the national node lists only its answer, once published
        _report_answer(change)
        return
    published = m.published_at is not None and m.status in ("published", "reopen_requested")
    note = change.payload.get("reason") or change.payload.get("where") or ""
    body = {
        "reference": code,
        "feedbackCode": m.code,
        "sequence": change.seq,
        "step": change.step,
        "status": m.status,
        "stage": m.stage,
        "at": stamp(change.at),
        "dueOn": m.due_on.isoformat() if m.due_on else None,
        "agency": m.agency_code,
        "note": str(note),
        "question": m.public_question if published else None,
        "answer": m.answer if published else None,
        "publishedAt": stamp(m.published_at) if published and m.published_at else None,
    }
    enqueue(change.session, NATIONAL, "reportFeedbackStatus", "POST", f"{PATH}/{code}/status", body, change.at, code)


def _report_answer(change: FeedbackChange) -> None:
    """``publishFeedbackAnswer``: a message filed at this province's portal whose answer was published,
    or withdrawn (reopened), is listed by the national node's public answers — public text only."""
    m = change.message
    public = m.published_at is not None and m.status in PUBLIC_STATES
    if public == (change.before in PUBLIC_STATES) and change.step != "publish":
        return  # nothing the public sees changed
    body: dict[str, Any] = {"feedbackCode": m.code, "sequence": change.seq, "public": public}
    if public and m.published_at is not None:
        agency_name = change.session.scalar(select(Agency.name_vi).where(Agency.code == m.agency_code))
        body.update(
            title=fb.redacted(m.title, m)[:200],
            question=m.public_question or "",
            answer=m.answer or "",
            agency=m.agency_code,
            agencyName=(agency_name or m.agency_code)[:300],
            about=m.about,
            filedOn=clock.local_date(m.filed_at).isoformat(),
            publishedAt=stamp(m.published_at),
            sender=m.sender_name[:200] if m.show_name else None,
        )
    enqueue(change.session, NATIONAL, "publishFeedbackAnswer", "POST", f"{ANSWERS}/{m.code}", body, change.at, m.code)


def apply_answer(sender: str, feedback_code: str, now: datetime) -> Callable[[Session, Any], Answer]:
    """``publishFeedbackAnswer`` at the national node: the province's answer listed, replaced by a later
    event of the same message, or withdrawn."""

    def apply(session: Session, data: Any) -> Answer:
        refused = refused_for_case("PublishedAnswer", "answer", data, "feedback", "feedbackCode", feedback_code)
        if refused is not None:
            return refused
        if not sender.startswith("province-"):
            return problem(403, "Not a province", "only a province's node publishes its answers")
        row = session.get(NationalAnswer, (sender, feedback_code), with_for_update=True)
        if row is not None and row.sequence >= int(data["sequence"]):
            return Answer(200, {"feedbackCode": feedback_code, "alreadyApplied": True})
        if row is None:
            row = NationalAnswer(member=sender, feedback_code=feedback_code)
            session.add(row)
        row.sequence, row.public, row.received_at = int(data["sequence"]), bool(data["public"]), now
        if row.public:
            row.title, row.question, row.answer = (
                data.get("title", ""),
                data.get("question", ""),
                data.get("answer", ""),
            )
            row.agency_code, row.agency_name = data.get("agency", ""), data.get("agencyName", "")
            row.about, row.sender_name = data.get("about", ""), data.get("sender")
            row.filed_on = date.fromisoformat(data["filedOn"]) if data.get("filedOn") else None
            row.published_at = wall_clock(data["publishedAt"]) if data.get("publishedAt") else None
        return Answer(200, {"feedbackCode": feedback_code})

    return apply
