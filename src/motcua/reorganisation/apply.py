"""Applying a resolution, ahead of its date or on it, in one transaction: the map's changes stored
(every process lays them over the shipped map), the bodies of new units created from their date, those
of units that end dated to stop the day before with the body that takes over. The rest — officials,
open dossiers, feedback — moves when the date comes (``effect.take_effect``)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from motcua import clock
from motcua.catalog.models import Agency, ServiceCentre
from motcua.catalog.routing import bump_revision
from motcua.reorganisation.checks import check
from motcua.reorganisation.models import JournalEntry, Reorganisation
from motcua.reorganisation.moves import Moves, map_change, overlaid, work_out
from motcua.reorganisation.resolution import Problem, Resolution
from motcua.units.registry import get_registry
from motcua.units.stored import StoredMapChange, sync, to_json


class Refused(ValueError):
    """A resolution that cannot be applied as it is; ``problems`` say where."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("; ".join(str(p) for p in problems))


def applied_references(session: Session) -> set[str]:
    return set(session.scalars(select(Reorganisation.reference)))


def checked(session: Session, resolution: Resolution) -> list[Problem]:
    """Every problem of ``resolution`` against the map and the catalog in ``session``."""
    sync(session)
    return check(
        resolution,
        get_registry(),
        applied=applied_references(session),
        agencies=set(session.scalars(select(Agency.code))),
        centres=set(session.scalars(select(ServiceCentre.identifier))),
    )


def prepare(session: Session, resolution: Resolution) -> Moves:
    """The moves of a checked resolution (``Refused`` when it has problems)."""
    problems = checked(session, resolution)
    if problems:
        raise Refused(problems)
    return work_out(session, resolution, overlaid(get_registry(), map_change(resolution)))


def apply(
    session: Session,
    resolution: Resolution,
    now: datetime,
    *,
    applied_by: str = "",
    decisions: dict[str, str] | None = None,
) -> Reorganisation:
    """Apply ``resolution`` in the caller's transaction (all of it or, on an error, nothing)."""
    moves = prepare(session, resolution)
    day = resolution.effective_date
    now = clock.aware(now)
    row = Reorganisation(
        reference=resolution.reference,
        effective_date=day,
        sha256=resolution.sha256,
        text=resolution.text,
        moves=moves.to_json(),
        decisions=dict(decisions or {}),
        status="scheduled",
        applied_at=now,
        applied_by=applied_by,
        moved_dossiers=0,
        moved_feedback=0,
        moved_officials=0,
        waiting=0,
    )
    session.add(row)
    change = map_change(resolution)
    if change.created or change.ended or change.renamed or change.retyped:  # the 2025 files change no map
        session.add(
            StoredMapChange(
                reference=resolution.reference, effective_date=day, changes=to_json(change), recorded_at=now
            )
        )
    session.flush()

    def note(kind: str, code: str, before: str = "", after: str = "", text: str = "") -> None:
        session.add(
            JournalEntry(reorganisation_id=row.id, at=now, kind=kind, code=code, before=before, after=after, note=text)
        )

    for spec in moves.new_agencies:
        session.add(Agency(**spec, valid_from=day))
        note("agency", spec["code"], after=spec["code"], text="created")
    for spec in moves.new_centres:
        session.add(ServiceCentre(**spec, valid_from=day))
        note("centre", spec["identifier"], after=spec["identifier"], text="created")
    session.flush()
    # Bodies that end are dated now: from 00:00 of the date routing no longer offers them, whether or
    # not the worker has run yet.
    for agency in session.scalars(select(Agency).where(Agency.code.in_(sorted(moves.agencies)))):
        agency.valid_to, agency.successor = day, _only(moves.agencies[agency.code])
        note("agency", agency.code, before=agency.code, after=", ".join(sorted(moves.agencies[agency.code].values())))
    for centre in session.scalars(select(ServiceCentre).where(ServiceCentre.identifier.in_(sorted(moves.centres)))):
        centre.valid_to, centre.successor = day, _only(moves.centres[centre.identifier])
        note(
            "centre",
            centre.identifier,
            before=centre.identifier,
            after=", ".join(sorted(moves.centres[centre.identifier].values())),
        )
    bump_revision(session)  # every process reloads the catalog and lays the new map over its registry
    sync(session)
    return row


def _only(options: dict[str, str]) -> str | None:
    """The one body that takes over, or None when it depends on the successor (a split)."""
    found = set(options.values())
    return found.pop() if len(found) == 1 else None


def decide(session: Session, reference: str, decisions: dict[str, str]) -> Reorganisation:
    """Add decisions by hand (``dossier:CODE``, ``feedback:CODE`` or ``official:USERNAME`` → the
    successor unit) to an applied reorganisation; the next sweep moves what they place."""
    row = session.scalars(select(Reorganisation).where(Reorganisation.reference == reference)).one_or_none()
    if row is None:
        raise Refused([Problem(0, "reference", f"no reorganisation {reference!r} is applied")])
    moves = Moves.from_json(row.moves)
    successors = {s for m in moves.units.values() for s in m.successors}
    posts = set(session.scalars(select(Agency.code).where(Agency.valid_to.is_(None)))) | set(
        session.scalars(select(ServiceCentre.identifier).where(ServiceCentre.valid_to.is_(None)))
    )
    problems = []
    for n, (key, value) in enumerate(decisions.items(), start=2):
        kind = key.split(":", 1)[0]
        if kind not in ("dossier", "feedback", "official") or ":" not in key:
            problems.append(Problem(n, "item", f"{key!r} is not dossier:CODE, feedback:CODE or official:USERNAME"))
        elif kind == "official" and value not in successors and value not in posts:
            problems.append(Problem(n, "successor", f"{value!r} is neither a successor in {reference} nor a post"))
        elif kind != "official" and value not in successors:
            problems.append(Problem(n, "successor", f"{value!r} is not a successor in {reference}"))
    if problems:
        raise Refused(problems)
    row.decisions = {**row.decisions, **decisions}
    row.swept_at = None  # sweep again
    return row
