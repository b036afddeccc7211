"""A reorganisation taking effect at 00:00 Vietnam time of its date (the worker checks every few
seconds; running it again does nothing twice):

1. once: officials' accounts move with their posts, bodies take their new names (one transaction);
2. then, in batches of their own transactions, every open dossier still at a unit, agency or centre
   that ended moves to its successor by a ``transferred`` event (code, history, state and due dates
   unchanged; the exchange reports it to the national node like any step), and every open feedback
   message to the successor agency. A dossier submitted before midnight and committed after a sweep is
   found by the next one; one that waits for a decision by hand is listed in the journal.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from motcua import clock, db
from motcua.accounts.models import User
from motcua.catalog.models import Agency, ServiceCentre
from motcua.catalog.routing import CatalogSnapshot, bump_revision
from motcua.dossiers.models import Dossier
from motcua.dossiers.service import CalendarFor, move_many
from motcua.feedback.messages import move as move_feedback
from motcua.feedback.models import FeedbackMessage
from motcua.reorganisation.models import JournalEntry, Reorganisation
from motcua.reorganisation.moves import Moves
from motcua.reorganisation.targets import (
    Waiting,
    affected,
    affected_feedback,
    dossier_target,
    feedback_target,
    official_posts,
    official_target,
)
from motcua.staff import holdings

log = logging.getLogger("motcua.reorganisation")
BATCH = 1000  # dossiers moved per transaction


@dataclass
class Effect:
    """What one run did."""

    started: list[str] = field(default_factory=list)  # references that took effect in this run
    dossiers: int = 0
    feedback: int = 0
    officials: int = 0
    waiting: int = 0


def take_effect(factory: sessionmaker[Session], now: datetime, calendar_for: CalendarFor) -> Effect:
    """Everything due at ``now``: reorganisations whose date has come start, and those in effect are
    swept until nothing is left at a unit that ended."""
    today = clock.local_date(now)
    effect = Effect()
    with db.transaction(factory) as session:
        due = session.scalars(
            select(Reorganisation.id)
            .where(Reorganisation.effective_date <= today, Reorganisation.swept_at.is_(None))
            .order_by(Reorganisation.effective_date, Reorganisation.id)
        ).all()
    for rid in due:
        with db.transaction(factory) as session:
            row = session.get(Reorganisation, rid, with_for_update=True)
            if row is None:
                continue
            if row.status == "scheduled":
                effect.officials += _start(session, row, now)
                effect.started.append(row.reference)
            elif row.decisions:  # officials decided by hand since
                effect.officials += _move_officials(session, row, Moves.from_json(row.moves), now)
        _sweep(factory, rid, now, calendar_for, effect)
    return effect


def _journal(
    session: Session, row: Reorganisation, now: datetime, kind: str, code: str, before: str, after: str, note: str = ""
) -> None:
    session.add(
        JournalEntry(reorganisation_id=row.id, at=now, kind=kind, code=code, before=before, after=after, note=note)
    )


def _start(session: Session, row: Reorganisation, now: datetime) -> int:
    """Officials move with their posts; renamed bodies take their names. Returns the officials moved."""
    moves = Moves.from_json(row.moves)
    moved = _move_officials(session, row, moves, now)
    for code, name in moves.renamed_agencies.items():
        agency = session.scalars(select(Agency).where(Agency.code == code)).one_or_none()
        if agency is not None:
            _journal(session, row, now, "agency", code, agency.name_vi[:60], name[:60], "renamed")
            agency.name_vi = name
    for code, name in moves.renamed_centres.items():
        centre = session.scalars(select(ServiceCentre).where(ServiceCentre.identifier == code)).one_or_none()
        if centre is not None:
            _journal(session, row, now, "centre", code, centre.name_vi[:60], name[:60], "renamed")
            centre.name_vi = name
    row.status, row.effective_at = "in_effect", clock.aware(now)
    bump_revision(session)
    log.info("reorganisation %s in effect: %s officials moved", row.reference, moved)
    return moved


def _move_officials(session: Session, row: Reorganisation, moves: Moves, now: datetime) -> int:
    """Officials at posts that ended go with them (or where a decision puts them); those the rule cannot
    place are listed once in the journal."""
    moved = 0
    listed = set(
        session.scalars(
            select(JournalEntry.code).where(JournalEntry.reorganisation_id == row.id, JournalEntry.kind == "waiting")
        )
    )
    going: list[tuple[User, str]] = []
    for user in session.scalars(select(User).where(official_posts(moves)).order_by(User.id)):
        target = official_target(user.unit_code or "", moves, row.decisions.get(f"official:{user.username}"))
        if isinstance(target, Waiting):
            if f"official:{user.username}" not in listed:
                _journal(
                    session, row, now, "waiting", f"official:{user.username}", user.unit_code or "", "", target.why
                )
            continue
        if target:
            _journal(session, row, now, "official", user.username, user.unit_code or "", target)
            going.append((user, target))
            moved += 1
    holdings.move_many(session, going, clock.local_date(now), reason=f"reorganisation {row.reference}")
    row.moved_officials += moved
    return moved


def _sweep(factory: sessionmaker[Session], rid: int, now: datetime, calendar_for: CalendarFor, effect: Effect) -> None:
    """Move what is still at a unit that ended, a batch per transaction (locks held briefly; a batch
    that fails is retried by the next run, nothing half-moved: each dossier moves in one step)."""
    with factory() as session:
        row = session.get(Reorganisation, rid)
        assert row is not None
        moves, decisions, reference = Moves.from_json(row.moves), dict(row.decisions), row.reference
        day = row.effective_date
    waiting: dict[str, Waiting] = {}
    snapshot = None
    with factory() as session:  # one scan finds them; each batch then reads a thousand by id
        dialect = session.get_bind().dialect.name
        ids = list(session.scalars(affected(moves, dialect).with_only_columns(Dossier.id).order_by(Dossier.id)))
    for start in range(0, len(ids), BATCH):
        with db.transaction(factory) as session:
            if moves.reform_2025 and snapshot is None:
                snapshot = CatalogSnapshot.load(session)
            chunk = ids[start : start + BATCH]
            query = affected(moves, dialect).where(Dossier.id.in_(chunk)).order_by(Dossier.id)
            if dialect == "postgresql":
                # Locked for the batch's transaction; one an official is acting on is skipped (the
                # next sweep takes it).
                query = query.with_for_update(skip_locked=True, of=Dossier)
            batch = session.scalars(query).all()
            if not batch:
                continue
            placed: list[tuple[Dossier, dict[str, str | None]]] = []
            levels: dict[str, tuple[str, str, str]] = {}
            for d in batch:
                target = dossier_target(d, moves, decisions, day, snapshot)
                if isinstance(target, Waiting):
                    waiting[f"dossier:{d.code}"] = target
                    continue
                level = target.pop("levels", "")
                if level:  # the replay of 2025: what moved from which level to which (the report)
                    levels[d.code] = (d.deciding_agency_code, str(target.get("deciding_agency_code", "")), level)
                placed.append((d, target))
            done = move_many(session, placed, now, calendar_for, reference=reference, reason=_reason(reference))
            moved = len(done)
            if levels:
                row = row_of(session, rid)
                for d in done:
                    if d.code in levels:
                        source, target_agency, level = levels[d.code]
                        _journal(session, row, now, "dossier", d.code, source, target_agency, level)
            row = session.get(Reorganisation, rid)
            assert row is not None
            row.moved_dossiers += moved
            effect.dossiers += moved
    last_feedback = 0
    while True:
        with db.transaction(factory) as session:
            messages = session.scalars(
                affected_feedback(moves)
                .where(FeedbackMessage.id > last_feedback)
                .order_by(FeedbackMessage.id)
                .limit(BATCH)
            ).all()
            if not messages:
                break
            last_feedback = messages[-1].id
            moved = 0
            for m in messages:
                agency = feedback_target(m, moves, decisions, day)
                if isinstance(agency, Waiting):
                    waiting[f"feedback:{m.code}"] = agency
                    continue
                if move_feedback(session, m.code, agency, now, calendar_for, reference=reference):
                    moved += 1
            row = session.get(Reorganisation, rid)
            assert row is not None
            row.moved_feedback += moved
            effect.feedback += moved
    with db.transaction(factory) as session:
        row = session.get(Reorganisation, rid, with_for_update=True)
        assert row is not None
        listed = set(
            session.scalars(
                select(JournalEntry.code).where(JournalEntry.reorganisation_id == rid, JournalEntry.kind == "waiting")
            )
        )
        for code, why in waiting.items():
            if code not in listed:
                _journal(session, row, now, "waiting", code, why.ended, ", ".join(why.successors), why.why)
        row.waiting = len(waiting)
        effect.waiting += len(waiting)
        # Swept: nothing is left to move but what waits for a decision. Dossiers committed after this
        # instant at a unit that ended (submitted just before midnight) are rare; the worker sweeps
        # again during the day of the change.
        if clock.local_date(now) > day:
            row.swept_at = clock.aware(now)


def row_of(session: Session, rid: int) -> Reorganisation:
    row = session.get(Reorganisation, rid)
    assert row is not None
    return row


def _reason(reference: str) -> str:
    return f"Sắp xếp đơn vị hành chính theo {reference}"
