"""A procedure as a person reads it before going to the counter: what to bring, what it costs, how
long it takes, who decides and on what legal basis.

Built from a published version's catalog data (read from the national portal by
``catalog.national``): the documents in tables (always needed first, then those needed only in a
case, then the legal remarks folded away), fees merged across the channels that charge the same,
the time limit with its unit and whether the source confirms it. Names are given in the reader's
language where the catalog has them, with the language they are actually in.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from motcua.catalog.models import ProcedureVersion

CHANNEL_ORDER = ("online", "in_person", "postal")


@dataclass(frozen=True)
class DocumentRow:
    name: str
    originals: int
    copies: int
    form: str | None
    condition: str | None
    notes: tuple[str, ...]
    text: str
    reusable: bool


@dataclass
class DocumentGroup:
    """The documents of one table: always needed first, then those that apply in a case."""

    case: str | None
    rows: list[DocumentRow] = field(default_factory=list)


@dataclass
class Documents:
    submit: list[DocumentGroup] = field(default_factory=list)  # the general table first, then each case
    show: list[DocumentRow] = field(default_factory=list)
    notes: list[DocumentRow] = field(default_factory=list)

    @property
    def count(self) -> int:
        return sum(len(g.rows) for g in self.submit) + len(self.show)


@dataclass(frozen=True)
class FeeLine:
    channels: tuple[str, ...]
    free: bool
    amount_vnd: int | None
    set_by_province: bool
    conditions: str
    text: str

    @property
    def understood(self) -> bool:
        return self.free or self.amount_vnd is not None


@dataclass(frozen=True)
class TimeLimitLine:
    channels: tuple[str, ...]
    amount: float | None
    kind: str
    text: str  # as the source gives it


@dataclass
class ProcedureSheet:
    name: str
    name_language: str  # the language ``name`` is in (vi where no translation exists)
    documents: Documents
    fees: list[FeeLine]
    time_limit: float | None
    time_limit_kind: str
    time_limit_text: str
    time_limit_confirmed: bool
    time_limits_by_channel: list[TimeLimitLine]
    channels: tuple[str, ...]
    online: str
    applicants: list[str]
    results: list[dict[str, Any]]
    legal_basis: list[dict[str, Any]]
    announcing_decision: str
    source: str
    source_url: str  # the national portal's page of the procedure, where its forms are downloaded
    unverified: list[str]


def localized_name(version: Any, language: str) -> tuple[str, str]:
    """The version's name in ``language`` where the catalog has it, else in Vietnamese; and the
    language of the text returned."""
    translated = str(getattr(version, f"name_{language}", "") or "") if language != "vi" else ""
    return (translated, language) if translated else (str(version.name_vi), "vi")


def _row(d: dict[str, Any]) -> DocumentRow:
    return DocumentRow(
        name=str(d.get("name", "")),
        originals=int(d.get("originals") or 0),
        copies=int(d.get("copies") or 0),
        form=d.get("form"),
        condition=d.get("condition"),
        notes=tuple(str(n) for n in d.get("notes") or ()),
        text=str(d.get("text") or d.get("name", "")),
        reusable=bool(d.get("reusable")),
    )


def documents_of(raw: list[dict[str, Any]]) -> Documents:
    """The version's documents grouped for reading: each table's documents always needed first,
    then those needed only in a case; the documents to show; the remarks."""
    docs = Documents()
    groups: dict[str | None, DocumentGroup] = {}
    for d in raw:
        row = _row(d)
        section = d.get("section", "submit")
        if section == "note":
            docs.notes.append(row)
        elif section == "show":
            docs.show.append(row)
        else:
            case = d.get("case") or None
            groups.setdefault(case, DocumentGroup(case)).rows.append(row)
    general = groups.pop(None, None)
    docs.submit = ([general] if general else []) + list(groups.values())
    for group in docs.submit:
        group.rows.sort(key=lambda r: r.condition is not None)  # stable: the source's order otherwise
    docs.show.sort(key=lambda r: r.condition is not None)
    return docs


def fees_of(raw: list[dict[str, Any]]) -> list[FeeLine]:
    """One line per distinct fee, naming the channels it applies to."""
    merged: dict[tuple[Any, ...], list[str]] = {}
    first: dict[tuple[Any, ...], dict[str, Any]] = {}
    for f in raw:
        key = (bool(f.get("free")), f.get("amount_vnd"), bool(f.get("set_by_province")), f.get("conditions", ""))
        merged.setdefault(key, []).append(str(f.get("channel") or ""))
        first.setdefault(key, f)
    lines = []
    for key, channels in merged.items():
        f = first[key]
        lines.append(
            FeeLine(
                channels=tuple(c for c in CHANNEL_ORDER if c in channels),
                free=key[0],
                amount_vnd=key[1],
                set_by_province=key[2],
                conditions=str(f.get("conditions") or ""),
                text=str(f.get("text") or ""),
            )
        )
    return lines


def time_limits_of(channels: list[dict[str, Any]]) -> list[TimeLimitLine]:
    """The time limit per channel where the source gives them in a unit and they differ."""
    known = [c for c in channels if c.get("time_limit") is not None and c.get("time_limit_kind") != "unknown"]
    distinct = {(c.get("time_limit"), c.get("time_limit_kind")) for c in known}
    if len(distinct) < 2:
        return []
    lines: dict[tuple[Any, Any], list[str]] = {}
    for c in known:
        lines.setdefault((c["time_limit"], c["time_limit_kind"]), []).append(str(c["channel"]))
    return [
        TimeLimitLine(tuple(ch for ch in CHANNEL_ORDER if ch in chans), amount, str(kind), "")
        for (amount, kind), chans in lines.items()
    ]


def _url(source: str) -> str:
    found = re.search(r"https://[^\s]+", source)
    return found.group(0) if found else ""


def sheet(version: ProcedureVersion, language: str) -> ProcedureSheet:
    name, name_language = localized_name(version, language)
    channels = tuple(c for c in CHANNEL_ORDER if any(ch.get("channel") == c for ch in version.channels))
    return ProcedureSheet(
        name=name,
        name_language=name_language,
        documents=documents_of(list(version.documents or [])),
        fees=fees_of(list(version.fees or [])),
        time_limit=version.time_limit,
        time_limit_kind=version.time_limit_kind,
        time_limit_text=version.time_limit_text or "",
        time_limit_confirmed="time_limit" not in (version.unverified or []),
        time_limits_by_channel=time_limits_of(list(version.channels or [])),
        channels=channels,
        online=version.online or ("none" if "online" not in channels else ""),
        applicants=list(version.applicant_types or []),
        results=list(version.results or []),
        legal_basis=list(version.legal_basis or []),
        announcing_decision=version.announcing_decision or "",
        source=version.source or "",
        source_url=_url(version.source or ""),
        unverified=list(version.unverified or []),
    )
