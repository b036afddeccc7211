"""Daily seals: each Vietnam day, the Merkle root of that day's dossier events and of its audit
entries, chained to the previous day's seal and signed with the node's seal key (Ed25519).

A seal is made once a day is over (``GRACE`` after midnight, Vietnam time, so that no transaction of
that day is still open) by ``motcua worker`` or ``motcua dossiers seal``. Published (``GET
/api/v1/seals``, ``motcua dossiers seals``) and kept elsewhere, the seals let anyone check that no
event of a sealed day was changed, removed or added afterwards — even by someone holding the
database and the chain key — and ``motcua dossiers verify`` checks them.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from joserfc import jws
from joserfc.errors import JoseError
from joserfc.jwk import OKPKey
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from motcua import clock
from motcua.audit.models import AuditEvent, Seal
from motcua.dossiers.models import DossierEvent
from motcua.settings import get_settings

GENESIS = "0" * 64
GRACE = timedelta(minutes=15)
ALGORITHM = "Ed25519"


def merkle_root(leaves: Iterable[str]) -> str:
    """RFC 6962-style Merkle tree over hex digests (leaves and nodes prefixed to keep them apart)."""
    level = [hashlib.sha256(b"\x00" + bytes.fromhex(leaf)).digest() for leaf in leaves]
    if not level:
        return hashlib.sha256(b"").hexdigest()
    while len(level) > 1:
        nxt = [hashlib.sha256(b"\x01" + level[i] + level[i + 1]).digest() for i in range(0, len(level) - 1, 2)]
        if len(level) % 2:
            nxt.append(level[-1])
        level = nxt
    return level[0].hex()


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """The UTC instants where Vietnam's ``day`` starts and ends."""
    start = datetime.combine(day, time(0), tzinfo=clock.VIETNAM).astimezone(UTC)
    return start, start + timedelta(days=1)


def day_hashes(session: Session, day: date) -> tuple[list[str], list[str]]:
    start, end = day_bounds(day)
    dossier = session.scalars(
        select(DossierEvent.hash)
        .where(DossierEvent.at >= start, DossierEvent.at < end)
        .order_by(DossierEvent.dossier_id, DossierEvent.seq)
    ).all()
    audit = session.scalars(
        select(AuditEvent.hash).where(AuditEvent.at >= start, AuditEvent.at < end).order_by(AuditEvent.seq)
    ).all()
    return list(dossier), list(audit)


def seal_body(seal: Seal) -> dict[str, Any]:
    return {
        "day": seal.day.isoformat(),
        "dossier_events": seal.dossier_events,
        "dossier_root": seal.dossier_root,
        "audit_events": seal.audit_events,
        "audit_root": seal.audit_root,
        "prev": seal.prev_hash,
    }


def _digest(body: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(body, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


def seal_key() -> OKPKey:
    """The node's seal key: ``MOTCUA_SEAL_KEY_FILE``, or one generated into the data folder."""
    settings = get_settings()
    path = settings.seal_key_file or settings.data_dir / "secrets" / "seal_key.jwk"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        key = OKPKey.generate_key("Ed25519")
        _write_private(path, json.dumps(key.as_dict(private=True)))
    return OKPKey.import_key(json.loads(Path(path).read_text()))


def _write_private(path: Path, text: str) -> None:
    import os

    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    with os.fdopen(fd, "w") as f:
        f.write(text)


def public_key(key: OKPKey | None = None) -> dict[str, Any]:
    key = key or seal_key()
    public = dict(key.as_dict(private=False))
    public["kid"] = key.thumbprint()
    return public


def first_day(session: Session) -> date | None:
    firsts = [
        session.scalar(select(func.min(DossierEvent.at))),
        session.scalar(select(func.min(AuditEvent.at))),
    ]
    moments = [m for m in firsts if m is not None]
    return clock.local_date(min(moments)) if moments else None


def seal_pending(session: Session, now: datetime | None = None, key: OKPKey | None = None) -> list[Seal]:
    """Seal every day not sealed yet, from the first event's day to the last day that is over."""
    now = clock.aware(now) if now else clock.now()
    last_closed = clock.local_date(now - GRACE) - timedelta(days=1)
    previous = session.scalars(select(Seal).order_by(Seal.day.desc()).limit(1)).first()
    start = previous.day + timedelta(days=1) if previous else first_day(session)
    if start is None:
        return []
    key = key or seal_key()
    made: list[Seal] = []
    day = start
    while day <= last_closed:
        dossier, audit = day_hashes(session, day)
        seal = Seal(
            day=day,
            dossier_events=len(dossier),
            dossier_root=merkle_root(dossier),
            audit_events=len(audit),
            audit_root=merkle_root(audit),
            prev_hash=previous.hash if previous else GENESIS,
            key_id=key.thumbprint(),
            made_at=now,
        )
        body = seal_body(seal)
        seal.hash = _digest(body)
        seal.signature = jws.serialize_compact(
            {"alg": ALGORITHM, "kid": seal.key_id}, seal.hash.encode(), key, algorithms=[ALGORITHM]
        )
        session.add(seal)
        session.flush()
        made.append(seal)
        previous, day = seal, day + timedelta(days=1)
    return made


@dataclass
class SealCheck:
    day: date
    problems: list[str]


def verify_seals(session: Session, keys: list[OKPKey] | None = None) -> list[SealCheck]:
    """Each seal against the events held now, the chain of seals and their signatures."""
    keys = keys or [seal_key()]
    by_id = {k.thumbprint(): k for k in keys}
    failures: list[SealCheck] = []
    prev = GENESIS
    expected_day: date | None = None
    for seal in session.scalars(select(Seal).order_by(Seal.day)):
        problems: list[str] = []
        if expected_day is not None and seal.day != expected_day:
            problems.append(f"the seals of {expected_day.isoformat()} to {seal.day - timedelta(days=1)} are missing")
        body = seal_body(seal)
        if seal.prev_hash != prev:
            problems.append("the seal does not follow the previous day's seal")
        if _digest(body) != seal.hash:
            problems.append("the seal was changed after it was made")
        key = by_id.get(seal.key_id)
        try:
            if key is None:
                raise JoseError("unknown key")
            if jws.deserialize_compact(seal.signature, key, algorithms=[ALGORITHM]).payload != seal.hash.encode():
                raise JoseError("payload")
        except (JoseError, ValueError):
            problems.append("the seal's signature is not valid for the seal key")
        dossier, audit = day_hashes(session, seal.day)
        if len(dossier) != seal.dossier_events or merkle_root(dossier) != seal.dossier_root:
            problems.append(
                f"the dossier events of this day differ from the sealed ones ({seal.dossier_events} sealed, "
                f"{len(dossier)} found): events were changed, removed or added after the day was sealed"
            )
        if len(audit) != seal.audit_events or merkle_root(audit) != seal.audit_root:
            problems.append(
                f"the audit entries of this day differ from the sealed ones ({seal.audit_events} sealed, "
                f"{len(audit)} found)"
            )
        if problems:
            failures.append(SealCheck(seal.day, problems))
        prev, expected_day = seal.hash, seal.day + timedelta(days=1)
    return failures


def export(session: Session) -> dict[str, Any]:
    """Every seal and the public key, to publish or keep elsewhere (no personal data)."""
    return {
        "key": public_key(),
        "seals": [
            {**seal_body(s), "hash": s.hash, "signature": s.signature, "key_id": s.key_id}
            for s in session.scalars(select(Seal).order_by(Seal.day))
        ],
    }
