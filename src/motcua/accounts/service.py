"""Creating accounts, checking passwords (argon2), issuing and resolving API tokens."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import VerificationError
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from motcua import clock
from motcua.accounts.models import AccountsRevision, ApiToken, User, WebSession
from motcua.settings import get_settings

# supervisor: the province's supervising office (read-only over its province, alerted of overdue
# work); inspector: reads the province's dossiers and its audit trail. Both are scoped to a province
# (their unit is the province's code).
ROLES = ("citizen", "reception_officer", "processing_officer", "leader", "supervisor", "inspector", "admin")
PROVINCE_ROLES = ("supervisor", "inspector")
_hasher = PasswordHasher()


@dataclass(frozen=True)
class Actor:
    """Who acts: the account, its role and the unit its rights are scoped to."""

    user_id: int
    username: str
    role: str
    unit_code: str | None
    personal_id: str | None = None
    via: str = "cli"  # the channel they act through: web, api, cli, exchange, worker (the audit trail)


def actor_of(user: User, via: str = "cli") -> Actor:
    return Actor(user.id, user.username, user.role, user.unit_code, user.personal_id, via)


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
    if role in PROVINCE_ROLES and not (unit_code and len(unit_code) == 2 and unit_code.isdigit()):
        raise ValueError(f"a {role} works for a province: its unit is the province's two-digit code, not {unit_code!r}")
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


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def issue_token(session: Session, user: User, label: str = "", lifetime: timedelta | None = None) -> str:
    """A new API token for ``user``, valid for ``lifetime`` (default: ``MOTCUA_TOKEN_LIFETIME_DAYS``)."""
    token = secrets.token_urlsafe(32)
    lifetime = lifetime or timedelta(days=get_settings().token_lifetime_days)
    session.add(ApiToken(user_id=user.id, token_sha256=_digest(token), label=label, expires_at=clock.now() + lifetime))
    session.flush()
    return token


def user_for_token(session: Session, token: str) -> tuple[User, datetime | None] | None:
    """The account of a token that is neither expired nor revoked, if the account is not disabled,
    and when the token expires."""
    row = session.execute(
        select(User, ApiToken.expires_at)
        .join(ApiToken, ApiToken.user_id == User.id)
        .where(ApiToken.token_sha256 == _digest(token), ApiToken.revoked_at.is_(None), User.disabled_at.is_(None))
    ).first()
    if row is None or (row.expires_at is not None and row.expires_at <= clock.now()):
        return None
    user: User = row.User
    return user, row.expires_at


def bump_revision(session: Session) -> None:
    """Tell every process to forget what it cached of accounts (tokens, sessions)."""
    session.execute(
        update(AccountsRevision).where(AccountsRevision.id == 1).values(revision=AccountsRevision.revision + 1)
    )


def accounts_revision(session: Session) -> int:
    return int(session.scalar(select(AccountsRevision.revision).where(AccountsRevision.id == 1)) or 0)


def revoke_token(session: Session, token: str | None = None, *, token_id: int | None = None) -> bool:
    """Revoke one token (by its value or id); True if one was revoked."""
    query = update(ApiToken).where(ApiToken.revoked_at.is_(None))
    query = query.where(ApiToken.token_sha256 == _digest(token)) if token else query.where(ApiToken.id == token_id)
    done: bool = session.execute(query.values(revoked_at=clock.now())).rowcount > 0  # type: ignore[attr-defined]
    if done:
        bump_revision(session)
    return done


def disable_user(session: Session, user: User, disabled: bool = True) -> None:
    """Disable (or enable again) an account: it cannot sign in, its tokens and sessions stop at once."""
    user.disabled_at = clock.now() if disabled else None
    if disabled:
        session.execute(delete(WebSession).where(WebSession.user_id == user.id))
    bump_revision(session)
    session.flush()


# -- browser sessions --------------------------------------------------------------------------------


def open_session(session: Session, user: User, max_age: int) -> str:
    """A new browser session for ``user``; returns its id (the cookie carries it, the table its digest)."""
    sid = secrets.token_urlsafe(32)
    now = clock.now()
    session.add(
        WebSession(id_sha256=_digest(sid), user_id=user.id, created_at=now, expires_at=now + timedelta(seconds=max_age))
    )
    session.execute(delete(WebSession).where(WebSession.user_id == user.id, WebSession.expires_at < now))
    session.flush()
    return sid


def session_user(session: Session, user_id: int, sid: str) -> User | None:
    """The account of a live browser session (not signed out, not expired, account not disabled)."""
    return session.scalars(
        select(User)
        .join(WebSession, WebSession.user_id == User.id)
        .where(
            WebSession.id_sha256 == _digest(sid),
            User.id == user_id,
            WebSession.expires_at > clock.now(),
            User.disabled_at.is_(None),
        )
    ).first()


def close_session(session: Session, sid: str) -> None:
    session.execute(delete(WebSession).where(WebSession.id_sha256 == _digest(sid)))
