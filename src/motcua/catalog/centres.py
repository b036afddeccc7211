"""Importing service centres from CSV: the operator's corrections (names, addresses, opening hours) and
new branches or reception points, all or nothing with errors by line.

Columns: ``identifier, name, level, province, commune, address, opening_hours``. An existing
identifier is updated (its identifier never changes: it is in the codes of its dossiers); a new one is
added. ``level`` is province, commune or branch; a commune must be in force in the province.
"""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from motcua import clock
from motcua.catalog.models import ServiceCentre
from motcua.catalog.routing import bump_revision
from motcua.csvrows import read_csv
from motcua.units import get_registry

COLUMNS = ("identifier", "name", "level", "province", "commune", "address", "opening_hours")
LEVELS = ("province", "commune", "branch")
IDENTIFIER = re.compile(r"^[0-9A-Za-z][0-9A-Za-z.\-]{2,39}$")


def import_centres(session: Session, text: str) -> tuple[int, int, list[str]]:
    """Returns (added, updated, errors); with errors nothing is written."""
    source = read_csv(text, COLUMNS, COLUMNS[:4])
    if source.missing:
        return 0, 0, [f"line 1: missing column(s) {', '.join(source.missing)}; expected {', '.join(COLUMNS)}"]
    today = clock.today()
    registry = get_registry()
    provinces = {u.code for u in registry.in_force(today, "province")}
    communes = {u.code: u.province_code for u in registry.in_force(today, "commune")}
    existing = {c.identifier: c for c in session.scalars(select(ServiceCentre))}
    rows, errors, seen = [], [], set()
    for number, row in source.rows:
        where = f"line {number}"
        if not IDENTIFIER.match(row["identifier"]):
            errors.append(f"{where}, identifier: {row['identifier']!r} is not a centre identifier")
        elif row["identifier"] in seen:
            errors.append(f"{where}, identifier: {row['identifier']} appears twice")
        seen.add(row["identifier"])
        if not row["name"]:
            errors.append(f"{where}, name: empty")
        if row["level"] not in LEVELS:
            errors.append(f"{where}, level: {row['level']!r} is not one of {', '.join(LEVELS)}")
        if row["province"] not in provinces:
            errors.append(f"{where}, province: no province with code {row['province']!r}")
        if row["commune"] and communes.get(row["commune"]) != row["province"]:
            errors.append(f"{where}, commune: {row['commune']!r} is not a commune of province {row['province']}")
        if row["level"] == "commune" and not row["commune"]:
            errors.append(f"{where}, commune: a commune centre names its commune")
        current = existing.get(row["identifier"])
        if current is not None and current.province_code != row["province"]:
            errors.append(f"{where}, province: {row['identifier']} belongs to province {current.province_code}")
        rows.append(row)
    if errors:
        return 0, 0, errors
    added = updated = 0
    for row in rows:
        centre = existing.get(row["identifier"])
        if centre is None:
            centre = ServiceCentre(identifier=row["identifier"], province_code=row["province"], serves=[])
            session.add(centre)
            added += 1
        else:
            updated += 1
        centre.name_vi, centre.level = row["name"], row["level"]
        centre.commune_code = row["commune"] or None
        centre.address, centre.opening_hours = row["address"], row["opening_hours"]
    session.flush()
    bump_revision(session)  # routing snapshots reload the centres
    return added, updated, []
