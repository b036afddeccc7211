"""Actors and paths to each state, for the dossier tests."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from motcua.accounts.service import Actor, actor_of, create_user
from motcua.calendar.working import default_calendar
from motcua.catalog.models import ServiceCentre
from motcua.catalog.routing import CatalogSnapshot
from motcua.dossiers.models import Dossier
from motcua.dossiers.service import Applicant, SubmitRequest, act, submit

SAI_GON = "26740"
T0 = datetime(2026, 6, 1, 9, 0)  # a Monday


def calendar_for(province: str) -> Any:
    return default_calendar(province)


class World:
    """A citizen and officials of Phường Sài Gòn (and strangers), with a catalog snapshot."""

    def __init__(self, session: Session, tag: str, snapshot: CatalogSnapshot | None = None) -> None:
        self.session = session
        self.snapshot = snapshot or CatalogSnapshot.load(session)
        self.centre = session.scalars(
            select(ServiceCentre.identifier).where(ServiceCentre.commune_code == SAI_GON)
        ).one()
        self.other_centre = session.scalars(
            select(ServiceCentre.identifier).where(ServiceCentre.commune_code == "25747")
        ).one()

        def user(name: str, role: str, unit: str | None, pid: str | None = None) -> Actor:
            return actor_of(create_user(session, f"{tag}-{name}", role, unit_code=unit, personal_id=pid))

        self.citizen = user("citizen", "citizen", None, "079123456789")
        self.stranger = user("stranger", "citizen", None, "001098765432")
        self.reception = user("reception", "reception_officer", self.centre)
        self.other_reception = user("other-reception", "reception_officer", self.other_centre)
        self.officer = user("officer", "processing_officer", f"{SAI_GON}.economy")
        self.leader = user("leader", "leader", f"{SAI_GON}.UBND")
        self.other_leader = user("other-leader", "leader", "25747.UBND")
        self.by_role = {
            "citizen": self.citizen,
            "reception_officer": self.reception,
            "processing_officer": self.officer,
            "leader": self.leader,
        }

    def request(self, **changes: Any) -> SubmitRequest:
        data: dict[str, Any] = {
            "procedure_code": "1.001612",
            "centre_identifier": self.centre,
            "subject_commune_code": SAI_GON,
            "applicant": Applicant("citizen", "079123456789", "Nguyễn Văn An", "0901234567"),
            "form": {
                "business_name": "Tạp hóa An",
                "business_address": "12 Lê Lợi, Phường Sài Gòn",
                "activities": ["Bán lẻ"],
                "capital_vnd": 50_000_000,
            },
        }
        data.update(changes)
        return SubmitRequest(**data)

    def submit(self, at: datetime = T0, **changes: Any) -> Dossier:
        return submit(self.session, self.citizen, self.request(**changes), at, self.snapshot, calendar_for)[0]

    def act(
        self, dossier: Dossier, name: str, actor: Actor | None = None, at: datetime | None = None, **payload: Any
    ) -> Dossier:
        who = actor or self.default_actor(name)
        return act(
            self.session,
            who,
            dossier.code,
            name,
            at or T0 + timedelta(hours=1 + dossier.event_count),
            calendar_for,
            payload,
        )

    def default_actor(self, name: str) -> Actor:
        from motcua.dossiers.states import TRANSITIONS

        roles = TRANSITIONS[name].roles
        for role in ("leader", "processing_officer", "reception_officer", "citizen"):
            if role in roles:
                return self.by_role[role]
        raise AssertionError(name)

    def in_state(self, state: str, at: datetime = T0) -> Dossier:
        """A new dossier brought to ``state`` by the shortest legal path (submitted ``at``)."""
        d = self.submit(at=at)
        paths = {
            "submitted": [],
            "accepted": ["accept"],
            "processing": ["accept", "transfer"],
            "awaiting_signature": ["accept", "transfer", ("submit_for_signature", {"proposal": "approve"})],
            "rejected": [("reject", {"reason": "Không đúng thẩm quyền"})],
            "supplement_requested": [
                "accept",
                "transfer",
                ("request_supplement", {"reason": "Thiếu giấy tờ", "missing": ["Bản sao CCCD"]}),
            ],
            "payment_requested": ["accept", "transfer", ("request_payment", {"amount_vnd": 100_000})],
            "withdrawal_requested": ["accept", "request_withdrawal"],
            "processed": ["accept", "transfer", "approve"],
            "stopped": ["accept", "request_withdrawal", ("stop", {"reason": "Công dân rút hồ sơ"})],
            "returned": ["accept", "transfer", "approve", "return_result"],
        }
        for step in paths[state]:
            name, payload = step if isinstance(step, tuple) else (step, {})
            actor = self.reception if name == "stop" else None
            self.act(d, name, actor, at=at + timedelta(hours=1 + d.event_count), **payload)
        assert d.status == state
        return d
