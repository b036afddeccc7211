"""Build ``src/motcua/catalog/data/decentralisation_2025.csv`` from
``../shared/data/procedures/tthc_2025_decentralisation_refs.csv``: the 451 procedures whose legal basis
names the 2025 decentralisation between the two local levels, with their level now (the levels the
national catalog gives in 2026: ``province``, ``commune``, ``central``, ``other``, joined by ``|``) and
the 2025 decrees they cite. The level before the reform is not in the source: the catalog's own
records (``catalog_changes``) say it where they can.

Run ``python scripts/build_decentralisation.py``; ``--check`` fails if the output would change.
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SOURCE = REPO.parent / "shared" / "data" / "procedures" / "tthc_2025_decentralisation_refs.csv"
OUT = REPO / "src" / "motcua" / "catalog" / "data" / "decentralisation_2025.csv"
LEVELS = {"Cấp bộ": "central", "Cấp tỉnh": "province", "Cấp xã": "commune", "Cơ quan khác": "other"}


def build() -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["code", "name", "ministry", "field", "levels", "decrees", "phrase"])
    with SOURCE.open(encoding="utf-8") as f:
        rows = sorted(csv.DictReader(f), key=lambda r: r["ma_thu_tuc"])
    for r in rows:
        levels = [LEVELS[x.strip()] for x in r["cap_thuc_hien"].split(",") if x.strip()]
        writer.writerow(
            [
                r["ma_thu_tuc"],
                r["ten_thu_tuc"].strip(),
                r["bo_nganh"],
                r["linh_vuc"],
                "|".join(levels),
                r["nghi_dinh_2025_cited"],
                r["matched_phrase"],
            ]
        )
    return out.getvalue()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true")
    text = build()
    if parser.parse_args().check:
        if not OUT.exists() or OUT.read_text("utf-8") != text:
            print(f"{OUT.relative_to(REPO)} is out of date (run python scripts/build_decentralisation.py)")
            return 1
        return 0
    OUT.write_text(text, encoding="utf-8")
    print(f"{text.count(chr(10)) - 1} procedures in {OUT.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
