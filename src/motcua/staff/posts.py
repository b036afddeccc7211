"""Established posts imported from the province's CSV (``unit, role, established``): all or nothing,
problems by line. A unit is an agency code or a centre identifier."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from motcua.catalog.models import Agency, ServiceCentre
from motcua.csvrows import read_csv
from motcua.staff.holdings import OFFICIAL_ROLES
from motcua.staff.models import Post

COLUMNS = ("unit", "role", "established")


def import_posts(session: Session, text: str) -> tuple[int, int, list[str]]:
    """Returns (added, updated, errors); with errors nothing is written."""
    source = read_csv(text, COLUMNS)
    if source.missing:
        return 0, 0, [f"line 1: missing column(s) {', '.join(source.missing)}; expected {', '.join(COLUMNS)}"]
    provinces = dict(session.execute(select(Agency.code, Agency.province_code)).all())
    provinces.update(session.execute(select(ServiceCentre.identifier, ServiceCentre.province_code)).all())
    existing = {(p.unit_code, p.role): p for p in session.scalars(select(Post))}
    errors: list[str] = []
    rows: list[tuple[str, str, int, str]] = []
    seen: set[tuple[str, str]] = set()
    for line, row in source.rows:
        unit, role = row["unit"], row["role"]
        if unit not in provinces:
            errors.append(f"line {line}, unit: no agency or centre {unit!r}")
        if role not in OFFICIAL_ROLES:
            errors.append(f"line {line}, role: {role!r} is not one of {', '.join(OFFICIAL_ROLES)}")
        try:
            established = int(row["established"])
            if established < 0 or established > 10_000:
                raise ValueError
        except ValueError:
            errors.append(f"line {line}, established: {row['established']!r} is not a number of posts (0–10000)")
            continue
        if (unit, role) in seen:
            errors.append(f"line {line}: {unit} {role} appears twice")
        seen.add((unit, role))
        rows.append((unit, role, established, provinces.get(unit, "")))
    if errors:
        return 0, 0, errors
    added = updated = 0
    for unit, role, established, province in rows:
        post = existing.get((unit, role))
        if post is None:
            session.add(Post(province_code=province, unit_code=unit, role=role, established=established))
            added += 1
        else:
            post.established = established
            updated += 1
    session.flush()
    return added, updated, []
