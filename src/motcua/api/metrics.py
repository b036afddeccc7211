"""``GET /metrics``: Prometheus' text format, for the operators' monitoring (aggregates only)."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST
from starlette.concurrency import run_in_threadpool

from motcua.exchange.metrics import exposition

router = APIRouter(include_in_schema=False)


@router.get("/metrics")
async def metrics(request: Request) -> Response:
    body = await run_in_threadpool(exposition, request.app.state.session_factory)
    return Response(body, media_type=CONTENT_TYPE_LATEST)
