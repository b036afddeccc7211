"""Shortage and excess of staff in a province: loads against the median, transfers proposed from the
units with staff to spare, accepted one by one (open dossiers handed over in the same step) or
declined (not proposed again)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from motcua.accounts.models import User
from motcua.accounts.service import Actor, actor_of, create_user
from motcua.catalog.routing import CatalogSnapshot
from motcua.dossiers.integrity import verify
from motcua.dossiers.models import Dossier
from motcua.dossiers.service import act, submit
from motcua.indicators import facts
from motcua.staff.balance import balance
from motcua.staff.holdings import history
from motcua.staff.models import Post, Transfer
from motcua.staff.posts import import_posts
from motcua.staff.transfers import TransferRefused, decide
from tests.dossiers.helpers import calendar_for
from tests.reorganisation.files import BEN_THANH, CAU_ONG_LANH, SAI_GON
from tests.reorganisation.test_merger import centre_of, request

TODAY = date(2026, 12, 7)


def decided(session: Session, commune: str, n: int) -> None:
    """``n`` dossiers decided on time by the commune's People's Committee in the period."""
    place = ("79", commune, f"centre-{commune}", f"{commune}.UBND", "1.001612", "online")
    facts.write(session, [(TODAY - timedelta(days=10), place, "on_time", n)], [])


def test_loads_proposals_and_a_transfer_accepted_then_one_declined(session: Session) -> None:
    officials = {
        SAI_GON: ["sg-1"],  # one official for 90 dossiers: short of staff
        BEN_THANH: ["bt-1", "bt-2", "bt-3", "bt-4"],  # four for 8: staff to spare
        CAU_ONG_LANH: ["col-1", "col-2"],  # two for 40: the median
    }
    users = {}
    for commune, names in officials.items():
        for name in names:
            users[name] = create_user(session, f"staff-{name}", "processing_officer", unit_code=f"{commune}.economy")
            # at their posts since before the period (the account's day opens the holding, whatever today is)
            users[name].created_at = datetime(2026, 11, 1, 2, 0, tzinfo=UTC)
    decided(session, SAI_GON, 90)
    decided(session, BEN_THANH, 8)
    decided(session, CAU_ONG_LANH, 40)
    added, _updated, errors = import_posts(
        session,
        f"unit,role,established\n{SAI_GON}.economy,processing_officer,3\n{BEN_THANH}.economy,processing_officer,2\n",
    )
    assert (added, errors) == (2, [])
    assert import_posts(session, "unit,role,established\n99999.economy,clerk,x\n")[2] == [
        "line 2, unit: no agency or centre '99999.economy'",
        "line 2, role: 'clerk' is not one of reception_officer, processing_officer, leader",
        "line 2, established: 'x' is not a number of posts (0–10000)",
    ]

    # A dossier of Bến Thành assigned to the official who will be proposed (the one with fewest is bt-1… all
    # have none: the first by name), to be handed over on the transfer.
    snapshot = CatalogSnapshot.load(session)
    citizen = actor_of(create_user(session, "staff-citizen", "citizen", personal_id="079123456789"))
    reception = actor_of(
        create_user(session, "staff-reception", "reception_officer", unit_code=centre_of(session, BEN_THANH))
    )
    leader = actor_of(create_user(session, "staff-leader", "leader", unit_code=f"{BEN_THANH}.UBND"))
    at = datetime(2026, 12, 1, 9, 0)
    d, _ = submit(session, citizen, request(centre_of(session, BEN_THANH), BEN_THANH, 1), at, snapshot, calendar_for)
    act(session, reception, d.code, "accept", at + timedelta(hours=1), calendar_for)
    act(session, reception, d.code, "transfer", at + timedelta(hours=2), calendar_for)
    act(session, leader, d.code, "assign", at + timedelta(hours=3), calendar_for, {"user_id": users["bt-2"].id})

    b = balance(session, "79", "processing_officer", TODAY)
    loads = {u.unit: u for u in b.units}
    assert b.median == 20.0
    assert (loads[SAI_GON].status, loads[BEN_THANH].status, loads[CAU_ONG_LANH].status) == (
        "shortage",
        "excess",
        "balanced",
    )
    assert (loads[SAI_GON].established, loads[SAI_GON].vacancies, loads[BEN_THANH].vacancies) == (3, 2, 0)
    assert [(p.from_unit, p.to_unit) for p in b.proposals] == [(BEN_THANH, SAI_GON), (BEN_THANH, SAI_GON)]
    assert b.proposals[0].username == "staff-bt-1"  # the fewest open dossiers (bt-2 has one)
    assert b.proposals[0].figures["to_per_official"] == 90.0 and b.proposals[0].figures["to_after"] == 45.0

    admin = Actor(create_user(session, "staff-admin", "admin").id, "staff-admin", "admin", None, via="web")
    # bt-2 holds the dossier: propose them by hand (as the page does after a first acceptance).
    proposal = b.proposals[0]
    proposal.user_id, proposal.username, proposal.from_post = users["bt-2"].id, "staff-bt-2", f"{BEN_THANH}.economy"
    transfer = decide(session, admin, "79", proposal, True, datetime(2026, 12, 7, 10, 0), calendar_for)
    assert (transfer.status, transfer.to_post, transfer.reassigned) == ("accepted", f"{SAI_GON}.economy", 1)
    moved = session.get(User, users["bt-2"].id)
    assert moved is not None and moved.unit_code == f"{SAI_GON}.economy"
    held = history(session, moved.id)
    assert [(h.unit_code, h.ended_on) for h in held] == [(f"{BEN_THANH}.economy", TODAY), (f"{SAI_GON}.economy", None)]
    dossier = session.scalars(select(Dossier).where(Dossier.code == d.code)).one()
    assert dossier.assigned_to in {users[n].id for n in ("bt-1", "bt-3", "bt-4")}
    assert dossier.events[-1].transition == "assign" and dossier.events[-1].actor_role == "admin"
    assert verify(dossier, calendar_for).ok
    try:
        decide(session, admin, "79", proposal, True, datetime(2026, 12, 7, 10, 1), calendar_for)
        raise AssertionError("a transfer taken twice")
    except TransferRefused as refused:
        assert "no longer at" in str(refused)

    after = balance(session, "79", "processing_officer", TODAY)
    assert {u.unit: u.holders for u in after.units}[SAI_GON] == 2
    second = after.proposals[0]
    assert (second.from_unit, second.to_unit) == (BEN_THANH, SAI_GON)
    declined = decide(session, admin, "79", second, False, datetime(2026, 12, 7, 10, 5), calendar_for)
    assert declined.status == "declined"
    again = balance(session, "79", "processing_officer", TODAY)
    assert all(p.user_id != second.user_id for p in again.proposals)  # a declined proposal is not made again
    assert session.scalar(select(Post.established).where(Post.unit_code == f"{SAI_GON}.economy")) == 3
    assert len(session.scalars(select(Transfer)).all()) == 2
