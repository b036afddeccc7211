"""The service centres of a province in the order a person would go to them from their address.

The shared data has no coordinates of communes (only province boundaries), so distance is read from
the map's history instead: the centre of the person's own commune first, then those of communes
made from the same former district (they were neighbours until 30 June 2025), then the provincial
centre and its branches, then every other centre of the province by name. Each centre carries the
reason for its place so that the page can say it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Literal

from motcua import clock
from motcua.catalog.routing import CatalogSnapshot, CentreView
from motcua.units import get_registry
from motcua.units.registry import on_install
from motcua.units.text import fold, nfc

Nearness = Literal["own_commune", "former_district", "province", "other"]
ORDER: dict[Nearness, int] = {"own_commune": 0, "former_district": 1, "province": 2, "other": 3}


@dataclass(frozen=True)
class NearbyCentre:
    centre: CentreView
    nearness: Nearness


@lru_cache(maxsize=4096)
def former_districts(commune_code: str) -> frozenset[str]:
    """The districts (until 30 June 2025) of the old communes a new commune was made from (through
    the resolutions since)."""
    registry = get_registry()
    unit = registry.find("commune", commune_code, "new")
    if unit is None:
        return frozenset()
    return frozenset(s.old.district_code for s in registry.origins(unit) if s.old.district_code)


on_install(former_districts.cache_clear)


def centres_near(
    snapshot: CatalogSnapshot,
    province_code: str,
    communes: Iterable[str] = (),
    query: str = "",
    at: date | None = None,
) -> list[NearbyCentre]:
    """Every centre of the province in force on ``at`` (default today), nearest first from
    ``communes`` (the person's commune, or the candidates of an address that could be several);
    ``query`` keeps those whose name holds it (without accents, any case)."""
    at = at or clock.today()
    own = set(communes)
    districts: set[str] = set()
    for code in own:
        districts |= former_districts(code)
    wanted = " ".join(fold(nfc(query)).split())
    found = []
    for c in snapshot.centres.values():
        if c.province_code != province_code or (wanted and wanted not in fold(c.name)) or not c.in_force(at):
            continue
        nearness: Nearness
        if c.commune_code and c.commune_code in own:
            nearness = "own_commune"
        elif c.commune_code and districts and former_districts(c.commune_code) & districts:
            nearness = "former_district"
        elif c.level != "commune":
            nearness = "province"
        else:
            nearness = "other"
        found.append(NearbyCentre(c, nearness))
    found.sort(key=lambda n: (ORDER[n.nearness], fold(n.centre.name)))
    return found
