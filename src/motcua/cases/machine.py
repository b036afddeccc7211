"""The form of a case type's transition table: each step names the states it leaves from (None: the
case does not exist yet), the state it leads to (None: it stays), the roles that may take it, whether
it needs a reason and the deadline stage it ends. A case type declares its steps once; nothing else
decides whether a step is allowed."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Generic, TypeVar

S = TypeVar("S", bound=str)
R = TypeVar("R", bound=str)


@dataclass(frozen=True)
class Step(Generic[S, R]):
    name: str
    sources: frozenset[S | None]
    target: S | None
    roles: frozenset[R]
    needs_reason: bool = False
    # The deadline stage the step ends, if any: its event records whether it ended late, and the
    # fact tables count the stage on time or late from that.
    closes: str | None = None


def table(steps: Iterable[Step[S, R]]) -> dict[str, Step[S, R]]:
    """The steps by name; a name declared twice is a mistake in the table."""
    found: dict[str, Step[S, R]] = {}
    for step in steps:
        if step.name in found:
            raise ValueError(f"step {step.name} is declared twice")
        found[step.name] = step
    return found


def allowed(steps: dict[str, Step[S, R]], state: S | None, role: str) -> list[str]:
    """The steps ``role`` may take from ``state``, in the table's order."""
    return [s.name for s in steps.values() if state in s.sources and role in s.roles]
