"""Signed messages: what is signed verifies; unsigned, tampered, stale, unknown or another member's
messages are refused with a reason."""

from __future__ import annotations

import pytest
from joserfc.jwk import OKPKey

from motcua.exchange.signing import (
    MEMBER,
    SIGNATURE,
    TIMESTAMP,
    SignatureRefused,
    load_key,
    new_key,
    public_jwk,
    sign,
    verify,
)

NOW = 1_790_000_000.0
BODY = b'{"dossierCode": "000.00.31.H79-261124-0001", "sequence": 1}'


def _keys() -> dict[str, OKPKey]:
    return {"national": new_key(), "province-79": new_key(), "province-01": new_key()}


def test_a_signed_message_verifies_with_the_senders_public_key() -> None:
    keys = _keys()
    public = {m: load_key(public_jwk(k)) for m, k in keys.items()}
    headers = sign(keys["province-79"], "province-79", "POST", "/exchange/v1/dossiers/x/status", BODY, now=NOW)
    ok = verify(headers, "POST", "/exchange/v1/dossiers/x/status", BODY, public.get, now=NOW + 10)
    assert ok.member == "province-79" and ok.timestamp == int(NOW)


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ("body", "bad_signature"),
        ("path", "bad_signature"),
        ("member", "bad_signature"),  # claims to be another member: that member's key does not match
        ("unknown", "unknown_member"),
        ("stale", "stale"),
        ("unsigned", "unsigned"),
        ("garbled", "malformed"),
    ],
)
def test_tampered_or_foreign_messages_are_refused(change: str, reason: str) -> None:
    keys = _keys()
    public = {m: load_key(public_jwk(k)) for m, k in keys.items()}
    path, body = "/exchange/v1/dossiers", BODY
    headers = sign(keys["national"], "national", "POST", path, body, now=NOW)
    now = NOW
    if change == "body":
        body = body.replace(b"0001", b"0002")
    elif change == "path":
        path = "/exchange/v1/catalog"
    elif change == "member":
        headers[MEMBER] = "province-01"
    elif change == "unknown":
        headers[MEMBER] = "province-99"
    elif change == "stale":
        now = NOW + 301
    elif change == "unsigned":
        del headers[SIGNATURE]
    elif change == "garbled":
        headers[TIMESTAMP] = "yesterday"
    with pytest.raises(SignatureRefused) as refused:
        verify(headers, "POST", path, body, public.get, now=now)
    assert refused.value.reason == reason and refused.value.detail
