"""The catalog interchange format (import/export, JSON or CSV) and the rules a version must meet.

Documented in ``docs/catalog-format.md``. Field names are English; ``docs/glossary.md`` maps them
to the national procedure database's Vietnamese names.
"""

from __future__ import annotations

from datetime import date
from itertools import pairwise
from typing import Any, Literal

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError
from pydantic import BaseModel, ConfigDict, Field, model_validator

Level = Literal["central", "province", "district", "commune", "other"]
Channel = Literal["in_person", "online", "postal"]
TimeLimitKind = Literal["working_days", "days", "hours", "months", "same_day", "unknown"]
ApplicantType = Literal["citizen", "business", "organisation", "foreigner"]
ChangeKind = Literal["moved", "time_limit", "abolished", "amended", "created"]
# Where a document row sits on the procedure's page: to hand in, to show (the original is looked at
# and given back), or a legal remark that asks for no paper.
DocumentSection = Literal["submit", "show", "note"]

GENERIC_FORM: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "title": "Đơn đề nghị",
    "x-translations": {"en": {"title": "Application"}, "fr": {"title": "Demande"}},
    "properties": {
        "request": {
            "type": "string",
            "title": "Nội dung đề nghị",
            "minLength": 1,
            "maxLength": 4000,
            "x-translations": {"en": {"title": "What you ask for"}, "fr": {"title": "Objet de la demande"}},
        },
    },
    "required": ["request"],
}


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class DocumentSpec(Strict):
    name: str = Field(min_length=1)  # the document's short name
    originals: int = Field(0, ge=0)
    copies: int = Field(0, ge=0)
    reusable: bool = False  # can be taken from digitised data instead of paper
    form: str | None = None  # name of the template file (mẫu đơn, tờ khai)
    section: DocumentSection = "submit"
    case: str | None = None  # the heading of the case its table belongs to ("Trường hợp ủy quyền…")
    condition: str | None = None  # when it applies (None: always, within its case)
    notes: list[str] = Field(default_factory=list)  # the remarks that follow the name in its row
    text: str = ""  # the row as the source gives it


class ChannelSpec(Strict):
    channel: Channel
    time_limit: float | None = None
    time_limit_kind: TimeLimitKind = "unknown"
    time_limit_text: str = ""
    fee_text: str = ""


class FeeSpec(Strict):
    channel: Channel | None = None
    amount_vnd: int | None = None  # None: not a fixed amount
    free: bool = False
    set_by_province: bool = False  # the provincial People's Council decides the amount
    text: str = ""
    conditions: str = ""  # what the text says beyond the amount (who pays, exemptions, when)


class LegalDocument(Strict):
    number: str
    title: str = ""


class ResultSpec(Strict):
    name: str
    code: str | None = None


class VersionRecord(Strict):
    number: int = Field(ge=1)
    status: Literal["draft", "published"] = "draft"
    valid_from: date | None = None
    valid_to: date | None = None
    name_vi: str = ""
    name_en: str = ""
    name_fr: str = ""
    level: Level
    levels: list[str] = Field(default_factory=list)
    agency_type: str = ""
    applicant_types: list[ApplicantType] = Field(default_factory=list)
    time_limit: float | None = None
    time_limit_kind: TimeLimitKind = "unknown"
    time_limit_text: str = ""
    channels: list[ChannelSpec] = Field(default_factory=list)
    fees: list[FeeSpec] = Field(default_factory=list)
    documents: list[DocumentSpec] = Field(default_factory=list)
    steps: str = ""
    form_schema: dict[str, Any] = Field(default_factory=lambda: dict(GENERIC_FORM))
    online: Literal["full", "partial", "none"] | None = None
    result_type: Literal["paper", "electronic", "both"] | None = None
    results: list[ResultSpec] = Field(default_factory=list)
    legal_basis: list[LegalDocument] = Field(default_factory=list)
    announcing_decision: str = ""
    source: str = ""
    unverified: list[str] = Field(default_factory=list)
    notes: str = ""

    @model_validator(mode="after")
    def _period(self) -> VersionRecord:
        if self.valid_from and self.valid_to and self.valid_to <= self.valid_from:
            raise ValueError(f"valid_to {self.valid_to} is not after valid_from {self.valid_from}")
        return self


class ChangeRecord(Strict):
    decree: str = Field(min_length=3)
    effective_date: date
    kind: ChangeKind
    from_level: Level | None = None
    to_level: Level | None = None
    time_limit: float | None = None
    verified: bool = False
    note: str = ""
    version_number: int | None = None  # the version it produced (None when abolished)


class ProcedureRecord(Strict):
    code: str = Field(min_length=1, max_length=40)
    code_is_national: bool = True
    ministry: str = ""
    field: str = ""
    abolished_on: date | None = None
    abolished_by: str | None = None
    versions: list[VersionRecord] = Field(min_length=1)
    changes: list[ChangeRecord] = Field(default_factory=list)


def missing_components(v: VersionRecord) -> list[str]:
    """What the law requires of a published procedure that this version lacks."""
    missing = []
    if not v.name_vi.strip():
        missing.append("name")
    if not v.steps.strip():
        missing.append("steps")
    if not v.channels:
        missing.append("channel")
    if not v.documents:
        missing.append("documents")
    if v.time_limit_kind == "unknown" or (v.time_limit_kind != "same_day" and v.time_limit is None):
        missing.append("time limit")
    if not v.applicant_types:
        missing.append("applicants")
    if not v.agency_type.strip():
        missing.append("agency")
    try:
        Draft202012Validator.check_schema(v.form_schema)
    except SchemaError as exc:
        missing.append(f"form schema ({exc.message})")
    return missing


def consistency_errors(p: ProcedureRecord) -> list[str]:
    """Problems that make a record unusable whatever its status: numbering, overlapping periods,
    changes that point nowhere, published versions lacking a legal component."""
    errors: list[str] = []
    numbers = [v.number for v in p.versions]
    if numbers != list(range(1, len(numbers) + 1)):
        errors.append(f"versions must be numbered 1..{len(numbers)} in order, got {numbers}")
    ordered = sorted(p.versions, key=lambda v: v.number)
    for a, b in pairwise(ordered):
        if a.valid_to is None or b.valid_from is None or a.valid_to != b.valid_from:
            errors.append(f"version {a.number} must end (valid_to) the day version {b.number} starts (valid_from)")
    for v in ordered:
        if v.status == "published":
            missing = missing_components(v)
            if missing:
                errors.append(f"version {v.number} is published but lacks: {', '.join(missing)}")
    for c in p.changes:
        if c.version_number is not None and c.version_number not in numbers:
            errors.append(f"change by {c.decree} points to version {c.version_number}, which does not exist")
        if c.kind == "moved" and (c.from_level is None or c.to_level is None):
            errors.append(f"change by {c.decree} moves the procedure but lacks from_level or to_level")
    if p.abolished_on is not None:
        last = ordered[-1]
        if last.valid_to is not None and last.valid_to != p.abolished_on:
            errors.append(f"abolished on {p.abolished_on} but the last version ends on {last.valid_to}")
        if last.valid_from is not None and p.abolished_on <= last.valid_from:
            errors.append(f"abolished on {p.abolished_on}, before its last version starts ({last.valid_from})")
    return errors
