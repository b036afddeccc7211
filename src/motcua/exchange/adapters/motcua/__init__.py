"""motcua-to-motcua (and any system implementing the contract): the contract's own messages, signed
with this node's key (detached JWS), to ``<base_url><path>``."""

from __future__ import annotations

import httpx
from pydantic import BaseModel, ConfigDict, Field

from motcua.exchange.adapters.base import Health, Outgoing, Recipient, parse_options
from motcua.exchange.contract import VERSION, operation_ids
from motcua.exchange.node import Node
from motcua.exchange.signing import sign


class MotcuaOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")
    timeout_seconds: float = Field(10.0, gt=0, le=120)


class MotcuaAdapter:
    name = "motcua"
    description = "The exchange contract v1 (motcua or another vendor's implementation), signed messages."
    operations = frozenset(operation_ids()) - {"health"}  # every operation the contract names
    Options = MotcuaOptions

    def send(self, client: httpx.Client, node: Node, to: Recipient, message: Outgoing) -> httpx.Response:
        options = parse_options(self, to.options)
        assert isinstance(options, MotcuaOptions)
        headers = sign(node.key, node.member, message.method, message.path, message.body, message_id=message.message_id)
        return client.request(
            message.method,
            to.base_url.rstrip("/") + message.path,
            content=message.body,
            headers={**headers, "Content-Type": "application/json"},
            timeout=options.timeout_seconds,
        )

    def health(self, client: httpx.Client, node: Node, to: Recipient) -> Health:
        try:
            response = client.get(to.base_url.rstrip("/") + "/exchange/v1/health", timeout=5)
            data = response.json() if response.status_code == 200 else {}
        except (httpx.HTTPError, ValueError) as exc:
            return Health(False, f"{exc.__class__.__name__}: {exc}")
        if response.status_code != 200:
            return Health(False, f"HTTP {response.status_code}")
        if data.get("member") != to.identifier:
            return Health(False, f"answers as {data.get('member')!r}, registered as {to.identifier}")
        major = str(data.get("contract", "")).split(".")[0]
        if major != VERSION.split(".")[0]:
            return Health(False, f"contract {data.get('contract')}, this node speaks {VERSION}")
        return Health(True, f"contract {data.get('contract')}, clock {data.get('time')}")
