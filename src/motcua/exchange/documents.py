"""Documents of holders' stores across provinces, through the national node.

- A province announces each document that enters a store (``announceDocuments``, from the outbox in
  the step's transaction): the national node keeps an index of who holds what, where — never the file.
- When a holder starts a dossier at another province, that province asks the national node which of
  the holder's documents of the kinds the procedure asks exist elsewhere (``findDocuments``: the
  holder's own request, signed in); the holder ticks one (their consent, in the dossier), and the
  province has it fetched (``fetchHolderDocument``): the national node fetches it from the holding
  province (``fetchStoredDocument``, which serves the national node only) and passes it on. The file
  is kept in the asking province's store as brought from there, and reused like any other.

Every call is signed (``exchange.signing``); a province never talks to another directly.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import httpx
import orjson
from sqlalchemy import select
from sqlalchemy.orm import Session

from motcua import clock
from motcua.digitisation.models import StoredDocument
from motcua.dossiers.errors import DossierError
from motcua.dossiers.storage import Storage
from motcua.exchange.inbox import Answer, contract_errors, problem
from motcua.exchange.models import DocumentIndexEntry, Member
from motcua.exchange.node import NATIONAL, Node, this_node
from motcua.exchange.outbox import enqueue, stamp
from motcua.exchange.signing import sign
from motcua.i18n import N_

log = logging.getLogger("motcua.exchange")
ANNOUNCE = "/exchange/v1/holders/documents"
SEARCH = "/exchange/v1/holders/documents/search"
SHA256 = "Motcua-Document-Sha256"
HOLDER = "Motcua-Holder"


def entry(doc: StoredDocument) -> dict[str, Any]:
    """A stored document as the contract's ``StoredDocumentEntry`` (no content, no file)."""
    return {
        "reference": str(doc.id),
        "holder": doc.holder_id,
        "holderKind": doc.holder_kind,
        "type": doc.doc_type,
        "title": doc.title[:300],
        "issuer": {"code": doc.issuer_code[:60], "name": doc.issuer_name[:300]},
        "issuedOn": doc.issued_on.isoformat(),
        "validUntil": doc.valid_until.isoformat() if doc.valid_until else None,
        "origin": doc.origin if doc.origin in ("result", "digitised") else "result",
        "dossierCode": doc.dossier_code,
    }


# -- at a province: announcing ------------------------------------------------------------------------


def announce(session: Session, doc: StoredDocument, at: datetime) -> None:
    """Queue the announcement of a document that entered a store here (a province's node only; a
    document brought from another province is not announced again)."""
    node = this_node()
    if node is None or node.is_national or doc.origin == "exchanged":
        return
    enqueue(session, NATIONAL, "announceDocuments", "POST", ANNOUNCE, {"documents": [entry(doc)]}, at)


def on_dossier_change(change: Any) -> None:
    """The dossiers' subscriber, after the store's: announce what a step put in a store (an approved
    result; a confirmed digitised paper)."""
    if change.transition == "approve":
        ref = change.dossier.code
    elif change.transition == "digitise":
        ref = f"digitisation:{change.payload.get('digitisation')}"
    else:
        return
    found = change.session.scalars(select(StoredDocument).where(StoredDocument.source_ref == ref)).first()
    if found is not None:
        announce(change.session, found, change.at)


# -- at the national node: the index --------------------------------------------------------------------


def apply_announcement(sender: str, now: datetime) -> Any:
    """``announceDocuments`` at the national node: each entry indexed under its province (an entry
    announced again replaces the one before)."""

    def apply(session: Session, data: Any) -> Answer:
        errors = contract_errors("DocumentAnnouncement", data)
        if errors:
            return problem(400, "Invalid document announcement", errors=errors)
        for item in data["documents"]:
            row = session.scalars(
                select(DocumentIndexEntry).where(
                    DocumentIndexEntry.member == sender, DocumentIndexEntry.reference == item["reference"]
                )
            ).first()
            if row is None:
                row = DocumentIndexEntry(member=sender, reference=item["reference"])
                session.add(row)
            row.holder_id, row.holder_kind = item["holder"], item["holderKind"]
            row.doc_type, row.title = item["type"], item["title"]
            row.issuer_code = (item.get("issuer") or {}).get("code", "")
            row.issuer_name = (item.get("issuer") or {}).get("name", "")
            row.issued_on = date.fromisoformat(item["issuedOn"])
            row.valid_until = date.fromisoformat(item["validUntil"]) if item.get("validUntil") else None
            row.origin, row.dossier_code, row.announced_at = item.get("origin", "result"), item["dossierCode"], now
        session.flush()
        return Answer(200, {})

    return apply


