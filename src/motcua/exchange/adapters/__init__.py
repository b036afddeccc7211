"""The back ends a member can be: one plugin folder per kind of system, each with its options, its
client (how a message of the outbox is put on the wire) and its health check. The relay asks the
registry for the member's adapter; the contract's field names change only inside an adapter."""

from __future__ import annotations

from motcua.exchange.adapters.base import Adapter, AdapterError, Health, Outgoing, Recipient

_REGISTRY: dict[str, Adapter] = {}


def register(adapter: Adapter) -> Adapter:
    _REGISTRY[adapter.name] = adapter
    return adapter


def adapter_for(name: str) -> Adapter:
    _load_builtins()
    try:
        return _REGISTRY[name]
    except KeyError:
        raise AdapterError(f"no adapter {name!r}; known: {', '.join(sorted(_REGISTRY))}") from None


def adapters() -> dict[str, Adapter]:
    _load_builtins()
    return dict(_REGISTRY)


def _load_builtins() -> None:
    if _REGISTRY:
        return
    from motcua.exchange.adapters.legacy_portal import LegacyPortalAdapter
    from motcua.exchange.adapters.motcua import MotcuaAdapter

    register(MotcuaAdapter())
    register(LegacyPortalAdapter())


__all__ = ["Adapter", "AdapterError", "Health", "Outgoing", "Recipient", "adapter_for", "adapters", "register"]
