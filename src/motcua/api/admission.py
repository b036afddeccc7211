"""Admission control: a server process works on at most ``max_in_flight`` requests at once and
refuses the next at once with 503 and Retry-After. Without it a burst queues without bound in front
of the handler threads: answers come after the client has given up (the portal mix at 1,024
connections left requests unanswered past 5 s) and the process works for nobody."""

from __future__ import annotations

import logging
from typing import Any

from starlette.requests import Request

from motcua.api.errors import busy_response

log = logging.getLogger("motcua.busy")
EXEMPT = ("/api/v1/health", "/api/v1/ready", "/metrics")  # the balancer's checks and the operator's view


class Admission:
    """Pure ASGI, inside the request log (a refusal is logged and counted like any answer)."""

    def __init__(self, app: Any, *, limit: int) -> None:
        self.app, self.limit = app, limit
        self.in_flight = 0  # one event loop per process: no lock needed
        self.refused = 0

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http" or self.limit <= 0 or scope.get("path", "") in EXEMPT:
            await self.app(scope, receive, send)
            return
        if self.in_flight >= self.limit:
            self.refused += 1
            if self.refused % 1000 == 1:
                log.warning("busy: %d requests in flight, refusing (%d refused so far)", self.in_flight, self.refused)
            await busy_response(Request(scope))(scope, receive, send)
            return
        self.in_flight += 1
        try:
            await self.app(scope, receive, send)
        finally:
            self.in_flight -= 1
