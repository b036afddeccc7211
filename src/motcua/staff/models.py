"""Posts, who held them when, and the transfers decided."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from motcua.db import Base, UTCDateTime


class Post(Base):
    """The established posts (biên chế, vị trí việc làm) of one role in an agency or a centre."""

    __tablename__ = "staff_posts"
    __table_args__ = (UniqueConstraint("unit_code", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    province_code: Mapped[str] = mapped_column(String(2), index=True)
    unit_code: Mapped[str] = mapped_column(String(60))  # an agency code or a centre identifier
    role: Mapped[str] = mapped_column(String(24))
    established: Mapped[int] = mapped_column(Integer)


class Holding(Base):
    """An official held a post of ``role`` at ``unit_code`` from ``started_on`` (until ``ended_on``)."""

    __tablename__ = "staff_holdings"
    __table_args__ = (Index("ix_staff_holdings_user", "user_id", "started_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    unit_code: Mapped[str] = mapped_column(String(60), index=True)
    role: Mapped[str] = mapped_column(String(24))
    started_on: Mapped[date] = mapped_column(Date)
    ended_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    reason: Mapped[str] = mapped_column(Text, default="")


class Transfer(Base):
    """A transfer proposed from the workload and decided by the province: accepted (the official moved,
    their open dossiers reassigned) or declined (not proposed again)."""

    __tablename__ = "staff_transfers"

    id: Mapped[int] = mapped_column(primary_key=True)
    province_code: Mapped[str] = mapped_column(String(2), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(24))
    from_unit: Mapped[str] = mapped_column(String(60))  # a commune code or a centre identifier
    to_unit: Mapped[str] = mapped_column(String(60))
    from_post: Mapped[str] = mapped_column(String(60))  # the official's unit code before and after
    to_post: Mapped[str] = mapped_column(String(60), default="")
    status: Mapped[str] = mapped_column(String(12))  # accepted | declined
    figures: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # the loads that argued it
    decided_by: Mapped[int | None] = mapped_column(Integer, nullable=True)
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime())
    reassigned: Mapped[int] = mapped_column(Integer, default=0)
