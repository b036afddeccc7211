"""Generate the agencies and service centres of every province and commune from the unit registry
and a configurable template (``catalog/data/agency_template.toml``)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from motcua.catalog.models import Agency, ServiceCentre
from motcua.catalog.routing import bump_revision
from motcua.units import get_registry


def load_template(path: Path | None = None) -> dict[str, Any]:
    if path is not None:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    text = resources.files("motcua.catalog").joinpath("data").joinpath("agency_template.toml").read_text("utf-8")
    return tomllib.loads(text)


@dataclass
class GenerationReport:
    agencies_added: int = 0
    centres_added: int = 0
    agencies_kept: int = 0
    centres_kept: int = 0


def commune_bodies(
    template: dict[str, Any],
    commune_code: str,
    commune_name: str,
    unit_type: str,
    province_code: str,
    province_name: str,
    centre_identifier: str,
    provincial_centre_id: int | None,
) -> tuple[list[Agency], ServiceCentre]:
    """The People's Committee, offices and police of a commune, and its centre (or reception point
    of the provincial centre, in a single-centre province), as the template names them."""
    agencies = [
        Agency(
            code=f"{commune_code}.UBND",
            name_vi=template["commune"]["people_committee"].format(commune=commune_name),
            kind="commune_people_committee",
            province_code=province_code,
            commune_code=commune_code,
            fields=[],
        )
    ]
    for office in template["commune"]["offices"]:
        name = office.get("name_for_wards", office["name"]) if unit_type == "ward" else office["name"]
        agencies.append(
            Agency(
                code=f"{commune_code}.{office['slug']}",
                name_vi=name.format(commune=commune_name),
                kind=office.get("kind", "commune_office"),
                department=office["slug"],
                province_code=province_code,
                commune_code=commune_code,
                fields=list(office["fields"]),
            )
        )
    cfg = template["centres"]
    key = "point" if province_code in set(cfg["single_centre_provinces"]) else "commune"
    centre = ServiceCentre(
        identifier=centre_identifier,
        level=key,
        province_code=province_code,
        commune_code=commune_code,
        parent_id=provincial_centre_id if key == "point" else None,
        name_vi=cfg[f"{key}_name"].format(commune=commune_name, province=province_name),
        address=cfg.get(f"{key}_address", "").format(commune=commune_name, province=province_name),
        opening_hours=cfg["opening_hours"],
        serves=[commune_code],
    )
    return agencies, centre


def generate(session: Session, at: date, template: dict[str, Any] | None = None) -> GenerationReport:
    """Add the agencies and centres of every unit in force on ``at`` that are not there yet; rows
    already present (perhaps edited by an operator) are kept as they are."""
    template = template or load_template()
    reg = get_registry()
    report = GenerationReport()
    have_agencies = set(session.scalars(select(Agency.code)))
    have_centres = set(session.scalars(select(ServiceCentre.identifier)))
    single = set(template["centres"]["single_centre_provinces"])
    agencies: list[Agency] = []
    centres: list[ServiceCentre] = []

    def add_agency(agency: Agency) -> None:
        if agency.code in have_agencies:
            report.agencies_kept += 1
        else:
            agencies.append(agency)
            have_agencies.add(agency.code)

    for province in sorted(reg.in_force(at, "province"), key=lambda u: u.code):
        pv = province.version_at(at)
        assert pv is not None
        pp, pname = province.code, pv.name
        add_agency(
            Agency(
                code=f"{pp}.UBND",
                name_vi=template["province"]["people_committee"].format(province=pname),
                kind="provincial_people_committee",
                province_code=pp,
                fields=[],
            )
        )
        for dept in template["province"]["departments"]:
            add_agency(
                Agency(
                    code=f"{pp}.{dept['slug']}",
                    name_vi=dept["name"].format(province=pname),
                    kind="provincial_department",
                    department=dept["slug"],
                    province_code=pp,
                    fields=list(dept["fields"]),
                )
            )
        centre_cfg = template["centres"]
        provincial_id = centre_cfg["provincial_identifier"].format(province_code=pp)
        provincial = ServiceCentre(
            identifier=provincial_id,
            level="province",
            province_code=pp,
            name_vi=centre_cfg["provincial_name"].format(province=pname),
            address=centre_cfg.get("provincial_address", "").format(province=pname),
            opening_hours=centre_cfg["opening_hours"],
            serves=[],
        )
        if provincial_id in have_centres:
            report.centres_kept += 1
            provincial_row = session.scalars(
                select(ServiceCentre).where(ServiceCentre.identifier == provincial_id)
            ).one()
        else:
            session.add(provincial)
            session.flush()
            provincial_row = provincial
            have_centres.add(provincial_id)
            report.centres_added += 1

        communes = sorted(reg.children(province, at), key=lambda u: u.code)
        for seq, commune in enumerate(communes, start=1):
            cv = commune.version_at(at)
            assert cv is not None
            in_single = pp in single
            key = "point" if in_single else "commune"
            identifier = centre_cfg[f"{key}_identifier"].format(seq=seq, province_code=pp)
            made, centre = commune_bodies(
                template, commune.code, cv.name, cv.unit_type, pp, pname, identifier, provincial_row.id
            )
            for agency in made:
                add_agency(agency)
            if identifier in have_centres:
                report.centres_kept += 1
                continue
            centres.append(centre)
            have_centres.add(identifier)
    session.add_all(agencies)
    session.add_all(centres)
    report.agencies_added = len(agencies)
    report.centres_added += len(centres)
    bump_revision(session)
    return report
