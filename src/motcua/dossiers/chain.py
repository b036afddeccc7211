"""The hash chain over a dossier's events: each event's hash covers its content and the previous
hash, so that changing, removing or reordering an event is detected."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from typing import Any

GENESIS = "0" * 64


def event_hash(
    dossier_code: str,
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
) -> str:
    body = {
        "dossier": dossier_code,
        "seq": seq,
        "transition": transition,
        "at": at.isoformat(timespec="microseconds"),
        "actor_id": actor_id,
        "actor_role": actor_role,
        "actor_unit": actor_unit,
        "from": from_status,
        "to": to_status,
        "payload": payload,
        "prev": prev_hash,
    }
    canonical = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()
