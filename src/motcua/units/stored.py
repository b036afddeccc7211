"""The resolutions applied since 1 July 2025, kept in the database as ``MapChange`` rows and laid over
the shipped map by every process (``sync``): one place says what the map is, whichever process
applied a resolution."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import JSON, Date, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from motcua.db import Base, UTCDateTime
from motcua.units.models import CreatedUnit, Level, LineageKind, MapChange, UnitType
from motcua.units.registry import Registry, get_registry, install


class StoredMapChange(Base):
    """One applied resolution's changes of units (``motcua.reorganisation`` writes it)."""

    __tablename__ = "unit_map_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(120), unique=True)
    effective_date: Mapped[date] = mapped_column(Date)
    changes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())


def to_json(change: MapChange) -> dict[str, Any]:
    return {
        "created": [
            {
                "level": c.level,
                "code": c.code,
                "short_name": c.short_name,
                "unit_type": c.unit_type,
                "province_code": c.province_code,
                "name_en": c.name_en,
            }
            for c in change.created
        ],
        "ended": [list(x) for x in change.ended],
        "lineage": [list(x) for x in change.lineage],
        "renamed": [list(x) for x in change.renamed],
        "retyped": [list(x) for x in change.retyped],
    }


def from_row(row: StoredMapChange) -> MapChange:
    data = row.changes
    return MapChange(
        row.reference,
        row.effective_date,
        tuple(
            CreatedUnit(
                cast(Level, c["level"]),
                c["code"],
                c["short_name"],
                cast(UnitType, c["unit_type"]),
                c["province_code"],
                c.get("name_en", ""),
            )
            for c in data.get("created", [])
        ),
        tuple((cast(Level, x[0]), x[1]) for x in data.get("ended", [])),
        tuple((cast(Level, x[0]), x[1], x[2], cast(LineageKind, x[3])) for x in data.get("lineage", [])),
        tuple((cast(Level, x[0]), x[1], x[2]) for x in data.get("renamed", [])),
        tuple((cast(Level, x[0]), x[1], cast(UnitType, x[2])) for x in data.get("retyped", [])),
    )


def stored(session: Session) -> tuple[MapChange, ...]:
    rows = session.scalars(select(StoredMapChange).order_by(StoredMapChange.effective_date, StoredMapChange.id))
    return tuple(from_row(r) for r in rows)


def sync(session: Session) -> Registry:
    """Install the registry of the shipped map with the stored resolutions, unless it is the one in
    use (called when the catalog's revision changes: applying a resolution bumps it)."""
    changes = stored(session)
    registry = get_registry()
    if registry.map_changes != changes:
        registry = Registry(changes)
        install(registry)
    return registry
