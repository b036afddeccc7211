"""The providers, one folder each, and the ones this configuration uses per channel.

A provider is chosen per channel by a setting (``MOTCUA_EMAIL_PROVIDER``, ``MOTCUA_SMS_PROVIDER``,
``MOTCUA_APP_PROVIDER``); a new gateway is one more folder implementing ``Provider`` and one more
entry in ``FACTORIES``. In the demo, a channel left unset uses the sandbox.
"""

from __future__ import annotations

from collections.abc import Callable

from motcua.notifications.providers.app_http import TemplateMessageProvider
from motcua.notifications.providers.base import Provider, ProviderError, ReceiptReader
from motcua.notifications.providers.sandbox import SandboxProvider
from motcua.notifications.providers.sms_http import BrandnameSmsProvider
from motcua.notifications.providers.smtp import SmtpProvider
from motcua.settings import Settings

FACTORIES: dict[str, dict[str, Callable[[Settings], Provider]]] = {
    "email": {"smtp": SmtpProvider, "sandbox": lambda s: SandboxProvider("email")},
    "sms": {"sms_http": BrandnameSmsProvider, "sandbox": lambda s: SandboxProvider("sms")},
    "app": {"app_http": TemplateMessageProvider, "sandbox": lambda s: SandboxProvider("app")},
}

# The providers that post delivery receipts back, by the name in the receipt's address.
RECEIPTS: dict[str, ReceiptReader] = {
    "sms_http": BrandnameSmsProvider.receipt,
    "app_http": TemplateMessageProvider.receipt,
    "sandbox": SandboxProvider.receipt,
}


def chosen(settings: Settings) -> dict[str, str]:
    """channel → provider name, for the channels this configuration sends on."""
    names = {"email": settings.email_provider, "sms": settings.sms_provider, "app": settings.app_provider}
    if names["email"] == "smtp" and not settings.smtp_host:
        names["email"] = ""
    if settings.demo:
        names = {channel: name or "sandbox" for channel, name in names.items()}
    return {channel: name for channel, name in names.items() if name}


def configured(settings: Settings) -> dict[str, Provider]:
    """The providers of the chosen channels, built (a wrong name or setting raises ProviderError)."""
    built: dict[str, Provider] = {}
    for channel, name in chosen(settings).items():
        factory = FACTORIES[channel].get(name)
        if factory is None:
            known = ", ".join(FACTORIES[channel])
            raise ProviderError(f"MOTCUA_{channel.upper()}_PROVIDER={name!r}: known providers are {known}")
        built[channel] = factory(settings)
    return built


__all__ = ["FACTORIES", "RECEIPTS", "Provider", "ProviderError", "chosen", "configured"]
