"""The sandbox provider: a payment page served by motcua itself, for demos and tests (no real gateway
is reachable here). It behaves like a gateway where it matters: the payer chooses to pay or cancel,
and the return carries an HMAC signature over the reference, amount and status, so a forged or
altered return is refused."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from urllib.parse import urlencode

from motcua.payments.base import Confirmation

PAGE = "/payments/sandbox"


class SandboxProvider:
    name = "sandbox"

    def __init__(self, secret: str) -> None:
        self._secret = secret.encode()

    def sign(self, reference: str, amount_vnd: int, status: str) -> str:
        message = f"{reference}|{amount_vnd}|{status}".encode()
        return hmac.new(self._secret, message, hashlib.sha256).hexdigest()

    def start(self, reference: str, amount_vnd: int, description: str, return_url: str) -> str:
        query = {"reference": reference, "amount": amount_vnd, "description": description, "return": return_url}
        return f"{PAGE}?{urlencode(query)}"

    def finish(self, reference: str, amount_vnd: int, paid: bool, return_url: str) -> str:
        """Where the sandbox page sends the payer back (what a gateway does after the payment)."""
        status = "paid" if paid else "cancelled"
        query = {
            "reference": reference,
            "amount": amount_vnd,
            "status": status,
            "transaction": f"SBX-{secrets.token_hex(6)}" if paid else "",
            "signature": self.sign(reference, amount_vnd, status),
        }
        return f"{return_url}?{urlencode(query)}"

    def confirm(self, params: dict[str, str]) -> Confirmation | None:
        try:
            amount = int(params.get("amount", ""))
        except ValueError:
            return None
        reference, status = params.get("reference", ""), params.get("status", "")
        expected = self.sign(reference, amount, status)
        if status != "paid" or not hmac.compare_digest(expected, params.get("signature", "")):
            return None
        return Confirmation(reference, amount, self.name, params.get("transaction", ""))
