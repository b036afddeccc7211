"""App messages through a Zalo-style template message API (ZNS): the message is a template approved
by the platform, named by its id, filled with parameters; the platform reaches the phone number's
account.

Request: ``POST {app_api_url}`` with the header ``access_token: {app_api_token}`` and the JSON body
``{"phone": "849…", "template_id": "…", "template_data": {…}, "tracking_id": "<notification id>"}``.
The answer is ``{"error": 0, "data": {"msg_id": "…"}}``; a non-zero ``error`` refuses the message
(permanently: the template, the parameters or the number). ``MOTCUA_APP_TEMPLATE_IDS`` maps
motcua's templates to the platform's ids (a template without one is sent under its own name). The
platform's receipt (``/api/v1/notifications/receipts/app_http``, signed) is
``{"msg_id": "…", "status": "delivered" | "failed" | …}``."""

from __future__ import annotations

from typing import Any

import httpx

from motcua.notifications.contacts import e164
from motcua.notifications.providers.base import Outgoing, ProviderError, Receipt, Sent, receipt_from
from motcua.notifications.providers.http import answer, guarded
from motcua.settings import Settings


class TemplateMessageProvider:
    name = "app_http"
    channel = "app"
    sandbox = False
    parallel = 8

    def __init__(self, settings: Settings) -> None:
        if not settings.app_api_url:
            raise ProviderError("MOTCUA_APP_API_URL: the app message platform's address is not set")
        self.url = settings.app_api_url
        self.template_ids = dict(settings.app_template_ids)
        self.rate_limit = settings.app_rate_limit
        token = settings.app_api_token.get_secret_value() if settings.app_api_token else ""
        self.client = httpx.Client(timeout=10.0, headers={"access_token": token})

    def _one(self, m: Outgoing) -> Sent:
        body = {
            "phone": e164(m.address).lstrip("+"),
            "template_id": self.template_ids.get(m.template, m.template),
            "template_data": {k: str(v) for k, v in m.params.items()},
            "tracking_id": str(m.id),
        }
        sent = answer(self.client.post(self.url, json=body), _msg_id)
        if sent.outcome == "sending" and not sent.reference:
            return Sent("permanent_failure", error="refused by the platform")
        return sent

    def send(self, batch: list[Outgoing]) -> list[Sent]:
        return guarded(self._one)(batch)

    @staticmethod
    def receipt(data: dict[str, Any]) -> Receipt:
        return receipt_from(data, "msg_id", "status")

    def close(self) -> None:
        self.client.close()


def _msg_id(data: dict[str, Any]) -> str:
    if data.get("error", 0) != 0:
        return ""
    inner = data.get("data")
    return str(inner.get("msg_id", "")) if isinstance(inner, dict) else ""
