"""Browser sessions, CSRF tokens, rate limits, sign-in back-off and security headers for the portal.

Sessions are signed cookies (Starlette's ``SessionMiddleware``, itsdangerous): HttpOnly, SameSite=Lax,
Secure unless ``MOTCUA_SECURE_COOKIES=0`` (the demo on plain http). The cookie holds the account id,
a random session id and the CSRF token, no personal data; the session id must still be in
``web_sessions`` (signing out deletes it, so a copied cookie stops working). Rate limits and the
sign-in back-off are counted by the ``limits`` library in Redis when ``MOTCUA_REDIS_URL`` is set (every
process and host shares them), else in the process.
"""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Callable
from functools import cache
from typing import Any, cast

import limits
from fastapi import Request
from limits.storage import Storage, storage_from_string
from limits.strategies import MovingWindowRateLimiter

from motcua.api.errors import ApiError
from motcua.i18n import N_
from motcua.settings import get_settings

SESSION_MAX_AGE = 8 * 3600  # a working day; signing in again after that is a small cost


def secret_key() -> str:
    return get_settings().session_secret()


def secure_cookies() -> bool:
    return get_settings().secure_cookies


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


@cache
def _storage(url: str) -> Storage:
    return cast(Storage, storage_from_string(url))


def storage() -> Storage:
    """Where counters live: Redis shared by every process (``MOTCUA_REDIS_URL``), else this process."""
    url = get_settings().redis_url
    return _storage(url if url else "memory://")


class RateLimit:
    """At most ``limit`` events per ``window`` seconds per key (client address, account…), in a moving
    window."""

    def __init__(self, limit: int | Callable[[], int], window: int, name: str = "limit") -> None:
        self.limit, self.window, self.name = limit, window, name

    def allow(self, key: str) -> bool:
        limit = self.limit() if callable(self.limit) else self.limit
        try:
            item = limits.RateLimitItemPerSecond(limit, self.window)
            return MovingWindowRateLimiter(storage()).hit(item, self.name, key)
        except Exception:  # the shared store is down: let the request through rather than refuse everyone
            return True


class SignInGuard:
    """Back-off on failed sign-ins: after ``free`` failures for an account from one address, each
    further attempt from there waits 2, 4, 8… seconds (at most 15 minutes) — the right password from
    another address, or after the wait, still works. Many failures for an account from everywhere
    (``10 × free``) slow every address the same way."""

    MAX_WAIT = 900

    def __init__(self, free: int | Callable[[], int]) -> None:
        self._free = free

    @property
    def free(self) -> int:
        return self._free() if callable(self._free) else self._free

    def _keys(self, account: str, address: str) -> tuple[str, str]:
        return f"signin:fail:{account}:{address}", f"signin:fail:{account}"

    def wait(self, account: str, address: str) -> int:
        """Seconds before this address may try this account again (0: now)."""
        try:
            store = storage()
            waits = [
                store.get_expiry(f"signin:block:{key}") - _now()
                for key in self._keys(account, address)
                if store.get(f"signin:block:{key}") > 0
            ]
        except Exception:
            return 0
        return max([0, *[int(w) + 1 for w in waits if w > 0]])

    def failed(self, account: str, address: str) -> None:
        try:
            store = storage()
            for key, free in zip(self._keys(account, address), (self.free, self.free * 10), strict=True):
                count = store.incr(key, self.MAX_WAIT)
                if count >= free:
                    block = f"signin:block:{key}"
                    store.clear(block)
                    store.incr(block, min(2 ** (count - free + 1), self.MAX_WAIT))
        except Exception:
            return

    def succeeded(self, account: str, address: str) -> None:
        try:
            store = storage()
            pair = self._keys(account, address)[0]
            store.clear(pair)
            store.clear(f"signin:block:{pair}")
        except Exception:
            return


def _now() -> float:
    import time

    return time.time()


def client_address(request: Request) -> str:
    """The client's address as the server saw it (a forwarded address only from the proxies named in
    ``MOTCUA_TRUSTED_PROXIES``: the server honours X-Forwarded-For from those alone)."""
    return request.client.host if request.client else "-"


# -- security headers -----------------------------------------------------------------------------

CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
PUBLIC_PREFIXES = ("/static/", "/api/v1/track", "/api/v1/catalog", "/api/v1/units", "/api/v1/addresses")


class SecurityHeaders:
    """Pure ASGI: CSP, no framing, no sniffing, a strict referrer policy, HSTS over HTTPS, and
    ``Cache-Control: no-store`` on every answer that may be personal (signed-in pages, the API with a
    token, anything not explicitly public) — counter computers are shared."""

    def __init__(self, app: Any, *, hsts: bool) -> None:
        self.app, self.hsts = app, hsts

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope.get("path", "")

        async def send_with_headers(message: Any) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {k.lower() for k, _ in headers}
                extra = [
                    (b"x-content-type-options", b"nosniff"),
                    (b"x-frame-options", b"DENY"),
                    (b"referrer-policy", b"same-origin"),
                ]
                extra.append((b"content-security-policy", CSP.encode()))
                if self.hsts:
                    extra.append((b"strict-transport-security", b"max-age=31536000; includeSubDomains"))
                if b"cache-control" not in names and not path.startswith(PUBLIC_PREFIXES):
                    extra.append((b"cache-control", b"no-store"))
                message["headers"] = headers + [(k, v) for k, v in extra if k not in names]
            await send(message)

        await self.app(scope, receive, send_with_headers)
