"""What a notification provider does for motcua: send a batch of messages of its channel and say,
for each, what became of it. The sender hands plain values (no database session): it sends outside
its transactions, several batches at once."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

Outcome = Literal["delivered", "sending", "temporary_failure", "permanent_failure"]


@dataclass(frozen=True)
class Outgoing:
    id: int
    channel: str
    address: str  # e-mail address or phone number, as entered
    language: str
    template: str
    template_version: int
    subject: str
    body: str
    short: str  # the SMS / app message text
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Sent:
    """``delivered``: the provider took it and gives no receipt (SMTP); ``sending``: taken, a
    receipt will tell (``reference`` names it); a failure says why (no personal data)."""

    outcome: Outcome
    reference: str = ""
    error: str = ""


@dataclass(frozen=True)
class Receipt:
    """A provider's delivery receipt, read from its callback: which message (the provider's
    reference) and what became of it."""

    reference: str
    outcome: Outcome
    error: str = ""


class ReceiptError(ValueError):
    """A receipt that does not say which message or what happened to it."""


class ProviderError(ValueError):
    """The provider's settings are wrong: what and where, for the operator."""


class Provider(Protocol):
    name: str
    channel: str
    rate_limit: str  # "500/second": the most this provider takes (limits' notation)
    sandbox: bool
    parallel: int  # batches sent at once (SMTP connections, HTTP requests in flight)

    def send(self, batch: list[Outgoing]) -> list[Sent]:
        """Send each message; one ``Sent`` per message, in order."""
        ...

    def close(self) -> None: ...


class ReceiptReader(Protocol):
    def __call__(self, data: dict[str, Any]) -> Receipt: ...


# The statuses a gateway's receipt may give, and what they mean here: delivered, failed for good
# (a wrong or unknown number, a refused message), or not yet (the phone was off until it expired).
RECEIPT_OUTCOMES: dict[str, Outcome] = {
    "delivered": "delivered",
    "failed": "permanent_failure",
    "rejected": "permanent_failure",
    "undeliverable": "permanent_failure",
    "expired": "temporary_failure",
}


def receipt_from(data: dict[str, Any], reference_key: str, status_key: str) -> Receipt:
    reference, status = data.get(reference_key), data.get(status_key)
    if not isinstance(reference, str | int) or not str(reference):
        raise ReceiptError(f"{reference_key}: missing")
    outcome = RECEIPT_OUTCOMES.get(str(status).lower())
    if outcome is None:
        raise ReceiptError(f"{status_key}: {status!r} is not one of {', '.join(RECEIPT_OUTCOMES)}")
    return Receipt(str(reference), outcome, "" if outcome == "delivered" else f"receipt: {status}")
