"""The dossiers' subscriber: each step that concerns the applicant (``data/events.toml``) writes a
message on each channel they chose, in their language; an assignment tells the assignee. Written in
the step's transaction: the message exists if and only if the step does."""

from __future__ import annotations

import tomllib
from datetime import datetime
from functools import cache
from importlib.resources import files
from typing import Any, Literal, cast

from cachetools import LRUCache
from sqlalchemy import Connection, Table, bindparam, select

from motcua.accounts.models import User
from motcua.catalog.models import ProcedureVersion
from motcua.dossiers.models import Dossier
from motcua.dossiers.subscribers import Change
from motcua.feedback.models import FeedbackMessage
from motcua.feedback.subscribers import FeedbackChange
from motcua.notifications import providers
from motcua.notifications.contacts import email_problem, is_mobile
from motcua.notifications.models import CITIZEN_CHANNELS
from motcua.notifications.outbox import Wanted, write
from motcua.notifications.templates import Money
from motcua.settings import Settings, get_settings


@cache
def rules() -> dict[str, dict[str, str]]:
    raw = tomllib.loads(files("motcua.notifications").joinpath("data/events.toml").read_text("utf-8"))
    return {part: dict(raw.get(part, {})) for part in ("applicant", "assignee", "feedback")}


_channels: dict[int, tuple[Settings, frozenset[str]]] = {}


def sending_channels() -> frozenset[str]:
    """The channels this configuration has a provider for (the inbox always)."""
    settings = get_settings()
    known = _channels.get(id(settings))
    if known is None or known[0] is not settings:
        known = (settings, frozenset(providers.chosen(settings)) | {"inbox"})
        _channels[id(settings)] = known
    return known[1]


def reachable(channel: str, email: str | None, phone: str | None) -> str:
    """The address on ``channel`` among a person's e-mail and phone, or "" when none can receive it
    (an e-mail address that cannot be sent to, a fixed line for an SMS or app message)."""
    if channel == "email":
        return email if email and email_problem(email) is None else ""
    if channel in ("sms", "app"):
        return phone if phone and is_mobile(phone) else ""
    return ""


def address_for(d: Dossier, channel: str) -> str:
    """The applicant's address on ``channel``, or "" when they gave none that can receive it."""
    return reachable(channel, d.applicant_email, d.applicant_phone)


def applicant_channels(d: Dossier) -> list[tuple[str, str]]:
    """(channel, address) to write on: the applicant's choice in order (by default e-mail, then SMS),
    those with an address and a provider."""
    chosen = list(d.notify_channels or []) or ["email", "sms"]
    usable = sending_channels()
    found = [(c, address_for(d, c)) for c in chosen if c in CITIZEN_CHANNELS and c in usable]
    return [(c, address) for c, address in found if address]


def link_for(d: Dossier) -> str:
    base = get_settings().public_url.rstrip("/")
    return f"{base}/my/dossiers/{d.code}" if d.owner_id is not None else f"{base}/track/{d.code}"


VERSIONS = cast(Table, ProcedureVersion.__table__)
NAMES = select(VERSIONS.c.name_vi, VERSIONS.c.name_fr, VERSIONS.c.name_en).where(VERSIONS.c.id == bindparam("id"))
_names: LRUCache[int, tuple[str, str, str]] = LRUCache(maxsize=4096)


def procedure_name(connection: Connection, version_id: int, language: str) -> str:
    """The procedure's name in ``language`` (Vietnamese when it has no translation)."""
    names = _names.get(version_id)
    if names is None:
        found = connection.execute(NAMES, {"id": version_id}).first()
        names = (found[0] or "", found[1] or "", found[2] or "") if found else ("", "", "")
        _names[version_id] = names
    vi, fr, en = names
    return {"fr": fr, "en": en}.get(language, "") or vi


