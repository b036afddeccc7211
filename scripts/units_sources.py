"""Readers for the administrative-unit sources in ``../shared/data/units`` (see its SOURCES.md).

Used by ``build_units.py`` and ``units_review_disputes.py``; never imported by the package.
"""

from __future__ import annotations

import csv
import json
import os
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("MOTCUA_SHARED", REPO.parent / "shared"))
SHARED_UNITS = SHARED / "data" / "units"

NSO_TABLE = SHARED_UNITS / "official" / "nso-conversion-table-2025-07.csv"
GSO_COMMUNES = SHARED_UNITS / "gso-catalogue-2025-07" / "communes-before-2025-07-01.csv"
GSO_DISTRICTS = SHARED_UNITS / "gso-catalogue-2025-07" / "districts-before-2025-07-01.csv"
DVHCVN_SPLITS = SHARED_UNITS / "dvhcvn-20250701" / "splits.json"
UNITS_2026 = SHARED_UNITS / "current-2026" / "units-2026-07-25.json"
ALIASES = SHARED_UNITS / "aliases"

CODE_IN_PARENS = re.compile(r"^(.*?)\s*\((\d+)\)\s*$")


@dataclass(frozen=True)
class OldCommune:
    code: str
    name: str
    unit_type: str
    district_code: str
    district_name: str
    province_code: str
    province_name: str


@dataclass(frozen=True)
class OldDistrict:
    code: str
    name: str
    unit_type: str
    province_code: str
    province_name: str


@dataclass
class NsoTable:
    """The statistics office's conversion table, grouped by old commune code."""

    successors: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    notes: dict[tuple[str, str], str] = field(default_factory=dict)
    new_names: dict[str, str] = field(default_factory=dict)
    new_province: dict[str, tuple[str, str]] = field(default_factory=dict)
    # Rows with no old commune code: whole island districts and unnumbered areas.
    without_old_code: list[dict[str, str]] = field(default_factory=list)


def _split_code(text: str) -> tuple[str, str]:
    m = CODE_IN_PARENS.match(text.strip())
    if not m:
        raise ValueError(f"expected 'Name (code)', got {text!r}")
    return m.group(1).strip(), m.group(2)


def clean(text: str) -> str:
    """NFC (some source cells are decomposed) with single spaces."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text)).strip()


def load_nso_table() -> NsoTable:
    table = NsoTable()
    with NSO_TABLE.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    for line_no, row in enumerate(rows[2:], start=3):
        if not row or not row[2].strip():
            continue  # section row carrying only the province name
        new_code = row[2].strip()
        table.new_names[new_code] = clean(row[1])
        table.new_province[new_code] = _split_code(row[0])[::-1]
        old_code = row[4].strip()
        note = clean(row[5])
        if not old_code:
            table.without_old_code.append(
                {
                    "line": str(line_no),
                    "new_code": new_code,
                    "old_name": clean(row[3]),
                    "note": note,
                    "old_district": clean(row[6]),
                }
            )
            continue
        if new_code not in table.successors[old_code]:
            table.successors[old_code].append(new_code)
        table.notes[(old_code, new_code)] = note
    return table


def load_gso_communes() -> dict[str, OldCommune]:
    with GSO_COMMUNES.open(encoding="utf-8-sig", newline="") as f:
        return {
            r["Mã"]: OldCommune(
                r["Mã"],
                clean(r["Tên"]),
                r["Cấp"],
                r["Mã QH"],
                clean(r["Quận Huyện"]),
                r["Mã TP"],
                clean(r["Tỉnh / Thành Phố"]),
            )
            for r in csv.DictReader(f)
        }


def load_gso_districts() -> dict[str, OldDistrict]:
    with GSO_DISTRICTS.open(encoding="utf-8-sig", newline="") as f:
        return {
            r["Mã"]: OldDistrict(r["Mã"], clean(r["Tên"]), r["Cấp"], r["Mã TP"], clean(r["Tỉnh / Thành Phố"]))
            for r in csv.DictReader(f)
        }


def load_dvhcvn_splits() -> dict[str, set[str]]:
    data = json.loads(DVHCVN_SPLITS.read_text(encoding="utf-8"))["data"]
    return {c["level3_id"]: {s["new_id"] for s in c["splits"]} for p in data for c in p["level3s"]}


def load_dvhcvn_province_splits() -> dict[str, set[str]]:
    data = json.loads(DVHCVN_SPLITS.read_text(encoding="utf-8"))["data"]
    return {p["level1_id"]: {s["new_id"] for s in p["splits"]} for p in data}


def load_units_2026() -> list[dict[str, Any]]:
    data: list[dict[str, Any]] = json.loads(UNITS_2026.read_text(encoding="utf-8"))
    return data


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))
