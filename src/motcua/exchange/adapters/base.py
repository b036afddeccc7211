"""What every adapter provides, and the plain values the relay hands it (no database session: the
relay sends outside its transactions, several messages at a time)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

import httpx
from pydantic import BaseModel, ValidationError

from motcua.exchange.node import Node


class AdapterError(ValueError):
    """A member's adapter or options are wrong: what and where, for the operator."""


@dataclass(frozen=True)
class Recipient:
    identifier: str
    base_url: str
    adapter: str
    options: dict[str, Any]


@dataclass(frozen=True)
class Outgoing:
    message_id: str
    operation: str
    method: str
    path: str
    body: bytes


@dataclass(frozen=True)
class Health:
    ok: bool
    detail: str


class Adapter(Protocol):
    name: str
    description: str
    operations: frozenset[str]

    @property
    def Options(self) -> type[BaseModel]:
        """The model a member's options must fit."""
        ...

    def send(self, client: httpx.Client, node: Node, to: Recipient, message: Outgoing) -> httpx.Response:
        """Put one message on the wire; network errors propagate (the relay retries them)."""
        ...

    def health(self, client: httpx.Client, node: Node, to: Recipient) -> Health: ...


def parse_options(adapter: Adapter, raw: dict[str, Any]) -> BaseModel:
    """The member's options checked against the adapter's model, or ``AdapterError`` naming each problem."""
    try:
        return adapter.Options.model_validate(raw)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors())
        raise AdapterError(f"options of adapter {adapter.name}: {problems}") from None
