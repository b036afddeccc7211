"""The keyed hash chain shared by every case type (dossiers, feedback): each event's hash covers its
content and the previous hash, so that changing, removing or reordering an event is detected.

Chain 2 (every event written since the trust migration) is keyed: an HMAC-SHA-256 under the
node's chain key (``MOTCUA_CHAIN_KEY``), so whoever can write to the database but does not hold the
key cannot recompute a chain after changing it; its instants are UTC. Chain 1 (dossier events
written before) is plain SHA-256 over Vietnam wall-clock times; it is still verified, and the daily
seals cover both. A case's code names it in the hashed body (under the key ``dossier``, which every
stored hash was computed with).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import datetime
from typing import Any

from motcua import clock
from motcua.settings import get_settings

GENESIS = "0" * 64
CURRENT_CHAIN = 2


def canonical(body: dict[str, Any]) -> bytes:
    return json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str).encode("utf-8")


_keys: dict[str, bytes] = {}


def chain_key() -> bytes:
    settings = get_settings()
    marker = str(settings.data_dir) + (settings.chain_key.get_secret_value() if settings.chain_key else "")
    key = _keys.get(marker)
    if key is None:
        key = _keys[marker] = settings.chain_secret()
    return key


def event_hash(
    case_code: str,
    seq: int,
    transition: str,
    at: datetime,
    actor_id: int | None,
    actor_role: str,
    actor_unit: str | None,
    from_status: str | None,
    to_status: str,
    payload: dict[str, Any],
    prev_hash: str,
    chain: int = CURRENT_CHAIN,
    key: bytes | None = None,
    via: str | None = None,
) -> str:
    legacy = chain == 1
    moment = clock.wall(at) if legacy else clock.aware(at)
    body = {
        "dossier": case_code,
        "seq": seq,
        "transition": transition,
        "at": moment.isoformat(timespec="microseconds"),
        "actor_id": actor_id,
        "actor_role": actor_role,
        "actor_unit": actor_unit,
        "from": from_status,
        "to": to_status,
        "payload": payload,
        "prev": prev_hash,
    }
    if via is not None:  # events written before the channel was recorded keep their hash
        body["via"] = via
    content = canonical(body)
    if legacy:
        return hashlib.sha256(content).hexdigest()
    return hmac.new(key or chain_key(), content, hashlib.sha256).hexdigest()
