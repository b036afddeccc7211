"""Catalog services: one named operation per business rule.

- ``import_records``: load procedures whole or not at all (every error listed, nothing written).
- ``export_records``: the catalog back in the interchange format.
- ``publish_version``: a draft becomes published only with every legal component.
- ``apply_change``: a decree moves, re-times or abolishes a procedure on a date, producing a version.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from importlib import resources

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, selectinload

from motcua.catalog.formats import read_json
from motcua.catalog.models import Procedure, ProcedureChange, ProcedureVersion
from motcua.catalog.records import (
    ChangeRecord,
    ProcedureRecord,
    VersionRecord,
    consistency_errors,
    missing_components,
)
from motcua.catalog.routing import bump_revision


class CatalogError(ValueError):
    """A catalog operation refused, with every reason."""

    def __init__(self, message: str, errors: list[str] | None = None) -> None:
        super().__init__(message if not errors else f"{message}: " + "; ".join(errors[:5]))
        self.errors = errors or [message]


@dataclass
class ImportResult:
    added: int = 0
    replaced: int = 0
    codes: list[str] = field(default_factory=list)


def _version_row(v: VersionRecord) -> ProcedureVersion:
    data = v.model_dump(mode="python")
    for key in ("channels", "fees", "documents", "results", "legal_basis"):
        data[key] = [dict(x) for x in v.model_dump(mode="json")[key]]
    return ProcedureVersion(**data)


def _change_row(c: ChangeRecord) -> ProcedureChange:
    return ProcedureChange(**c.model_dump(mode="python"))


def import_records(session: Session, records: list[ProcedureRecord]) -> ImportResult:
    """Add or replace the given procedures in one go. Every record is checked first; one error
    anywhere and nothing is written."""
    errors: list[str] = []
    seen: set[str] = set()
    for i, record in enumerate(records, start=1):
        if record.code in seen:
            errors.append(f"procedure #{i} ({record.code}): appears twice in the import")
        seen.add(record.code)
        errors.extend(f"procedure #{i} ({record.code}): {e}" for e in consistency_errors(record))
    if errors:
        raise CatalogError(f"import rejected, {len(errors)} error(s), nothing changed", errors)
    existing = {
        p.code: p
        for p in session.scalars(
            select(Procedure).where(Procedure.code.in_(seen)).options(selectinload(Procedure.versions))
        )
    }
    pinned = _pinned_versions(session, [v.id for p in existing.values() for v in p.versions])
    for record in records:
        procedure = existing.get(record.code)
        if procedure is None:
            continue
        incoming = {v.number: v for v in record.versions}
        for v in procedure.versions:
            if v.id not in pinned:
                continue
            new = incoming.get(v.number)
            if new is None or _content(new) != _content(to_record(procedure).versions[v.number - 1]):
                errors.append(
                    f"{record.code}: version {v.number} is pinned by {pinned[v.id]} dossier(s) and "
                    "cannot change; add a new version instead"
                )
    if errors:
        raise CatalogError(f"import rejected, {len(errors)} error(s), nothing changed", errors)
    result = ImportResult()
    for record in records:
        procedure = existing.get(record.code)
        keep: dict[int, ProcedureVersion] = {}
        if procedure is None:
            procedure = Procedure(code=record.code)
            session.add(procedure)
            result.added += 1
        else:
            keep = {v.number: v for v in procedure.versions if v.id in pinned}
            session.execute(
                delete(ProcedureVersion).where(
                    ProcedureVersion.procedure_id == procedure.id,
                    ProcedureVersion.id.not_in([v.id for v in keep.values()]),
                )
            )
            session.execute(delete(ProcedureChange).where(ProcedureChange.procedure_id == procedure.id))
            session.expire(procedure, ["versions", "changes"])
            result.replaced += 1
        procedure.code_is_national = record.code_is_national
        procedure.ministry, procedure.field = record.ministry, record.field
        procedure.abolished_on, procedure.abolished_by = record.abolished_on, record.abolished_by
        versions: list[ProcedureVersion] = []
        for incoming_version in record.versions:
            kept = keep.get(incoming_version.number)
            if kept is not None:
                kept.valid_to, kept.status = incoming_version.valid_to, incoming_version.status
                versions.append(kept)
            else:
                versions.append(_version_row(incoming_version))
        procedure.versions = versions
        procedure.changes = [_change_row(c) for c in record.changes]
        result.codes.append(record.code)
    session.flush()
    bump_revision(session)
    return result


def _pinned_versions(session: Session, version_ids: list[int]) -> dict[int, int]:
    """Version id → number of dossiers pinned to it (they must keep what they were received under)."""
    from sqlalchemy import func

    from motcua.dossiers.models import Dossier

    if not version_ids:
        return {}
    rows = session.execute(
        select(Dossier.procedure_version_id, func.count())
        .where(Dossier.procedure_version_id.in_(version_ids))
        .group_by(Dossier.procedure_version_id)
    )
    return {int(vid): int(n) for vid, n in rows}


def _content(v: VersionRecord) -> dict[str, object]:
    """What a dossier relies on: everything but the end of validity and the status."""
    return v.model_dump(mode="json", exclude={"valid_to", "status"})


def to_record(procedure: Procedure) -> ProcedureRecord:
    versions = []
    for v in procedure.versions:
        data = {c: getattr(v, c) for c in VersionRecord.model_fields}
        versions.append(VersionRecord.model_validate(data))
    changes = [
        ChangeRecord.model_validate({c: getattr(ch, c) for c in ChangeRecord.model_fields}) for ch in procedure.changes
    ]
    return ProcedureRecord(
        code=procedure.code,
        code_is_national=procedure.code_is_national,
        ministry=procedure.ministry,
        field=procedure.field,
        abolished_on=procedure.abolished_on,
        abolished_by=procedure.abolished_by,
        versions=versions,
        changes=changes,
    )


def export_records(session: Session, codes: list[str] | None = None) -> list[ProcedureRecord]:
    query = select(Procedure).options(selectinload(Procedure.versions), selectinload(Procedure.changes))
    if codes:
        query = query.where(Procedure.code.in_(codes))
    return [to_record(p) for p in session.scalars(query.order_by(Procedure.code))]


def _procedure(session: Session, code: str) -> Procedure:
    procedure = session.scalars(select(Procedure).where(Procedure.code == code)).one_or_none()
    if procedure is None:
        raise CatalogError(f"no procedure with code {code!r}")
    return procedure


def publish_version(session: Session, code: str, number: int) -> ProcedureVersion:
    """Publish a draft version; refused, with what is missing, unless every legal component is there."""
    procedure = _procedure(session, code)
    version = next((v for v in procedure.versions if v.number == number), None)
    if version is None:
        raise CatalogError(f"procedure {code} has no version {number}")
    missing = missing_components(to_record(procedure).versions[number - 1])
    if missing:
        raise CatalogError(f"version {number} of {code} cannot be published", [f"missing: {m}" for m in missing])
    version.status = "published"
    bump_revision(session)
    return version


def apply_change(session: Session, code: str, change: ChangeRecord) -> ProcedureVersion | None:
    """Record a decree's change on its effective date. The version in force then ends that day; a
    move or a new time limit starts a new published version; an abolition ends the procedure."""
    procedure = _procedure(session, code)
    if procedure.abolished_on is not None:
        raise CatalogError(f"{code} was abolished on {procedure.abolished_on} by {procedure.abolished_by}")
    current = procedure.versions[-1]
    if current.valid_to is not None:
        raise CatalogError(f"the last version of {code} already ends on {current.valid_to}")
    if current.valid_from is not None and change.effective_date <= current.valid_from:
        raise CatalogError(
            f"{change.decree} takes effect on {change.effective_date}, not after the version in "
            f"force ({current.valid_from})"
        )
    current.valid_to = change.effective_date
    row = _change_row(change)
    new: ProcedureVersion | None = None
    if change.kind == "abolished":
        procedure.abolished_on, procedure.abolished_by = change.effective_date, change.decree
    else:
        record = to_record(procedure).versions[-1].model_copy(deep=True)
        record.number, record.valid_from, record.valid_to = current.number + 1, change.effective_date, None
        record.notes = f"Produced by {change.decree} ({change.kind}) from version {current.number}."
        if change.kind == "moved":
            if change.to_level is None:
                raise CatalogError(f"{change.decree} moves {code} but does not say to which level")
            if change.from_level and change.from_level != current.level:
                raise CatalogError(
                    f"{change.decree} moves {code} from {change.from_level}, but it is decided at the "
                    f"{current.level} level"
                )
            record.level, record.levels = change.to_level, [change.to_level]
            record.agency_type = {
                "commune": "commune_people_committee",
                "province": "provincial_department",
                "central": "ministry",
            }.get(change.to_level, change.to_level)
        if change.time_limit is not None:
            record.time_limit = change.time_limit
        missing = missing_components(record)
        record.status = "draft" if missing else "published"
        new = _version_row(record)
        procedure.versions.append(new)
        row.version_number = record.number
    procedure.changes.append(row)
    bump_revision(session)
    return new


def demo_records() -> list[ProcedureRecord]:
    text = resources.files("motcua.catalog").joinpath("data").joinpath("demo_catalog.json").read_text("utf-8")
    return read_json(text)


def load_demo(session: Session) -> ImportResult:
    return import_records(session, demo_records())


def version_in_force(procedure: Procedure, at: date) -> ProcedureVersion | None:
    for v in procedure.versions:
        if (v.valid_from is None or v.valid_from <= at) and (v.valid_to is None or at < v.valid_to):
            return v
    return None
