"""Operators' changes to the calendar, kept in the database over the shipped notices."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Boolean, Date, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from motcua.db import Base


class CalendarDay(Base):
    """A day off or a make-up working day decided by a notice, nationally or for one province."""

    __tablename__ = "calendar_days"
    __table_args__ = (UniqueConstraint("day", "province_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date)
    province_code: Mapped[str] = mapped_column(String(2), default="")  # "" for the whole country
    kind: Mapped[str] = mapped_column(String(12))  # day_off | working_day
    reason: Mapped[str] = mapped_column(Text, default="")
    reference: Mapped[str] = mapped_column(Text, default="")
    confirmed: Mapped[bool] = mapped_column(Boolean, default=True)


class CalendarProvince(Base):
    """Per-province settings: Saturday reception."""

    __tablename__ = "calendar_provinces"

    province_code: Mapped[str] = mapped_column(String(2), primary_key=True)
    saturday_reception: Mapped[bool] = mapped_column(Boolean, default=False)


class Revision(Base):
    """Counters bumped by writes, so that in-memory caches know when to reload (by name)."""

    __tablename__ = "revisions"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    revision: Mapped[int] = mapped_column(Integer, default=0)
