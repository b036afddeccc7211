"""The administrative-unit registry: old and new units, their dated versions and their lineage.

Loaded once per process from the CSV files shipped in ``motcua/units/data`` (built by
``scripts/build_units.py`` from the official sources). Reference data, read-only: it lives in
memory, not in the database, so every query is a dictionary look-up.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from functools import cache
from importlib import resources
from typing import cast

from motcua import clock
from motcua.units.models import (
    REORGANISATION_DATE,
    DatedChange,
    Era,
    Level,
    LineageKind,
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
    def __init__(self) -> None:
        self._units: dict[tuple[Era, Level, str], Unit] = {}
        self._in_force: dict[tuple[date, Level | None], tuple[Unit, ...]] = {}
        self._successors: dict[tuple[Level, str], list[Succession]] = defaultdict(list)
        self._predecessors: dict[tuple[Level, str], list[Succession]] = defaultdict(list)
        self._children: dict[tuple[Era, str], list[Unit]] = defaultdict(list)
        self._by_key: dict[str, list[Unit]] = defaultdict(list)
        self.changes: list[DatedChange] = []
        self._load()

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

    def _add(self, unit: Unit) -> None:
        self._units[(unit.era, unit.level, unit.code)] = unit
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
        return list(self._successors.get((unit.level, unit.code), [])) if unit.era == "old" else []

    def predecessors(self, unit: Unit) -> list[Succession]:
        return list(self._predecessors.get((unit.level, unit.code), [])) if unit.era == "new" else []

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


@cache
def get_registry() -> Registry:
    """The process-wide registry, loaded on first use."""
    return Registry()
