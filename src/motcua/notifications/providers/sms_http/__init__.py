"""SMS through a brand-name SMS gateway's HTTP API (the interface Vietnamese gateways share: a
registered brand name as sender, the number in international form, the text without diacritics).

Request: ``POST {sms_api_url}`` with ``Authorization: Bearer {sms_api_key}`` and the JSON body
``{"to": "+849…", "brandname": "…", "text": "…", "reference": "<notification id>"}``; the answer's
``id`` names the message in the delivery receipt the gateway posts back
(``/api/v1/notifications/receipts/sms_http``, signed by ``X-Motcua-Signature``) as
``{"id": "…", "status": "delivered" | "failed" | "rejected" | "undeliverable" | "expired"}``."""

from __future__ import annotations

from typing import Any

import httpx

from motcua.notifications.contacts import e164
from motcua.notifications.providers.base import Outgoing, ProviderError, Receipt, Sent, receipt_from
from motcua.notifications.providers.http import answer, guarded
from motcua.settings import Settings


class BrandnameSmsProvider:
    name = "sms_http"
    channel = "sms"
    sandbox = False
    parallel = 8

    def __init__(self, settings: Settings) -> None:
        if not settings.sms_api_url:
            raise ProviderError("MOTCUA_SMS_API_URL: the SMS gateway's address is not set")
        self.url = settings.sms_api_url
        self.brandname = settings.sms_brandname
        self.rate_limit = settings.sms_rate_limit
        key = settings.sms_api_key.get_secret_value() if settings.sms_api_key else ""
        self.client = httpx.Client(timeout=10.0, headers={"Authorization": f"Bearer {key}"})

    def _one(self, m: Outgoing) -> Sent:
        body = {"to": e164(m.address), "brandname": self.brandname, "text": m.short, "reference": str(m.id)}
        return answer(self.client.post(self.url, json=body), lambda data: str(data.get("id", "")))

    def send(self, batch: list[Outgoing]) -> list[Sent]:
        return guarded(self._one)(batch)

    @staticmethod
    def receipt(data: dict[str, Any]) -> Receipt:
        return receipt_from(data, "id", "status")

    def close(self) -> None:
        self.client.close()
