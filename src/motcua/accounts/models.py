"""Users and API tokens."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column

from motcua.db import Base


class User(Base):
    """A citizen or business account, or an official scoped to a unit (a centre or an agency)."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(120), unique=True)
    full_name: Mapped[str] = mapped_column(Text, default="")
    role: Mapped[str] = mapped_column(String(24))  # citizen | reception_officer | processing_officer | leader | admin
    unit_code: Mapped[str | None] = mapped_column(String(60), nullable=True, index=True)  # centre id or agency code
    personal_id: Mapped[str | None] = mapped_column(String(20), nullable=True)  # citizen ID number (never logged)
    password_hash: Mapped[str | None] = mapped_column(Text, nullable=True)
    # SHA-256 of a one-time activation code (imported officials choose their password with it).
    activation_sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class ApiToken(Base):
    """A bearer token for the API; only its SHA-256 is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
