"""What the HTTP providers share: one client, the outcome of an answer, and the number's form."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx

from motcua.notifications.providers.base import Outgoing, Sent

PERMANENT_STATUSES = frozenset({400, 404, 410, 413, 422})  # the message or the number is wrong


def answer(response: httpx.Response, reference: Callable[[dict[str, Any]], str]) -> Sent:
    """A 2xx answer is "sending" (a receipt will follow) with the provider's id; a refusal of the
    message itself is permanent; anything else (401/403 settings, 429, 5xx) is retried."""
    if response.status_code < 300:
        try:
            data = response.json()
        except ValueError:
            data = {}
        return Sent("sending", reference=reference(data) if isinstance(data, dict) else "")
    error = f"HTTP {response.status_code}"
    if response.status_code in PERMANENT_STATUSES:
        return Sent("permanent_failure", error=error)
    return Sent("temporary_failure", error=error)


def guarded(one: Callable[[Outgoing], Sent]) -> Callable[[list[Outgoing]], list[Sent]]:
    """``send`` of an HTTP provider: each message in turn (the sender runs several batches at once),
    a network error a temporary failure of that message."""

    def send(batch: list[Outgoing]) -> list[Sent]:
        results = []
        for m in batch:
            try:
                results.append(one(m))
            except httpx.HTTPError as exc:
                results.append(Sent("temporary_failure", error=exc.__class__.__name__))
        return results

    return send