def search(session: Session, sender: str, data: Any) -> Answer:
    """``findDocuments`` at the national node: the holder's entries in the other provinces."""
    errors = contract_errors("DocumentSearch", data)
    if errors:
        return problem(400, "Invalid document search", errors=errors)
    today = clock.today()
    rows = session.scalars(
        select(DocumentIndexEntry)
        .where(
            DocumentIndexEntry.holder_id == data["holder"],
            DocumentIndexEntry.doc_type.in_(data["types"]),
            DocumentIndexEntry.member != sender,
        )
        .order_by(DocumentIndexEntry.issued_on.desc(), DocumentIndexEntry.id.desc())
        .limit(50)
    ).all()
    found = [
        {
            "reference": r.reference,
            "member": r.member,
            "holder": r.holder_id,
            "holderKind": r.holder_kind,
            "type": r.doc_type,
            "title": r.title,
            "issuer": {"code": r.issuer_code, "name": r.issuer_name},
            "issuedOn": r.issued_on.isoformat(),
            "validUntil": r.valid_until.isoformat() if r.valid_until else None,
            "origin": r.origin,
            "dossierCode": r.dossier_code,
        }
        for r in rows
        if r.valid_until is None or r.valid_until >= today
    ]
    log.info("exchange: %s looked up %s document(s) for a holder, at the holder's request", sender, len(found))
    return Answer(200, {"documents": found})


def relay(
    session: Session, client: httpx.Client, node: Node, asker: str, holder: str, member: str, reference: str
) -> tuple[bytes, str] | Answer:
    """``fetchHolderDocument`` at the national node: the document from the province that holds it,
    checked to be the holder's, passed on to the asking province."""
    at_member = (DocumentIndexEntry.member == member) & (DocumentIndexEntry.reference == reference)
    row = session.scalars(select(DocumentIndexEntry).where(at_member)).first()
    if row is None or row.holder_id != holder:  # another holder's document reads as no document
        return problem(404, "No such document", f"no document {reference} of this holder at {member}")
    if member == asker:
        return problem(403, "Your own document", "a province reads its own store directly")
    target = _member(session, member)
    if target is None or not target.base_url:
        return problem(404, "No such member", member)
    path = f"/exchange/v1/store/{reference}"
    try:
        headers = sign(node.key, node.member, "GET", path, b"")
        response = client.get(target.base_url.rstrip("/") + path, headers=headers, timeout=30)
    except httpx.HTTPError as exc:
        return problem(503, "Holding province unavailable", f"{member}: {exc.__class__.__name__}")
    if response.status_code >= 500:
        return problem(503, "Holding province unavailable", f"{member}: HTTP {response.status_code}")
    data = response.content
    digest = hashlib.sha256(data).hexdigest()
    if response.status_code != 200 or response.headers.get(HOLDER) != holder or response.headers.get(SHA256) != digest:
        return problem(404, "No such document", f"{member} did not give document {reference} of this holder")
    log.info("exchange: document %s of %s passed on to %s, at the holder's consent", reference, member, asker)
    return data, digest


# -- at a province: the store served to the national node, and documents brought from elsewhere ------------


@dataclass(frozen=True)
class Elsewhere:
    """A document of the holder's store at another province, as the national node's index gives it."""

    member: str
    reference: str
    doc_type: str
    title: str
    issuer_name: str
    issued_on: date
    valid_until: date | None

    @property
    def key(self) -> str:  # what a page's checkbox carries
        return f"{self.member}:{self.reference}"


def _member(session: Session, identifier: str) -> Member | None:
    return session.scalars(select(Member).where(Member.identifier == identifier)).first()


def _national(session: Session) -> Member | None:
    return _member(session, NATIONAL)


