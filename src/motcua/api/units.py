"""``/api/v1/units`` and ``/api/v1/addresses``: the administrative-unit registry over HTTP."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from motcua import clock
from motcua.api.errors import DOCUMENTED, ApiError
from motcua.i18n import N_
from motcua.units import UnknownUnit, get_registry
from motcua.units.address import MAX_INPUT_CHARS, get_converter
from motcua.units.models import Unit
from motcua.units.registry import era_at

router = APIRouter(prefix="/api/v1", tags=["units"], responses=DOCUMENTED)
MAX_BATCH = 1000


class UnitOut(BaseModel):
    era: Literal["old", "new"]
    level: Literal["province", "district", "commune"]
    code: str
    name: str
    unit_type: str
    province_code: str
    district_code: str | None
    name_en: str | None
    valid_from: date | None
    valid_to: date | None


class SuccessionOut(BaseModel):
    code: str
    name: str
    kind: Literal["whole", "partial"]


class UnitDetail(UnitOut):
    versions: list[dict[str, Any]]
    successors: list[SuccessionOut]
    predecessors: list[SuccessionOut]


class ConvertRequest(BaseModel):
    addresses: list[Annotated[str, Field(max_length=MAX_INPUT_CHARS * 10)]] = Field(
        ..., min_length=1, max_length=MAX_BATCH, description="Free-text addresses, one per item."
    )
    at: date | None = Field(None, description="Date of the units to convert to (default today).")


def _out(unit: Unit, at: date) -> UnitOut:
    version = unit.version_at(at) or unit.current
    return UnitOut(
        era=unit.era,
        level=unit.level,
        code=unit.code,
        name=version.name,
        unit_type=version.unit_type,
        province_code=unit.province_code,
        district_code=unit.district_code,
        name_en=unit.name_en or None,
        valid_from=unit.valid_from,
        valid_to=unit.valid_to,
    )


def _get(
    level: Literal["province", "district", "commune"], code: str, at: date, era: Literal["old", "new"] | None
) -> Unit:
    try:
        return get_registry().get(level, code, era=era or ("old" if level == "district" else era_at(at)))
    except UnknownUnit:
        raise ApiError(404, "unknown_unit", N_("No {level} with code {code}."), level=level, code=code) from None


@router.get("/units/provinces", response_model=list[UnitOut], summary="Provinces in force at a date")
def provinces(at: date | None = None) -> list[UnitOut]:
    when = at or clock.today()
    return [_out(u, when) for u in sorted(get_registry().in_force(when, "province"), key=lambda u: u.code)]


@router.get("/units/counts", summary="How many units of each type are in force at a date")
def counts(at: date | None = None) -> dict[str, Any]:
    when = at or clock.today()
    c = get_registry().counts(when)
    return {
        "at": when,
        "provinces": c.provinces,
        "districts": c.districts,
        "communes": c.communes,
        "total_provinces": c.total_provinces,
        "total_communes": c.total_communes,
    }


@router.get("/units/search", response_model=list[UnitOut], summary="Find units by name, ignoring diacritics")
def search(
    q: Annotated[str, Query(min_length=1, max_length=200)],
    at: date | None = None,
    level: Literal["province", "district", "commune"] | None = None,
    province: str | None = None,
) -> list[UnitOut]:
    when = at or clock.today()
    return [_out(u, when) for u in get_registry().search(q, level=level, at=when, province_code=province)]


@router.get(
    "/units/provinces/{code}/children",
    response_model=list[UnitOut],
    summary="Districts (before 1 July 2025) or communes of a province",
)
def children(code: str, at: date | None = None) -> list[UnitOut]:
    when = at or clock.today()
    province = _get("province", code, when, None)
    if province.version_at(when) is None:
        raise ApiError(404, "unknown_unit", N_("No {level} with code {code}."), level="province", code=code)
    return [_out(u, when) for u in sorted(get_registry().children(province, when), key=lambda u: u.code)]


@router.get("/units/{level}/{code}", response_model=UnitDetail, summary="A unit with its versions and lineage")
def unit(
    level: Literal["province", "district", "commune"],
    code: str,
    at: date | None = None,
    era: Literal["old", "new"] | None = None,
) -> UnitDetail:
    when = at or clock.today()
    u = _get(level, code, when, era)
    reg = get_registry()
    return UnitDetail(
        **_out(u, when).model_dump(),
        versions=[
            {
                "valid_from": v.valid_from,
                "valid_to": v.valid_to,
                "name": v.name,
                "unit_type": v.unit_type,
                "reference": v.reference,
            }
            for v in u.versions
        ],
        successors=[SuccessionOut(code=s.new.code, name=s.new.name, kind=s.kind) for s in reg.successors(u)],
        predecessors=[SuccessionOut(code=s.old.code, name=s.old.name, kind=s.kind) for s in reg.predecessors(u)],
    )


@router.post("/addresses/convert", summary="Convert old addresses to the two-level units")
def convert(body: ConvertRequest) -> list[dict[str, Any]]:
    converter = get_converter()
    return [converter.convert(a, body.at).to_dict() for a in body.addresses]


@router.get("/addresses/convert", summary="Convert one old address to the two-level units")
def convert_one(q: Annotated[str, Query(max_length=MAX_INPUT_CHARS * 10)], at: date | None = None) -> dict[str, Any]:
    return get_converter().convert(q, at).to_dict()
