"""Providers' delivery receipts: signed, applied once, a receipt for an unknown message refused and
logged; a failure in a receipt falls back like a refusal at sending."""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import uuid

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from motcua import clock, db
from motcua.notifications.models import Notification
from motcua.notifications.outbox import Wanted, write

SECRET = "receipt-secret"


def signed(data: dict[str, object]) -> tuple[bytes, dict[str, str]]:
    raw = json.dumps(data).encode()
    return raw, {"X-Motcua-Signature": hmac.new(SECRET.encode(), raw, hashlib.sha256).hexdigest()}


def _sent(api: dict, reference: str) -> int:  # type: ignore[type-arg]
    factory = db.session_factory(api["engine"])
    source = f"test:{uuid.uuid4().hex}"
    with db.transaction(factory) as s:
        w = Wanted(source, "user:1", "sms", "0901234567", "vi", "dossier_assigned", {"code": "X"})
        write(s.connection(), [w], clock.now())
        n = s.scalars(select(Notification).where(Notification.source == source)).one()
        n.status, n.provider, n.provider_reference, n.sent_at = "sending", "sms_http", reference, clock.now()
        return n.id


def _status(api: dict, id: int) -> str:  # type: ignore[type-arg]
    with db.session_factory(api["engine"])() as s:
        return s.get(Notification, id).status  # type: ignore[union-attr]


def test_a_signed_receipt_marks_the_message_delivered_once(
    api: dict,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,  # type: ignore[type-arg]
) -> None:
    monkeypatch.setenv("MOTCUA_NOTIFY_RECEIPT_SECRET", SECRET)
    c: TestClient = api["client"]
    reference = f"sms-{uuid.uuid4().hex[:12]}"
    id = _sent(api, reference)
    raw, headers = signed({"id": reference, "status": "delivered"})
    assert c.post("/api/v1/notifications/receipts/sms_http", content=raw, headers=headers).status_code == 200
    assert _status(api, id) == "delivered"
    again = c.post("/api/v1/notifications/receipts/sms_http", content=raw, headers=headers)
    assert again.status_code == 200 and _status(api, id) == "delivered"

    forged = c.post("/api/v1/notifications/receipts/sms_http", content=raw, headers={"X-Motcua-Signature": "00" * 32})
    assert forged.status_code == 401
    with caplog.at_level(logging.WARNING, logger="motcua.notifications"):
        raw, headers = signed({"id": "sms-never-sent", "status": "delivered"})
        unknown = c.post("/api/v1/notifications/receipts/sms_http", content=raw, headers=headers)
    assert unknown.status_code == 404 and unknown.json()["error"]["code"] == "unknown_message"
    assert "receipt from sms_http for an unknown message" in caplog.text
    raw, headers = signed({"id": reference, "status": "lost in space"})
    unreadable = c.post("/api/v1/notifications/receipts/sms_http", content=raw, headers=headers)
    assert unreadable.status_code == 422 and "status: 'lost in space' is not one of" in unreadable.text
    raw, headers = signed({"id": reference, "status": "delivered"})
    assert c.post("/api/v1/notifications/receipts/fax", content=raw, headers=headers).status_code == 404


def test_a_failed_receipt_is_a_permanent_failure(api: dict, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[type-arg]
    monkeypatch.setenv("MOTCUA_NOTIFY_RECEIPT_SECRET", SECRET)
    reference = f"sms-{uuid.uuid4().hex[:12]}"
    id = _sent(api, reference)
    raw, headers = signed({"id": reference, "status": "undeliverable"})
    assert (
        api["client"].post("/api/v1/notifications/receipts/sms_http", content=raw, headers=headers).status_code == 200
    )
    assert _status(api, id) == "permanent_failure"


def test_receipts_are_refused_without_a_key(api: dict, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[type-arg]
    monkeypatch.delenv("MOTCUA_NOTIFY_RECEIPT_SECRET", raising=False)
    raw, headers = signed({"id": "x", "status": "delivered"})
    answer = api["client"].post("/api/v1/notifications/receipts/sms_http", content=raw, headers=headers)
    assert answer.status_code == 503
