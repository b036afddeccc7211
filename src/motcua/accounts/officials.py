"""Importing the officials of every commune and province from one CSV file, all or nothing.

Columns: ``username, full_name, role, unit`` and, optionally, ``email`` (``unit``: the centre
identifier for a reception officer, the agency code for a processing officer or a leader; ``email``:
where the activation code is sent, and the official's alerts). Every line is checked before anything is
written: an unknown role or unit, a bad or repeated username, a missing name; the errors name the
line and the column. A username already in the database is updated (role, unit, name), so the same
file can be imported again after a change. New accounts get no password but a one-time activation
code (stored as its SHA-256), with which the official chooses a password on ``/activate``: hashing
thousands of passwords with argon2 would take minutes, and nobody has to send passwords around.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import secrets
from dataclasses import dataclass, field

from argon2 import PasswordHasher
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from motcua.accounts.models import User
from motcua.catalog.models import Agency, ServiceCentre
from motcua.csvrows import read_csv
from motcua.notifications.contacts import email_problem

COLUMNS = ("username", "full_name", "role", "unit", "email")
REQUIRED = ("username", "full_name", "role", "unit")  # email is optional: the activation code is sent to it
OFFICIAL_ROLES = ("reception_officer", "processing_officer", "leader")
USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{2,119}$")
MIN_PASSWORD = 10


@dataclass
class LineError:
    line: int
    column: str
    message: str

    def __str__(self) -> str:
        return f"line {self.line}, {self.column}: {self.message}"


@dataclass
class OfficialsImport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[LineError] = field(default_factory=list)
    codes: list[tuple[str, str]] = field(default_factory=list)  # (username, activation code), new accounts

    @property
    def ok(self) -> bool:
        return not self.errors

    def codes_csv(self) -> str:
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(["username", "activation_code"])
        writer.writerows(self.codes)
        return out.getvalue()


def _digest(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def import_officials(session: Session, text: str) -> OfficialsImport:
    """Check every line, then create or update the accounts; on any error nothing is written."""
    report = OfficialsImport()
    source = read_csv(text, COLUMNS, REQUIRED)
    if source.missing:
        report.errors.append(
            LineError(1, ", ".join(source.missing), "missing column(s); expected " + ", ".join(COLUMNS))
        )
        return report
    centres = set(session.scalars(select(ServiceCentre.identifier)))
    agencies = set(session.scalars(select(Agency.code)))
    rows: list[tuple[int, dict[str, str]]] = []
    seen: dict[str, int] = {}
    for number, row in source.rows:
        username, role, unit = row["username"].lower(), row["role"], row["unit"]
        if not USERNAME.match(username):
            report.errors.append(LineError(number, "username", "3–120 of a-z, 0-9, '.', '_', '-'"))
        elif username in seen:
            report.errors.append(LineError(number, "username", f"already on line {seen[username]}"))
        seen.setdefault(username, number)
        if not row["full_name"]:
            report.errors.append(LineError(number, "full_name", "empty"))
        if role not in OFFICIAL_ROLES:
            report.errors.append(LineError(number, "role", f"{role!r} is not one of {', '.join(OFFICIAL_ROLES)}"))
        elif role == "reception_officer" and unit not in centres:
            report.errors.append(LineError(number, "unit", f"no service centre {unit!r}"))
        elif role != "reception_officer" and unit not in agencies:
            report.errors.append(LineError(number, "unit", f"no agency {unit!r}"))
        if row["email"] and (problem := email_problem(row["email"])) is not None:
            report.errors.append(LineError(number, "email", problem))
        rows.append((number, {**row, "username": username}))
    if report.errors:
        return report
    existing = {u.username: u for u in session.scalars(select(User).where(User.username.in_(list(seen))))}
    for number, row in rows:
        user = existing.get(row["username"])
        if user is not None and user.role in ("citizen", "admin"):
            report.errors.append(LineError(number, "username", f"{row['username']!r} is a {user.role} account"))
    if report.errors:
        return report
    new = []
    for _, row in rows:
        user = existing.get(row["username"])
        if user is None:
            code = secrets.token_urlsafe(9)
            report.codes.append((row["username"], code))
            new.append(
                {
                    "username": row["username"],
                    "full_name": row["full_name"],
                    "role": row["role"],
                    "unit_code": row["unit"],
                    "email": row["email"] or None,
                    "activation_sha256": _digest(code),
                }
            )
        elif (user.full_name, user.role, user.unit_code, user.email or "") != (
            row["full_name"],
            row["role"],
            row["unit"],
            row["email"],
        ):
            user.full_name, user.role, user.unit_code = row["full_name"], row["role"], row["unit"]
            user.email = row["email"] or None
            report.updated += 1
        else:
            report.unchanged += 1
    if new:
        session.execute(insert(User), new)  # one executemany for thousands of rows
    report.created = len(new)
    session.flush()
    _send_codes(session, report, {str(r["username"]): str(r["email"]) for r in new if r["email"]})
    return report


def _send_codes(session: Session, report: OfficialsImport, emails: dict[str, str]) -> None:
    """The activation code of each new official with an e-mail address, sent by the worker (in this
    transaction: no code is sent for an import that does not commit)."""
    from motcua import clock
    from motcua.notifications.events import sending_channels
    from motcua.notifications.outbox import Wanted, write
    from motcua.settings import get_settings

    if not emails or "email" not in sending_channels():
        return
    found = session.execute(select(User.username, User.id).where(User.username.in_(list(emails))))
    ids = {username: user_id for username, user_id in found}
    link = f"{get_settings().public_url.rstrip('/')}/activate"
    wanted = [
        Wanted(
            f"activation:{username}:{_digest(code)[:16]}",
            f"user:{ids[username]}",
            "email",
            emails[username],
            "vi",
            "account_activation",
            {"username": username, "activation_code": code, "link": link},
            user_id=ids[username],
        )
        for username, code in report.codes
        if username in emails
    ]
    write(session.connection(), wanted, clock.now())


def activate(session: Session, username: str, code: str, password: str) -> User | None:
    """Set the password of an imported account with its one-time code; the code is then spent."""
    if len(password) < MIN_PASSWORD:
        raise ValueError(f"the password needs at least {MIN_PASSWORD} characters")
    user = session.scalars(select(User).where(User.username == username.strip().lower())).first()
    if user is None or not user.activation_sha256 or not secrets.compare_digest(user.activation_sha256, _digest(code)):
        return None
    user.password_hash = PasswordHasher().hash(password)
    user.activation_sha256 = None
    session.flush()
    return user
