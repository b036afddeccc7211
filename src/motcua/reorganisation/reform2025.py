"""The replay of the 1 July 2025 reform on a system that still holds the three-level map: its district
agencies and one-stop departments, its communes before the merger, its open dossiers at district level.

The resolution files (``data/reform-2025/``, built by ``scripts/build_reform_2025.py``) say which new
commune each old commune went to; the catalog says, per procedure, which level took a district's
procedure over on that day (the version in force on 1 July 2025, from the decentralisation decrees):
an open dossier goes to the agency that routing gives for its new commune on that date. Where the
catalog does not say (a version still at district level), the dossier waits for a decision.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from importlib import resources

from sqlalchemy import select
from sqlalchemy.orm import Session

from motcua.catalog.models import Agency, ServiceCentre
from motcua.catalog.routing import CatalogSnapshot, RoutingRefused, bump_revision, route
from motcua.dossiers.models import Dossier
from motcua.units.models import REORGANISATION_DATE
from motcua.units.registry import get_registry

DAY = REORGANISATION_DATE
PROVINCES_FILE = "202-2025-QH15.csv"


def files() -> list[str]:
    """The names of the shipped resolution files of the reform (one per new province, and the provinces')."""
    folder = resources.files("motcua.reorganisation").joinpath("data").joinpath("reform-2025")
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".csv"))


def resolution_text(province: str) -> str:
    """The file of the resolution that made the communes of new province ``province``."""
    folder = resources.files("motcua.reorganisation").joinpath("data").joinpath("reform-2025")
    return folder.joinpath(f"{province}.csv").read_text(encoding="utf-8")


def district_centre_identifier(district: str, province: str) -> str:
    """A district's one-stop department, in the shape of the national identifiers (level 21)."""
    return f"{district}.00.21.H{province}"


@dataclass
class PreReform:
    agencies: int = 0
    centres: int = 0


def load_pre_reform(session: Session, province: str) -> PreReform:
    """Record the bodies of the three-level map under new province ``province``: each old district's
    People's Committee and one-stop department, each old commune's People's Committee (the codes
    routing gives dossiers before 1 July 2025), all ending on that day."""
    registry = get_registry()
    olds = {u.code for u in registry.old_provinces_of(province)}
    have = set(session.scalars(select(Agency.code))) | set(session.scalars(select(ServiceCentre.identifier)))
    made = PreReform()
    for district in sorted(registry.units("district", "old"), key=lambda u: u.code):
        if district.province_code not in olds:
            continue
        if f"{district.code}.UBND-old" not in have:
            session.add(_old_committee(district.code, district.name, "district_people_committee", province))
            made.agencies += 1
        identifier = district_centre_identifier(district.code, province)
        if identifier not in have:
            session.add(
                ServiceCentre(
                    identifier=identifier,
                    name_vi=f"Bộ phận Một cửa {district.name}",
                    level="district",
                    province_code=province,
                    address=f"Trụ sở Ủy ban nhân dân {district.name}",
                    opening_hours="",
                    serves=[],
                    valid_to=DAY,
                )
            )
            made.centres += 1
    for commune in sorted(registry.units("commune", "old"), key=lambda u: u.code):
        if commune.province_code in olds and f"{commune.code}.UBND-old" not in have:
            session.add(_old_committee(commune.code, commune.name, "commune_people_committee", province))
            made.agencies += 1
    session.flush()
    bump_revision(session)
    return made


def _old_committee(unit_code: str, unit_name: str, kind: str, province: str) -> Agency:
    """The People's Committee of a district or commune of the three-level map, ended on 1 July 2025."""
    return Agency(
        code=f"{unit_code}.UBND-old",
        name_vi=f"Ủy ban nhân dân {unit_name}",
        kind=kind,
        province_code=province,
        fields=[],
        valid_to=DAY,
    )


@dataclass(frozen=True)
class Placed:
    """Where a dossier of the three-level map goes, and how its procedure's level changed."""

    to: dict[str, str | None]
    from_level: str
    to_level: str


def placed(d: Dossier, successor: str, snapshot: CatalogSnapshot) -> Placed | str:
    """The dossier's place in new commune ``successor`` on 1 July 2025, as routing gives it for the
    version of its procedure in force that day; or why it cannot be placed (a decision to make)."""
    centres = [c for c in snapshot.centres.values() if c.commune_code == successor and c.in_force(DAY)]
    province = snapshot.centres.get(d.centre_identifier)
    if not centres:
        centres = [
            c
            for c in snapshot.centres.values()
            if c.level == "province" and province is not None and c.province_code == province.province_code
        ]
    if not centres:
        return f"no centre of {successor} on {DAY}"
    try:
        plan = route(snapshot, d.procedure_code, successor, centres[0].identifier, DAY)
    except RoutingRefused as refused:
        if refused.code == "no_district_level":
            return (
                f"the catalog does not say which level took over procedure {d.procedure_code} on {DAY} "
                "(its version in force is still at district level)"
            )
        return refused.message
    procedure = snapshot.procedures.get(d.procedure_code)
    before = next((v.level for v in procedure.versions if v.number == d.version_number), "") if procedure else ""
    return Placed(
        {
            "subject_commune_code": successor,
            "deciding_agency_code": plan.deciding_agency["code"],
            "handling_unit_code": (plan.handled_by or {}).get("code"),
            "centre_identifier": plan.receiving_centre["identifier"],
        },
        before,
        plan.level,
    )


def old_era(day: date) -> bool:
    return day < DAY
