"""What a payment provider does for motcua: send the payer to pay an amount, and confirm it after."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class Confirmation:
    reference: str  # motcua's reference of the payment (dossier code and event number)
    amount_vnd: int
    provider: str
    transaction: str  # the provider's own identifier


class PaymentProvider(Protocol):
    name: str

    def start(self, reference: str, amount_vnd: int, description: str, return_url: str) -> str:
        """The address where the payer pays."""
        ...

    def confirm(self, params: dict[str, str]) -> Confirmation | None:
        """The payment the provider reports on the return address, or None if it is not genuine or
        not paid."""
        ...
