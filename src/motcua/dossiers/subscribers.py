"""What other domains do when a dossier changes, in the transaction of the change.

A dossier's event is told to each subscriber with what it changed (``Change``): the fact tables count
it, a node of the exchange reports it, the notifications tell the people concerned. The dossier
service knows only this list, not the domains behind it; a subscriber that fails rolls the step back
(nothing is recorded that was not counted, reported and notified).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy.orm import Session

from motcua.accounts.service import Actor
from motcua.dossiers.models import Dossier
from motcua.dossiers.projection import Projection


@dataclass(frozen=True, slots=True)
class Change:
    session: Session
    dossier: Dossier  # after the step
    seq: int
    transition: str
    at: datetime
    actor: Actor
    payload: dict[str, Any]
    before: Projection
    after: Projection


Subscriber = Callable[[Change], None]


@cache
def subscribers() -> tuple[Subscriber, ...]:
    """The subscribers, in the order they run (imported at first use: the domains behind them import
    the dossiers' models)."""
    from motcua.exchange.outbox import on_dossier_change as report
    from motcua.indicators.facts import on_dossier_change as count
    from motcua.notifications.events import on_dossier_change as notify

    return (count, report, notify)


def publish(change: Change) -> None:
    for subscriber in subscribers():
        subscriber(change)
