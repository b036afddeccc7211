"""Admission control: a server process works on at most ``max_in_flight`` requests at once and
refuses the next at once with 503 and Retry-After. Without it a burst queues without bound in front
of the handler threads: answers come after the client has given up (the portal mix at 1,024
connections left requests unanswered past 5 s) and the process works for nobody."""

from __future__ import annotations

import logging
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse

from motcua.api.errors import error_body
from motcua.i18n import N_

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
            body = error_body(Request(scope), "busy", N_("The service is busy; try again in a moment."), {})
            await JSONResponse(body, status_code=503, headers={"Retry-After": "1"})(scope, receive, send)
            return
        self.in_flight += 1
        try:
            await self.app(scope, receive, send)
        finally:
            self.in_flight -= 1
