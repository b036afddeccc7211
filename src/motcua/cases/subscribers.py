"""What other domains do when a case changes, in the transaction of the change.

A case type names its subscribers once, as ``module:function`` paths (imported at first use: the
domains behind them import the case's models, so importing them here would be a circle). Each step's
change is told to every subscriber in order; one that fails rolls the step back (nothing is recorded
that was not counted, reported and notified).
"""

from __future__ import annotations

from collections.abc import Callable
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

    def publish(self, change: C) -> None:
        for subscriber in self.loaded:
            subscriber(change)
