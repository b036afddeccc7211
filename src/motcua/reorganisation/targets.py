"""Where a dossier, a message or an official goes when a reorganisation takes effect: one rule for
the plan, which counts them, and for the day itself, which moves them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any, cast

from sqlalchemy import ColumnElement, Select, String, any_, bindparam, or_, select
from sqlalchemy.dialects import postgresql

from motcua import clock
from motcua.catalog.routing import CatalogSnapshot
from motcua.dossiers.models import Dossier
from motcua.dossiers.states import TRANSITIONS
from motcua.feedback.models import FeedbackMessage
from motcua.feedback.states import TRANSITIONS as FEEDBACK_TRANSITIONS
from motcua.reorganisation.moves import Moves, UnitMove
from motcua.reorganisation.reform2025 import placed
from motcua.units.address import convert_address
from motcua.units.models import REORGANISATION_DATE
from motcua.units.text import fold

MOVABLE = sorted(s for s in TRANSITIONS["transferred"].sources if s)  # a dossier not yet closed
MOVABLE_FEEDBACK = sorted(s for s in FEEDBACK_TRANSITIONS["transferred"].sources if s)


@dataclass(frozen=True)
class Waiting:
    """A dossier the rule cannot place: someone decides (``motcua reorganise decide``)."""

    ended: str
    successors: tuple[str, ...]
    why: str


def one_of(column: Any, values: list[str], dialect: str) -> ColumnElement[bool]:
    """``column IN values``; on PostgreSQL one array parameter (``= ANY``), not thousands of them (a
    national reorganisation ends thousands of agencies, and every batch would bind them again)."""
    if dialect == "postgresql":
        return cast(ColumnElement[bool], column == any_(bindparam(None, values, type_=postgresql.ARRAY(String))))
    return cast(ColumnElement[bool], column.in_(values))


def affected(moves: Moves, dialect: str = "sqlite") -> Select[Dossier]:
    """The open dossiers a reorganisation moves: at a unit, agency or centre that ends."""
    if moves.reform_2025:  # dossiers of the three-level map: at an old agency or one-stop department
        old: ColumnElement[bool] = Dossier.deciding_agency_code.like("%.UBND-old")
        if moves.centres:
            old = old | Dossier.centre_identifier.in_(sorted(moves.centres))
        return select(Dossier).where(
            Dossier.status.in_(MOVABLE),
            Dossier.province_code == moves.province,
            Dossier.submitted_at < clock.aware(datetime.combine(REORGANISATION_DATE, time())),
            old,
        )
    communes = sorted(code for code, m in moves.units.items() if m.level == "commune")
    agencies, centres = sorted(moves.agencies), sorted(moves.centres)
    conditions = []
    if communes:
        conditions += [
            one_of(Dossier.subject_commune_code, communes, dialect),
            one_of(Dossier.deciding_commune_code, communes, dialect),
        ]
    if agencies:
        conditions += [
            one_of(Dossier.deciding_agency_code, agencies, dialect),
            one_of(Dossier.handling_unit_code, agencies, dialect),
        ]
    if centres:
        conditions.append(one_of(Dossier.centre_identifier, centres, dialect))
    query = select(Dossier).where(Dossier.status.in_(MOVABLE))
    return query.where(or_(*conditions)) if conditions else query.where(Dossier.id < 0)


def affected_feedback(moves: Moves) -> Select[FeedbackMessage]:
    agencies = sorted(moves.agencies)
    query = select(FeedbackMessage).where(FeedbackMessage.status.in_(MOVABLE_FEEDBACK))
    return query.where(FeedbackMessage.agency_code.in_(agencies)) if agencies else query.where(FeedbackMessage.id < 0)


def _commune_of_body(code: str | None) -> str | None:
    prefix = (code or "").split(".")[0]
    return prefix if len(prefix) == 5 and prefix.isdigit() else None


def ended_unit(d: Dossier, moves: Moves) -> UnitMove | None:
    """The unit of the dossier that ends: where its subject lies, or the commune that decides it."""
    for code in (d.subject_commune_code, d.deciding_commune_code, _commune_of_body(d.handling_unit_code)):
        if code and code in moves.units:
            return moves.units[code]
    return None


def successor_for(move: UnitMove, address: Sequence[str], decided: str | None, day: date) -> str | Waiting:
    """The successor that takes a dossier (or message) of ``move``'s unit: the only one, the one
    decided by hand, or the one its address names under the resolution's rule."""
    if len(move.successors) == 1:
        return move.successors[0]
    if decided in move.successors:
        return decided
    choices = tuple(move.successors)
    if move.rule == "address":
        text = " ".join(fold(a) for a in address if a)
        found = [s for s, words in move.words.items() if any(w and w in text for w in words)]
        if len(found) == 1:
            return found[0]
        why = "the address names none of the successors' places" if not found else "the address names several"
        return Waiting(move.code, choices, why)
    if move.rule == "subject_commune":
        for a in address:
            if not a:
                continue
            conversion = convert_address(a, day)
            if conversion.commune_code in move.successors:
                return conversion.commune_code
        return Waiting(move.code, choices, "the address does not tell which successor the subject lies in")
    return Waiting(move.code, choices, "the resolution leaves it to a decision by hand")


