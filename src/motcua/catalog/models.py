"""Catalog tables: procedures, their dated versions and the decrees that change them; agencies
and public-administration service centres."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from sqlalchemy import JSON, Boolean, Date, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from motcua.db import Base

Level = Literal["central", "province", "district", "commune", "other"]
VersionStatus = Literal["draft", "published"]
ChangeKind = Literal["moved", "time_limit", "abolished", "amended", "created"]
TimeLimitKind = Literal["working_days", "days", "hours", "months", "same_day", "unknown"]
Channel = Literal["in_person", "online", "postal"]
OnlineLevel = Literal["full", "partial", "none"]
ResultType = Literal["paper", "electronic", "both"]
AgencyKind = Literal[
    "provincial_people_committee", "provincial_department", "commune_people_committee", "commune_office", "ministry"
]
CentreLevel = Literal["province", "commune", "point"]


class Procedure(Base):
    """A procedure (TTHC), identified by its national code or a local code marked as such."""

    __tablename__ = "catalog_procedures"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    code_is_national: Mapped[bool] = mapped_column(Boolean, default=True)
    ministry: Mapped[str] = mapped_column(String(200), default="")
    field: Mapped[str] = mapped_column(String(300), default="")
    abolished_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    abolished_by: Mapped[str | None] = mapped_column(String(80), nullable=True)

    versions: Mapped[list[ProcedureVersion]] = relationship(
        back_populates="procedure", order_by="ProcedureVersion.number", cascade="all, delete-orphan"
    )
    changes: Mapped[list[ProcedureChange]] = relationship(
        back_populates="procedure", order_by="ProcedureChange.effective_date", cascade="all, delete-orphan"
    )


class ProcedureVersion(Base):
    """The procedure as in force over a period. A dossier is pinned to one version."""

    __tablename__ = "catalog_versions"
    __table_args__ = (UniqueConstraint("procedure_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    procedure_id: Mapped[int] = mapped_column(ForeignKey("catalog_procedures.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(12), default="draft")
    valid_from: Mapped[date | None] = mapped_column(Date, nullable=True)  # None: before the records start
    valid_to: Mapped[date | None] = mapped_column(Date, nullable=True)  # exclusive; None: still in force
    name_vi: Mapped[str] = mapped_column(Text)
    name_en: Mapped[str] = mapped_column(Text, default="")
    name_fr: Mapped[str] = mapped_column(Text, default="")
    level: Mapped[str] = mapped_column(String(12))
    levels: Mapped[list[str]] = mapped_column(JSON, default=list)  # every level the portal lists
    agency_type: Mapped[str] = mapped_column(String(120), default="")
    applicant_types: Mapped[list[str]] = mapped_column(JSON, default=list)
    time_limit: Mapped[float | None] = mapped_column(Float, nullable=True)  # in the unit of time_limit_kind
    time_limit_kind: Mapped[str] = mapped_column(String(16), default="unknown")
    time_limit_text: Mapped[str] = mapped_column(Text, default="")
    channels: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)  # channel, time limit, fee
    fees: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    documents: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    steps: Mapped[str] = mapped_column(Text, default="")
    form_schema: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    online: Mapped[str | None] = mapped_column(String(12), nullable=True)
    result_type: Mapped[str | None] = mapped_column(String(12), nullable=True)
    results: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    legal_basis: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    announcing_decision: Mapped[str] = mapped_column(String(80), default="")
    source: Mapped[str] = mapped_column(String(200), default="")
    unverified: Mapped[list[str]] = mapped_column(JSON, default=list)  # fields the sources do not support
    notes: Mapped[str] = mapped_column(Text, default="")

    procedure: Mapped[Procedure] = relationship(back_populates="versions")


class ProcedureChange(Base):
    """A dated change by a decree: moved level, new time limit, abolished; it produces a version."""

    __tablename__ = "catalog_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    procedure_id: Mapped[int] = mapped_column(ForeignKey("catalog_procedures.id", ondelete="CASCADE"), index=True)
    decree: Mapped[str] = mapped_column(String(80))
    effective_date: Mapped[date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(12))
    from_level: Mapped[str | None] = mapped_column(String(12), nullable=True)
    to_level: Mapped[str | None] = mapped_column(String(12), nullable=True)
    time_limit: Mapped[float | None] = mapped_column(Float, nullable=True)  # in the unit of time_limit_kind
    verified: Mapped[bool] = mapped_column(Boolean, default=False)
    note: Mapped[str] = mapped_column(Text, default="")
    version_number: Mapped[int | None] = mapped_column(Integer, nullable=True)  # the version it produced

    procedure: Mapped[Procedure] = relationship(back_populates="changes")


class Agency(Base):
    """A state agency that decides procedures: People's Committees, departments, offices."""

    __tablename__ = "agencies"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(60), unique=True)
    name_vi: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(40))
    department: Mapped[str | None] = mapped_column(String(60), nullable=True)  # slug of the template entry
    province_code: Mapped[str] = mapped_column(String(2), index=True)
    commune_code: Mapped[str | None] = mapped_column(String(5), nullable=True, index=True)
    fields: Mapped[list[str]] = mapped_column(JSON, default=list)  # procedure fields (lĩnh vực) it decides
    # A reorganisation dates agencies: one made for a new unit begins on its date, one of a unit that
    # ends stops the day before and names the agency that took it over (``motcua.reorganisation``).
    valid_from: Mapped[date | None] = mapped_column(Date, nullable=True)
    valid_to: Mapped[date | None] = mapped_column(Date, nullable=True)  # exclusive
    successor: Mapped[str | None] = mapped_column(String(60), nullable=True)


class ServiceCentre(Base):
    """A public-administration service centre (or a branch / reception point of one)."""

    __tablename__ = "service_centres"

    id: Mapped[int] = mapped_column(primary_key=True)
    identifier: Mapped[str] = mapped_column(String(40), unique=True)  # used in dossier codes
    name_vi: Mapped[str] = mapped_column(Text)
    level: Mapped[str] = mapped_column(String(12))
    province_code: Mapped[str] = mapped_column(String(2), index=True)
    commune_code: Mapped[str | None] = mapped_column(String(5), nullable=True, index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("service_centres.id"), nullable=True)
    address: Mapped[str] = mapped_column(Text, default="")
    opening_hours: Mapped[str] = mapped_column(Text, default="")
    serves: Mapped[list[str]] = mapped_column(JSON, default=list)  # commune codes; empty = whole province
    valid_from: Mapped[date | None] = mapped_column(Date, nullable=True)  # as for agencies
    valid_to: Mapped[date | None] = mapped_column(Date, nullable=True)  # exclusive
    successor: Mapped[str | None] = mapped_column(String(40), nullable=True)


class CatalogRevision(Base):
    """A counter bumped by every catalog write, so that routing snapshots know when to reload."""

    __tablename__ = "catalog_revision"

    id: Mapped[int] = mapped_column(primary_key=True)
    revision: Mapped[int] = mapped_column(Integer, default=0)
