"""``synchroniseCatalog``: the national node sends its procedure catalog to the provinces; a province
adds or replaces those procedures (all or nothing, through the catalog's own import, which never
changes a version that dossiers were received under) and remembers the revision applied."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from motcua.catalog.formats import FormatError, read_json, write_json
from motcua.catalog.models import CatalogRevision
from motcua.catalog.service import CatalogError, export_records, import_records
from motcua.exchange.inbox import Answer, problem, refused_from_national
from motcua.exchange.models import CatalogSync, Member
from motcua.exchange.outbox import enqueue

PATH = "/exchange/v1/catalog"


def catalog_body(session: Session) -> dict[str, Any]:
    """This node's catalog as the contract's ``Catalog`` (its revision counter as the revision)."""
    revision = session.scalar(select(CatalogRevision.revision).where(CatalogRevision.id == 1)) or 1
    return {"revision": revision, "procedures": orjson.loads(write_json(export_records(session)))}


def push_catalog(session: Session, now: datetime) -> list[str]:
    """At the national node: queue the catalog for every active province; returns the recipients."""
    body = catalog_body(session)
    members = session.scalars(select(Member.identifier).where(Member.role == "province", Member.active)).all()
    for identifier in members:
        enqueue(session, identifier, "synchroniseCatalog", "PUT", PATH, body, now)
    return list(members)


def apply_catalog(sender: str, now: datetime) -> Callable[[Session, Any], Answer]:
    def apply(session: Session, data: Any) -> Answer:
        refused = refused_from_national("Catalog", "catalog", sender, data)
        if refused is not None:
            return refused
        revision = int(data["revision"])
        applied = session.scalar(select(func.max(CatalogSync.revision)).where(CatalogSync.sender == sender)) or 0
        if revision <= applied:
            return Answer(200, {"revision": applied, "alreadyApplied": True})
        try:
            records = read_json(orjson.dumps(data["procedures"]).decode())
            # Only what differs is written: an unchanged procedure keeps its rows (and the ids that
            # routing snapshots and dossiers refer to).
            held = {r.code: r for r in export_records(session, [r.code for r in records])} if records else {}
            changed = [r for r in records if held.get(r.code) != r]
            result = import_records(session, changed) if changed else None
        except FormatError as exc:
            return problem(400, "Procedures not in the catalog format", errors=_located(exc.errors))
        except CatalogError as exc:
            return problem(409, "The catalog conflicts with this province's", str(exc), errors=_located(exc.errors))
        session.add(CatalogSync(sender=sender, revision=revision, procedures=len(records), received_at=now))
        added, replaced = (result.added, result.replaced) if result else (0, 0)
        return Answer(
            200, {"revision": revision, "added": added, "replaced": replaced, "unchanged": len(records) - len(changed)}
        )

    return apply


def _located(errors: list[str]) -> list[dict[str, str]]:
    return [{"location": "/procedures", "message": e} for e in errors]
