"""The administrative-unit registry: old and new units, their dated versions and their lineage.

Loaded once per process from the CSV files shipped in ``motcua/units/data`` (built by
``scripts/build_units.py`` from the official sources), then the resolutions applied since
(``MapChange``, stored by ``motcua.reorganisation``) laid over it. Reference data, read-only once
built: it lives in memory, not in the database, so every query is a dictionary look-up; a new
resolution builds a new registry and ``install`` swaps it in.
"""

from __future__ import annotations

import csv
import io
import threading
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from datetime import date
from importlib import resources
from typing import cast

from motcua import clock
from motcua.units.models import (
    REORGANISATION_DATE,
    DatedChange,
    Era,
    Level,
    LineageKind,
    MapChange,
    Succession,
    Unit,
    UnitCounts,
    UnitType,
    UnitVersion,
)
from motcua.units.text import bare_key, key


class UnknownUnit(LookupError):
    """No unit with that code (at that date)."""


def data_rows(name: str) -> list[dict[str, str]]:
    """The rows of one of the shipped CSV files in ``motcua/units/data``."""
    text = resources.files("motcua.units").joinpath("data").joinpath(name).read_text(encoding="utf-8")
    return list(csv.DictReader(io.StringIO(text)))


def era_at(at: date) -> Era:
    return "old" if at < REORGANISATION_DATE else "new"


