"""What other domains do when a dossier changes, in the transaction of the change.

A dossier's event is told to each subscriber with what it changed (``Change``): the fact tables count
it, a node of the exchange reports it, the notifications tell the people concerned. The dossier
service knows only this list (``cases.subscribers``), not the domains behind it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from motcua.accounts.service import Actor
from motcua.cases.subscribers import Subscribers
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


SUBSCRIBERS: Subscribers[Change] = Subscribers(
    "motcua.indicators.facts:on_dossier_change",  # count it
    "motcua.exchange.outbox:on_dossier_change",  # report it to the national node
    "motcua.notifications.events:on_dossier_change",  # tell the people concerned
    "motcua.digitisation.store:on_dossier_change",  # an approved result in its holder's store
    "motcua.exchange.documents:on_dossier_change",  # what entered a store, announced to the national node
)


def publish(change: Change) -> None:
    SUBSCRIBERS.publish(change)


def publish_all(changes: list[Change]) -> None:
    SUBSCRIBERS.publish_all(changes)
