"""Checking a dossier's event log: the hash chain, and that replaying it gives the stored projection."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from motcua.cases.chain import GENESIS, chain_key, event_hash
from motcua.dossiers.chain import RECORD_FIELDS, record_digest
from motcua.dossiers.models import Dossier
from motcua.dossiers.projection import PROJECTED, Projection, project
from motcua.dossiers.scope import commune_of_agency
from motcua.dossiers.service import CalendarFor
from motcua.dossiers.states import PLACE_FIELDS


@dataclass
class Verification:
    code: str
    events: int
    problems: list[str] = field(default_factory=list)
    legacy_events: int = 0  # events of the unkeyed chain 1 (covered by the seals only)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify(dossier: Dossier, calendar_for: CalendarFor) -> Verification:
    result = Verification(dossier.code, len(dossier.events))
    prev = GENESIS
    shadow = Projection(dossier.time_limit, dossier.time_limit_kind)
    cal = calendar_for(dossier.province_code)
    key = chain_key()
    place = original_place(dossier)  # where it was created; each ``transferred`` event moves it on
    for expected_seq, e in enumerate(dossier.events, start=1):
        if e.seq != expected_seq:
            result.problems.append(f"event {expected_seq} is missing (found {e.seq})")
        if e.prev_hash != prev:
            result.problems.append(f"event {e.seq} does not follow event {e.seq - 1} (previous hash differs)")
        digest = event_hash(
            dossier.code,
            e.seq,
            e.transition,
            e.at,
            e.actor_id,
            e.actor_role,
            e.actor_unit,
            e.from_status,
            e.to_status,
            e.payload,
            e.prev_hash,
            chain=e.chain or 2,
            key=key,
            via=e.via,
        )
        if digest != e.hash:
            result.problems.append(f"event {e.seq} ({e.transition}) was changed after it was written")
        if e.chain is None:
            result.problems.append(f"event {e.seq} names no chain version")
        elif e.chain == 1:
            result.legacy_events += 1
        elif expected_seq == 1:
            _check_record(dossier, e.payload, result, place)
        if e.transition == "transferred":
            moved_from, moved_to = (e.payload or {}).get("from") or {}, (e.payload or {}).get("to") or {}
            if any(moved_from.get(name) != place[name] for name in PLACE_FIELDS):
                result.problems.append(f"event {e.seq} moves the dossier from where it was not")
            place = {name: moved_to.get(name) for name in PLACE_FIELDS}
        project(shadow, e.transition, e.at, e.to_status, e.payload, cal)
        prev = e.hash
    if dossier.last_hash != prev or dossier.event_count != len(dossier.events):
        result.problems.append("the dossier's last hash or event count does not match its log")
    if any(getattr(dossier, name) != place[name] for name in PLACE_FIELDS):
        result.problems.append("the dossier's centre, commune or agencies are not where its log puts it")
    if dossier.deciding_commune_code != commune_of_agency(dossier.deciding_agency_code):
        result.problems.append("deciding_commune_code does not follow from the deciding agency")
    for name in PROJECTED:
        if getattr(shadow, name) != getattr(dossier, name):
            result.problems.append(f"{name} is {getattr(dossier, name)!r} but the log gives {getattr(shadow, name)!r}")
    return result


def original_place(dossier: Dossier) -> dict[str, Any]:
    """Where the dossier was created: its place before the first ``transferred`` event, or now."""
    first = next((e for e in dossier.events if e.transition == "transferred"), None)
    if first is None:
        return {name: getattr(dossier, name) for name in PLACE_FIELDS}
    moved_from = (first.payload or {}).get("from") or {}
    return {name: moved_from.get(name) for name in PLACE_FIELDS}


def _check_record(dossier: Dossier, payload: dict[str, Any], result: Verification, place: dict[str, Any]) -> None:
    """The row's creation fields (applicant, form, fees, agencies, owner…) against the first event,
    the place as it was then (a reorganisation may have moved it since, in the log)."""
    recorded = payload.get("record")
    if not isinstance(recorded, str):
        result.problems.append("the first event does not record the dossier's fields")
        return
    if record_digest({name: place.get(name, getattr(dossier, name)) for name in RECORD_FIELDS}) != recorded:
        result.problems.append(
            "the dossier's fields (applicant, form, fees, agencies, owner, address…) were changed after submission"
        )


def verify_all(session: Session, calendar_for: CalendarFor, codes: list[str] | None = None) -> list[Verification]:
    query = select(Dossier).options(selectinload(Dossier.events)).order_by(Dossier.id)
    if codes:
        query = query.where(Dossier.code.in_(codes))
    return [verify(d, calendar_for) for d in session.scalars(query)]
