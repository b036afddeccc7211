"""Build the resolution files of the 1 July 2025 reform from ``../shared/data/units`` and the shipped
lineage, in the format of ``docs/reorganisation.md``, for ``motcua reorganise replay-2025``:

- one file per new province, named after the resolution of the National Assembly Standing Committee
  that made its communes (``1654_NQ-UBTVQH15`` … ``1687_NQ-UBTVQH15``, read from the resolution's
  title): every old commune merged into its new commune, or split among several (rule
  ``subject_commune``: the dossier's address converted with the new map tells which), every old
  district abolished (its procedures go where the 2025 decrees put them);
- ``202-2025-QH15.csv``: the old provinces merged into the 34 (Resolution 202/2025/QH15).

Output: ``src/motcua/reorganisation/data/reform-2025/``. ``--check`` fails if it would change.
"""

from __future__ import annotations

import argparse
import csv
import io
import re
import sys
import unicodedata
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared" / "data" / "units"
RESOLUTIONS = SHARED / "official" / "resolutions"
UNITS = REPO / "src" / "motcua" / "units" / "data"
OUT = REPO / "src" / "motcua" / "reorganisation" / "data" / "reform-2025"
DAY = "2025-07-01"
HEADER = ["reference", "effective_date", "action", "level", "code", "name", "unit_type", "province",
          "successor", "rule", "match", "note"]  # fmt: skip


def fold(text: str) -> str:
    text = unicodedata.normalize("NFD", text.replace("Đ", "D").replace("đ", "d"))
    return re.sub(r"\s+", " ", "".join(c for c in text if not unicodedata.combining(c))).strip().lower()


def rows(name: str) -> list[dict[str, str]]:
    with (UNITS / name).open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def resolution_of_provinces() -> dict[str, str]:
    """New province code → the number of the resolution that made its communes."""
    provinces = {fold(r["short_name"]): r["code"] for r in rows("new_provinces.csv")}
    found: dict[str, str] = {}
    for path in sorted(RESOLUTIONS.glob("16*_NQ-UBTVQH15.md")):
        text = re.sub(r"\s+", " ", unicodedata.normalize("NFC", path.read_text(encoding="utf-8")))
        number = re.search(r"Số:\s*(\d+/NQ-UBTVQH15)", text)
        title = re.search(r"CẤP XÃ CỦA (TỈNH|THÀNH PHỐ) (.+?) NĂM 2025", text, re.IGNORECASE)
        if number is None or title is None:
            raise SystemExit(f"{path.name}: no number or title found")
        name = fold(title.group(2))
        code = provinces.get(name)
        if code is None:
            raise SystemExit(f"{path.name}: no new province called {title.group(2).strip()!r}")
        found[code] = number.group(1)
    if len(found) != 34:
        raise SystemExit(f"{len(found)} resolutions matched to provinces, not 34")
    return found


def build() -> dict[str, str]:
    """File name → content."""
    references = resolution_of_provinces()
    lineage: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for r in rows("lineage.csv"):
        lineage.setdefault((r["level"], r["old_code"]), []).append((r["new_code"], r["kind"]))
    new_province_of_commune = {r["code"]: r["province_code"] for r in rows("new_communes.csv")}
    new_province_of_old = {old: targets[0][0] for (level, old), targets in lineage.items() if level == "province"}
    files: dict[str, list[list[str]]] = {f"{code}.csv": [] for code in references}
    provinces = []
    for r in rows("old_provinces.csv"):
        new = new_province_of_old[r["code"]]
        provinces.append(["202/2025/QH15", DAY, "merge", "old_province", r["code"], "", "", "", new, "", "", ""])
    for r in rows("old_districts.csv"):
        new = new_province_of_old[r["province_code"]]
        # Its procedures go to the province or the commune, as the 2025 decrees say (routing knows).
        files[f"{new}.csv"].append([references[new], DAY, "abolish", "old_district", r["code"], *[""] * 7])
    for r in rows("old_communes.csv"):
        targets = lineage.get(("commune", r["code"]), [])
        if not targets:
            raise SystemExit(f"old commune {r['code']} has no successor in lineage.csv")
        new_province = new_province_of_commune[targets[0][0]]
        split = len(targets) > 1
        for new_code, kind in targets:
            files[f"{new_province}.csv"].append(
                [references[new_province], DAY, "split" if split else "merge", "old_commune", r["code"], "", "", "",
                 new_code, "subject_commune" if split else "", "", kind]
            )  # fmt: skip
    out = {}
    for name, body in {**files, "202-2025-QH15.csv": provinces}.items():
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(HEADER)
        writer.writerows(body)
        out[name] = buffer.getvalue()
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="fail if the files would change")
    args = parser.parse_args()
    files = build()
    if args.check:
        stale = [n for n, text in files.items() if not (OUT / n).exists() or (OUT / n).read_text("utf-8") != text]
        if stale:
            print(f"out of date: {', '.join(sorted(stale))} (run python scripts/build_reform_2025.py)")
            return 1
        return 0
    OUT.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (OUT / name).write_text(text, encoding="utf-8")
    print(f"{len(files)} files in {OUT.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
