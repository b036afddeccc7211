"""The registry of members: who may send to this node, with which key, and where they are reached."""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import lru_cache

import orjson
from joserfc.jwk import OKPKey
from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from motcua.exchange.models import Member
from motcua.exchange.signing import load_key

ACTIVE_KEYS = select(Member.identifier, Member.public_jwk).where(Member.active)


def key_lookup(session: Session) -> dict[str, OKPKey]:
    """The public keys of the active members (read at each message: a key changed or a member
    deactivated takes effect at once; the parsing is kept per key)."""
    return {
        identifier: _parsed(orjson.dumps(jwk, option=orjson.OPT_SORT_KEYS))
        for identifier, jwk in session.execute(ACTIVE_KEYS)
    }


@lru_cache(maxsize=256)
def _parsed(jwk: bytes) -> OKPKey:
    return load_key(orjson.loads(jwk))


def touch(session: Session, identifier: str, at: datetime, error: str = "") -> None:
    """Record the last contact with a member (and the last error, empty when it went well). Written
    at most once a second unless the error changes: every message of a member would otherwise
    queue on the same row's lock."""
    session.execute(
        update(Member)
        .where(
            Member.identifier == identifier,
            or_(
                Member.last_contact_at.is_(None),
                Member.last_contact_at < at - timedelta(seconds=1),
                Member.last_error != error,
            ),
        )
        .values(last_contact_at=at, last_error=error)
    )
