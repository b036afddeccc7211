"""Importing the officials of every commune and province from one CSV file, all or nothing.

Columns: ``username, full_name, role, unit`` (``unit``: the centre identifier for a reception officer,
the agency code for a processing officer or a leader). Every line is checked before anything is
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

COLUMNS = ("username", "full_name", "role", "unit")
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
    source = read_csv(text, COLUMNS)
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
                    "activation_sha256": _digest(code),
                }
            )
        elif (user.full_name, user.role, user.unit_code) != (row["full_name"], row["role"], row["unit"]):
            user.full_name, user.role, user.unit_code = row["full_name"], row["role"], row["unit"]
            report.updated += 1
        else:
            report.unchanged += 1
    if new:
        session.execute(insert(User), new)  # one executemany for thousands of rows
    report.created = len(new)
    session.flush()
    return report


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
