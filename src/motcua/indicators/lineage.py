"""Indicators read through the lineage of units: a commune made by a resolution since 1 July 2025 has
the history of the units it was made from, so that a chart or an index across the date reads the same
totals before and after (facts stay where they happened; the reading adds them up)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TypeVar

from motcua.units.registry import get_registry

T = TypeVar("T")


def commune_codes(commune: str) -> tuple[str, ...]:
    """The commune and every unit it was made from since 1 July 2025 (its facts are its history)."""
    return get_registry().lineage_codes("commune", commune)


def folded(counts: dict[str, T], at: date, add: Callable[[T, T], None]) -> dict[str, T]:
    """Counts per commune with those of communes that ended by ``at`` added to the commune that took
    each over (``add(into, other)``). A unit split among several keeps its own line: its history
    cannot be divided."""
    if not get_registry().map_changes:
        return counts
    registry = get_registry()
    out: dict[str, T] = {}
    moved: list[tuple[str, T]] = []
    for code, value in counts.items():
        unit = registry.find("commune", code, "new")
        now = registry.in_force_successors(unit, at) if unit is not None and unit.version_at(at) is None else []
        if len(now) == 1 and now[0].code != code:
            moved.append((now[0].code, value))
        else:
            out[code] = value
    for code, value in moved:
        if code in out:
            add(out[code], value)
        else:
            out[code] = value
    return out


def origin(commune: str) -> list[tuple[date | None, str, list[tuple[str, str]]]]:
    """What resolutions since 1 July 2025 made a commune of: per resolution, the day it took effect,
    its reference and the units (code, name) merged into the commune; empty for the map of 2025."""
    registry = get_registry()
    unit = registry.find("commune", commune, "new")
    if unit is None:
        return []
    by_reference: dict[str, list[tuple[date | None, str, str]]] = {}
    for s in registry.predecessors(unit):
        if s.old.era == "new":
            by_reference.setdefault(s.source, []).append((s.old.valid_to, s.old.code, s.old.versions[-1].name))
    return [
        (units[0][0], reference, [(code, name) for _day, code, name in units])
        for reference, units in sorted(by_reference.items(), key=lambda kv: kv[1][0][0] or date.min)
    ]
