"""Browser sessions, CSRF tokens and rate limits for the portal's pages.

Sessions are signed cookies (Starlette's ``SessionMiddleware``, itsdangerous): HttpOnly, SameSite=Lax,
Secure unless ``MOTCUA_SECURE_COOKIES=0`` (the demo on plain http). The signing key comes from
``MOTCUA_SECRET_KEY`` or a file ``var/secret_key`` created on first run. Every form carries a CSRF token
bound to the session and every POST checks it. The cookie holds the account id and the CSRF token only:
no personal data.
"""

from __future__ import annotations

import hmac
import os
import secrets
import threading
import time
from collections import deque
from pathlib import Path

from fastapi import Request

from motcua.api.errors import ApiError
from motcua.i18n import N_

SESSION_MAX_AGE = 8 * 3600  # a working day; signing in again after that is a small cost


def secret_key() -> str:
    key = os.environ.get("MOTCUA_SECRET_KEY")
    if key:
        return key
    path = Path(os.environ.get("MOTCUA_SECRET_FILE", Path.cwd() / "var" / "secret_key"))
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(key)
    return key


def secure_cookies() -> bool:
    return os.environ.get("MOTCUA_SECURE_COOKIES", "1") != "0"


def csrf_token(request: Request) -> str:
    token = request.session.get("csrf")
    if not token:
        token = secrets.token_urlsafe(32)
        request.session["csrf"] = token
    return str(token)


def check_csrf(request: Request, submitted: str | None) -> None:
    expected = request.session.get("csrf")
    if not expected or not submitted or not hmac.compare_digest(str(expected), submitted):
        raise ApiError(403, "csrf", N_("This form has expired. Reload the page and send it again."))


class RateLimit:
    """At most ``limit`` events per ``window`` seconds per key (client address, account…), in memory:
    per process, which is what a counter in front of a password check needs."""

    def __init__(self, limit: int, window: float) -> None:
        self.limit, self.window = limit, window
        self._events: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def allow(self, key: str) -> bool:
        now = time.monotonic()
        with self._lock:
            events = self._events.setdefault(key, deque())
            while events and events[0] <= now - self.window:
                events.popleft()
            if len(events) >= self.limit:
                return False
            events.append(now)
            if len(self._events) > 100_000:
                self._events = {k: v for k, v in self._events.items() if v and v[-1] > now - self.window}
            return True


def client_address(request: Request) -> str:
    return request.client.host if request.client else "-"
