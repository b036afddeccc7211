"""Administrative units before and after the 1 July 2025 reorganisation."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Literal

REORGANISATION_DATE = date(2025, 7, 1)

Level = Literal["province", "district", "commune"]
Era = Literal["old", "new"]  # old: three levels until 30 June 2025; new: two levels from 1 July 2025
UnitType = Literal[
    "province",  # tỉnh
    "city",  # thành phố trực thuộc trung ương
    "urban_district",  # quận
    "district",  # huyện
    "town",  # thị xã
    "provincial_city",  # thành phố thuộc tỉnh
    "ward",  # phường
    "commune",  # xã
    "township",  # thị trấn
    "special_zone",  # đặc khu
]
LineageKind = Literal["whole", "partial"]

TYPE_NAMES_VI: dict[str, str] = {
    "province": "Tỉnh",
    "city": "Thành phố",
    "urban_district": "Quận",
    "district": "Huyện",
    "town": "Thị xã",
    "provincial_city": "Thành phố",
    "ward": "Phường",
    "commune": "Xã",
    "township": "Thị trấn",
    "special_zone": "Đặc khu",
}


@dataclass(frozen=True, slots=True)
class UnitVersion:
    """The name and type of a unit over a period; ``valid_to`` is exclusive, None = still in force."""

    valid_from: date | None
    valid_to: date | None
    unit_type: UnitType
    short_name: str
    reference: str = ""

    @property
    def name(self) -> str:
        return f"{TYPE_NAMES_VI[self.unit_type]} {self.short_name}"

    def in_force(self, at: date) -> bool:
        return (self.valid_from is None or self.valid_from <= at) and (self.valid_to is None or at < self.valid_to)


@dataclass(frozen=True, slots=True)
class Unit:
    """One administrative unit. Old and new units may share a code: ``era`` tells them apart."""

    era: Era
    level: Level
    code: str
    province_code: str
    district_code: str | None
    versions: tuple[UnitVersion, ...]
    name_en: str = ""
    name: str = field(init=False, compare=False)  # the latest name, kept ready for the hot paths

    def __post_init__(self) -> None:
        object.__setattr__(self, "name", self.versions[-1].name)

    def version_at(self, at: date) -> UnitVersion | None:
        for v in self.versions:
            if v.in_force(at):
                return v
        return None

    @property
    def current(self) -> UnitVersion:
        return self.versions[-1]

    @property
    def short_name(self) -> str:
        return self.current.short_name

    @property
    def unit_type(self) -> UnitType:
        return self.current.unit_type

    @property
    def valid_from(self) -> date | None:
        return self.versions[0].valid_from

    @property
    def valid_to(self) -> date | None:
        return self.versions[-1].valid_to


@dataclass(frozen=True, slots=True)
class Succession:
    """An old unit's area (wholly or partly) went to a new unit on 1 July 2025."""

    old: Unit
    new: Unit
    kind: LineageKind
    source: str


@dataclass(frozen=True, slots=True)
class DatedChange:
    effective_date: date
    level: Level
    code: str
    field: str
    value: str
    reference: str
    confirmed: bool


@dataclass(frozen=True, slots=True)
class CreatedUnit:
    level: Level
    code: str
    short_name: str
    unit_type: UnitType
    province_code: str
    name_en: str = ""


@dataclass(frozen=True, slots=True)
class MapChange:
    """A dated change of the two-level map by a resolution after 1 July 2025 (merged, split, created,
    renamed or retyped units), as ``motcua.reorganisation`` stores it; the registry applies it over the
    shipped data. ``lineage`` holds (level, ended code, successor code, kind)."""

    reference: str
    effective_date: date
    created: tuple[CreatedUnit, ...] = ()
    ended: tuple[tuple[Level, str], ...] = ()
    lineage: tuple[tuple[Level, str, str, LineageKind], ...] = ()
    renamed: tuple[tuple[Level, str, str], ...] = ()
    retyped: tuple[tuple[Level, str, UnitType], ...] = ()


@dataclass(slots=True)
class UnitCounts:
    at: date
    provinces: dict[str, int] = field(default_factory=dict)
    districts: dict[str, int] = field(default_factory=dict)
    communes: dict[str, int] = field(default_factory=dict)

    @property
    def total_provinces(self) -> int:
        return sum(self.provinces.values())

    @property
    def total_districts(self) -> int:
        return sum(self.districts.values())

    @property
    def total_communes(self) -> int:
        return sum(self.communes.values())
