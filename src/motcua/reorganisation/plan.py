"""What applying a resolution will do, before anything changes: the units, agencies, centres and
officials affected; the open dossiers and feedback messages each successor agency receives; the
deadlines that fall across the date; the procedures whose competent level changes that day; and what
needs a decision. Written as JSON and as a self-contained HTML page."""

from __future__ import annotations

from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import Environment
from sqlalchemy import func, select, true
from sqlalchemy.orm import Session

from motcua.accounts.models import User
from motcua.catalog.models import Procedure, ProcedureChange
from motcua.catalog.routing import CatalogSnapshot
from motcua.dossiers.models import Dossier
from motcua.i18n import Language, jinja_environment
from motcua.reorganisation.apply import Refused, prepare
from motcua.reorganisation.moves import Moves, map_change, overlaid
from motcua.reorganisation.resolution import Problem, Resolution
from motcua.reorganisation.targets import (
    Waiting,
    affected,
    affected_feedback,
    dossier_target,
    feedback_target,
    official_posts,
    official_target,
)
from motcua.units.registry import get_registry

TEMPLATES = Path(__file__).parent / "templates"
LISTED = 200  # items listed by name in a section; the counts cover all


@dataclass
class UnitLine:
    code: str
    name: str
    change: str  # ends | created | renamed | retyped
    detail: str = ""  # successors, the new name or type, the predecessors


@dataclass
class Flow:
    """Open work moving from one body to another, and how much of it is due on or after the date."""

    source: str
    target: str
    count: int = 0
    due_after: int = 0  # its appointment falls on or after the date: the successor finishes it
    overdue: int = 0  # already past its appointment on the eve


@dataclass
class Plan:
    reference: str
    effective_date: date
    at: date
    problems: list[Problem] = field(default_factory=list)
    units: list[UnitLine] = field(default_factory=list)
    agencies: list[tuple[str, str, str]] = field(default_factory=list)  # (code, what, successor or name)
    centres: list[tuple[str, str, str]] = field(default_factory=list)
    officials: list[tuple[str, str, str, str]] = field(default_factory=list)  # (username, role, from, to)
    dossiers: list[Flow] = field(default_factory=list)
    feedback: list[Flow] = field(default_factory=list)
    procedures: list[tuple[str, str, str, str, str]] = field(default_factory=list)  # code, kind, from, to, decree
    decisions: list[tuple[str, str, str]] = field(default_factory=list)  # (item, successors, why)
    notes: list[str] = field(default_factory=list)
    totals: dict[str, int] = field(default_factory=dict)
    levels: dict[str, int] = field(default_factory=dict)  # open dossiers by level before → after (2025)

    @property
    def ok(self) -> bool:
        return not self.problems

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["effective_date"], data["at"] = self.effective_date.isoformat(), self.at.isoformat()
        data["problems"] = [p.to_dict() for p in self.problems]
        return data


def make_plan(session: Session, resolution: Resolution, at: date) -> Plan:
    """The plan of ``resolution`` as if applied on ``at`` (nothing is written)."""
    plan = Plan(resolution.reference, resolution.effective_date, at)
    try:
        moves = prepare(session, resolution)
    except Refused as refused:
        plan.problems = refused.problems
        return plan
    day = resolution.effective_date
    after = overlaid(get_registry(), map_change(resolution))
    plan.notes = list(moves.notes)
    if at > day:
        plan.notes.append(
            f"applied after its date ({day}): dossiers decided since stay where they were decided; "
            "open ones move at once"
        )
    _units(plan, moves, resolution, after)
    _bodies(plan, moves)
    _officials(session, plan, moves)
    _work(session, plan, moves, day)
    _procedures(session, plan, day)
    plan.totals = {
        "units_ended": sum(1 for u in plan.units if u.change == "ends"),
        "units_created": sum(1 for u in plan.units if u.change == "created"),
        "agencies_ended": len(moves.agencies),
        "agencies_created": len(moves.new_agencies),
        "centres_ended": len(moves.centres),
        "centres_created": len(moves.new_centres),
        "officials": len(plan.officials),
        "dossiers": sum(f.count for f in plan.dossiers),
        "dossiers_due_after": sum(f.due_after for f in plan.dossiers),
        "feedback": sum(f.count for f in plan.feedback),
        "procedures": len(plan.procedures),
        "decisions": len(plan.decisions),
    }
    return plan


