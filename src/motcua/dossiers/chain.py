"""The hash chain over a dossier's events: each event's hash covers its content and the previous
hash, so that changing, removing or reordering an event is detected.

Chain 2 (every event written since the trust migration) is keyed: an HMAC-SHA-256 under the
node's chain key (``MOTCUA_CHAIN_KEY``), so whoever can write to the database but does not hold the
key cannot recompute a chain after changing it; its instants are UTC. Chain 1 (events written
before) is plain SHA-256 over Vietnam wall-clock times; it is still verified, and the daily seals
(``dossiers.seals``) cover both. The first event of a dossier carries ``record``: the digest of
every field the dossier row was created with (applicant, form, fees, agencies, owner…), so the row
is checked against its log like the projection.
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

# The fields a dossier row is created with and that never change afterwards.
RECORD_FIELDS = (
    "code",
    "centre_identifier",
    "province_code",
    "procedure_code",
    "procedure_version_id",
    "version_number",
    "channel",
    "owner_id",
    "created_by",
    "applicant_kind",
    "applicant_id_number",
    "applicant_name",
    "applicant_phone",
    "applicant_email",
    "subject_commune_code",
    "subject_address",
    "subject_address_as_written",
    "deciding_agency_code",
    "handling_unit_code",
    "form_data",
    "fees",
    "time_limit",
    "time_limit_kind",
    "submitted_at",
)


def _canonical(body: dict[str, Any]) -> bytes:
    return json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str).encode("utf-8")


def record_digest(values: dict[str, Any]) -> str:
    """The digest of a dossier row's creation fields (``values`` maps each of ``RECORD_FIELDS``)."""
    body = {name: values.get(name) for name in RECORD_FIELDS}
    if isinstance(body["submitted_at"], datetime):
        body["submitted_at"] = clock.aware(body["submitted_at"]).isoformat()
    if body["time_limit"] is not None:
        body["time_limit"] = float(body["time_limit"])
    return hashlib.sha256(_canonical(body)).hexdigest()


_keys: dict[str, bytes] = {}


def chain_key() -> bytes:
    settings = get_settings()
    marker = str(settings.data_dir) + (settings.chain_key.get_secret_value() if settings.chain_key else "")
    key = _keys.get(marker)
    if key is None:
        key = _keys[marker] = settings.chain_secret()
    return key


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
    chain: int = CURRENT_CHAIN,
    key: bytes | None = None,
    via: str | None = None,
) -> str:
    legacy = chain == 1
    moment = clock.wall(at) if legacy else clock.aware(at)
    body = {
        "dossier": dossier_code,
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
    canonical = _canonical(body)
    if legacy:
        return hashlib.sha256(canonical).hexdigest()
    return hmac.new(key or chain_key(), canonical, hashlib.sha256).hexdigest()