def values_for(connection: Connection, d: Dossier, change: Change, language: str) -> dict[str, Any]:
    p = change.payload
    amount = p.get("amount_vnd")
    return {
        "code": d.code,
        "procedure": procedure_name(connection, d.procedure_version_id, language),
        "due": change.after.due_on,
        "reason": str(p.get("reason", "")) or None,
        "missing": [str(m) for m in p.get("missing", [])] or None,
        "amount": Money(amount) if isinstance(amount, int) else None,
        "new_due": p.get("new_due") and datetime.fromisoformat(str(p["new_due"])).date(),
        "previous_due": p.get("previous_due") and datetime.fromisoformat(str(p["previous_due"])).date(),
        "link": link_for(d),
    }


USERS = cast(Table, User.__table__)
OFFICIAL = select(USERS.c.email).where(USERS.c.id == bindparam("id"))


def on_dossier_change(change: Change) -> None:
    d = change.dossier
    applicant_template = rules()["applicant"].get(change.transition)
    assignee_template = rules()["assignee"].get(change.transition)
    if applicant_template is None and assignee_template is None:
        return
    connection = change.session.connection()
    source = f"dossier:{d.code}:{change.seq}"
    wanted: list[Wanted] = []
    if applicant_template is not None:
        values = values_for(connection, d, change, d.language)
        for channel, address in applicant_channels(d):
            wanted.append(
                Wanted(
                    source,
                    "applicant",
                    channel,
                    address,
                    d.language,
                    applicant_template,
                    values,
                    dossier_code=d.code,
                )
            )
    if assignee_template is not None and isinstance(change.payload.get("user_id"), int):
        wanted += official_messages(
            connection, source, change.payload["user_id"], assignee_template, values_for(connection, d, change, "vi"), d
        )
    write(connection, wanted, change.at)


def official_messages(
    connection: Connection,
    source: str,
    user_id: int,
    template: str,
    values: dict[str, Any],
    d: Dossier | None,
    email: str | Literal[False] | None = False,
) -> list[Wanted]:
    """An official's messages: the inbox always, and e-mail when their account has an address and
    e-mail is configured. Officials read Vietnamese. ``email``: the address when the caller has read
    it already (None: none), else it is read here."""
    recipient = f"user:{user_id}"
    code = d.code if d is not None else None
    wanted = [Wanted(source, recipient, "inbox", "", "vi", template, values, user_id=user_id, dossier_code=code)]
    if email is False:
        email = connection.execute(OFFICIAL, {"id": user_id}).scalar()
    if email and "email" in sending_channels():
        wanted.append(
            Wanted(source, recipient, "email", email, "vi", template, values, user_id=user_id, dossier_code=code)
        )
    return wanted


def on_feedback_change(change: FeedbackChange) -> None:
    """The feedback's subscriber (``feedback.subscribers``): a step that concerns the sender
    (``[feedback]`` of ``data/events.toml``) sends an e-mail and an SMS where they gave an address, in
    their language. A published answer also goes to the senders of every message merged into this one."""
    session, m, step, seq, payload, at = (
        change.session, change.message, change.step, change.seq, change.payload, change.at
    )  # fmt: skip
    template = rules()["feedback"].get(step)
    if template is None:
        return
    base = get_settings().public_url.rstrip("/")
    usable = sending_channels()
    senders = [m]
    if step == "publish":
        senders += list(session.scalars(select(FeedbackMessage).where(FeedbackMessage.original_code == m.code)))
    wanted: list[Wanted] = []
    for sender in senders:
        values = {
            "code": sender.code,
            "question": payload.get("reason"),
            "link": f"{base}/feedback/track/{sender.code}",
        }
        source = f"feedback:{m.code}:{seq}" + ("" if sender is m else f":{sender.code}")
        for channel in ("email", "sms"):
            address = reachable(channel, sender.sender_email, sender.sender_phone)
            if address and channel in usable:
                wanted.append(Wanted(source, "applicant", channel, address, sender.language, template, values))
    write(session.connection(), wanted, at)
