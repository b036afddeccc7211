"""Creating accounts, checking passwords (argon2), issuing and resolving API tokens."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import VerificationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from motcua.accounts.models import ApiToken, User

ROLES = ("citizen", "reception_officer", "processing_officer", "leader", "admin")
_hasher = PasswordHasher()


@dataclass(frozen=True)
class Actor:
    """Who acts: the account, its role and the unit its rights are scoped to."""

    user_id: int
    username: str
    role: str
    unit_code: str | None
    personal_id: str | None = None


def actor_of(user: User) -> Actor:
    return Actor(user.id, user.username, user.role, user.unit_code, user.personal_id)


def create_user(
    session: Session,
    username: str,
    role: str,
    *,
    unit_code: str | None = None,
    full_name: str = "",
    password: str | None = None,
    personal_id: str | None = None,
) -> User:
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}, not {role!r}")
    if role not in ("citizen", "admin") and not unit_code:
        raise ValueError(f"an account with role {role} needs the unit it works for (--unit)")
    if session.scalars(select(User).where(User.username == username)).first():
        raise ValueError(f"the username {username!r} is taken")
    user = User(
        username=username,
        role=role,
        unit_code=unit_code,
        full_name=full_name,
        personal_id=personal_id,
        password_hash=_hasher.hash(password) if password else None,
    )
    session.add(user)
    session.flush()
    return user


def check_password(user: User, password: str) -> bool:
    if not user.password_hash:
        return False
    try:
        return _hasher.verify(user.password_hash, password)
    except VerificationError:
        return False


def issue_token(session: Session, user: User, label: str = "") -> str:
    token = secrets.token_urlsafe(32)
    session.add(ApiToken(user_id=user.id, token_sha256=hashlib.sha256(token.encode()).hexdigest(), label=label))
    session.flush()
    return token


def user_for_token(session: Session, token: str) -> User | None:
    digest = hashlib.sha256(token.encode()).hexdigest()
    row = session.scalars(select(ApiToken).where(ApiToken.token_sha256 == digest)).first()
    return session.get(User, row.user_id) if row else None
