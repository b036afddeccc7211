"""The legacy national-portal synchronisation: a provincial node reports each status change as the
older provincial systems do ("update a dossier's progress"), with the legacy Vietnamese field names
and date format read from ``fields.toml`` (unconfirmed, hence data), authenticated by a bearer token
instead of the contract's signatures. Only ``reportStatus`` has a legacy equivalent."""

from __future__ import annotations

from datetime import date, datetime
from functools import cache
from typing import Any

import httpx
import orjson
from pydantic import BaseModel, ConfigDict, Field

from motcua.datafiles import read_toml
from motcua.exchange.adapters.base import AdapterError, Health, Outgoing, Recipient, parse_options
from motcua.exchange.node import Node


class LegacyOptions(BaseModel):
    model_config = ConfigDict(extra="forbid")
    token: str = Field(min_length=1, description="Bearer token issued by the legacy portal.")
    progress_path: str = Field("/api/dossiers/progress", pattern="^/")
    health_path: str = Field("/api/health", pattern="^/")
    fields: str | None = Field(None, description="Another mapping file than the shipped fields.toml.")
    timeout_seconds: float = Field(10.0, gt=0, le=120)


@cache
def mapping(path: str | None = None) -> dict[str, Any]:
    return read_toml(path, __name__, "fields.toml")


def legacy_progress(change: dict[str, Any], fields: dict[str, Any]) -> dict[str, Any]:
    """A contract ``StatusChange`` under the legacy names, dates in the legacy format."""
    out: dict[str, Any] = {}
    for legacy, ours in fields["progress"].items():
        value = change.get(ours)
        if isinstance(value, str) and value and ours in ("receivedOn", "dueOn", "previousDueOn"):
            value = date.fromisoformat(value).strftime(fields["date_format"])
        elif isinstance(value, str) and value and ours in ("finishedAt", "returnedAt", "at"):
            value = datetime.fromisoformat(value).strftime(fields["date_format"])
        out[legacy] = "" if value is None else value
    return out


class LegacyPortalAdapter:
    name = "legacy-portal"
    description = "The legacy national-portal synchronisation (progress updates, Vietnamese field names)."
    operations = frozenset({"reportStatus"})
    Options = LegacyOptions

    def send(self, client: httpx.Client, node: Node, to: Recipient, message: Outgoing) -> httpx.Response:
        options = parse_options(self, to.options)
        assert isinstance(options, LegacyOptions)
        if message.operation not in self.operations:
            raise AdapterError(f"the legacy portal has no equivalent of {message.operation}")
        body = orjson.dumps(legacy_progress(orjson.loads(message.body), mapping(options.fields)))
        return client.post(
            to.base_url.rstrip("/") + options.progress_path,
            content=body,
            headers={"Authorization": f"Bearer {options.token}", "Content-Type": "application/json"},
            timeout=options.timeout_seconds,
        )

    def health(self, client: httpx.Client, node: Node, to: Recipient) -> Health:
        try:
            options = parse_options(self, to.options)
        except AdapterError as exc:
            return Health(False, str(exc))
        assert isinstance(options, LegacyOptions)
        try:
            response = client.get(
                to.base_url.rstrip("/") + options.health_path,
                headers={"Authorization": f"Bearer {options.token}"},
                timeout=5,
            )
        except httpx.HTTPError as exc:
            return Health(False, f"{exc.__class__.__name__}: {exc}")
        return Health(response.status_code < 400, f"HTTP {response.status_code}")
