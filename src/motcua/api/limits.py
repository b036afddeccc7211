"""Input limits at the edge (pure ASGI, before any handler): the size of a body, and what a JSON body,
a path or a query string may hold. Refusals are JSON errors that say what is wrong and where.

- a body larger than ``MOTCUA_MAX_BODY_BYTES`` (uploads: the attachment limit times the files a page
  takes) → 413;
- a JSON body that does not parse → 422 with the line and column; NaN or Infinity, a NUL character, a
  lone surrogate, an integer beyond ±2^53 (what every JSON reader keeps exactly), nesting deeper than
  32 → 422 with the place (``body.form.age``);
- a NUL or lone surrogate in the path or the query → 422.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qsl

import orjson

from motcua.i18n import N_, gettext_for, pick_language
from motcua.validation import text_problem, value_problems

UPLOAD_FILES = 10
INVALID = N_("The request is not valid: {count} problem(s).")


Refusal = tuple[int, str, str, dict[str, Any], list[str]]


def _refuse(status: int, code: str, message: str, problems: list[str], **params: Any) -> Refusal:
    return status, code, message, params, problems


def _body(scope: Any, refusal: Refusal) -> tuple[int, bytes]:
    """The refusal as the API's other errors are: a code, the message in the request's language,
    and each problem with its place."""
    status, code, message, params, problems = refusal
    headers = dict(scope.get("headers") or [])
    query = dict(parse_qsl(scope.get("query_string", b"").decode("latin-1")))
    cookies = headers.get(b"cookie", b"").decode("latin-1")
    cookie_lang = next((c.split("=", 1)[1] for c in cookies.split("; ") if c.startswith("lang=")), None)
    language = pick_language(query.get("lang"), cookie_lang, headers.get(b"accept-language", b"").decode("latin-1"))
    _ = gettext_for(language).gettext
    where = [{"where": p.split(": ", 1)[0], "problem": p.split(": ", 1)[1] if ": " in p else p} for p in problems]
    error: dict[str, Any] = {"code": code, "message": _(message).format(**params), "problems": where}
    if params:
        error["details"] = params
    return status, orjson.dumps({"error": error})


def check_json(body: bytes) -> Refusal | None:
    try:
        data = json.loads(body, parse_constant=_no_constant)
    except _Constant as exc:
        return _refuse(422, "invalid_json", N_("The body is not valid JSON."), [f"body: {exc} is not a JSON number"])
    except json.JSONDecodeError as exc:
        where = f"body: {exc.msg} at line {exc.lineno}, column {exc.colno} (character {exc.pos})"
        return _refuse(422, "invalid_json", N_("The body is not valid JSON."), [where])
    except (UnicodeDecodeError, RecursionError):
        problem = "body: not UTF-8 text, or nested too deep"
        return _refuse(422, "invalid_json", N_("The body is not valid JSON."), [problem])
    problems = value_problems(data, "body")
    if problems:
        return _refuse(422, "invalid_request", INVALID, problems, count=len(problems))
    return None


class _Constant(ValueError):
    pass


def _no_constant(name: str) -> Any:
    raise _Constant(name)


class BodyLimit:
    def __init__(self, app: Any, *, max_bytes: int, max_upload: int, max_exchange: int) -> None:
        self.app, self.max_bytes, self.max_exchange = app, max_bytes, max_exchange
        self.max_multipart = max_upload * UPLOAD_FILES + max_bytes

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        problem = text_problem(scope.get("path", ""))
        query = scope.get("query_string", b"").decode("latin-1")
        if problem is None and query:
            try:
                pairs = parse_qsl(query, keep_blank_values=True, errors="strict")
            except UnicodeDecodeError:
                problem = "is not UTF-8"
            else:
                problem = next((f"{k}: {p}" for k, v in pairs if (p := text_problem(k + v))), None)
        if problem is not None:
            await _send(send, scope, _refuse(422, "invalid_request", INVALID, [f"url: {problem}"], count=1))
            return
        headers = dict(scope.get("headers") or [])
        content_type = headers.get(b"content-type", b"").split(b";")[0].strip().lower()
        limit = self.max_multipart if content_type == b"multipart/form-data" else self.max_bytes
        if scope.get("path", "").startswith("/exchange/"):  # signed messages between nodes: a whole catalog
            limit = self.max_exchange
        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await _send(send, scope, _too_large(limit))
            return
        if scope.get("method") in ("GET", "HEAD", "DELETE", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                await _send(send, scope, _too_large(limit))
                return
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        body = b"".join(chunks)
        if content_type == b"application/json" and body:
            refused = check_json(body)
            if refused is not None:
                await _send(send, scope, refused)
                return
        elif content_type == b"application/x-www-form-urlencoded" and body:
            bad: str | None
            try:
                fields = parse_qsl(body.decode("utf-8"), keep_blank_values=True, errors="strict")
            except UnicodeDecodeError:
                fields, bad = [], "the form is not UTF-8"
            else:
                bad = next((f"{k}: {p}" for k, v in fields if (p := text_problem(k + v))), None)
            if bad:
                await _send(send, scope, _refuse(422, "invalid_request", INVALID, [bad], count=1))
                return
        sent = False

        async def replay() -> Any:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


def _too_large(limit: int) -> Refusal:
    return _refuse(
        413,
        "body_too_large",
        N_("The request is larger than {limit} bytes."),
        [f"body: over {limit} bytes"],
        limit=limit,
    )


async def _send(send: Any, scope: Any, refusal: Refusal) -> None:
    status, body = _body(scope, refusal)
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})
