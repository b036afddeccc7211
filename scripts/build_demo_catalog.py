"""Build the demo catalog shipped with motcua from the national procedure data.

Takes the procedures listed in ``data/catalog/demo_procedures.csv`` from
``../shared/data/procedures/tthc_national_2026_details.jsonl.gz`` (read by
``motcua.catalog.national``), and adds what the curation file says: English and French names,
the level before 1 July 2025 with the decree that moved the procedure (the decree must be cited
in the procedure's own legal basis), a time limit where the portal gives none or gives a number
without a unit, and the submission forms in ``data/catalog/forms/``. Everything the portal does
not support is listed in the version's ``unverified`` field.

Output: ``src/motcua/catalog/data/demo_catalog.json``. ``--check`` fails if it would change.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from datetime import date
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "src"))

from motcua.catalog.national import Issue, parse_time_limit, read_national, to_record  # noqa: E402
from motcua.catalog.records import ChangeRecord, ProcedureRecord, missing_components  # noqa: E402

SHARED = REPO.parent / "shared" / "data" / "procedures"
CURATION = REPO / "data" / "catalog" / "demo_procedures.csv"
FORMS = REPO / "data" / "catalog" / "forms"
OUT = REPO / "src" / "motcua" / "catalog" / "data" / "demo_catalog.json"
REFORM = date(2025, 7, 1)


def build() -> tuple[list[ProcedureRecord], list[str]]:
    with CURATION.open(encoding="utf-8", newline="") as f:
        curation = {row["code"]: row for row in csv.DictReader(f)}
    raw = {
        r["ma_thu_tuc"]: r
        for r in read_national(SHARED / "tthc_national_2026_details.jsonl.gz")
        if r["ma_thu_tuc"] in curation
    }
    problems = [f"{code}: not in the national data" for code in curation if code not in raw]
    records: list[ProcedureRecord] = []
    for code, row in curation.items():
        if code not in raw:
            continue
        issues: list[Issue] = []
        record = to_record(raw[code], issues)
        current = record.versions[0]
        current.name_en, current.name_fr = row["name_en"], row["name_fr"]
        if row["note"]:
            current.notes = f"{current.notes} {row['note']}".strip()
        # Time limit: the curation's value where the portal has none, else the portal's bare
        # number read as working days; both marked unverified.
        if current.time_limit_kind == "unknown":
            if row["time_limit_kind"]:
                current.time_limit = float(row["time_limit"])
                current.time_limit_kind = row["time_limit_kind"]  # type: ignore[assignment]
                current.time_limit_text = ""  # the portal gives none: the amount is the curation's
            else:
                texts = [c.time_limit_text for c in current.channels if c.channel == "in_person"] or [
                    c.time_limit_text for c in current.channels
                ]
                bare = texts[0].strip() if texts else ""
                amount, _kind, _problem = (
                    parse_time_limit(bare + " ngày làm việc") if bare.isdigit() else (None, "", "")
                )
                if amount is None:
                    problems.append(f"{code}: no time limit and none curated")
                    continue
                current.time_limit, current.time_limit_kind = amount, "working_days"
                current.time_limit_text = bare  # as the portal gives it: a number without its unit
            current.unverified.append("time_limit")
        form = FORMS / f"{code}.json"
        if form.exists():
            current.form_schema = json.loads(form.read_text(encoding="utf-8"))
        else:
            current.unverified.append("form_schema (generic request form)")
        missing = missing_components(current)
        if missing:
            problems.append(f"{code}: lacks {', '.join(missing)}")
            continue
        current.status = "published"
        if row["moved_by"]:
            cited = {d.number for d in current.legal_basis}
            if row["moved_by"] not in cited:
                problems.append(f"{code}: {row['moved_by']} is not cited in its legal basis {sorted(cited)}")
                continue
            before = current.model_copy(deep=True)
            before.number, before.valid_from, before.valid_to = 1, None, REFORM
            before.level, before.levels = row["level_before"], [row["level_before"]]  # type: ignore[assignment]
            before.agency_type = f"{row['level_before']}_people_committee"
            before.unverified = ["level", "agency_type", "valid_from", "contents copied from the 2026 version"]
            before.notes = (
                f"Level before 1 July 2025 from the pre-2025 rules as generally known; the source "
                f"data does not record it. {row['note']}"
            ).strip()
            current.number = 2
            record.versions = [before, current]
            record.changes = [
                ChangeRecord(
                    decree=row["moved_by"],
                    effective_date=REFORM,
                    kind="moved",
                    from_level=row["level_before"],
                    to_level=current.level,
                    verified=False,
                    version_number=2,
                    note="The decree is cited in the procedure's legal basis (data); the level before is curated.",
                )
            ]
        else:
            current.valid_from = None
            if "valid_from" not in current.unverified:
                current.unverified.append("valid_from")
            current.notes = (
                f"{current.notes} Level before 1 July 2025 ({row['level_before']}) from the pre-2025 "
                "rules as generally known, unchanged by the reform."
            ).strip()
        records.append(record)
    return records, problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    records, problems = build()
    for p in problems:
        print("ERROR:", p, file=sys.stderr)
    if problems:
        return 1
    text = json.dumps([r.model_dump(mode="json") for r in records], ensure_ascii=False, indent=1) + "\n"
    if args.check:
        if not OUT.exists() or OUT.read_text(encoding="utf-8") != text:
            print("demo catalog out of date: run python scripts/build_demo_catalog.py", file=sys.stderr)
            return 1
        print("demo catalog is up to date")
        return 0
    OUT.write_text(text, encoding="utf-8")
    moved = sum(1 for r in records if r.changes)
    print(f"{len(records)} procedures ({moved} moved on 1 July 2025) written to {OUT.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
