"""The configured payment provider (``MOTCUA_PAYMENT_PROVIDER``, default ``sandbox``). A real gateway
is one more module implementing ``PaymentProvider`` and one more entry here."""

from __future__ import annotations

import os
from collections.abc import Callable

from motcua.payments.base import PaymentProvider
from motcua.payments.sandbox import SandboxProvider

PROVIDERS: dict[str, Callable[[str], PaymentProvider]] = {"sandbox": SandboxProvider}


def provider(secret: str) -> PaymentProvider:
    name = os.environ.get("MOTCUA_PAYMENT_PROVIDER", "sandbox")
    if name not in PROVIDERS:
        raise ValueError(f"MOTCUA_PAYMENT_PROVIDER={name!r}: known providers are {', '.join(PROVIDERS)}")
    return PROVIDERS[name](os.environ.get("MOTCUA_PAYMENT_SECRET", secret))
