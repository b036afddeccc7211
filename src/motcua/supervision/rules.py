"""The supervision rules as data (``data/rules.toml``): who is alerted about an open dossier, and
when, counted in working days."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import Any, Literal, cast

When = Literal["before_due", "on_due", "overdue"]
To = Literal["assignee", "unit_leader", "province_supervisor"]
WHEN: tuple[When, ...] = ("before_due", "on_due", "overdue")
TO: tuple[To, ...] = ("assignee", "unit_leader", "province_supervisor")
Case = Literal["dossier", "feedback"]
CASES: tuple[Case, ...] = ("dossier", "feedback")


@dataclass(frozen=True)
class Rule:
    name: str
    when: When
    to: To
    template: str
    working_days: int = 0
    case: Case = "dossier"  # whose deadlines: dossiers' or feedback messages' (their current stage)


@dataclass(frozen=True)
class Digest:
    template: str
    urgent: int
    due_soon_working_days: int


@dataclass(frozen=True)
class Rules:
    statuses: tuple[str, ...]
    rules: tuple[Rule, ...]
    digest: Digest


class RulesError(ValueError):
    pass


def parse(raw: dict[str, Any]) -> Rules:
    """The rules of a TOML document; a wrong one raises RulesError naming the rule and the key."""
    rules = []
    for i, r in enumerate(raw.get("rule", []), start=1):
        where = f"rule {i} ({r.get('name', '?')})"
        if r.get("when") not in WHEN:
            raise RulesError(f"{where}: when must be one of {', '.join(WHEN)}")
        if r.get("to") not in TO:
            raise RulesError(f"{where}: to must be one of {', '.join(TO)}")
        days = int(r.get("working_days", 0))
        case = r.get("case", "dossier")
        if case not in CASES:
            raise RulesError(f"{where}: case must be one of {', '.join(CASES)}")
        if case == "feedback" and r["to"] == "assignee":
            raise RulesError(f"{where}: a feedback message has no assignee; use unit_leader")
        if r["when"] == "before_due" and days < 1:
            raise RulesError(f"{where}: before_due needs working_days of at least 1")
        rules.append(
            Rule(str(r["name"]), cast(When, r["when"]), cast(To, r["to"]), str(r["template"]), days, cast(Case, case))
        )
    d = raw.get("digest", {})
    digest = Digest(
        str(d.get("template", "leader_digest")), int(d.get("urgent", 10)), int(d.get("due_soon_working_days", 3))
    )
    return Rules(tuple(raw.get("statuses", ("processing",))), tuple(rules), digest)


@cache
def shipped() -> Rules:
    return parse(tomllib.loads(files("motcua.supervision").joinpath("data/rules.toml").read_text("utf-8")))
