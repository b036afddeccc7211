"""The decentralisation report: per decree and per level, what moved where and what was abolished,
as of any date."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from motcua.catalog.models import Procedure
from motcua.catalog.service import version_in_force


@dataclass
class DecreeLine:
    decree: str
    moved: Counter[str] = field(default_factory=Counter)  # "district→commune": n
    abolished: int = 0
    time_limit_changed: int = 0
    amended: int = 0
    unverified: int = 0


@dataclass
class DecentralisationReport:
    at: date
    decrees: list[DecreeLine]
    procedures_by_level: dict[str, int]
    abolished_total: int
    moved_total: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "at": self.at.isoformat(),
            "decrees": [
                {
                    "decree": d.decree,
                    "moved": dict(d.moved),
                    "abolished": d.abolished,
                    "time_limit_changed": d.time_limit_changed,
                    "amended": d.amended,
                    "unverified": d.unverified,
                }
                for d in self.decrees
            ],
            "procedures_by_level": self.procedures_by_level,
            "abolished_total": self.abolished_total,
            "moved_total": self.moved_total,
        }


def decentralisation_report(session: Session, at: date) -> DecentralisationReport:
    lines: dict[str, DecreeLine] = defaultdict(lambda: DecreeLine(""))
    by_level: Counter[str] = Counter()
    procedures = session.scalars(
        select(Procedure).options(selectinload(Procedure.versions), selectinload(Procedure.changes))
    )
    for p in procedures:
        for c in p.changes:
            if c.effective_date > at:
                continue
            line = lines[c.decree]
            line.decree = c.decree
            if c.kind == "moved":
                line.moved[f"{c.from_level}→{c.to_level}"] += 1
            elif c.kind == "abolished":
                line.abolished += 1
            elif c.kind == "time_limit":
                line.time_limit_changed += 1
            else:
                line.amended += 1
            line.unverified += 0 if c.verified else 1
        if p.abolished_on is not None and p.abolished_on <= at:
            by_level["abolished"] += 1
            continue
        version = version_in_force(p, at)
        if version is not None:
            by_level[version.level] += 1
    decrees = sorted(lines.values(), key=lambda d: d.decree)
    return DecentralisationReport(
        at=at,
        decrees=decrees,
        procedures_by_level=dict(sorted(by_level.items())),
        abolished_total=sum(d.abolished for d in decrees),
        moved_total=sum(sum(d.moved.values()) for d in decrees),
    )
