"""Admission control: beyond ``max_in_flight`` requests at once a process answers 503 with Retry-After
at once (not after a queue), keeps answering the balancer's checks, and admits again as soon as
requests finish."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from motcua.api.admission import Admission


def _run(app: Any, path: str) -> asyncio.Task[list[dict[str, Any]]]:
    sent: list[dict[str, Any]] = []
    scope = {"type": "http", "method": "GET", "path": path, "headers": [], "query_string": b""}

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    async def go() -> list[dict[str, Any]]:
        await app(scope, receive, send)
        return sent

    return asyncio.ensure_future(go())


def test_beyond_the_limit_requests_are_refused_at_once_and_admitted_again_after() -> None:
    release = asyncio.Event()

    async def slow(scope: Any, receive: Any, send: Any) -> None:
        if scope["path"] != "/api/v1/ready":
            await release.wait()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    gate = Admission(slow, limit=2)

    async def scenario() -> None:
        held = [_run(gate, "/api/v1/track/A"), _run(gate, "/api/v1/track/B")]
        await asyncio.sleep(0)
        assert gate.in_flight == 2
        refused = await asyncio.wait_for(_run(gate, "/api/v1/catalog/procedures"), 1)
        start = refused[0]
        assert start["status"] == 503 and (b"retry-after", b"1") in start["headers"]
        assert json.loads(refused[1]["body"])["error"]["code"] == "busy"
        ready = await asyncio.wait_for(_run(gate, "/api/v1/ready"), 1)  # the balancer still gets its answer
        assert ready[0]["status"] == 200
        release.set()
        assert [(await t)[0]["status"] for t in held] == [200, 200]
        assert gate.in_flight == 0
        again = await asyncio.wait_for(_run(gate, "/api/v1/track/C"), 1)
        assert again[0]["status"] == 200

    asyncio.run(scenario())
