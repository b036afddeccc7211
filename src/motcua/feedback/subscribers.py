"""What other domains do when a feedback message takes a step, in the step's transaction: the fact
tables count it, a provincial node reports it to the national node, the notifications tell its
senders. The feedback service knows only this list."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from motcua.accounts.service import Actor
from motcua.cases.subscribers import Subscribers
from motcua.feedback.models import FeedbackMessage


@dataclass(frozen=True, slots=True)
class FeedbackChange:
    session: Session
    message: FeedbackMessage  # after the step
    seq: int
    step: str
    at: datetime
    actor: Actor
    before: str | None  # the status it left
    payload: dict[str, Any]  # what the event records (``held_by``/``held_in``: who had it when the step was taken)


SUBSCRIBERS: Subscribers[FeedbackChange] = Subscribers(
    "motcua.indicators.feedback_facts:on_feedback_change",  # count it
    "motcua.exchange.feedback:on_feedback_change",  # report it to the national node (delivered there)
    "motcua.feedback.search_words:on_feedback_change",  # a published answer's words, for the search
    "motcua.notifications.events:on_feedback_change",  # tell the senders
)


def publish(change: FeedbackChange) -> None:
    SUBSCRIBERS.publish(change)
