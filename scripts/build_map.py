"""Build the map of the 34 provinces shipped with motcua: one simplified SVG path per province.

Input: ``../shared/data/units/geo/provinces/*.geojson`` (boundaries of March 2026; licence beside them).
Output: ``src/motcua/indicators/data/provinces_map.json`` ({"viewBox": …, "paths": {code: d}}), small
enough to inline in a page (no tiles, no network: the dashboards work offline). Provinces are matched
to the registry by name. Run: ``.venv/bin/python scripts/build_map.py [--check]``.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from datetime import date
from pathlib import Path

from shapely.geometry import shape
from shapely.ops import unary_union

from motcua.units import get_registry
from motcua.units.text import fold

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT.parent / "shared" / "data" / "units" / "geo" / "provinces"
OUTPUT = ROOT / "src" / "motcua" / "indicators" / "data" / "provinces_map.json"
WIDTH = 400.0  # SVG units across; the height follows the country's shape
TOLERANCE = 0.01  # degrees (≈1 km): invisible at dashboard size, a hundred times smaller file
TYPE_WORDS = ("tinh ", "thanh pho ", "thu do ")
# The source boundaries stop at the mainland and near islands; the two archipelagos are drawn as
# marked points of the provinces they belong to (Hoàng Sa: Đà Nẵng; Trường Sa: Khánh Hòa).
ARCHIPELAGOS = (
    ("Quần đảo Hoàng Sa", "48", 112.0, 16.5),
    ("Quần đảo Trường Sa", "56", 114.0, 10.0),
)


def _key(name: str) -> str:
    text = fold(name.replace("_", " ")).strip()
    for word in TYPE_WORDS:
        text = text.removeprefix(word)
    return text


def build() -> dict[str, object]:
    provinces = {_key(u.name): u.code for u in get_registry().in_force(date(2026, 3, 1), "province")}
    shapes = {}
    for path in sorted(SOURCE.glob("*.geojson")):
        name = _key(path.stem.split("_", 1)[1])
        if name not in provinces:
            raise SystemExit(f"{path.name}: no province named {name!r} in the registry")
        data = json.loads(path.read_text(encoding="utf-8"))
        geometry = unary_union([shape(f["geometry"]) for f in data["features"]])
        shapes[provinces[name]] = geometry.simplify(TOLERANCE, preserve_topology=True)
    if len(shapes) != 34:
        raise SystemExit(f"{len(shapes)} provinces mapped, 34 expected")
    west, south, east, north = unary_union(list(shapes.values())).bounds
    east = max(east, max(lon for _, _, lon, _ in ARCHIPELAGOS) + 0.8)
    scale_x = math.cos(math.radians((south + north) / 2))  # equirectangular at the mid latitude
    k = WIDTH / ((east - west) * scale_x)
    height = (north - south) * k

    def ring(coords: object) -> str:
        points = [f"{(x - west) * scale_x * k:.1f},{(north - y) * k:.1f}" for x, y in coords]  # type: ignore[attr-defined]
        return "M" + "L".join(points) + "Z"

    paths = {}
    for code, geometry in sorted(shapes.items()):
        polygons = getattr(geometry, "geoms", [geometry])
        # Every polygon is kept, the smallest islands too: Hoàng Sa and Trường Sa belong on the map.
        paths[code] = "".join(ring(p.exterior.coords) for p in polygons)
    islands = [
        {"name": name, "province": code, "x": round((lon - west) * scale_x * k, 1), "y": round((north - lat) * k, 1)}
        for name, code, lon, lat in ARCHIPELAGOS
    ]
    return {"viewBox": f"0 0 {WIDTH:.0f} {height:.0f}", "paths": paths, "archipelagos": islands}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="fail if the shipped map differs from a rebuild")
    args = parser.parse_args()
    text = json.dumps(build(), ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    if args.check:
        if OUTPUT.read_text(encoding="utf-8") != text:
            print(f"{OUTPUT} is out of date: run scripts/build_map.py", file=sys.stderr)
            return 1
        return 0
    OUTPUT.write_text(text, encoding="utf-8")
    print(f"{OUTPUT}: {len(text) // 1024} kB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