def _units(plan: Plan, moves: Moves, resolution: Resolution, registry: Any) -> None:
    if moves.reform_2025:
        for c in resolution.changes:
            level = c.level.removeprefix("old_")
            unit = registry.get(level, c.code, era="old")
            detail = ""
            if c.successor:
                successor = registry.get("province" if level == "province" else "commune", c.successor, era="new")
                detail = f"{successor.name} ({c.successor})" + (f" — {c.rule}" if c.rule else "")
            plan.units.append(UnitLine(c.code, unit.name, "ends", detail))
        return
    for code, move in moves.units.items():
        unit = registry.get(move.level, code, era="new")
        names = ", ".join(f"{registry.get(move.level, s, era='new').name} ({s})" for s in move.successors)
        rule = f" — {move.rule}" if move.rule else ""
        plan.units.append(UnitLine(code, unit.versions[-1].name, "ends", names + rule))
    for c in resolution.changes:
        if not c.is_unit or c.action not in ("create", "rename", "retype"):
            continue
        unit = registry.get(c.level, c.code, era="new")
        version = unit.versions[-1]
        if c.action == "create":
            sources = ", ".join(s.old.code for s in registry.predecessors(unit))
            plan.units.append(UnitLine(c.code, version.name, "created", sources))
        else:
            plan.units.append(UnitLine(c.code, unit.versions[-2].name, c.action + "d", version.name))


def _bodies(plan: Plan, moves: Moves) -> None:
    for code, options in sorted(moves.agencies.items()):
        plan.agencies.append((code, "ends", ", ".join(sorted(set(options.values())))))
    for spec in moves.new_agencies:
        plan.agencies.append((spec["code"], "created", spec["name_vi"]))
    for code, name in sorted(moves.renamed_agencies.items()):
        plan.agencies.append((code, "renamed", name))
    for code, options in sorted(moves.centres.items()):
        plan.centres.append((code, "ends", ", ".join(sorted(set(options.values())))))
    for spec in moves.new_centres:
        plan.centres.append((spec["identifier"], "created", spec["name_vi"]))
    for code, name in sorted(moves.renamed_centres.items()):
        plan.centres.append((code, "renamed", name))


def _officials(session: Session, plan: Plan, moves: Moves) -> None:
    for user in session.scalars(select(User).where(official_posts(moves)).order_by(User.unit_code, User.username)):
        target = official_target(user.unit_code or "", moves, None)
        if isinstance(target, Waiting):
            plan.decisions.append((f"official:{user.username}", ", ".join(target.successors), target.why))
            target = ""
        plan.officials.append((user.username, user.role, user.unit_code or "", target or ""))


@dataclass
class _Group:
    """Open dossiers that share every field their place after the reorganisation depends on."""

    subject_commune_code: str
    deciding_commune_code: str | None
    deciding_agency_code: str
    handling_unit_code: str | None
    centre_identifier: str
    procedure_code: str
    version_number: int
    count: int
    due_after: int
    overdue: int
    code: str = ""
    subject_address: str = ""
    subject_address_as_written: str = ""


PLACE_OF_GROUP = (
    Dossier.subject_commune_code,
    Dossier.deciding_commune_code,
    Dossier.deciding_agency_code,
    Dossier.handling_unit_code,
    Dossier.centre_identifier,
    Dossier.procedure_code,
    Dossier.version_number,
)


