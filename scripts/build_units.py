"""Build the administrative-unit dataset that motcua ships, from ``../shared/data/units``.

Inputs (see ``../shared/data/units/SOURCES.md``): the statistics office's conversion table (old
commune → new commune, primary source for codes and lineage), its catalogue of the old units, the
code list of the new units (1027/CTK-CSCL), dvhcvn's splits (cross-check), the 2026 state of the
units (English names, and a check of the dated changes), and vietnamadminunits' alias keywords.
Reviewed decisions kept in this repository: ``data/units/lineage_overrides.csv`` (one line per
old code where the sources disagree), ``data/units/changes.csv`` (dated changes after 1 July 2025)
and ``data/units/extra_aliases.csv``.

Output: CSV files in ``src/motcua/units/data/`` and ``MANIFEST.json`` with the checksum of every
input and the counts. Run ``python scripts/build_units.py``; ``--check`` fails if the output
would change (used in CI so the shipped data never drifts from its sources).
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import json
import re
import sys
import unicodedata
from collections import Counter, defaultdict
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from units_sources import (
    ALIASES,
    DVHCVN_SPLITS,
    GSO_COMMUNES,
    GSO_DISTRICTS,
    NSO_TABLE,
    REPO,
    SHARED_UNITS,
    UNITS_2026,
    clean,
    load_dvhcvn_splits,
    load_gso_communes,
    load_gso_districts,
    load_nso_table,
    load_units_2026,
    read_csv,
)

OUT = REPO / "src" / "motcua" / "units" / "data"
REVIEWED = REPO / "data" / "units"
CODES_1027 = SHARED_UNITS / "official" / "resolutions" / "1027_CTK-CSCL.md"
REORGANISATION = date(2025, 7, 1)
SNAPSHOT_2026 = date(2026, 7, 25)

TYPE_WORDS = {
    "Tỉnh": "province",
    "Thành phố": "city",
    "Quận": "urban_district",
    "Huyện": "district",
    "Thị xã": "town",
    "Phường": "ward",
    "Xã": "commune",
    "Thị trấn": "township",
    "Đặc khu": "special_zone",
}
TYPE_PREFIX = re.compile(r"^(thanh pho|thi xa|thi tran|dac khu|tinh|quan|huyen|phuong|xa)\s+")
VI_TYPE = {
    "province": "Tỉnh",
    "city": "Thành phố",
    "ward": "Phường",
    "commune": "Xã",
    "special_zone": "Đặc khu",
}


def split_type(name: str, level: str) -> tuple[str, str]:
    """'Phường Ba Đình' → ('ward', 'Ba Đình'). A 'Thành phố' under a province is a provincial city.

    The type word is matched without diacritics because a few source cells misspell it ('Xa').
    """
    ascii_name = strip_marks(name.lower())
    m = TYPE_PREFIX.match(ascii_name)
    if not m:
        raise ValueError(f"no unit-type word in {name!r}")
    word = {strip_marks(w.lower()): w for w in TYPE_WORDS}[m.group(1)]
    unit_type = TYPE_WORDS[word]
    if unit_type == "city" and level == "district":
        unit_type = "provincial_city"
    return unit_type, name[m.end() :].strip()


def strip_marks(text: str) -> str:
    """Remove Vietnamese diacritics, keeping one character per character."""
    return (
        "".join(c if c == "đ" or c == "Đ" else unicodedata.normalize("NFD", c)[0] for c in text)
        .replace("đ", "d")
        .replace("Đ", "D")
    )


def full_name(name: str, level: str) -> str:
    """Rewrite the type word in its correct spelling ('Xa Ea Kly' → 'Xã Ea Kly')."""
    unit_type, short = split_type(name, level)
    word = {v: k for k, v in TYPE_WORDS.items()}["city" if unit_type == "provincial_city" else unit_type]
    return f"{word} {short}"


def key(text: str) -> str:
    """Diacritics-free, lower-case, alphanumeric key (the convention of the alias files)."""
    text = unicodedata.normalize("NFD", text.lower()).replace("đ", "d")
    return re.sub(r"[^a-z0-9]", "", "".join(c for c in text if not unicodedata.combining(c)))


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def load_1027_codes() -> dict[str, str]:
    text = CODES_1027.read_text(encoding="utf-8")
    rows = re.findall(r"^\|\s*\d+\s*\|\s*(\d{5})\s*\|\s*(.*?)\s*\|", text, re.M)
    return {code: clean(name.replace("<br>", " ")) for code, name in rows}


def csv_text(header: list[str], rows: list[list[str]]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buf.getvalue()


class Build:
    def __init__(self) -> None:
        self.files: dict[str, str] = {}
        self.report: dict[str, object] = {}
        self.problems: list[str] = []

    def notes(self, name: str) -> list[str]:
        """A list in the report, created on first use."""
        found = self.report.setdefault(name, [])
        assert isinstance(found, list)
        return found

    # -- new units (from 1 July 2025) -------------------------------------------------------
    def new_units(self) -> None:
        nso = self.nso = load_nso_table()
        codes_1027 = load_1027_codes()
        units_2026 = {p["Code"]: p for p in load_units_2026()}
        wards_2026 = {w["Code"]: w for p in units_2026.values() for w in p["Wards"]}

        provinces: dict[str, tuple[str, str]] = {}
        for prov_code, prov_name in nso.new_province.values():
            provinces[prov_code] = (prov_name, "")
        prov_rows = []
        for code in sorted(provinces):
            name = provinces[code][0]
            unit_type, short = split_type(name, "province")
            en = units_2026[code]["NameEn"] if code in units_2026 else ""
            prov_rows.append([code, name, short, unit_type, en])
        self.new_provinces = {r[0]: r for r in prov_rows}
        self.files["new_provinces.csv"] = csv_text(["code", "name", "short_name", "unit_type", "name_en"], prov_rows)

        commune_rows = []
        spelling = 0
        for code in sorted(nso.new_names):
            name = full_name(nso.new_names[code], "commune")
            unit_type, short = split_type(name, "commune")
            if code not in codes_1027:
                self.notes("new_codes_not_in_1027").append(code)
            elif key(codes_1027[code]) != key(name):
                spelling += 1
            en = wards_2026[code]["NameEn"] if code in wards_2026 else ""
            commune_rows.append([code, name, short, unit_type, nso.new_province[code][0], en])
        self.report["new_names_differing_from_1027"] = spelling
        self.report["codes_1027_not_in_nso"] = sorted(set(codes_1027) - set(nso.new_names))
        self.new_communes = {r[0]: r for r in commune_rows}
        self.files["new_communes.csv"] = csv_text(
            ["code", "name", "short_name", "unit_type", "province_code", "name_en"], commune_rows
        )
        self.units_2026 = units_2026
        self.wards_2026 = wards_2026

    # -- old units (before 1 July 2025) -----------------------------------------------------
    def old_units(self) -> None:
        communes = self.gso = load_gso_communes()
        districts = load_gso_districts()
        provinces: dict[str, str] = {}
        for d in districts.values():
            provinces[d.province_code] = d.province_name
        self.old_provinces = provinces
        self.files["old_provinces.csv"] = csv_text(
            ["code", "name", "short_name", "unit_type"],
            [[c, n, *split_type(n, "province")[::-1]] for c, n in sorted(provinces.items())],
        )
        self.files["old_districts.csv"] = csv_text(
            ["code", "name", "short_name", "unit_type", "province_code"],
            [
                [d.code, d.name, split_type(d.name, "district")[1], split_type(d.name, "district")[0], d.province_code]
                for d in sorted(districts.values(), key=lambda d: d.code)
            ],
        )
        self.files["old_communes.csv"] = csv_text(
            ["code", "name", "short_name", "unit_type", "district_code", "province_code"],
            [
                [
                    c.code,
                    c.name,
                    split_type(c.name, "commune")[1],
                    split_type(c.name, "commune")[0],
                    c.district_code,
                    c.province_code,
                ]
                for c in sorted(communes.values(), key=lambda c: c.code)
            ],
        )
        self.old_districts = districts

    # -- lineage -----------------------------------------------------------------------------
    def lineage(self) -> None:
        nso, gso = self.nso, self.gso
        dv = load_dvhcvn_splits()
        overrides = {r["old_code"]: r for r in read_csv(REVIEWED / "lineage_overrides.csv")}
        disputed = sorted(c for c in gso if c in dv and set(nso.successors.get(c, [])) != dv[c])
        undecided = [c for c in disputed if c not in overrides]
        if undecided:
            self.problems.append(f"lineage disputes without a reviewed decision: {undecided}")
        rows = []
        for code in sorted(gso):
            if code in overrides:
                for item in overrides[code]["successors"].split():
                    new_code, kind = item.split(":")
                    rows.append(["commune", code, new_code, kind, "override"])
                continue
            successors = nso.successors.get(code)
            if not successors:
                self.problems.append(f"old commune {code} {gso[code].name} has no successor")
                continue
            for new_code in successors:
                note = nso.notes[(code, new_code)].lower()
                kind = "partial" if "một phần" in note or "một  phần" in note or len(successors) > 1 else "whole"
                rows.append(["commune", code, new_code, kind, "nso"])
        # Island districts without communes became special zones wholly.
        for extra in nso.without_old_code:
            m = re.search(r"\((\d{3})\)", extra["old_district"])
            if m and "huyện" in extra["note"].lower():
                rows.append(["district", m.group(1), extra["new_code"], "whole", "nso"])
            else:
                self.notes("nso_rows_without_old_unit").append(
                    f"line {extra['line']}: {extra['old_name']} → {extra['new_code']}"
                )
        unknown_new = sorted({r[2] for r in rows} - set(self.new_communes))
        if unknown_new:
            self.problems.append(f"lineage points to unknown new codes {unknown_new}")
        # Provinces merged wholly: old province → the new province of its communes' successors
        # (the table's own old-province column has slips, e.g. Tân An filed under Tiền Giang).
        prov_pairs: dict[str, set[str]] = defaultdict(set)
        for level, old_code, new_code, _kind, _source in rows:
            if level == "commune":
                prov_pairs[gso[old_code].province_code].add(nso.new_province[new_code][0])
        for old_code, news in sorted(prov_pairs.items()):
            if len(news) != 1:
                self.problems.append(f"old province {old_code} maps to several new provinces {news}")
            rows.append(["province", old_code, sorted(news)[0], "whole", "nso"])
        missing = sorted(set(self.old_provinces) - set(prov_pairs))
        if missing:
            self.problems.append(f"old provinces without successor: {missing}")
        self.files["lineage.csv"] = csv_text(["level", "old_code", "new_code", "kind", "source"], rows)
        by_old = Counter(r[1] for r in rows if r[0] == "commune")
        self.report["lineage"] = {
            "old_communes": len(gso),
            "single_successor": sum(1 for n in by_old.values() if n == 1),
            "split": sum(1 for n in by_old.values() if n > 1),
            "disputed_between_nso_and_dvhcvn": len(disputed),
            "reviewed_overrides": len(overrides),
        }

    # -- dated changes ------------------------------------------------------------------------
    def changes(self) -> None:
        rows = read_csv(REVIEWED / "changes.csv")
        # Check: the 1 July 2025 state plus the changes in force on the snapshot date gives the
        # 2026 snapshot's types.
        prov_type = {c: r[3] for c, r in self.new_provinces.items()}
        com_type = {c: r[3] for c, r in self.new_communes.items()}
        for r in rows:
            if date.fromisoformat(r["effective_date"]) <= SNAPSHOT_2026:
                target = prov_type if r["level"] == "province" else com_type
                if r["code"] not in target:
                    self.problems.append(f"change for unknown {r['level']} {r['code']}")
                target[r["code"]] = r["value"]
        snap_prov = {
            c: ("city" if p["AdministrativeUnitShortName"] == "Thành phố" else "province")
            for c, p in self.units_2026.items()
        }
        snap_com = {
            c: {"Phường": "ward", "Xã": "commune", "Đặc khu": "special_zone"}[w["AdministrativeUnitShortName"]]
            for c, w in self.wards_2026.items()
        }
        mismatch = [c for c in snap_prov if snap_prov[c] != prov_type.get(c)]
        mismatch += [c for c in snap_com if c in com_type and snap_com[c] != com_type[c]]
        if mismatch:
            self.problems.append(f"changes.csv does not reproduce the 2026 snapshot for {mismatch}")
        self.report["codes_only_in_2026_snapshot"] = sorted(set(self.wards_2026) - set(self.new_communes))
        self.files["changes.csv"] = csv_text(
            ["effective_date", "level", "code", "field", "value", "reference", "confirmed"],
            [
                [r["effective_date"], r["level"], r["code"], r["field"], r["value"], r["reference"], r["confirmed"]]
                for r in rows
            ],
        )

    # -- aliases -------------------------------------------------------------------------------
    def aliases(self) -> None:
        prov_by_key = {key(n): c for c, n in self.old_provinces.items()}
        dist_by_key = {(d.province_code, key(d.name)): d.code for d in self.old_districts.values()}
        com_by_key: dict[tuple[str, str, str], str] = {}
        for c in self.gso.values():
            com_by_key[(c.province_code, c.district_code, key(c.name))] = c.code
        rows: list[list[str]] = []
        unmapped = 0
        seen: set[tuple[str, str, str]] = set()

        def add(level: str, code: str, alias: str, source: str) -> None:
            k = (level, code, alias)
            if k not in seen:
                seen.add(k)
                rows.append([level, code, alias, source])

        for r in read_csv(ALIASES / "legacy" / "alias_province.csv"):
            if r["province_key"] in prov_by_key:
                add("old_province", prov_by_key[r["province_key"]], r["alias_keyword"], "vietnamadminunits")
            else:
                unmapped += 1
        for r in read_csv(ALIASES / "legacy" / "alias_district.csv"):
            p = prov_by_key.get(r["province_key"])
            d = dist_by_key.get((p, r["district_key"])) if p else None
            if d:
                add("old_district", d, r["alias_keyword"], "vietnamadminunits")
            else:
                unmapped += 1
        for r in read_csv(ALIASES / "legacy" / "alias_ward.csv"):
            p = prov_by_key.get(r["province_key"])
            d = dist_by_key.get((p, r["district_key"])) if p else None
            com_code = com_by_key.get((p, d, r["ward_key"])) if p and d else None
            if com_code:
                add("old_commune", com_code, r["alias_keyword"], "vietnamadminunits")
            else:
                unmapped += 1
        for r in read_csv(ALIASES / "legacy" / "divided_district.csv"):
            p = prov_by_key.get(r["provinceKey"])
            d = dist_by_key.get((p, r["districtKey"])) if p else None
            if not d:
                unmapped += 1
                continue
            for word in json.loads(r["dividedDistrictKeyWords"]):
                add("old_district", d, word, "vietnamadminunits-divided")
        for r in read_csv(REVIEWED / "extra_aliases.csv"):
            level = "old_province" if r["code"] in self.old_provinces else "new_province"
            add(level, r["code"], key(r["alias"]), "motcua-reviewed")
        self.report["aliases"] = {"rows": len(rows), "unmapped_source_rows": unmapped}
        self.files["aliases.csv"] = csv_text(["level", "code", "alias_key", "source"], rows)

    def run(self) -> None:
        self.new_units()
        self.old_units()
        self.lineage()
        self.changes()
        self.aliases()
        counts = Counter(r[3] for r in self.new_communes.values())
        self.report["counts_2025_07_01"] = {
            "provinces": len(self.new_provinces),
            "cities": sum(1 for r in self.new_provinces.values() if r[3] == "city"),
            **dict(sorted(counts.items())),
            "commune_level_units": len(self.new_communes),
        }
        self.report["counts_before_2025_07_01"] = {
            "provinces": len(self.old_provinces),
            "districts": len(self.old_districts),
            "communes": len(self.gso),
        }
        expected = {"provinces": 34, "commune": 2621, "ward": 687, "special_zone": 13}
        got = {"provinces": len(self.new_provinces), **counts}
        for k, v in expected.items():
            if got.get(k) != v:
                self.problems.append(f"expected {v} {k} on 2025-07-01, got {got.get(k)}")
        inputs = [
            NSO_TABLE,
            GSO_COMMUNES,
            GSO_DISTRICTS,
            CODES_1027,
            DVHCVN_SPLITS,
            UNITS_2026,
            *sorted((ALIASES / "legacy").glob("*.csv")),
            *sorted(REVIEWED.glob("*.csv")),
        ]
        manifest = {
            "generated_by": "scripts/build_units.py",
            "inputs": {
                str(p.relative_to(p.parents[3] if SHARED_UNITS in p.parents else REPO)): sha256(p) for p in inputs
            },
            "outputs": {name: hashlib.sha256(text.encode()).hexdigest() for name, text in sorted(self.files.items())},
            "report": self.report,
            "licences": "Derived in part from MIT-licensed datasets: dvhcvn/20250701, vietnamadminunits "
            "(aliases), vietnamese-provinces-database (English names); see LICENSES/.",
        }
        self.files["MANIFEST.json"] = json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="fail if the shipped files are out of date")
    args = parser.parse_args()
    build = Build()
    build.run()
    if build.problems:
        for p in build.problems:
            print("ERROR:", p, file=sys.stderr)
        return 1
    stale = [n for n, t in build.files.items() if not (OUT / n).exists() or (OUT / n).read_text(encoding="utf-8") != t]
    if args.check:
        if stale:
            print("out of date:", ", ".join(stale), "- run python scripts/build_units.py", file=sys.stderr)
            return 1
        print("units dataset is up to date")
        return 0
    OUT.mkdir(parents=True, exist_ok=True)
    for name, text in build.files.items():
        (OUT / name).write_text(text, encoding="utf-8")
    print(json.dumps(build.report, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
