"""One log line per request (method, path without its query string, status, time), with a request id
that is also answered in ``X-Request-ID`` and carried by every log line of the request."""

from __future__ import annotations

import logging
import re
import time
import uuid
from typing import Any

from motcua.api.metrics import observe
from motcua.logs import request_id

log = logging.getLogger("motcua.access")
GOOD_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class RequestLog:
    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = dict(scope.get("headers") or []).get(b"x-request-id", b"").decode("latin-1")
        rid = given if GOOD_ID.match(given) else uuid.uuid4().hex
        token = request_id.set(rid)
        started = time.perf_counter()
        status = [500]

        async def send_with_id(message: Any) -> None:
            if message["type"] == "http.response.start":
                status[0] = message["status"]
                message["headers"] = [*message.get("headers", []), (b"x-request-id", rid.encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            route = scope.get("route")
            observe(
                getattr(route, "path", "(unmatched)"),
                scope.get("method", "-"),
                status[0],
                time.perf_counter() - started,
            )
            log.info(
                "%s %s %s",
                scope.get("method", "-"),
                scope.get("path", "-"),
                status[0],
                extra={"status": status[0], "ms": round((time.perf_counter() - started) * 1000, 1)},
            )
            request_id.reset(token)
