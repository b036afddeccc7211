"""A citizen's rating of the service received on one dossier."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from motcua.db import Base, UTCDateTime


class Rating(Base):
    __tablename__ = "ratings"

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id", ondelete="CASCADE"), unique=True)
    user_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    value: Mapped[str] = mapped_column(String(12))  # satisfied | neutral | dissatisfied
    comment: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime] = mapped_column(UTCDateTime())
