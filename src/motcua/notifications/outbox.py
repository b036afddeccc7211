"""Writing notifications: rows added in the transaction of the event that causes them, rendered from
their template, each once (a second write of the same source, recipient and channel does nothing)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import Connection, Table
from sqlalchemy.dialects import postgresql, sqlite

from motcua.notifications.models import Notification
from motcua.notifications.templates import Money, Rendered, render

NOTIFICATIONS = cast(Table, Notification.__table__)
INSERT = {
    "postgresql": postgresql.insert(NOTIFICATIONS).on_conflict_do_nothing(constraint="uq_notifications_source"),
    "sqlite": sqlite.insert(NOTIFICATIONS).on_conflict_do_nothing(),
}


@dataclass(frozen=True)
class Wanted:
    """One message to write: to whom, on which channel, from which template and values."""

    source: str
    recipient: str  # applicant | user:<id>
    channel: str
    address: str
    language: str
    template: str
    values: dict[str, Any]
    user_id: int | None = None
    dossier_code: str | None = None
    fallback_of: int | None = None


def stored(value: Any) -> Any:
    """A parameter as JSON, tagged where JSON has no type for it (a date, an amount of money), so
    that the message can be rendered again on another channel (``restored``)."""
    if isinstance(value, Money):
        return {"vnd": value.amount_vnd}
    if isinstance(value, date):
        return {"date": value.isoformat()}
    if isinstance(value, list | tuple):
        return [stored(v) for v in value]
    return value


def restored(value: Any) -> Any:
    if isinstance(value, dict):
        if "vnd" in value:
            return Money(int(value["vnd"]))
        if "date" in value:
            return date.fromisoformat(str(value["date"]))
        return {k: restored(v) for k, v in value.items()}
    if isinstance(value, list):
        return [restored(v) for v in value]
    return value


Memo = dict[tuple[str, str, int], tuple[Rendered, dict[str, Any]]]


def row(w: Wanted, at: datetime, memo: Memo | None = None) -> dict[str, Any]:
    # One event's channels share their values: rendered and stored once per template and language.
    key = (w.template, w.language, id(w.values))
    done = memo.get(key) if memo is not None else None
    if done is None:
        done = (render(w.template, w.language, w.values), {k: stored(v) for k, v in w.values.items() if v is not None})
        if memo is not None:
            memo[key] = done
    text, params = done
    inbox = w.channel == "inbox"  # the inbox is a table: delivered as it is written
    return {
        "source": w.source,
        "recipient": w.recipient,
        "user_id": w.user_id,
        "dossier_code": w.dossier_code,
        "channel": w.channel,
        "address": w.address,
        "language": text.language,
        "template": w.template,
        "template_version": text.version,
        "params": params,
        "subject": text.subject,
        "body": text.body if w.channel in ("email", "inbox") else text.sms,
        "status": "delivered" if inbox else "created",
        "attempts": 0,
        "next_attempt_at": at,
        "provider": "inbox" if inbox else "",
        "provider_reference": "",
        "last_error": "",
        "fallback_of": w.fallback_of,
        "created_at": at,
        "sent_at": at if inbox else None,
        "delivered_at": at if inbox else None,
        "read_at": None,
    }


def write(connection: Connection, wanted: list[Wanted], at: datetime) -> None:
    if wanted:
        memo: Memo = {}  # the values outlive the memo, so an id() is never reused within it
        connection.execute(INSERT[connection.dialect.name], [row(w, at, memo) for w in wanted])