def dossier_target(
    d: Dossier, moves: Moves, decisions: dict[str, str], day: date, snapshot: CatalogSnapshot | None = None
) -> dict[str, Any] | Waiting:
    """The dossier's place after the reorganisation (the fields that change), or why it waits."""
    if moves.reform_2025:
        assert snapshot is not None
        return _placed_2025(d, moves, decisions, snapshot)
    move = ended_unit(d, moves)
    successor: str | None = None
    if move is not None:
        chosen = successor_for(
            move, (d.subject_address, d.subject_address_as_written), decisions.get(f"dossier:{d.code}"), day
        )
        if isinstance(chosen, Waiting):
            return chosen
        successor = chosen
    to: dict[str, Any] = {}
    if move is not None and d.subject_commune_code == move.code:
        to["subject_commune_code"] = successor
    for name in ("deciding_agency_code", "handling_unit_code"):
        target = moves.target(moves.agencies, getattr(d, name), successor)
        if target:
            to[name] = target
    target = moves.target(moves.centres, d.centre_identifier, successor)
    if target:
        to["centre_identifier"] = target
    if move is not None and (d.deciding_agency_code or "") in moves.agencies and "deciding_agency_code" not in to:
        return Waiting(move.code, tuple(move.successors), "no agency of the successor takes this work")
    return to


def _placed_2025(
    d: Dossier, moves: Moves, decisions: dict[str, str], snapshot: CatalogSnapshot
) -> dict[str, Any] | Waiting:
    """A dossier of the three-level map: its old commune's successor, then the agency routing gives
    for its procedure there on 1 July 2025 (the level the decrees gave it)."""
    move = moves.units.get(d.subject_commune_code)
    if move is None:
        return Waiting(d.subject_commune_code, (), "the file does not name the dossier's old commune")
    chosen = successor_for(
        move, (d.subject_address_as_written, d.subject_address), decisions.get(f"dossier:{d.code}"), REORGANISATION_DATE
    )
    if isinstance(chosen, Waiting):
        return chosen
    where = placed(d, chosen, snapshot)
    if isinstance(where, str):
        return Waiting(move.code, (chosen,), where)
    return {**where.to, "levels": f"{where.from_level}→{where.to_level}"}


def feedback_target(m: FeedbackMessage, moves: Moves, decisions: dict[str, str], day: date) -> str | Waiting:
    """The agency that takes an open message of an agency that ends."""
    options = moves.agencies.get(m.agency_code, {})
    if len(options) == 1:
        return next(iter(options.values()))
    commune = _commune_of_body(m.agency_code)
    move = moves.units.get(commune or "")
    if move is None:
        return Waiting(m.agency_code, tuple(options), "several agencies take this work")
    chosen = successor_for(move, (m.sender_address,), decisions.get(f"feedback:{m.code}"), day)
    if isinstance(chosen, Waiting):
        return chosen
    return options.get(chosen) or Waiting(move.code, tuple(move.successors), "no agency of the successor")


def official_target(unit_code: str, moves: Moves, decided: str | None) -> str | Waiting | None:
    """The post an official's account moves to with their agency or centre (None: not moved). A
    decision names a successor unit, or the post itself (an agency or a centre)."""
    options = moves.agencies.get(unit_code) or moves.centres.get(unit_code) or {}
    if decided:
        return options.get(decided, decided)
    targets = set(options.values())
    if len(targets) == 1:
        return targets.pop()
    if not options and not moves.reform_2025:
        return None
    why = (
        "the district's staff go where a decision puts them (the province or a commune)"
        if moves.reform_2025
        else "the unit is split: say which successor the official serves"
    )
    return Waiting(unit_code, tuple(options), why)


def official_posts(moves: Moves) -> ColumnElement[bool]:
    """The condition on an official's post that a reorganisation moves."""
    from motcua.accounts.models import User

    posts = sorted(set(moves.agencies) | set(moves.centres))
    condition: ColumnElement[bool] = User.unit_code.in_(posts)
    if moves.reform_2025:
        condition = condition | (User.unit_code.like("%.UBND-old"))
    return condition
