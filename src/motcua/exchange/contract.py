"""The exchange contract, written first (OpenAPI 3.1) and shipped with the package: the server
serves it, the adapters and the conformance battery read it."""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

import yaml

VERSION = "1.0.0"
FILE = "contract/exchange-v1.yaml"


def contract_text() -> str:
    return resources.files("motcua.exchange").joinpath(FILE).read_text("utf-8")


@cache
def contract() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(contract_text())
    return data


def schema(name: str) -> dict[str, Any]:
    """A component schema of the contract, with its ``$ref``s resolvable against the whole document."""
    found: dict[str, Any] = contract()["components"]["schemas"][name]
    return found


def operation_ids() -> list[str]:
    return [op["operationId"] for item in contract()["paths"].values() for op in item.values()]
