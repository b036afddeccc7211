"""What other domains do when a case changes, in the transaction of the change.

A case type names its subscribers once, as ``module:function`` paths (imported at first use: the
domains behind them import the case's models, so importing them here would be a circle). Each step's
change is told to every subscriber in order; one that fails rolls the step back (nothing is recorded
that was not counted, reported and notified). Many changes written together (a reorganisation moving
thousands of cases) go to a subscriber's ``<function>_batch`` when it has one, in one call.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cached_property
from importlib import import_module
from typing import Generic, TypeVar

C = TypeVar("C")


class Subscribers(Generic[C]):
    def __init__(self, *paths: str) -> None:
        self.paths = paths

    @cached_property
    def loaded(self) -> tuple[Callable[[C], None], ...]:
        found = []
        for path in self.paths:
            module, _, name = path.partition(":")
            found.append(getattr(import_module(module), name))
        return tuple(found)

    @cached_property
    def batched(self) -> tuple[Callable[[Sequence[C]], None] | None, ...]:
        found = []
        for path in self.paths:
            module, _, name = path.partition(":")
            found.append(getattr(import_module(module), f"{name}_batch", None))
        return tuple(found)

    def publish(self, change: C) -> None:
        for subscriber in self.loaded:
            subscriber(change)

    def publish_all(self, changes: Sequence[C]) -> None:
        """Every change to every subscriber, in the subscribers' order (a subscriber's batch function
        takes them all at once)."""
        for subscriber, batch in zip(self.loaded, self.batched, strict=True):
            if batch is not None:
                batch(changes)
            else:
                for change in changes:
                    subscriber(change)