def find_elsewhere(
    session: Session, client: httpx.Client, node: Node, holder: str, types: list[str]
) -> list[Elsewhere]:
    """The holder's documents of these kinds in the other provinces' stores; none when the national
    node cannot be reached (the page offers what this province holds, and says nothing more)."""
    national = _national(session)
    if national is None or not national.base_url or not types:
        return []
    consent = {"givenBy": "holder", "at": stamp(clock.now())}
    body = orjson.dumps({"holder": holder, "types": types[:20], "consent": consent})
    headers = {**sign(node.key, node.member, "POST", SEARCH, body), "Content-Type": "application/json"}
    try:
        response = client.post(national.base_url.rstrip("/") + SEARCH, content=body, headers=headers, timeout=5)
    except httpx.HTTPError as exc:
        log.warning("exchange: document search failed: %s", exc.__class__.__name__)
        return []
    if response.status_code != 200:
        log.warning("exchange: document search answered %s", response.status_code)
        return []
    found = []
    for item in response.json().get("documents", []):
        found.append(
            Elsewhere(
                str(item["member"]),
                str(item["reference"]),
                str(item["type"]),
                str(item["title"]),
                str((item.get("issuer") or {}).get("name", "")),
                date.fromisoformat(item["issuedOn"]),
                date.fromisoformat(item["validUntil"]) if item.get("validUntil") else None,
            )
        )
    return found


def bring(
    session: Session, storage: Storage, client: httpx.Client, node: Node, holder: str, found: Elsewhere
) -> StoredDocument:
    """A document of the holder's store at another province (``found`` by ``find_elsewhere``), fetched
    through the national node and kept in this province's store as brought from there (once: a second
    reuse takes the copy)."""
    source = found.key
    kept = session.scalars(
        select(StoredDocument).where(StoredDocument.origin == "exchanged", StoredDocument.source_ref == source)
    ).first()
    if kept is not None and kept.holder_id == holder:
        return kept
    unavailable = DossierError(
        "document_unavailable",
        N_("The document kept in {province} cannot be fetched now; try again later."),
        province=found.member,
    )
    national = _national(session)
    if national is None or not national.base_url:
        raise unavailable
    path = f"/exchange/v1/holders/{holder}/documents/{found.member}/{found.reference}"
    try:
        headers = sign(node.key, node.member, "GET", path, b"")
        response = client.get(national.base_url.rstrip("/") + path, headers=headers, timeout=60)
    except httpx.HTTPError:
        raise unavailable from None
    data = response.content
    digest = hashlib.sha256(data).hexdigest()
    if response.status_code == 404:
        raise DossierError(
            "reuse_not_yours",
            N_("Document {id} is not in the applicant's store: only their own documents can be reused."),
            id=source,
        )
    if response.status_code != 200 or response.headers.get(SHA256) != digest:
        raise unavailable
    key = f"store/{digest}"
    storage.put(key, data)
    row = StoredDocument(
        holder_kind="citizen",
        holder_id=holder,
        doc_type=found.doc_type,
        title=found.title,
        issuer_code=found.member,
        issuer_name=found.issuer_name,
        issued_on=found.issued_on,
        valid_until=found.valid_until,
        origin="exchanged",
        source_ref=source,
        dossier_code="",
        attachment_id=None,
        storage_key=key,
        sha256=digest,
        province_code=found.member.removeprefix("province-"),
        created_at=clock.now(),
    )
    session.add(row)
    session.flush()
    return row


def serve_stored(session: Session, storage: Storage, signing: Any, reference: str) -> tuple[bytes, str] | Answer:
    """``fetchStoredDocument`` at a province: a document of its own stores, for the national node (the
    caller checked the signature); its bytes and its holder."""
    from motcua.digitisation.store import STORE, read_document

    number = int(reference) if reference.isdigit() else 0
    doc = session.get(StoredDocument, number) if 0 < number < 2**31 else None
    if doc is None or doc.origin == "exchanged":  # only what this province issued or digitised
        return problem(404, "No such document", f"no document {reference} in this province's stores")
    _doc, data = read_document(session, storage, signing, STORE, doc.id, clock.now())
    return data, doc.holder_id
