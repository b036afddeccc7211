"""What a dossier page shows, in words: the declaration under its form's labels (nested groups and
lists kept as such, choices by their label) and the history as who did what, with their notes.

Pure functions over the dossier's data; the pages (``web.work``, ``web.citizen``) give them the
names they looked up.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from motcua.catalog.declaration import choice_labels, title_in
from motcua.dossiers.models import DossierEvent


@dataclass
class Entry:
    """A line of the declaration: a value, or a group of lines (a nested object, a list's item)."""

    label: str
    value: str | None = None
    children: list[Entry] = field(default_factory=list)
    number: float | None = None  # a number, written in the page's language by the page


def declaration(schema: dict[str, Any], data: Mapping[str, Any], language: str) -> list[Entry]:
    """The declared data in the form's order and labels; what the form does not describe follows,
    under its key (an older version of the form)."""
    properties: dict[str, Any] = schema.get("properties") or {}
    entries = [_entry(properties[k], k, data[k], language) for k in properties if k in data]
    entries += [_entry({}, k, v, language) for k, v in data.items() if k not in properties]
    return entries


def _entry(node: dict[str, Any], key: str, value: Any, language: str) -> Entry:
    label = title_in(node, language, key)
    if isinstance(value, Mapping):
        return Entry(label, children=declaration(node, value, language))
    if isinstance(value, list):
        items = node.get("items") or {}
        if any(isinstance(v, Mapping) for v in value):
            return Entry(
                label,
                children=[
                    Entry(f"{title_in(items, language, label)} {i}", children=declaration(items, v, language))
                    for i, v in enumerate(value, start=1)
                    if isinstance(v, Mapping)
                ],
            )
        return Entry(label, "; ".join(str(v) for v in value))
    if isinstance(value, bool):
        return Entry(label, "✓" if value else "✗")
    if isinstance(value, int | float):
        return Entry(label, str(value), number=value)
    if "enum" in node:
        labels = dict(zip([str(v) for v in node["enum"]], choice_labels(node, language), strict=True))
        return Entry(label, labels.get(str(value), str(value)))
    return Entry(label, str(value))


@dataclass
class HistoryRow:
    at: datetime
    step: str
    actor: str  # a name, or the role's name where names are not shown
    unit: str
    notes: list[tuple[str, str, Any]]  # (field, its words, value)


# The payload fields a person reads in the history, and the words for them (translated by the page).
NOTES = (
    ("reason", "Reason"),
    ("missing", "Missing documents"),
    ("note", "Note"),
    ("documents", "Documents supplied"),
    ("proposal", "Proposal"),
    ("previous_due", "Previous appointment"),
    ("new_due", "New appointment"),
    ("amount_vnd", "Amount"),
)


def history(
    events: Iterable[DossierEvent],
    names: Mapping[int, str],
    units: Mapping[str, str],
    role_names: Mapping[str, str],
    show_names: bool,
) -> list[HistoryRow]:
    """Each step of the log with who took it (their name for officials, their role for the public)
    and what they wrote."""
    rows = []
    for e in events:
        who = role_names.get(e.actor_role, e.actor_role)
        if show_names and e.actor_id is not None and e.actor_id in names:
            who = f"{names[e.actor_id]} ({who})"
        notes: list[tuple[str, str, Any]] = []
        for key, label in NOTES:
            value = (e.payload or {}).get(key)
            if value in (None, "", []):
                continue
            notes.append((key, label, "; ".join(str(v) for v in value) if isinstance(value, list) else value))
        unit = units.get(e.actor_unit or "", e.actor_unit or "")
        rows.append(HistoryRow(e.at, e.transition, who, unit, notes))
    return rows