class Registry:
    def __init__(self, map_changes: Sequence[MapChange] = ()) -> None:
        self._units: dict[tuple[Era, Level, str], Unit] = {}
        self._in_force: dict[tuple[date, Level | None], tuple[Unit, ...]] = {}
        self._successors: dict[tuple[Level, str], list[Succession]] = defaultdict(list)
        self._predecessors: dict[tuple[Level, str], list[Succession]] = defaultdict(list)
        # Lineage between units of the two-level map (resolutions after 1 July 2025), apart from the
        # 2025 lineage whose old and new units share codes.
        self._next: dict[tuple[Level, str], list[Succession]] = defaultdict(list)
        self._previous: dict[tuple[Level, str], list[Succession]] = defaultdict(list)
        self._children: dict[tuple[Era, str], list[Unit]] = defaultdict(list)
        self._by_key: dict[str, list[Unit]] = defaultdict(list)
        self.changes: list[DatedChange] = []
        self.map_changes: tuple[MapChange, ...] = tuple(sorted(map_changes, key=lambda m: m.effective_date))
        self._load()
        for change in self.map_changes:
            self._apply(change)
        if self.map_changes:
            self._reindex()

    # -- loading -----------------------------------------------------------------------------
    def _load(self) -> None:
        old_end = REORGANISATION_DATE
        for r in data_rows("old_provinces.csv"):
            self._add(
                Unit(
                    "old",
                    "province",
                    r["code"],
                    r["code"],
                    None,
                    (UnitVersion(None, old_end, cast(UnitType, r["unit_type"]), r["short_name"]),),
                )
            )
        for r in data_rows("old_districts.csv"):
            self._add(
                Unit(
                    "old",
                    "district",
                    r["code"],
                    r["province_code"],
                    None,
                    (UnitVersion(None, old_end, cast(UnitType, r["unit_type"]), r["short_name"]),),
                )
            )
        for r in data_rows("old_communes.csv"):
            self._add(
                Unit(
                    "old",
                    "commune",
                    r["code"],
                    r["province_code"],
                    r["district_code"],
                    (UnitVersion(None, old_end, cast(UnitType, r["unit_type"]), r["short_name"]),),
                )
            )

        self.changes = [
            DatedChange(
                date.fromisoformat(r["effective_date"]),
                cast(Level, r["level"]),
                r["code"],
                r["field"],
                r["value"],
                r["reference"],
                r["confirmed"] == "yes",
            )
            for r in data_rows("changes.csv")
        ]
        changes_by_unit: dict[tuple[str, str], list[DatedChange]] = defaultdict(list)
        for ch in sorted(self.changes, key=lambda c: c.effective_date):
            changes_by_unit[(ch.level, ch.code)].append(ch)

        for r in data_rows("new_provinces.csv"):
            versions = self._versions(r, changes_by_unit[("province", r["code"])])
            self._add(Unit("new", "province", r["code"], r["code"], None, versions, r["name_en"]))
        for r in data_rows("new_communes.csv"):
            versions = self._versions(r, changes_by_unit[("commune", r["code"])])
            self._add(Unit("new", "commune", r["code"], r["province_code"], None, versions, r["name_en"]))

        for r in data_rows("lineage.csv"):
            level = cast(Level, r["level"])
            old = self._units[("old", level, r["old_code"])]
            new_level: Level = "province" if level == "province" else "commune"
            new = self._units[("new", new_level, r["new_code"])]
            s = Succession(old, new, cast(LineageKind, r["kind"]), r["source"])
            self._successors[(level, old.code)].append(s)
            self._predecessors[(new_level, new.code)].append(s)

    @staticmethod
    def _versions(row: dict[str, str], changes: list[DatedChange]) -> tuple[UnitVersion, ...]:
        versions: list[UnitVersion] = []
        start = REORGANISATION_DATE
        unit_type = cast(UnitType, row["unit_type"])
        reference = "Resolution 202/2025/QH15 and the 2025 resolutions of the NA Standing Committee"
        for ch in changes:
            versions.append(UnitVersion(start, ch.effective_date, unit_type, row["short_name"], reference))
            start, reference = ch.effective_date, ch.reference
            if ch.field == "unit_type":
                unit_type = cast(UnitType, ch.value)
        versions.append(UnitVersion(start, None, unit_type, row["short_name"], reference))
        return tuple(versions)

    def _apply(self, change: MapChange) -> None:
        """Lay one resolution over the map: units end the day before it takes effect, new units
        begin that day, renamed or retyped ones get a version from that day."""
        day, ref = change.effective_date, change.reference
        for level, code, name in change.renamed:
            self._new_version(level, code, day, ref, short_name=name)
        for level, code, unit_type in change.retyped:
            self._new_version(level, code, day, ref, unit_type=unit_type)
        for level, code in change.ended:
            unit = self._units[("new", level, code)]
            kept = [v for v in unit.versions if v.valid_from is None or v.valid_from < day]
            kept[-1] = replace(kept[-1], valid_to=day)
            self._replace(replace(unit, versions=tuple(kept)))
        for c in change.created:
            version = UnitVersion(day, None, c.unit_type, c.short_name, ref)
            self._add(Unit("new", c.level, c.code, c.province_code or c.code, None, (version,), c.name_en))
        for level, old_code, new_code, kind in change.lineage:
            s = Succession(self._units[("new", level, old_code)], self._units[("new", level, new_code)], kind, ref)
            self._next[(level, old_code)].append(s)
            self._previous[(level, new_code)].append(s)
        self._in_force.clear()

    def _new_version(
        self, level: Level, code: str, day: date, reference: str, *, short_name: str = "", unit_type: str = ""
    ) -> None:
        unit = self._units[("new", level, code)]
        before = [v for v in unit.versions if v.valid_from is None or v.valid_from < day]
        last = before[-1]
        after = replace(
            last,
            valid_from=day,
            short_name=short_name or last.short_name,
            unit_type=cast(UnitType, unit_type or last.unit_type),
            reference=reference,
        )
        before[-1] = replace(last, valid_to=day)
        self._replace(replace(unit, versions=(*before, after)))

    def _replace(self, unit: Unit) -> None:
        """A unit's new record; the indexes that hold units are rebuilt once all resolutions are laid
        (``_reindex``): thousands of units may change at once."""
        self._units[(unit.era, unit.level, unit.code)] = unit

    def _reindex(self) -> None:
        """The children, name and lineage indexes, from the units as they are now."""
        self._children = defaultdict(list)
        self._by_key = defaultdict(list)
        for unit in self._units.values():
            self._index(unit)

        def current(u: Unit) -> Unit:
            return self._units[(u.era, u.level, u.code)]

        for table in (self._successors, self._predecessors, self._next, self._previous):
            for found in table.values():
                found[:] = [replace(s, old=current(s.old), new=current(s.new)) for s in found]

    def _add(self, unit: Unit) -> None:
        self._units[(unit.era, unit.level, unit.code)] = unit
        self._index(unit)

    def _index(self, unit: Unit) -> None:
        if unit.level == "commune" and unit.era == "old":
            self._children[("old", unit.district_code or "")].append(unit)
        elif unit.level != "province":
            self._children[(unit.era, unit.province_code)].append(unit)
        names = {v.short_name for v in unit.versions}
        for n in names:
            self._by_key[key(n)].append(unit)

    # -- queries -----------------------------------------------------------------------------
    def get(self, level: Level, code: str, *, at: date | None = None, era: Era | None = None) -> Unit:
        """The unit with this code; ``era`` defaults to the one in force at ``at`` (default today)."""
        era = era or era_at(at or clock.today())
        unit = self._units.get((era, level, code))
        if unit is None or (at is not None and unit.version_at(at) is None):
            when = f" on {at.isoformat()}" if at else ""
            raise UnknownUnit(f"no {era} {level} with code {code!r}{when}")
        return unit

    def unit(self, level: Level, code: str, era: Era) -> Unit:
        """Internal fast path for codes known to exist (from the registry's own indexes)."""
        return self._units[(era, level, code)]

    def find(self, level: Level, code: str, era: Era) -> Unit | None:
        return self._units.get((era, level, code))

    def units(self, level: Level, era: Era) -> list[Unit]:
        return [u for (e, lv, _c), u in self._units.items() if e == era and lv == level]

    def in_force(self, at: date, level: Level | None = None) -> list[Unit]:
        """Every unit in force on ``at`` (optionally of one level). Kept per day and level: the
        registry does not change once loaded, and pages ask for the same day's list on every view."""
        key = (at, level)
        found = self._in_force.get(key)
        if found is None:
            era = era_at(at)
            found = tuple(
                u
                for (e, lv, _c), u in self._units.items()
                if e == era and (level is None or lv == level) and u.version_at(at) is not None
            )
            if len(self._in_force) > 256:
                self._in_force.clear()
            self._in_force[key] = found
        return list(found)

    def search(
        self, name: str, *, level: Level | None = None, at: date | None = None, province_code: str | None = None
    ) -> list[Unit]:
        """Units whose name matches, ignoring case, diacritics, spacing and the type word."""
        # Try without and with the leading word: 'Xa La' is a name, 'Xã La' a type and a name.
        found = list(dict.fromkeys(self._by_key.get(bare_key(name), []) + self._by_key.get(key(name), [])))
        era = era_at(at) if at else None
        return [
            u
            for u in found
            if (level is None or u.level == level)
            and (era is None or u.era == era)
            and (province_code is None or u.province_code == province_code)
            and (at is None or u.version_at(at) is not None)
        ]

    def children(self, parent: Unit, at: date | None = None) -> list[Unit]:
        """Districts or communes directly under ``parent`` (a province, or an old district)."""
        if parent.level == "province":
            units = self._children[(parent.era, parent.code)]
            if parent.era == "old":
                units = [u for u in units if u.level == "district"]
        else:
            units = self._children[("old", parent.code)]
        return [u for u in units if at is None or u.version_at(at) is not None]

    def successors(self, unit: Unit) -> list[Succession]:
        """The units that took over ``unit``'s area: on 1 July 2025 for an old unit, by a later
        resolution for a unit of the two-level map."""
        if unit.era == "old":
            return list(self._successors.get((unit.level, unit.code), []))
        return list(self._next.get((unit.level, unit.code), []))

    def predecessors(self, unit: Unit) -> list[Succession]:
        """The units ``unit`` was made from: the old units of 2025, then those of later resolutions."""
        if unit.era == "old":
            return []
        key_ = (unit.level, unit.code)
        return list(self._predecessors.get(key_, [])) + list(self._previous.get(key_, []))

    def origins(self, unit: Unit) -> list[Succession]:
        """The 2025 lineage of a unit of the two-level map, through the resolutions since: the old
        units (until 30 June 2025) its area came from."""
        found: list[Succession] = []
        seen: set[str] = set()
        todo = [unit]
        while todo:
            current = todo.pop()
            if current.code in seen:
                continue
            seen.add(current.code)
            found.extend(self._predecessors.get((current.level, current.code), []))
            todo.extend(s.old for s in self._previous.get((current.level, current.code), []))
        return found

    def lineage_codes(self, level: Level, code: str) -> tuple[str, ...]:
        """``code`` and every unit of the two-level map it was made from by later resolutions
        (transitively): the places whose history is its own."""
        found: list[str] = []
        todo = [code]
        while todo:
            current = todo.pop()
            if current in found:
                continue
            found.append(current)
            todo.extend(s.old.code for s in self._previous.get((level, current), []))
        return tuple(found)

    def in_force_successors(self, unit: Unit, at: date) -> list[Unit]:
        """What a unit is on ``at``: itself while in force, else the units that took it over (followed
        through later resolutions), each once."""
        if unit.version_at(at) is not None:
            return [unit]
        found: list[Unit] = []
        for s in self.successors(unit):
            for u in self.in_force_successors(s.new, at):
                if u not in found:
                    found.append(u)
        return found

    def new_province_of(self, old_province_code: str) -> Unit:
        return self._successors[("province", old_province_code)][0].new

    def old_provinces_of(self, new_province_code: str) -> list[Unit]:
        return [s.old for s in self._predecessors[("province", new_province_code)]]

    def counts(self, at: date) -> UnitCounts:
        counts = UnitCounts(at)
        for unit in self.in_force(at):
            version = unit.version_at(at)
            assert version is not None
            bucket = {"province": counts.provinces, "district": counts.districts, "commune": counts.communes}[
                unit.level
            ]
            bucket[version.unit_type] = bucket.get(version.unit_type, 0) + 1
        return counts

    def pending_changes(self, after: date) -> Iterable[DatedChange]:
        return (c for c in self.changes if c.effective_date > after)


_current: Registry | None = None
_installing = threading.Lock()
_on_install: list[Callable[[], None]] = []


def get_registry() -> Registry:
    """The process-wide registry, loaded on first use (the shipped map, without resolutions until
    ``motcua.reorganisation`` installs the applied ones)."""
    registry = _current
    if registry is None:
        with _installing:
            if _current is None:
                install(Registry())
            registry = _current
    assert registry is not None
    return registry


def install(registry: Registry) -> None:
    """Make ``registry`` the process-wide one; what was derived from the previous one is dropped."""
    global _current
    _current = registry
    for forget in _on_install:
        forget()


def on_install(forget: Callable[[], None]) -> None:
    """Register what to drop when another registry is installed (a cache built from units)."""
    _on_install.append(forget)
