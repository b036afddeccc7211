"""Signed messages between members: a detached JWS (Ed25519, RFC 9864) over a canonical string of the
method, path, sender, message id, time and the body's SHA-256 (see the contract's description).

``sign`` gives the headers to send; ``verify`` checks them against the sender's registered key and
the clock, and says precisely why a message is refused (the receiver logs it and answers 401/403).
Replays are the inbox's business: it knows which message ids it has processed.
"""

from __future__ import annotations

import base64
import hashlib
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from joserfc import jws
from joserfc.errors import JoseError
from joserfc.jwk import OKPKey

ALGORITHM = "Ed25519"
MAX_SKEW_SECONDS = 300
MEMBER, MESSAGE_ID, TIMESTAMP, SIGNATURE = "Motcua-Member", "Motcua-Message-Id", "Motcua-Timestamp", "Motcua-Signature"


class SignatureRefused(Exception):
    """Why a message is refused: ``reason`` is a stable code, ``detail`` a sentence for the log."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason, self.detail = reason, detail


@dataclass(frozen=True)
class Verified:
    member: str
    message_id: str
    timestamp: int


NOT_VERIFIED = "the signature cannot be verified for this sender and message"


def new_key() -> OKPKey:
    return OKPKey.generate_key("Ed25519")


def public_jwk(key: OKPKey) -> dict[str, Any]:
    return dict(key.as_dict(private=False))


def load_key(jwk: Mapping[str, Any]) -> OKPKey:
    return OKPKey.import_key(dict(jwk))


def canonical(method: str, path: str, member: str, message_id: str, timestamp: int, body: bytes) -> bytes:
    digest = hashlib.sha256(body).hexdigest()
    return f"{method.upper()} {path}\n{member}\n{message_id}\n{timestamp}\n{digest}".encode()


def sign(
    key: OKPKey,
    member: str,
    method: str,
    path: str,
    body: bytes,
    message_id: str | None = None,
    now: float | None = None,
) -> dict[str, str]:
    """The four headers of a signed message."""
    message_id = message_id or str(uuid.uuid4())
    timestamp = int(now if now is not None else time.time())
    payload = canonical(method, path, member, message_id, timestamp, body)
    compact = jws.serialize_compact({"alg": ALGORITHM}, payload, key, algorithms=[ALGORITHM])
    header, _, signature = compact.split(".")
    return {MEMBER: member, MESSAGE_ID: message_id, TIMESTAMP: str(timestamp), SIGNATURE: f"{header}..{signature}"}


def verify(
    headers: Mapping[str, str],
    method: str,
    path: str,
    body: bytes,
    key_of: Callable[[str], OKPKey | None],
    now: float | None = None,
    max_skew: int = MAX_SKEW_SECONDS,
) -> Verified:
    """The verified sender, message id and time, or ``SignatureRefused``."""
    lower = {k.lower(): v for k, v in headers.items()}
    missing = [h for h in (MEMBER, MESSAGE_ID, TIMESTAMP, SIGNATURE) if not lower.get(h.lower())]
    if missing:
        raise SignatureRefused("unsigned", f"missing header(s): {', '.join(missing)}")
    member, message_id = lower[MEMBER.lower()], lower[MESSAGE_ID.lower()]
    try:
        uuid.UUID(message_id)
        timestamp = int(lower[TIMESTAMP.lower()])
    except ValueError:
        raise SignatureRefused("malformed", f"{MESSAGE_ID} must be a UUID and {TIMESTAMP} an integer") from None
    clock = now if now is not None else time.time()
    if abs(clock - timestamp) > max_skew:
        raise SignatureRefused(
            "stale", f"signed at {timestamp}, {abs(clock - timestamp):.0f} s from this member's clock (max {max_skew})"
        )
    key = key_of(member)
    if key is None:
        # Said to the sender exactly as a bad signature is: a refusal tells nobody who is registered.
        raise SignatureRefused("unknown_member", NOT_VERIFIED)
    header, dots, signature = lower[SIGNATURE.lower()].partition("..")
    if not dots or not header or not signature:
        raise SignatureRefused("malformed", f"{SIGNATURE} must be a detached JWS (header..signature)")
    payload = base64.urlsafe_b64encode(canonical(method, path, member, message_id, timestamp, body)).rstrip(b"=")
    try:
        jws.deserialize_compact(f"{header}.{payload.decode()}.{signature}", key, algorithms=[ALGORITHM])
    except (JoseError, ValueError):
        raise SignatureRefused("bad_signature", NOT_VERIFIED) from None
    return Verified(member, message_id, timestamp)
