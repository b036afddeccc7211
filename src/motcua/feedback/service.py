"""Rating a dossier: the applicant, once, when the result has been returned (or the dossier refused
or stopped). A dissatisfied rating counts against the satisfaction indicator (domain.md §4)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal, get_args

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from motcua import clock
from motcua.accounts.service import Actor
from motcua.dossiers.errors import Conflict, DossierError, NotFound
from motcua.dossiers.models import Dossier
from motcua.dossiers.service import can_read
from motcua.feedback.models import FeedbackMessage, Rating
from motcua.i18n import N_
from motcua.indicators import facts

RatingValue = Literal["satisfied", "neutral", "dissatisfied"]
RATEABLE = ("returned", "rejected", "stopped")  # the applicant has had the outcome


def rating_of(session: Session, dossier: Dossier) -> Rating | None:
    return session.scalars(select(Rating).where(Rating.dossier_id == dossier.id)).first()


def rate(session: Session, actor: Actor, dossier: Dossier, value: str, comment: str, at: datetime) -> Rating:
    if actor.role != "citizen" or not can_read(actor, dossier):
        raise NotFound("unknown_dossier", N_("No dossier with code {code}."), code=dossier.code)
    if value not in get_args(RatingValue):
        raise DossierError("rating_value", N_("Choose satisfied, neutral or dissatisfied."))
    if dossier.status not in RATEABLE:
        raise DossierError("rating_too_early", N_("A dossier can be rated once its result has been returned."))
    if rating_of(session, dossier) is not None:
        raise Conflict("rating_once", N_("This dossier has already been rated."))
    rating = Rating(dossier_id=dossier.id, user_id=actor.user_id, value=value, comment=comment.strip()[:2000], at=at)
    session.add(rating)
    session.flush()
    counted = facts.rating_changes(facts.place_of(dossier), at, value)
    if value == "dissatisfied" and not session.scalar(
        select(exists().where(FeedbackMessage.dossier_code == dossier.code))
    ):  # the dossier's first complaint or dislike (Decision 766's satisfaction counts it once)
        counted.append((clock.local_date(at), facts.place_of(dossier), "complained", 1))
    facts.write(session, counted, [])
    return rating
