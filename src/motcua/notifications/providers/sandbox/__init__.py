"""The sandbox: takes every message and sends nothing (demos). What it "sent" stays visible in the
notifications table and on the dossier's page. Refused outside the demo unless
MOTCUA_ALLOW_SANDBOX_NOTIFICATIONS allows it by name."""

from __future__ import annotations

from typing import Any

from motcua.notifications.providers.base import Outgoing, Receipt, Sent, receipt_from


class SandboxProvider:
    name = "sandbox"
    sandbox = True
    rate_limit = "100000/second"
    parallel = 1

    def __init__(self, channel: str) -> None:
        self.channel = channel

    def send(self, batch: list[Outgoing]) -> list[Sent]:
        return [Sent("delivered", reference=f"sandbox-{m.id}") for m in batch]

    @staticmethod
    def receipt(data: dict[str, Any]) -> Receipt:
        return receipt_from(data, "reference", "status")

    def close(self) -> None:
        pass
