"""What a resolution moves, worked out from the file and the catalog as it stands: for each unit that
ends, its successors and the rule that chooses among them; for each of its agencies and centres, the
one that takes its work in each successor; the agencies and centre a new unit needs; the names that
change. Kept as JSON with the reorganisation, so that its date applies exactly what was planned."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from motcua.catalog.agencies import commune_bodies, load_template
from motcua.catalog.models import Agency, ServiceCentre
from motcua.reorganisation.resolution import Resolution
from motcua.units.models import TYPE_NAMES_VI, CreatedUnit, Level, LineageKind, MapChange
from motcua.units.registry import Registry
from motcua.units.text import fold


@dataclass
class UnitMove:
    """A unit that ends: its successors (one for a merge), the rule among several, and the words of an
    address that send a dossier to each (the address rule)."""

    code: str
    level: str
    successors: list[str]
    rule: str = ""
    words: dict[str, list[str]] = field(default_factory=dict)  # successor → folded words


@dataclass
class Moves:
    reference: str
    effective_date: str
    units: dict[str, UnitMove] = field(default_factory=dict)  # ended commune → its move
    # Body (agency or centre) of an ended unit → {successor unit: body that takes its work there}.
    agencies: dict[str, dict[str, str]] = field(default_factory=dict)
    centres: dict[str, dict[str, str]] = field(default_factory=dict)
    new_agencies: list[dict[str, Any]] = field(default_factory=list)  # the agencies of new units
    new_centres: list[dict[str, Any]] = field(default_factory=list)
    renamed_agencies: dict[str, str] = field(default_factory=dict)
    renamed_centres: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)  # what the planner chose where the file is silent
    # The replay of 1 July 2025: old units to the two-level map, each dossier placed by routing.
    reform_2025: bool = False
    province: str = ""  # the new province the file covers (the replay)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Moves:
        moves = cls(**{k: v for k, v in data.items() if k != "units"})
        moves.units = {code: UnitMove(**u) for code, u in data.get("units", {}).items()}
        return moves

    def target(self, table: dict[str, dict[str, str]], code: str | None, successor: str | None) -> str | None:
        """Where the work of body ``code`` goes when the dossier's unit went to ``successor`` (None:
        the body is not moved)."""
        if not code or code not in table:
            return None
        options = table[code]
        if len(options) == 1:
            return next(iter(options.values()))
        return options.get(successor or "")

    @property
    def ended_agencies(self) -> set[str]:
        return set(self.agencies)

    @property
    def ended_centres(self) -> set[str]:
        return set(self.centres)


def map_change(resolution: Resolution) -> MapChange:
    """The resolution's changes of units, as the registry lays them over the map (none for the files
    of 1 July 2025: the shipped map is that reform)."""
    created = tuple(
        CreatedUnit(
            c.level,  # type: ignore[arg-type]
            c.code,
            c.name,
            c.unit_type,  # type: ignore[arg-type]
            c.province if c.level == "commune" else c.code,
            fold(c.name).title(),
        )
        for c in resolution.changes
        if c.is_unit and c.action == "create"
    )
    ending = [c for c in resolution.changes if c.is_unit and c.action in ("merge", "split")]
    if any(c.is_old for c in resolution.changes):
        return MapChange(resolution.reference, resolution.effective_date)
    ended = tuple(dict.fromkeys((c.level, c.code) for c in ending))
    lineage: tuple[tuple[Level, str, str, LineageKind], ...] = tuple(
        (c.level, c.code, c.successor, "whole" if c.action == "merge" else "partial")  # type: ignore[misc]
        for c in ending
    )
    renamed = tuple((c.level, c.code, c.name) for c in resolution.changes if c.is_unit and c.action == "rename")
    retyped = tuple((c.level, c.code, c.unit_type) for c in resolution.changes if c.is_unit and c.action == "retype")
    return MapChange(
        resolution.reference,
        resolution.effective_date,
        created,
        ended,  # type: ignore[arg-type]
        lineage,
        renamed,  # type: ignore[arg-type]
        retyped,  # type: ignore[arg-type]
    )


def work_out_2025(session: Session, resolution: Resolution, registry: Registry) -> Moves:
    """The moves of a file of the 1 July 2025 reform: each old commune to its new commune(s); the
    one-stop departments of the old districts end (routing places each dossier, see ``reform2025``)."""
    moves = Moves(resolution.reference, resolution.effective_date.isoformat(), reform_2025=True)
    for c in resolution.changes:
        if c.level == "old_commune":
            move = moves.units.setdefault(c.code, UnitMove(c.code, "old_commune", [], c.rule))
            move.successors.append(c.successor)
            successor = registry.find("commune", c.successor, "new")
            if successor is not None:
                moves.province = successor.province_code
        elif c.level == "old_province":
            moves.province = moves.province or c.successor
    ended = session.scalars(
        select(ServiceCentre.identifier).where(
            ServiceCentre.province_code == moves.province,
            ServiceCentre.valid_to == resolution.effective_date,
        )
    )
    moves.centres = {identifier: {} for identifier in ended}
    return moves


def work_out(session: Session, resolution: Resolution, registry: Registry) -> Moves:
    """The moves of ``resolution`` over the catalog in ``session`` and the map of ``registry`` (the
    resolution laid over it: see ``overlaid``)."""
    if any(c.is_old for c in resolution.changes):
        return work_out_2025(session, resolution, registry)
    template = load_template()
    day = resolution.effective_date
    moves = Moves(resolution.reference, day.isoformat())
    for c in resolution.changes:
        if c.is_unit and c.action in ("merge", "split"):
            move = moves.units.setdefault(c.code, UnitMove(c.code, c.level, [], c.rule))
            move.successors.append(c.successor)
            if c.match:
                move.words[c.successor] = [fold(w) for w in c.match]
    agencies = {a.code: a for a in session.scalars(select(Agency))}
    centres = {c.identifier: c for c in session.scalars(select(ServiceCentre))}
    by_commune: dict[str, list[Agency]] = {}
    for a in agencies.values():
        if a.commune_code and a.valid_to is None:
            by_commune.setdefault(a.commune_code, []).append(a)
    centres_of: dict[str, list[ServiceCentre]] = {}
    for centre in centres.values():
        if centre.commune_code and centre.valid_to is None:
            centres_of.setdefault(centre.commune_code, []).append(centre)

    # The bodies a new unit needs, named as the template names them.
    for c in resolution.changes:
        if not (c.is_unit and c.action == "create" and c.level == "commune"):
            continue
        province = registry.get("province", c.province, era="new")
        identifier = _next_identifier(template, centres, c.province, moves)
        provincial = next(
            (x for x in centres.values() if x.province_code == c.province and x.level == "province"), None
        )
        name = f"{TYPE_NAMES_VI[c.unit_type]} {c.name}"
        made, centre = commune_bodies(
            template,
            c.code,
            name,
            c.unit_type,
            c.province,
            (province.version_at(day) or province.current).name,
            identifier,
            provincial.id if provincial else None,
        )
        for a in made:
            moves.new_agencies.append(
                {
                    "code": a.code,
                    "name_vi": a.name_vi,
                    "kind": a.kind,
                    "department": a.department,
                    "province_code": a.province_code,
                    "commune_code": a.commune_code,
                    "fields": a.fields,
                }
            )
        by_commune[c.code] = made
        moves.new_centres.append(
            {
                "identifier": centre.identifier,
                "name_vi": centre.name_vi,
                "level": centre.level,
                "province_code": centre.province_code,
                "commune_code": centre.commune_code,
                "parent_id": centre.parent_id,
                "address": centre.address,
                "opening_hours": centre.opening_hours,
                "serves": centre.serves,
            }
        )
        centres_of[c.code] = [centre]

    explicit_agencies = {c.code: c.successor for c in resolution.of("agency", "merge")}
    explicit_centres = {c.code: c.successor for c in resolution.of("centre", "merge")}
    for code, move in moves.units.items():
        if move.level != "commune":
            continue
        for agency in by_commune.get(code, []):
            suffix = agency.code.split(".", 1)[1]
            options: dict[str, str] = {}
            for successor in move.successors:
                own = {a.code for a in by_commune.get(successor, [])}
                wanted = explicit_agencies.get(agency.code) or f"{successor}.{suffix}"
                if wanted not in own and wanted not in agencies:
                    fallback = f"{successor}.UBND"
                    moves.notes.append(f"{successor} has no {wanted}: the work of {agency.code} goes to {fallback}")
                    wanted = fallback
                options[successor] = wanted
            moves.agencies[agency.code] = options
        for centre in centres_of.get(code, []):
            options = {}
            for successor in move.successors:
                theirs = centres_of.get(successor, [])
                wanted = explicit_centres.get(centre.identifier) or (theirs[0].identifier if theirs else "")
                if not wanted:
                    provincial = next(
                        (
                            x
                            for x in centres.values()
                            if x.province_code == centre.province_code and x.level == "province"
                        ),
                        None,
                    )
                    wanted = provincial.identifier if provincial else ""
                    moves.notes.append(f"{successor} has no centre: {centre.identifier} hands over to {wanted}")
                options[successor] = wanted
            moves.centres[centre.identifier] = options
    # Explicit merges of bodies whose unit goes on (two offices made one, a centre closed).
    for code, successor in explicit_agencies.items():
        if code not in moves.agencies:
            moves.agencies[code] = {"": successor}
    for code, successor in explicit_centres.items():
        if code not in moves.centres:
            moves.centres[code] = {"": successor}
    for c in resolution.of("agency", "rename"):
        moves.renamed_agencies[c.code] = c.name
    for c in resolution.of("centre", "rename"):
        moves.renamed_centres[c.code] = c.name
    for c in resolution.of("centre", "create"):
        parent = centres.get(c.successor)
        moves.new_centres.append(
            {
                "identifier": c.code,
                "name_vi": c.name,
                "level": "point",
                "province_code": parent.province_code if parent else c.province,
                "commune_code": parent.commune_code if parent else None,
                "parent_id": parent.id if parent else None,
                "address": c.note,
                "opening_hours": parent.opening_hours if parent else "",
                "serves": list(parent.serves) if parent else [],
            }
        )
    # A unit renamed or retyped: its bodies take the names the template gives the new name.
    for c in resolution.changes:
        if c.level != "commune" or c.action not in ("rename", "retype"):
            continue
        unit = registry.get("commune", c.code, era="new")
        version = unit.version_at(day) or unit.current
        province = registry.get("province", unit.province_code, era="new")
        name = version.name
        made, centre = commune_bodies(
            template, c.code, name, version.unit_type, unit.province_code, province.name, "", None
        )
        for a in made:
            if a.code in agencies and agencies[a.code].name_vi != a.name_vi:
                moves.renamed_agencies.setdefault(a.code, a.name_vi)
        for existing in centres_of.get(c.code, []):
            if existing.level == centre.level and existing.name_vi != centre.name_vi:
                moves.renamed_centres.setdefault(existing.identifier, centre.name_vi)
    return moves


def _next_identifier(
    template: dict[str, Any], centres: dict[str, ServiceCentre], province_code: str, moves: Moves
) -> str:
    """A new commune centre's identifier: the next number of its province (the shape of the template)."""
    cfg = template["centres"]
    key = "point" if province_code in set(cfg["single_centre_provinces"]) else "commune"
    taken = set(centres) | {c["identifier"] for c in moves.new_centres}
    seq = 1
    while True:
        identifier = str(cfg[f"{key}_identifier"]).format(seq=seq, province_code=province_code)
        if identifier not in taken:
            return identifier
        seq += 1


def overlaid(registry: Registry, change: MapChange) -> Registry:
    """The registry with one more resolution laid over it (to plan before applying)."""
    return Registry((*registry.map_changes, change))
