"""A committed world for the notification tests: World's actors in a database the sender reads."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from motcua import db
from motcua.dossiers.models import Dossier
from motcua.dossiers.service import Applicant
from motcua.notifications.models import Notification
from tests.dossiers.helpers import T0, World

EMAIL, PHONE = "an.nguyen@example.vn", "0901234567"


def applicant(channels: list[str], email: str = EMAIL, phone: str = PHONE) -> Applicant:
    return Applicant("citizen", "079123456789", "Nguyễn Văn An", phone, email, channels)


class Committed:
    """Each call is its own committed transaction, like the portal's requests."""

    def __init__(self, factory: sessionmaker[Session], tag: str) -> None:
        self.factory = factory
        with db.transaction(factory) as s:
            w = World(s, tag)
            self.snapshot = w.snapshot
            self.actors = {
                "citizen": w.citizen,
                "reception": w.reception,
                "officer": w.officer,
                "leader": w.leader,
            }
            self.centre = w.centre
        self.tag = tag

    def world(self, s: Session) -> World:
        w = World.__new__(World)
        w.session, w.snapshot, w.centre = s, self.snapshot, self.centre
        w.citizen, w.reception = self.actors["citizen"], self.actors["reception"]
        w.officer, w.leader = self.actors["officer"], self.actors["leader"]
        w.by_role = {
            "citizen": w.citizen,
            "reception_officer": w.reception,
            "processing_officer": w.officer,
            "leader": w.leader,
        }
        return w

    def submit(self, at: datetime = T0, **changes: Any) -> str:
        with db.transaction(self.factory) as s:
            return self.world(s).submit(at=at, **changes).code

    def act(self, code: str, name: str, at: datetime, **payload: Any) -> None:
        with db.transaction(self.factory) as s:
            w = self.world(s)
            d = s.scalars(select(Dossier).where(Dossier.code == code)).one()
            actor = w.reception if name in ("accept", "transfer", "return_result") else None
            w.act(d, name, actor, at=at, **payload)

    def notifications(self, code: str) -> list[Notification]:
        with self.factory() as s:
            return list(
                s.scalars(select(Notification).where(Notification.dossier_code == code).order_by(Notification.id))
            )


def hours(n: float) -> timedelta:
    return timedelta(hours=n)
