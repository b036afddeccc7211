"""Users and API tokens."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column

from motcua.db import Base, UTCDateTime


class User(Base):
    """A citizen or business account, or an official scoped to a unit (a centre or an agency)."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(120), unique=True)
    full_name: Mapped[str] = mapped_column(Text, default="")
    role: Mapped[str] = mapped_column(String(24))  # citizen | reception_officer | processing_officer | leader | admin
    unit_code: Mapped[str | None] = mapped_column(String(60), nullable=True, index=True)  # centre id or agency code
    personal_id: Mapped[str | None] = mapped_column(String(20), nullable=True)  # citizen ID number (never logged)
    email: Mapped[str | None] = mapped_column(String(200), nullable=True)  # officials' alerts (never logged)
    password_hash: Mapped[str | None] = mapped_column(Text, nullable=True)
    # SHA-256 of a one-time activation code (imported officials choose their password with it).
    activation_sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)
    # A disabled account cannot sign in; its tokens and sessions stop working at once.
    disabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class ApiToken(Base):
    """A bearer token for the API; only its SHA-256 is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class WebSession(Base):
    """A signed-in browser session. The cookie carries its random id; only the id's SHA-256 is kept,
    and signing out deletes the row, so a copied cookie stops working."""

    __tablename__ = "web_sessions"

    id_sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)


class AccountsRevision(Base):
    """Bumped by every revocation, disabling or sign-out: processes drop what they cached of accounts."""

    __tablename__ = "accounts_revision"

    id: Mapped[int] = mapped_column(primary_key=True)
    revision: Mapped[int] = mapped_column(default=0)
