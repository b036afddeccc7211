"""A transfer proposed by the workload, decided by the province: accepted, the official moves to a
post of the same role in the unit short of staff and the open dossiers assigned to them are reassigned
in the same transaction to the colleague with the fewest; declined, it is not proposed again."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from motcua import clock
from motcua.accounts.models import User
from motcua.accounts.service import Actor
from motcua.audit.trail import record
from motcua.catalog.models import Agency
from motcua.dossiers.models import Dossier
from motcua.dossiers.service import CalendarFor, reassign
from motcua.dossiers.states import FINAL
from motcua.staff import holdings
from motcua.staff.balance import Proposal, unit_of
from motcua.staff.models import Transfer


class TransferRefused(ValueError):
    """The proposal no longer holds (the official moved or left meanwhile)."""


def decide(
    session: Session,
    actor: Actor,
    province: str,
    proposal: Proposal,
    accept: bool,
    at: datetime,
    calendar_for: CalendarFor,
) -> Transfer:
    user = session.get(User, proposal.user_id, with_for_update=True)
    if user is None or user.disabled_at is not None or user.role != proposal.role:
        raise TransferRefused(f"official {proposal.user_id} is not a {proposal.role} any more")
    if user.unit_code != proposal.from_post or unit_of(proposal.role, user.unit_code) != proposal.from_unit:
        raise TransferRefused(f"{user.username} is no longer at {proposal.from_post}")
    at = clock.aware(at)
    transfer = Transfer(
        province_code=province,
        user_id=user.id,
        role=proposal.role,
        from_unit=proposal.from_unit,
        to_unit=proposal.to_unit,
        from_post=proposal.from_post,
        status="accepted" if accept else "declined",
        figures=proposal.figures,
        decided_by=actor.user_id,
        decided_at=at,
        reassigned=0,
    )
    session.add(transfer)
    session.flush()
    if accept:
        post = _post_in(session, proposal)
        transfer.to_post = post
        transfer.reassigned = _hand_over(session, user, actor, at, calendar_for, transfer.id)
        holdings.move(session, user, post, clock.local_date(at), reason=f"transfer {transfer.id}")
    record(
        session,
        "staff_transfer_" + transfer.status,
        actor_id=actor.user_id,
        actor_role=actor.role,
        channel="web" if actor.via == "web" else "cli",
        subject=f"user:{user.id}",
        details={"transfer": transfer.id, "from": proposal.from_unit, "to": proposal.to_unit},
    )
    return transfer


def _post_in(session: Session, proposal: Proposal) -> str:
    """The official's post in the unit they go to: the same office of the other commune (the People's
    Committee when it has none), or the centre itself."""
    if proposal.role == "reception_officer":
        return proposal.to_unit
    suffix = proposal.from_post.split(".", 1)[1] if "." in proposal.from_post else "UBND"
    wanted = f"{proposal.to_unit}.{suffix}"
    exists = session.scalar(select(func.count()).select_from(Agency).where(Agency.code == wanted))
    return wanted if exists else f"{proposal.to_unit}.UBND"


def _hand_over(
    session: Session, user: User, actor: Actor, at: datetime, calendar_for: CalendarFor, transfer_id: int
) -> int:
    """The open dossiers assigned to ``user`` go to the colleague (same role, same agency) with the
    fewest open ones, or to nobody for the agency's leader to assign."""
    open_dossiers = session.scalars(
        select(Dossier).where(Dossier.assigned_to == user.id, Dossier.status.not_in(sorted(FINAL))).order_by(Dossier.id)
    ).all()
    if not open_dossiers:
        return 0
    colleagues = session.scalars(
        select(User).where(
            User.role == user.role, User.unit_code == user.unit_code, User.id != user.id, User.disabled_at.is_(None)
        )
    ).all()
    load = {
        c.id: int(
            session.scalar(
                select(func.count())
                .select_from(Dossier)
                .where(Dossier.assigned_to == c.id, Dossier.status.not_in(sorted(FINAL)))
            )
            or 0
        )
        for c in colleagues
    }
    moved = 0
    for d in open_dossiers:
        chosen = min(load, key=lambda uid: (load[uid], uid)) if load else None
        reason = f"the assignee was transferred to another unit (transfer {transfer_id})"
        if reassign(session, d.code, chosen, at, calendar_for, actor, reason=reason) is not None:
            moved += 1
            if chosen is not None:
                load[chosen] += 1
    return moved
