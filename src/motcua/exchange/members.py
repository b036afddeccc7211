"""The registry of members: who may send to this node, with which key, and where they are reached."""

from __future__ import annotations

from datetime import datetime

from joserfc.jwk import OKPKey
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from motcua.exchange.models import Member
from motcua.exchange.signing import load_key


def key_lookup(session: Session) -> dict[str, OKPKey]:
    """The public keys of the active members."""
    return {m.identifier: load_key(m.public_jwk) for m in session.scalars(select(Member).where(Member.active))}


def touch(session: Session, identifier: str, at: datetime, error: str = "") -> None:
    """Record the last contact with a member (and the last error, empty when it went well)."""
    session.execute(update(Member).where(Member.identifier == identifier).values(last_contact_at=at, last_error=error))
