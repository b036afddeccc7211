"""Fact tables (GOV.UK Notify's way: statistics read from small aggregates, never from all dossiers).

``fact_dossier_days``: what happened on a day, per place (province, commune, receiving centre, deciding
agency), procedure and channel. ``fact_open_dossiers``: dossiers in progress per the same keys and due
date, so "in progress" and "overdue on day D" are sums over a few rows.

Each is kept at three grains (``GRAINS``), written together: per place, per commune and per
province. With ten million dossiers the place grain holds millions of rows; the national ranking
reads the province grain (34 rows a day) and a province's page the commune grain.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from motcua.db import Base

PLACE_KEYS = ("province_code", "commune_code", "centre_identifier", "agency_code", "procedure_code", "channel")
DAY_COUNTERS = (
    "received",
    "online",
    "early",
    "on_time",
    "late",
    "digitised",
    "fee_due",
    "paid_online",
    "rated",
    "dissatisfied",
    "complained",
    "reused",
)


GRAINS: dict[str, tuple[str, ...]] = {  # the keys each grain of the facts is counted under
    "province": ("province_code",),
    "commune": ("province_code", "commune_code"),
    "place": PLACE_KEYS,
}


class ProvinceKey:
    province_code: Mapped[str] = mapped_column(String(2), index=True)


class CommuneKey(ProvinceKey):
    commune_code: Mapped[str] = mapped_column(String(5), index=True)


class Place(CommuneKey):
    """The keys every fact is counted under (``PLACE_KEYS``)."""

    centre_identifier: Mapped[str] = mapped_column(String(40))
    agency_code: Mapped[str] = mapped_column(String(60))
    procedure_code: Mapped[str] = mapped_column(String(40))
    channel: Mapped[str] = mapped_column(String(12))


class Counters:
    id: Mapped[int] = mapped_column(primary_key=True)
    received: Mapped[int] = mapped_column(Integer, default=0)
    online: Mapped[int] = mapped_column(Integer, default=0)
    early: Mapped[int] = mapped_column(Integer, default=0)
    on_time: Mapped[int] = mapped_column(Integer, default=0)
    late: Mapped[int] = mapped_column(Integer, default=0)
    # Decided with digital components (online, or scanned, read and checked at the counter); every
    # result is a signed PDF.
    digitised: Mapped[int] = mapped_column(Integer, default=0)
    fee_due: Mapped[int] = mapped_column(Integer, default=0)  # payment requested (fee-bearing dossiers)
    paid_online: Mapped[int] = mapped_column(Integer, default=0)
    rated: Mapped[int] = mapped_column(Integer, default=0)
    dissatisfied: Mapped[int] = mapped_column(Integer, default=0)
    # Dossiers with a complaint or a dislike (Decision 766's satisfaction): counted once, on the day of
    # the first feedback message about the dossier or its dissatisfied rating, whichever came first.
    complained: Mapped[int] = mapped_column(Integer, default=0)
    # Received reusing documents of the applicant's store instead of new papers (motcua.digitisation).
    reused: Mapped[int] = mapped_column(Integer, default=0)


class DayCounters(Counters):
    day: Mapped[date] = mapped_column(Date, index=True)


class OpenCounter:
    id: Mapped[int] = mapped_column(primary_key=True)
    due_on: Mapped[date] = mapped_column(Date, index=True)
    open: Mapped[int] = mapped_column(Integer, default=0)


class FactDossierDay(DayCounters, Place, Base):
    __tablename__ = "fact_dossier_days"
    __table_args__ = (
        UniqueConstraint("day", *PLACE_KEYS, name="uq_fact_dossier_days_key"),
        Index("ix_fact_dossier_days_commune_day", "commune_code", "day"),  # a commune's procedures
    )


class FactCommuneDay(DayCounters, CommuneKey, Base):
    """``fact_dossier_days`` summed per commune: a province's dashboard reads a few thousand rows."""

    __tablename__ = "fact_commune_days"
    __table_args__ = (
        UniqueConstraint("day", *GRAINS["commune"], name="uq_fact_commune_days_key"),
        Index("ix_fact_commune_days_province_day", "province_code", "day"),  # a province's communes
    )


class FactCommuneMonth(Counters, CommuneKey, Base):
    """``fact_commune_days`` summed per month (``month``: its first day): a province's page over a year
    reads twelve rows per commune, and the days of the period's partial months from the daily rows."""

    __tablename__ = "fact_commune_months"
    __table_args__ = (
        UniqueConstraint("month", *GRAINS["commune"], name="uq_fact_commune_months_key"),
        Index("ix_fact_commune_months_province_month", "province_code", "month"),
    )

    month: Mapped[date] = mapped_column(Date)


