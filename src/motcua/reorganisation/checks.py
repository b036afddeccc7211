"""A resolution checked against the registry as it stands (with the resolutions already applied):
every unit that ends has a successor, every new unit comes from units that end, no unit goes to two
successors without a rule, codes exist or are new, dates are coherent. Problems are told by line."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from datetime import timedelta

from motcua.reorganisation.resolution import Change, Problem, Resolution
from motcua.units.models import REORGANISATION_DATE, Level, Unit
from motcua.units.registry import Registry

UNIT_TYPES: dict[str, tuple[str, ...]] = {
    "commune": ("commune", "ward", "special_zone"),
    "province": ("province", "city"),
}
ENDING = ("merge", "split", "transfer")


def check(
    resolution: Resolution,
    registry: Registry,
    *,
    applied: Collection[str] = (),
    agencies: Collection[str] | None = None,
    centres: Collection[str] | None = None,
) -> list[Problem]:
    """Every problem of ``resolution`` against ``registry``; ``applied`` are the references of the
    resolutions already applied, ``agencies`` and ``centres`` the codes recorded (None: not checked)."""
    problems: list[Problem] = []
    day = resolution.effective_date
    eve = day - timedelta(days=1)
    first_line = resolution.changes[0].line
    if resolution.reference in applied:
        problems.append(Problem(first_line, "reference", f"{resolution.reference!r} is already applied"))
    if any(c.is_old for c in resolution.changes):
        return sorted(problems + check_2025(resolution, registry), key=lambda p: (p.line, p.column))
    if day <= REORGANISATION_DATE:
        problems.append(
            Problem(
                first_line,
                "effective_date",
                f"{day} is not after {REORGANISATION_DATE}: the map of 1 July 2025 is the shipped one "
                "(the files of its replay, levels old_*, are built by scripts/build_reform_2025.py)",
            )
        )
        return problems

    created = {c.code: c for c in resolution.changes if c.is_unit and c.action == "create"}
    ending: dict[tuple[str, str], list[Change]] = defaultdict(list)
    for c in resolution.changes:
        if c.is_unit and c.action in ENDING:
            ending[(c.level, c.code)].append(c)
    successors_of_created: dict[str, list[Change]] = defaultdict(list)

    def unit_on(c: Change, level: str, code: str, column: str, when: str) -> Unit | None:
        """The unit ``code`` in force on the eve of the date, or a problem."""
        unit = registry.find(level, code, "new")  # type: ignore[arg-type]
        if unit is None:
            problems.append(Problem(c.line, column, f"no {level} with code {code!r}"))
            return None
        if unit.version_at(eve) is None:
            ended = unit.valid_to
            why = f"it ended on {ended}" if ended and ended <= eve else f"it begins on {unit.valid_from}"
            problems.append(Problem(c.line, column, f"{level} {code} is not in force {when} ({why})"))
            return None
        return unit

    for c in resolution.changes:
        if not c.is_unit:
            continue
        level: Level = c.level  # type: ignore[assignment]
        if c.action == "create":
            if registry.find(level, c.code, "new") is not None or registry.find(level, c.code, "old") is not None:
                problems.append(
                    Problem(c.line, "code", f"{level} code {c.code} is already used; a new unit needs a new code")
                )
            if sum(1 for x in created.values() if x.code == c.code) and created[c.code] is not c:
                problems.append(Problem(c.line, "code", f"{c.code} is created twice"))
            if not c.name:
                problems.append(Problem(c.line, "name", "a new unit needs a name"))
            if c.unit_type not in UNIT_TYPES[level]:
                problems.append(Problem(c.line, "unit_type", f"one of {', '.join(UNIT_TYPES[level])}"))
            if level == "commune":
                province = registry.find("province", c.province, "new")
                if province is None or province.version_at(day) is None:
                    problems.append(Problem(c.line, "province", f"no province {c.province!r} in force on {day}"))
            continue
        unit = unit_on(c, level, c.code, "code", f"on {eve}, the eve of the resolution")
        if unit is None:
            continue
        if c.action == "transfer":
            problems.append(
                Problem(
                    c.line,
                    "action",
                    "a transfer between provinces is not supported yet: write it as a merge into a unit "
                    "created in the receiving province",
                )
            )
        elif c.action == "rename":
            if not c.name:
                problems.append(Problem(c.line, "name", "a rename needs the new name"))
            elif c.name == unit.short_name:
                problems.append(Problem(c.line, "name", f"{c.code} is already called {c.name}"))
            if (level, c.code) in ending:
                problems.append(Problem(c.line, "code", f"{c.code} ends in this resolution: rename its successor"))
        elif c.action == "retype":
            if c.unit_type not in UNIT_TYPES[level]:
                problems.append(Problem(c.line, "unit_type", f"one of {', '.join(UNIT_TYPES[level])}"))
            elif c.unit_type == unit.unit_type:
                problems.append(Problem(c.line, "unit_type", f"{c.code} is already a {c.unit_type}"))
            if (level, c.code) in ending:
                problems.append(Problem(c.line, "code", f"{c.code} ends in this resolution: retype its successor"))
        else:  # merge, split: the successor
            _check_successor(c, level, unit, registry, created, ending, day, problems, successors_of_created)

    for (_level, code), rows in ending.items():
        kinds = {r.action for r in rows}
        if "merge" in kinds and len(rows) > 1:
            for r in rows[1:]:
                problems.append(
                    Problem(
                        r.line, "code", f"{code} already ends on line {rows[0].line}: a unit merges once, or splits"
                    )
                )
        if kinds == {"split"}:
            if len(rows) < 2:
                problems.append(Problem(rows[0].line, "action", f"{code} is split to one successor: write a merge"))
            targets = [r.successor for r in rows]
            for r in rows:
                if targets.count(r.successor) > 1 and r is not rows[targets.index(r.successor)]:
                    problems.append(Problem(r.line, "successor", f"{r.successor} is named twice for {code}"))
            rules = {r.rule for r in rows}
            if "" in rules:
                for r in rows:
                    if not r.rule:
                        problems.append(
                            Problem(
                                r.line,
                                "rule",
                                f"{code} goes to several successors: say how a dossier finds its own "
                                "(address, subject_commune or hand)",
                            )
                        )
            elif len(rules) > 1:
                problems.append(Problem(rows[1].line, "rule", f"the rows of {code} give different rules"))
            for r in rows:
                if r.rule == "address" and not r.match:
                    problems.append(
                        Problem(r.line, "match", "the address rule needs the words (villages, streets) that go here")
                    )
    for code, c in created.items():
        if c.level == "commune" and not successors_of_created.get(code):
            problems.append(
                Problem(c.line, "code", f"{code} comes from no unit: a new unit is made from units that end here")
            )
    problems.extend(_check_bodies(resolution, agencies, centres))
    return sorted(problems, key=lambda p: (p.line, p.column))


def _check_successor(
    c: Change,
    level: Level,
    unit: Unit,
    registry: Registry,
    created: dict[str, Change],
    ending: dict[tuple[str, str], list[Change]],
    day: object,
    problems: list[Problem],
    successors_of_created: dict[str, list[Change]],
) -> None:
    if not c.successor:
        problems.append(Problem(c.line, "successor", f"{c.code} ends: name the unit that takes it over"))
        return
    if c.successor == c.code:
        problems.append(Problem(c.line, "successor", f"{c.code} cannot succeed itself"))
        return
    if (level, c.successor) in ending:
        problems.append(Problem(c.line, "successor", f"{c.successor} itself ends in this resolution"))
        return
    if c.successor in created:
        successors_of_created[c.successor].append(c)
        province = created[c.successor].province
    else:
        successor = registry.find(level, c.successor, "new")
        if successor is None:
            problems.append(
                Problem(c.line, "successor", f"no {level} {c.successor!r}, and this file does not create it")
            )
            return
        if successor.version_at(day) is None:  # type: ignore[arg-type]
            problems.append(Problem(c.line, "successor", f"{c.successor} is not in force on {day}"))
            return
        province = successor.province_code
    if level == "commune" and province != unit.province_code:
        problems.append(
            Problem(
                c.line,
                "successor",
                f"{c.successor} is in province {province}, {c.code} in {unit.province_code}: "
                "a transfer between provinces is not supported yet",
            )
        )


def _check_bodies(
    resolution: Resolution, agencies: Collection[str] | None, centres: Collection[str] | None
) -> list[Problem]:
    """Agencies and centres named by the file: known codes (when the caller gave them), names."""
    problems: list[Problem] = []
    for c in resolution.changes:
        if c.is_unit:
            continue
        known = agencies if c.level == "agency" else centres
        if c.action == "create":
            if known is not None and c.code in known:
                problems.append(Problem(c.line, "code", f"{c.level} {c.code} already exists"))
            if not c.name:
                problems.append(Problem(c.line, "name", f"a new {c.level} needs a name"))
            if not c.successor:
                problems.append(Problem(c.line, "successor", "name the centre this reception point belongs to"))
            elif known is not None and c.successor not in known:
                problems.append(Problem(c.line, "successor", f"no centre {c.successor!r}"))
            continue
        if known is not None and c.code not in known:
            problems.append(Problem(c.line, "code", f"no {c.level} {c.code!r}"))
        if c.action == "rename" and not c.name:
            problems.append(Problem(c.line, "name", "a rename needs the new name"))
        if c.action == "merge":
            if not c.successor:
                problems.append(Problem(c.line, "successor", f"name the {c.level} that takes over {c.code}"))
            elif c.successor == c.code:
                problems.append(Problem(c.line, "successor", f"{c.code} cannot succeed itself"))
    return problems


def check_2025(resolution: Resolution, registry: Registry) -> list[Problem]:
    """A file of the 1 July 2025 reform (levels ``old_*``): the old units exist, their successors are
    units of the two-level map, the lineage is the shipped one, and every old commune and district of
    the provinces it covers is in it."""
    problems: list[Problem] = []
    first = resolution.changes[0].line
    if resolution.effective_date != REORGANISATION_DATE:
        problems.append(
            Problem(first, "effective_date", f"the units of the three-level map end on {REORGANISATION_DATE}")
        )
    if any(not c.is_old for c in resolution.changes):
        line = next(c.line for c in resolution.changes if not c.is_old)
        problems.append(Problem(line, "level", "a file of the 2025 reform holds only old_* levels"))
        return problems
    named: dict[tuple[str, str], list[Change]] = defaultdict(list)
    provinces: set[str] = set()
    for c in resolution.changes:
        level = c.level.removeprefix("old_")
        unit = registry.find(level, c.code, "old")  # type: ignore[arg-type]
        if unit is None:
            problems.append(Problem(c.line, "code", f"no {level} before 1 July 2025 with code {c.code!r}"))
            continue
        named[(level, c.code)].append(c)
        provinces.add(unit.province_code)
        if c.action == "abolish":
            continue
        successor_level = "province" if level == "province" else "commune"
        successor = registry.find(successor_level, c.successor, "new")  # type: ignore[arg-type]
        if successor is None or successor.version_at(REORGANISATION_DATE) is None:
            problems.append(
                Problem(c.line, "successor", f"no {successor_level} {c.successor!r} on {REORGANISATION_DATE}")
            )
    for (level, code), rows in named.items():
        if level == "district":
            continue
        unit = registry.unit(level, code, "old")  # type: ignore[arg-type]
        shipped = sorted(s.new.code for s in registry.successors(unit))
        if sorted(r.successor for r in rows) != shipped:
            problems.append(
                Problem(rows[0].line, "successor", f"{code} goes to {', '.join(shipped)} in the shipped lineage")
            )
        if len(rows) > 1 and any(not r.rule for r in rows):
            problems.append(Problem(rows[0].line, "rule", f"{code} goes to several successors: say how (a rule)"))
    if any(level != "province" for level, _code in named):
        for province in sorted(provinces):
            for level in ("commune", "district"):
                missing = [
                    u.code
                    for u in registry.units(level, "old")  # type: ignore[arg-type]
                    if u.province_code == province and (level, u.code) not in named
                ]
                if missing:
                    problems.append(
                        Problem(0, "", f"{len(missing)} old {level}(s) of province {province} are not in the file "
                                f"(e.g. {', '.join(missing[:5])})")
                    )  # fmt: skip
    return problems
