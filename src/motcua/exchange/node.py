"""This node's place in the exchange, from the environment:

- ``MOTCUA_EXCHANGE_MEMBER``: ``national`` or ``province-<code>``; unset, the node serves every
  province itself (the embedded default) and sends nothing;
- ``MOTCUA_EXCHANGE_KEY``: the file holding this node's private key (a JWK, made by
  ``motcua exchange keygen``).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from joserfc.jwk import OKPKey

from motcua.exchange.signing import load_key

NATIONAL = "national"


@dataclass(frozen=True)
class Node:
    member: str
    key: OKPKey

    @property
    def is_national(self) -> bool:
        return self.member == NATIONAL

    @property
    def province_code(self) -> str | None:
        return self.member.removeprefix("province-") if self.member.startswith("province-") else None


def is_member_identifier(identifier: str) -> bool:
    """``national`` or ``province-<2-character code>``: the identifiers of the exchange's members."""
    return identifier == NATIONAL or (identifier.startswith("province-") and len(identifier) == len("province-00"))


class NodeMisconfigured(RuntimeError):
    pass


@cache
def this_node() -> Node | None:
    member = os.environ.get("MOTCUA_EXCHANGE_MEMBER", "").strip()
    if not member:
        return None
    if not is_member_identifier(member):
        raise NodeMisconfigured(f"MOTCUA_EXCHANGE_MEMBER={member!r}: expected 'national' or 'province-<2-digit code>'")
    path = os.environ.get("MOTCUA_EXCHANGE_KEY", "")
    if not path or not Path(path).is_file():
        raise NodeMisconfigured(f"MOTCUA_EXCHANGE_KEY={path!r}: the private key file of {member} is missing")
    return Node(member, load_key(json.loads(Path(path).read_text("utf-8"))))
