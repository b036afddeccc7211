"""Who held which post when: each official's holdings, opened when their account is first seen at a
post and closed when they move (a transfer, a reorganisation)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from motcua import clock
from motcua.accounts.models import User
from motcua.staff.models import Holding

OFFICIAL_ROLES = ("reception_officer", "processing_officer", "leader")


def current(session: Session, user_id: int) -> Holding | None:
    return session.scalars(
        select(Holding).where(Holding.user_id == user_id, Holding.ended_on.is_(None)).order_by(Holding.id.desc())
    ).first()


def ensure(session: Session, users: Iterable[User]) -> None:
    """Open a holding for each official at a post without one (from the day the account was made)."""
    users = [u for u in users if u.role in OFFICIAL_ROLES and u.unit_code]
    if not users:
        return
    held = set(
        session.scalars(
            select(Holding.user_id).where(Holding.user_id.in_([u.id for u in users]), Holding.ended_on.is_(None))
        )
    )
    for u in users:
        if u.id not in held:
            start = clock.local_date(u.created_at) if u.created_at else clock.today()
            session.add(Holding(user_id=u.id, unit_code=u.unit_code or "", role=u.role, started_on=start, reason=""))
    session.flush()


def move(session: Session, user: User, post: str, day: date, reason: str) -> None:
    """The official leaves their post for ``post`` on ``day``: the holding closes, a new one opens."""
    ensure(session, [user])
    held = current(session, user.id)
    if held is not None:
        held.ended_on = day
    user.unit_code = post
    session.add(Holding(user_id=user.id, unit_code=post, role=user.role, started_on=day, reason=reason))
    session.flush()


def move_many(session: Session, moves: list[tuple[User, str]], day: date, reason: str) -> None:
    """``move`` for many officials at once (a reorganisation): one query and one flush."""
    if not moves:
        return
    ensure(session, [u for u, _post in moves])
    held = {
        h.user_id: h
        for h in session.scalars(
            select(Holding).where(Holding.user_id.in_([u.id for u, _ in moves]), Holding.ended_on.is_(None))
        )
    }
    for user, post in moves:
        if user.id in held:
            held[user.id].ended_on = day
        user.unit_code = post
        session.add(Holding(user_id=user.id, unit_code=post, role=user.role, started_on=day, reason=reason))
    session.flush()


def history(session: Session, user_id: int) -> list[Holding]:
    return list(
        session.scalars(select(Holding).where(Holding.user_id == user_id).order_by(Holding.started_on, Holding.id))
    )
