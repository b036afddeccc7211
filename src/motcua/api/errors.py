"""JSON errors with a machine code and a message in the request's language."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel

from motcua.dossiers.errors import DossierError
from motcua.i18n import N_, gettext_for, pick_language


class ErrorDetail(BaseModel):
    code: str
    message: str
    details: dict[str, Any] | None = None
    problems: list[Any] | None = None


class ErrorBody(BaseModel):
    """Every refusal of the API: a machine code and a message in the request's language."""

    error: ErrorDetail


_WHY = {
    400: "Bad request",
    401: "Not signed in (no token, or one expired or revoked)",
    403: "Not allowed for this account",
    404: "Not found (or not yours)",
    409: "Conflicts with the dossier's state or an earlier request",
    413: "Body too large",
    422: "Invalid input, with the place of each problem",
    429: "Too many requests; see Retry-After",
    503: "Busy; retry after Retry-After",
}
DOCUMENTED: dict[int | str, dict[str, Any]] = {
    code: {"description": why, "model": ErrorBody} for code, why in _WHY.items()
}


class ApiError(Exception):
    """An error the client can act on. ``message`` is an English msgid, translated on the way out."""

    def __init__(self, http_status: int, error_code: str, message: str, /, **params: Any) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.params = http_status, error_code, message, params


def domain_error(exc: DossierError) -> ApiError:
    """A domain's refusal (its machine code, status and message template) as the API's error."""
    return ApiError(exc.status, exc.code, exc.template, **exc.details)


def request_language(request: Request) -> str:
    return pick_language(
        request.query_params.get("lang"), request.cookies.get("lang"), request.headers.get("accept-language")
    )


def error_body(request: Request, error_code: str, message: str, params: dict[str, Any]) -> dict[str, Any]:
    _ = gettext_for(request_language(request)).gettext  # type: ignore[arg-type]
    body: dict[str, Any] = {"code": error_code, "message": _(message).format(**params)}
    if params:
        body["details"] = params
    return {"error": body}


# Paths answered by machines (JSON errors); every other path is a page, and its errors are pages too.
MACHINE_PREFIXES = ("/api/", "/exchange/", "/static/", "/metrics", "/payments/callback")


def wants_page(request: Request) -> bool:
    return not request.url.path.startswith(MACHINE_PREFIXES)


def install(app: FastAPI) -> None:
    install_busy(app)
    install_pages(app)

    @app.exception_handler(ApiError)
    async def api_error(request: Request, exc: ApiError) -> Response:
        body = error_body(request, exc.code, exc.message, exc.params)
        if not request.url.path.startswith("/api/"):  # a page: the same message, as a page
            from motcua.web.rendering import render

            return render(request, "error.html", status_code=exc.status, message=body["error"]["message"])
        return JSONResponse(body, status_code=exc.status)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = [{"where": ".".join(str(p) for p in e["loc"]), "problem": e["msg"]} for e in exc.errors()]
        body = error_body(
            request, "invalid_request", N_("The request is not valid: {count} problem(s)."), {"count": len(problems)}
        )
        body["error"]["problems"] = problems
        return JSONResponse(body, status_code=422)


def busy(exc: BaseException) -> bool:
    """The database is saturated for now (no pooled connection came within the bound, or a statement
    ran past its timeout): the client should retry shortly, the server must not wedge."""
    from sqlalchemy.exc import OperationalError
    from sqlalchemy.exc import TimeoutError as PoolTimeout

    if isinstance(exc, PoolTimeout):
        return True
    if isinstance(exc, OperationalError):
        name = type(exc.orig).__name__ if exc.orig is not None else ""
        text = str(exc)
        return (
            name in ("QueryCanceled", "LockNotAvailable", "TooManyConnections")
            or "database is locked" in text
            or "too many clients" in text  # the server's max_connections reached: busy, not broken
        )
    try:
        from psycopg_pool import PoolTimeout as AsyncPoolTimeout
    except ImportError:  # pragma: no cover
        return False
    return isinstance(exc, AsyncPoolTimeout)


def busy_response(request: Request) -> JSONResponse:
    """503 with Retry-After: the answer of a saturated database and of a process at its limit."""
    body = error_body(request, "busy", N_("The service is busy; try again in a moment."), {})
    return JSONResponse(body, status_code=503, headers={"Retry-After": "1"})


def install_busy(app: FastAPI) -> None:
    """Answer 503 with Retry-After when the database is saturated, instead of holding the request."""
    import logging

    from sqlalchemy.exc import SQLAlchemyError

    log = logging.getLogger("motcua.busy")

    async def saturated(request: Request, exc: Exception) -> Response:
        if not busy(exc):
            raise exc
        log.warning("busy: %s answered 503 (%s)", request.url.path, type(exc).__name__)
        return busy_response(request)

    app.add_exception_handler(SQLAlchemyError, saturated)
    try:
        from psycopg_pool import PoolTimeout as AsyncPoolTimeout

        app.add_exception_handler(AsyncPoolTimeout, saturated)
    except ImportError:  # pragma: no cover
        pass


def install_pages(app: FastAPI) -> None:
    """An unknown address or an error on a page answers an HTML page in the visitor's language (the
    API keeps its JSON). A crash is logged with its path only: no query, no form, no personal data."""
    import logging

    from fastapi.exception_handlers import http_exception_handler
    from starlette.exceptions import HTTPException

    log = logging.getLogger("motcua.errors")

    def error_page(request: Request, status: int, msgid: str) -> Response:
        from motcua.web.rendering import message, render

        return render(request, "error.html", status_code=status, message=message(request, msgid))

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        if not wants_page(request):
            return await http_exception_handler(request, exc)
        if exc.status_code == 404:
            from motcua.web.rendering import render

            return render(request, "not_found.html", status_code=404)
        return error_page(request, exc.status_code, N_("The request cannot be answered."))

    async def crash(request: Request, exc: Exception) -> Response:
        log.error("unhandled %s on %s %s", type(exc).__name__, request.method, request.url.path)
        sorry = N_("Something went wrong on our side; try again later.")
        if not wants_page(request):
            return JSONResponse(error_body(request, "internal_error", sorry, {}), status_code=500)
        try:
            return error_page(request, 500, sorry)
        except Exception:  # the page itself cannot be rendered: plain text, still in no language's way
            return Response("500", status_code=500, media_type="text/plain")

    app.add_exception_handler(HTTPException, http_error)
    app.add_exception_handler(Exception, crash)
