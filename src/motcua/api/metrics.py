"""``GET /metrics``: Prometheus' text format, for the operators' monitoring (aggregates only): the
exchange's queues and the HTTP requests of this process (rate, latency histogram, errors per route).

Behind ``MOTCUA_METRICS_TOKEN`` (a bearer token); public only where ``MOTCUA_ALLOW_PUBLIC_METRICS``
says so.
"""

from __future__ import annotations

import hmac

from fastapi import APIRouter, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from starlette.concurrency import run_in_threadpool

from motcua.api.errors import ApiError
from motcua.exchange.metrics import exposition
from motcua.i18n import N_
from motcua.settings import get_settings

router = APIRouter(include_in_schema=False)
HTTP = CollectorRegistry()
REQUESTS = Counter("motcua_http_requests", "HTTP requests answered", ["route", "method", "status"], registry=HTTP)
LATENCY = Histogram(
    "motcua_http_request_seconds",
    "Time to answer an HTTP request",
    ["route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
    registry=HTTP,
)


def observe(route: str, method: str, status: int, seconds: float) -> None:
    REQUESTS.labels(route, method, f"{status // 100}xx").inc()
    LATENCY.labels(route).observe(seconds)


def _authorised(request: Request) -> bool:
    settings = get_settings()
    if settings.metrics_token is None:
        return settings.allow_public_metrics or settings.demo
    given = request.headers.get("authorization", "")
    expected = "Bearer " + settings.metrics_token.get_secret_value()
    return hmac.compare_digest(given.encode(), expected.encode())


@router.get("/metrics")
async def metrics(request: Request) -> Response:
    if not _authorised(request):
        raise ApiError(401, "not_authenticated", N_("The metrics need the operators' bearer token."))
    body = await run_in_threadpool(exposition, request.app.state.session_factory)
    return Response(body + generate_latest(HTTP), media_type=CONTENT_TYPE_LATEST)
