"""The 2025 decentralisation as the data holds it, beside the government's figures.

``data/decentralisation_2025.csv`` (built by ``scripts/build_decentralisation.py`` from ../shared)
names 451 procedures whose legal basis cites the decentralisation between the two local levels, with
their level now and the 2025 decrees they cite; it does not hold the level before the reform. The
catalog's own changes (``catalog_changes``) hold it for the procedures recorded with their decree.
``record`` represents every named procedure the catalog holds by a change of its own, unverified.
"""

from __future__ import annotations

import csv
import io
import tomllib
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from importlib import resources
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from motcua.catalog.models import Procedure, ProcedureChange
from motcua.catalog.routing import bump_revision
from motcua.units.models import REORGANISATION_DATE


@dataclass(frozen=True)
class Reference:
    code: str
    name: str
    ministry: str
    field: str
    levels: tuple[str, ...]  # now: province, commune, central, other
    decrees: tuple[str, ...]  # the 2025 decrees its legal basis cites


def references() -> list[Reference]:
    text = resources.files("motcua.catalog").joinpath("data/decentralisation_2025.csv").read_text("utf-8")
    return [
        Reference(
            r["code"],
            r["name"],
            r["ministry"],
            r["field"],
            tuple(x for x in r["levels"].split("|") if x),
            tuple(x for x in r["decrees"].split("|") if x),
        )
        for r in csv.DictReader(io.StringIO(text))
    ]


def government() -> dict[str, Any]:
    text = resources.files("motcua.catalog").joinpath("data/decentralisation_government.toml").read_text("utf-8")
    return tomllib.loads(text)


@dataclass
class Comparison:
    """What the data says, figure by figure, beside the government's, and where it falls short."""

    government: dict[str, Any]
    named: int = 0
    in_catalog: int = 0
    recorded: Counter[str] = field(default_factory=Counter)  # "district→commune": n, from the catalog
    levels_now: Counter[str] = field(default_factory=Counter)  # "commune", "province|commune"…
    decrees: Counter[str] = field(default_factory=Counter)  # decree → procedures citing it
    without_decree: int = 0
    shortfalls: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        g = self.government
        local = {k: n for k, n in self.levels_now.items() if "central" not in k}
        return {
            "figures": [
                {"figure": "decrees", "government": g["decrees"], "data": len(self.decrees)},
                {"figure": "procedures delegated", "government": g["delegated"], "data": self.named},
                {
                    "figure": "district → province",
                    "government": g["district_to_province"],
                    "data": self.recorded.get("district→province", 0),
                    "candidates": self.levels_now.get("province", 0),
                },
                {
                    "figure": "district → commune",
                    "government": g["district_to_commune"],
                    "data": self.recorded.get("district→commune", 0),
                    "candidates": sum(n for k, n in local.items() if "commune" in k.split("|")),
                },
                {"figure": "abolished", "government": g["abolished"], "data": self.recorded.get("abolished", 0)},
            ],
            "source": g.get("source", ""),
            "named": self.named,
            "in_catalog": self.in_catalog,
            "recorded": dict(self.recorded),
            "levels_now": dict(sorted(self.levels_now.items())),
            "decrees": dict(self.decrees.most_common()),
            "without_decree": self.without_decree,
            "shortfalls": self.shortfalls,
        }


def compare(session: Session) -> Comparison:
    refs = references()
    out = Comparison(government())
    out.named = len(refs)
    codes = set(session.scalars(select(Procedure.code)))
    out.in_catalog = sum(1 for r in refs if r.code in codes)
    for r in refs:
        out.levels_now["|".join(r.levels)] += 1
        out.decrees.update(r.decrees)
        out.without_decree += 0 if r.decrees else 1
    for kind, src, dst in session.execute(
        select(ProcedureChange.kind, ProcedureChange.from_level, ProcedureChange.to_level).where(
            ProcedureChange.effective_date == REORGANISATION_DATE
        )
    ):
        out.recorded["abolished" if kind == "abolished" else f"{src or '?'}→{dst or '?'}"] += 1
    g = out.government
    out.shortfalls = [
        f"the data names {out.named} procedures, the government {g['delegated']}: it covers six ministries "
        "and the courts only (Home Affairs, Health, Education, Culture, Industry and Trade, Science and others "
        "are missing)",
        "the level before the reform is not in the data: district → province and district → commune are "
        f"known only for the {sum(n for k, n in out.recorded.items() if k.startswith('district'))} changes the "
        "catalog records with their decree; the candidates are the procedures now at that level",
        f"{out.without_decree} of the named procedures cite no 2025 decree number; the {len(out.decrees)} "
        f"numbers cited include decrees that are not decentralisation decrees (the government counts {g['decrees']})",
        "abolished procedures are absent: the national catalog of 2026 lists the procedures in force",
    ]
    return out


def record(session: Session, at: date = REORGANISATION_DATE) -> int:
    """Represent each named procedure the catalog holds and whose 2025 change it does not record: a
    change effective ``at`` with the first decree it cites, to its level now, from an unknown level,
    unverified. Returns the changes added."""
    refs = {r.code: r for r in references()}
    procedures = {p.code: p for p in session.scalars(select(Procedure).where(Procedure.code.in_(sorted(refs))))}
    recorded = set(
        session.scalars(
            select(Procedure.code)
            .join(ProcedureChange, ProcedureChange.procedure_id == Procedure.id)
            .where(ProcedureChange.effective_date == at)
        )
    )
    added = 0
    for code, procedure in sorted(procedures.items()):
        if code in recorded:
            continue
        r = refs[code]
        local = [x for x in r.levels if x in ("province", "commune")]
        session.add(
            ProcedureChange(
                procedure_id=procedure.id,
                decree=r.decrees[0] if r.decrees else "",
                effective_date=at,
                kind="moved",
                from_level=None,
                to_level=local[-1] if local else (r.levels[0] if r.levels else None),
                verified=False,
                note="named by its legal basis as decentralised in 2025; the level before is not in the data",
            )
        )
        added += 1
    if added:
        bump_revision(session)
    return added