class FactProvinceDay(DayCounters, ProvinceKey, Base):
    """``fact_dossier_days`` summed per province: the national ranking reads 34 rows a day."""

    __tablename__ = "fact_province_days"
    __table_args__ = (UniqueConstraint("day", *GRAINS["province"], name="uq_fact_province_days_key"),)


class FactOpenDossiers(OpenCounter, Place, Base):
    __tablename__ = "fact_open_dossiers"
    __table_args__ = (UniqueConstraint("due_on", *PLACE_KEYS, name="uq_fact_open_dossiers_key"),)


class FactCommuneOpen(OpenCounter, CommuneKey, Base):
    __tablename__ = "fact_commune_open"
    __table_args__ = (UniqueConstraint("due_on", *GRAINS["commune"], name="uq_fact_commune_open_key"),)


class FactProvinceOpen(OpenCounter, ProvinceKey, Base):
    __tablename__ = "fact_province_open"
    __table_args__ = (UniqueConstraint("due_on", *GRAINS["province"], name="uq_fact_province_open_key"),)


DAY_TABLES: dict[str, type[Base]] = {
    "province": FactProvinceDay,
    "commune": FactCommuneDay,
    "place": FactDossierDay,
}
OPEN_TABLES: dict[str, type[Base]] = {
    "province": FactProvinceOpen,
    "commune": FactCommuneOpen,
    "place": FactOpenDossiers,
}


FEEDBACK_KEYS = ("province_code", "commune_code", "agency_code", "about")
FEEDBACK_COUNTERS = (
    "received",
    "transferred_in",
    "forwarded",
    "accepted",
    "declined",
    "merged",
    "classify_on_time",
    "classify_late",
    "forward_on_time",
    "forward_late",
    "handle_on_time",
    "handle_late",
    "publish_on_time",
    "publish_late",
    "published",
    "reopen_requested",
    "reopened",
    "rated",
    "dissatisfied",
)


class FactFeedbackDay(Base):
    """What happened to feedback messages on a day, per agency that had them (its province), the
    commune they concern ("" when none) and what they are about. A stage counts as on time or late
    when it closes (classification, forwarding, handling, publication), against the agency that had
    the message then; a forwarded message is ``forwarded`` at the first agency and ``transferred_in``
    at the second. One row per agency and day: a province's month is a sum over a few thousand rows."""

    __tablename__ = "fact_feedback_days"
    __table_args__ = (
        UniqueConstraint("day", *FEEDBACK_KEYS, name="uq_fact_feedback_days_key"),
        Index("ix_fact_feedback_days_province_day", "province_code", "day"),
        Index("ix_fact_feedback_days_agency_day", "agency_code", "day"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date)
    province_code: Mapped[str] = mapped_column(String(2))
    commune_code: Mapped[str] = mapped_column(String(5))
    agency_code: Mapped[str] = mapped_column(String(60))
    about: Mapped[str] = mapped_column(String(12))
    received: Mapped[int] = mapped_column(Integer, default=0)
    transferred_in: Mapped[int] = mapped_column(Integer, default=0)
    forwarded: Mapped[int] = mapped_column(Integer, default=0)
    accepted: Mapped[int] = mapped_column(Integer, default=0)
    declined: Mapped[int] = mapped_column(Integer, default=0)
    merged: Mapped[int] = mapped_column(Integer, default=0)
    classify_on_time: Mapped[int] = mapped_column(Integer, default=0)
    classify_late: Mapped[int] = mapped_column(Integer, default=0)
    forward_on_time: Mapped[int] = mapped_column(Integer, default=0)
    forward_late: Mapped[int] = mapped_column(Integer, default=0)
    handle_on_time: Mapped[int] = mapped_column(Integer, default=0)
    handle_late: Mapped[int] = mapped_column(Integer, default=0)
    publish_on_time: Mapped[int] = mapped_column(Integer, default=0)
    publish_late: Mapped[int] = mapped_column(Integer, default=0)
    published: Mapped[int] = mapped_column(Integer, default=0)
    reopen_requested: Mapped[int] = mapped_column(Integer, default=0)
    reopened: Mapped[int] = mapped_column(Integer, default=0)
    rated: Mapped[int] = mapped_column(Integer, default=0)
    dissatisfied: Mapped[int] = mapped_column(Integer, default=0)
