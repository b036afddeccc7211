"""A resolution as data: the file an operator writes from a reorganisation resolution, one change per
row (``docs/reorganisation.md`` describes it), read into ``Resolution``.

CSV, because the people who prepare it work from the resolution's annex in a spreadsheet, and because
every problem can then be told by line. Columns:

``reference, effective_date, action, level, code, name, unit_type, province, successor, rule, match, note``

- ``level`` is ``commune`` or ``province`` (units), ``agency`` or ``centre``;
- ``level`` ``old_commune``, ``old_district``, ``old_province``: the units of the three-level map, in
  the files of the 1 July 2025 reform (``merge``, ``split``; a district is ``abolish``-ed);
- ``action``: ``merge`` (the unit ends; ``successor`` takes all of it), ``split`` (one row per
  successor; ``rule`` says how a dossier finds its successor: ``address`` with the ``match`` words of
  its address, ``subject_commune``, or ``hand``), ``create`` (a unit that begins: ``name``,
  ``unit_type``, ``province``), ``rename`` (``name``), ``retype`` (``unit_type``), ``transfer`` (to
  another province); for agencies and centres ``merge``, ``rename`` and ``create`` (a new reception
  point: ``successor`` names the centre it belongs to).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date
from typing import Literal, cast

from motcua.csvrows import read_csv

COLUMNS = (
    "reference",
    "effective_date",
    "action",
    "level",
    "code",
    "name",
    "unit_type",
    "province",
    "successor",
    "rule",
    "match",
    "note",
)
REQUIRED = ("reference", "effective_date", "action", "level", "code")
Action = Literal["merge", "split", "create", "rename", "retype", "transfer", "abolish"]
Target = Literal["commune", "province", "agency", "centre", "old_commune", "old_district", "old_province"]
Rule = Literal["", "address", "subject_commune", "hand"]
ACTIONS: dict[Target, tuple[Action, ...]] = {
    "commune": ("merge", "split", "create", "rename", "retype", "transfer"),
    "province": ("merge", "create", "rename", "retype"),
    "agency": ("merge", "rename"),
    "centre": ("merge", "rename", "create"),
    # The units of the three-level map, in the files of the 1 July 2025 reform (its replay).
    "old_commune": ("merge", "split"),
    "old_district": ("abolish",),
    "old_province": ("merge",),
}
OLD_LEVELS = ("old_commune", "old_district", "old_province")
RULES: tuple[Rule, ...] = ("address", "subject_commune", "hand")
MAX_ROWS = 50_000


@dataclass(frozen=True, slots=True)
class Problem:
    """What is wrong with a resolution file, where: a line (1 is the header; 0 the whole file) and a
    column when one is to blame."""

    line: int
    column: str
    message: str

    def __str__(self) -> str:
        where = f"line {self.line}" if self.line else "file"
        return f"{where}{', ' + self.column if self.column else ''}: {self.message}"

    def to_dict(self) -> dict[str, object]:
        return {"line": self.line, "column": self.column, "message": self.message}


@dataclass(frozen=True, slots=True)
class Change:
    line: int
    action: Action
    level: Target
    code: str
    name: str = ""
    unit_type: str = ""
    province: str = ""
    successor: str = ""
    rule: Rule = ""
    match: tuple[str, ...] = ()
    note: str = ""

    @property
    def is_unit(self) -> bool:
        return self.level in ("commune", "province")

    @property
    def is_old(self) -> bool:
        return self.level in OLD_LEVELS


@dataclass
class Resolution:
    reference: str
    effective_date: date
    changes: list[Change] = field(default_factory=list)
    sha256: str = ""
    text: str = ""

    def of(self, level: Target, *actions: Action) -> list[Change]:
        return [c for c in self.changes if c.level == level and (not actions or c.action in actions)]


def parse(text: str) -> tuple[Resolution | None, list[Problem]]:
    """Read a resolution file; every problem of form is told at once (what the file says is checked
    against the registry afterwards, by ``checks.check``)."""
    problems: list[Problem] = []
    csv_file = read_csv(text, COLUMNS, REQUIRED)
    if csv_file.missing:
        return None, [Problem(1, c, "required column missing from the header") for c in csv_file.missing]
    references: dict[str, int] = {}
    dates: dict[date, int] = {}
    changes: list[Change] = []
    for line, row in csv_file.rows:
        if len(changes) >= MAX_ROWS:
            problems.append(Problem(line, "", f"more than {MAX_ROWS} changes: split the file"))
            break
        if not any(row.values()):
            continue  # a blank line
        ok = True
        for column in REQUIRED:
            if not row[column]:
                problems.append(Problem(line, column, "empty"))
                ok = False
        if row["reference"]:
            references.setdefault(row["reference"], line)
        if row["effective_date"]:
            try:
                dates.setdefault(date.fromisoformat(row["effective_date"]), line)
            except ValueError:
                problems.append(Problem(line, "effective_date", "not a date (YYYY-MM-DD)"))
                ok = False
        level, action = row["level"], row["action"]
        if level and level not in ACTIONS:
            problems.append(Problem(line, "level", f"{level!r} is not one of {', '.join(ACTIONS)}"))
            ok = False
        elif level and action and action not in ACTIONS[cast(Target, level)]:
            allowed = ", ".join(ACTIONS[cast(Target, level)])
            problems.append(Problem(line, "action", f"{action!r} is not a change of a {level} ({allowed})"))
            ok = False
        rule = row["rule"]
        if rule and rule not in RULES:
            problems.append(Problem(line, "rule", f"{rule!r} is not one of {', '.join(RULES)}"))
            ok = False
        if not ok:
            continue
        changes.append(
            Change(
                line,
                cast(Action, action),
                cast(Target, level),
                row["code"],
                row["name"],
                row["unit_type"],
                row["province"],
                row["successor"],
                cast(Rule, rule),
                tuple(m.strip() for m in row["match"].split(";") if m.strip()),
                row["note"],
            )
        )
    if len(references) > 1:
        first, *others = sorted(references.items(), key=lambda kv: kv[1])
        for ref, line in others:
            problems.append(Problem(line, "reference", f"{ref!r} differs from {first[0]!r}: one resolution per file"))
    if len(dates) > 1:
        first_date, *other_dates = sorted(dates.items(), key=lambda kv: kv[1])
        for day, line in other_dates:
            problems.append(
                Problem(line, "effective_date", f"{day} differs from {first_date[0]}: one date per resolution file")
            )
    if not changes and not problems:
        problems.append(Problem(0, "", "no change in the file"))
    if problems:
        return None, problems
    resolution = Resolution(
        next(iter(references)),
        next(iter(dates)),
        changes,
        hashlib.sha256(text.encode("utf-8")).hexdigest(),
        text,
    )
    return resolution, []