def _work(session: Session, plan: Plan, moves: Moves, day: date) -> None:
    """Open dossiers and messages, counted by the body they go from and to. Dossiers are counted in
    groups that share their place (one aggregate query over a million dossiers); only those of a
    split unit, whose address decides, are read one by one."""
    eve = date.fromordinal(day.toordinal() - 1)
    flows: dict[tuple[str, str], Flow] = {}
    waiting_listed = 0
    snapshot = CatalogSnapshot.load(session) if moves.reform_2025 else None
    levels: Counter[str] = Counter()
    split = sorted(code for code, m in moves.units.items() if len(m.successors) > 1)
    one_by_one = Dossier.subject_commune_code.in_(split) | Dossier.deciding_commune_code.in_(split)
    due_after = func.count().filter(Dossier.due_on >= day)
    overdue = func.count().filter(Dossier.due_on < eve)
    dialect = session.get_bind().dialect.name
    grouped = (
        affected(moves, dialect)
        .with_only_columns(*PLACE_OF_GROUP, func.count(), due_after, overdue)
        .where(~one_by_one if split else true())
        .group_by(*PLACE_OF_GROUP)
    )
    groups: list[Any] = [_Group(*row) for row in session.execute(grouped)]  # type: ignore[call-arg]
    if split:
        for (d,) in session.execute(affected(moves, dialect).where(one_by_one).execution_options(yield_per=2000)):
            after = d.due_on is not None and d.due_on >= day
            late = d.due_on is not None and d.due_on < eve
            groups.append(
                _Group(
                    d.subject_commune_code, d.deciding_commune_code, d.deciding_agency_code, d.handling_unit_code,
                    d.centre_identifier, d.procedure_code, d.version_number, 1, int(after), int(late), d.code,
                    d.subject_address, d.subject_address_as_written,
                )
            )  # fmt: skip
    for g in groups:
        target = dossier_target(g, moves, {}, day, snapshot)
        if isinstance(target, Waiting):
            if waiting_listed < LISTED:
                item = f"dossier:{g.code}" if g.code else f"dossiers at {g.deciding_agency_code} ({g.procedure_code})"
                plan.decisions.append((item, ", ".join(target.successors), target.why))
            waiting_listed += g.count
            continue
        if target.get("levels"):
            levels[target["levels"]] += g.count
        source = g.deciding_agency_code or g.centre_identifier
        flow = flows.setdefault(
            (source, target.get("deciding_agency_code", source)),
            Flow(source, target.get("deciding_agency_code", source)),
        )
        flow.count += g.count
        flow.due_after += g.due_after
        flow.overdue += g.overdue
    if waiting_listed > LISTED:
        plan.decisions.append(("dossier:…", "", f"{waiting_listed - LISTED} more dossiers wait for a decision"))
    plan.dossiers = sorted(flows.values(), key=lambda f: (-f.count, f.source))
    plan.levels = dict(sorted(levels.items()))
    feedback: dict[tuple[str, str], Flow] = {}
    for (m,) in session.execute(affected_feedback(moves)):
        agency = feedback_target(m, moves, {}, day)
        if isinstance(agency, Waiting):
            plan.decisions.append((f"feedback:{m.code}", ", ".join(agency.successors), agency.why))
            continue
        flow = feedback.setdefault((m.agency_code, agency), Flow(m.agency_code, agency))
        flow.count += 1
        if m.due_on is not None and m.due_on >= day:
            flow.due_after += 1
    plan.feedback = sorted(feedback.values(), key=lambda f: (-f.count, f.source))


def _procedures(session: Session, plan: Plan, day: date) -> None:
    """Procedures whose competent level changes (or that end) the same day, by a decree."""
    rows = session.execute(
        select(
            Procedure.code,
            ProcedureChange.kind,
            ProcedureChange.from_level,
            ProcedureChange.to_level,
            ProcedureChange.decree,
        )
        .join(Procedure, Procedure.id == ProcedureChange.procedure_id)
        .where(ProcedureChange.effective_date == day, ProcedureChange.kind.in_(("moved", "abolished")))
        .order_by(Procedure.code)
    )
    plan.procedures = [(code, kind, src or "", dst or "", decree) for code, kind, src, dst, decree in rows]


def counts_by_status(session: Session, moves: Moves) -> Counter[str]:
    """Open dossiers affected, by status (for the summary line of the command)."""
    query = affected(moves, session.get_bind().dialect.name).with_only_columns(Dossier.status, func.count())
    query = query.group_by(Dossier.status)
    return Counter({status: n for status, n in session.execute(query)})


@cache
def _environment(language: Language) -> Environment:
    return jinja_environment(TEMPLATES, language)


def render_html(plan: Plan, language: Language = "vi") -> str:
    return _environment(language).get_template("plan.html").render(plan=plan, lang=language)
