"""Read and write catalog records as JSON or CSV, with errors that name the place and the column.

CSV errors name the row as a spreadsheet shows it (the header is row 1), whatever line breaks
the cells hold; JSON errors name the line and column, or the procedure's position.

JSON: a list of procedure records (``records.ProcedureRecord``). CSV: one row per procedure
version, plus an optional second CSV of changes (decrees). See ``docs/catalog-format.md``.
"""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from typing import Any

from pydantic import ValidationError

from motcua.catalog.records import ChangeRecord, ProcedureRecord, VersionRecord

PROCEDURE_COLUMNS = ["code", "code_is_national", "ministry", "field", "abolished_on", "abolished_by"]
VERSION_SCALARS = [
    "number",
    "status",
    "valid_from",
    "valid_to",
    "name_vi",
    "name_en",
    "name_fr",
    "level",
    "agency_type",
    "time_limit",
    "time_limit_kind",
    "time_limit_text",
    "online",
    "result_type",
    "announcing_decision",
    "source",
    "notes",
    "steps",
]
VERSION_LISTS = ["levels", "applicant_types", "unverified"]  # "|"-separated
VERSION_JSON = ["channels", "fees", "documents", "results", "legal_basis", "form_schema"]
VERSION_COLUMNS = PROCEDURE_COLUMNS + VERSION_SCALARS + VERSION_LISTS + VERSION_JSON
CHANGE_COLUMNS = [
    "code",
    "decree",
    "effective_date",
    "kind",
    "from_level",
    "to_level",
    "time_limit",
    "verified",
    "note",
    "version_number",
]


class FormatError(ValueError):
    """The input cannot be read; ``errors`` says where and why, one line each."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__(f"{len(errors)} error(s): " + "; ".join(errors[:5]))
        self.errors = errors


def _pydantic_errors(where: str, exc: ValidationError) -> list[str]:
    return [f"{where}, {'.'.join(str(p) for p in e['loc']) or 'record'}: {e['msg']}" for e in exc.errors()]


def read_json(text: str) -> list[ProcedureRecord]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise FormatError([f"line {exc.lineno}, column {exc.colno}: not valid JSON ({exc.msg})"]) from None
    if not isinstance(data, list):
        raise FormatError(["the file must hold a JSON list of procedures"])
    records: list[ProcedureRecord] = []
    errors: list[str] = []
    for i, item in enumerate(data):
        code = item.get("code", "?") if isinstance(item, dict) else "?"
        try:
            records.append(ProcedureRecord.model_validate(item))
        except ValidationError as exc:
            errors.extend(_pydantic_errors(f"procedure #{i + 1} ({code})", exc))
    if errors:
        raise FormatError(errors)
    return records


def _cell(row: dict[str, str], column: str) -> Any:
    value = (row.get(column) or "").strip()
    if column in VERSION_LISTS:
        return [x.strip() for x in value.split("|") if x.strip()]
    if column in VERSION_JSON:
        return json.loads(value) if value else ([] if column != "form_schema" else None)
    return value or None


def read_csv(text: str, changes_text: str | None = None) -> list[ProcedureRecord]:
    errors: list[str] = []
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in ("code", "number", "level") if c not in (reader.fieldnames or [])]
    if missing:
        raise FormatError([f"row 1: missing column(s) {', '.join(missing)}"])
    unknown = [c for c in reader.fieldnames or [] if c not in VERSION_COLUMNS]
    if unknown:
        raise FormatError([f"row 1: unknown column(s) {', '.join(unknown)}"])
    procedures: dict[str, dict[str, Any]] = {}
    versions: dict[str, list[VersionRecord]] = defaultdict(list)
    for line, row in enumerate(reader, start=2):
        code = (row.get("code") or "").strip()
        if not code:
            errors.append(f"row {line}, code: empty")
            continue
        head = {c: _cell(row, c) for c in PROCEDURE_COLUMNS if c in row}
        head["code_is_national"] = (head.get("code_is_national") or "true").lower() in ("true", "1", "yes")
        previous = procedures.setdefault(code, head)
        for column, value in head.items():
            if previous.get(column) != value:
                errors.append(
                    f"row {line}, {column}: {value!r} differs from an earlier row of {code} ({previous.get(column)!r})"
                )
        fields: dict[str, Any] = {}
        for column in VERSION_SCALARS + VERSION_LISTS + VERSION_JSON:
            if column not in row:
                continue
            try:
                value = _cell(row, column)
            except json.JSONDecodeError as exc:
                errors.append(f"row {line}, {column}: not valid JSON ({exc.msg})")
                continue
            if value is not None:
                fields[column] = value
        try:
            versions[code].append(VersionRecord.model_validate(fields))
        except ValidationError as exc:
            errors.extend(_pydantic_errors(f"row {line}", exc))
    changes: dict[str, list[ChangeRecord]] = defaultdict(list)
    if changes_text is not None:
        change_reader = csv.DictReader(io.StringIO(changes_text))
        for line, row in enumerate(change_reader, start=2):
            data = {k: v.strip() for k, v in row.items() if k and v is not None and v.strip() != ""}
            code = data.pop("code", "")
            if code not in procedures:
                errors.append(f"changes row {line}, code: {code!r} is not in the procedures file")
                continue
            if "verified" in data:
                data["verified"] = data["verified"].lower() in ("true", "1", "yes")
            try:
                changes[code].append(ChangeRecord.model_validate(data))
            except ValidationError as exc:
                errors.extend(_pydantic_errors(f"changes row {line}", exc))
    records: list[ProcedureRecord] = []
    for code, head in procedures.items():
        try:
            records.append(
                ProcedureRecord.model_validate(
                    {
                        **{k: v for k, v in head.items() if v is not None},
                        "versions": versions[code],
                        "changes": changes[code],
                    }
                )
            )
        except ValidationError as exc:
            errors.extend(_pydantic_errors(f"procedure {code}", exc))
    if errors:
        raise FormatError(errors)
    return records


def write_json(records: list[ProcedureRecord]) -> str:
    return json.dumps([r.model_dump(mode="json") for r in records], ensure_ascii=False, indent=1) + "\n"


def write_csv(records: list[ProcedureRecord]) -> tuple[str, str]:
    """The versions CSV and the changes CSV."""
    out, changes_out = io.StringIO(), io.StringIO()
    writer = csv.DictWriter(out, fieldnames=VERSION_COLUMNS, lineterminator="\n")
    writer.writeheader()
    change_writer = csv.DictWriter(changes_out, fieldnames=CHANGE_COLUMNS, lineterminator="\n")
    change_writer.writeheader()
    for r in records:
        head = r.model_dump(mode="json", include=set(PROCEDURE_COLUMNS))
        for v in r.versions:
            data = v.model_dump(mode="json")
            row: dict[str, Any] = {**{k: ("" if x is None else x) for k, x in head.items()}}
            for column in VERSION_SCALARS:
                row[column] = "" if data[column] is None else data[column]
            for column in VERSION_LISTS:
                row[column] = "|".join(data[column])
            for column in VERSION_JSON:
                row[column] = json.dumps(data[column], ensure_ascii=False)
            writer.writerow(row)
        for c in r.changes:
            change_writer.writerow(
                {"code": r.code, **{k: ("" if x is None else x) for k, x in c.model_dump(mode="json").items()}}
            )
    return out.getvalue(), changes_out.getvalue()
