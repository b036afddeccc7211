"""Administrator pages (role ``admin``): import the officials of every commune from one CSV file.
And ``/activate``, where an imported official chooses a password with their one-time code."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from motcua import db
from motcua.accounts.officials import MIN_PASSWORD, OfficialsImport, activate, import_officials
from motcua.i18n import N_
from motcua.web.account import SIGN_IN_LIMIT, current_actor
from motcua.web.rendering import render
from motcua.web.security import check_csrf

router = APIRouter(include_in_schema=False)
MAX_CSV_BYTES = 20 * 1024 * 1024


@router.get("/admin/officials", response_class=HTMLResponse, response_model=None)
def officials_page(request: Request) -> Response:
    actor = current_actor(request)
    if actor is None or actor.role != "admin":
        return RedirectResponse("/signin?next=/admin/officials", status_code=303)
    return render(request, "admin_officials.html", errors=[], error=None)


@router.post("/admin/officials", response_model=None)
async def import_page(request: Request) -> Response:
    form = await request.form()
    check_csrf(request, str(form.get("csrf", "")))
    from starlette.concurrency import run_in_threadpool
    from starlette.datastructures import UploadFile

    actor = await run_in_threadpool(current_actor, request)
    if actor is None or actor.role != "admin":
        return RedirectResponse("/signin?next=/admin/officials", status_code=303)
    upload = form.get("file")
    data = await upload.read(MAX_CSV_BYTES + 1) if isinstance(upload, UploadFile) else b""
    if not data or len(data) > MAX_CSV_BYTES:
        error = N_("Choose a CSV file (UTF-8, at most 20 MB).")
        return render(request, "admin_officials.html", 422, errors=[], error=error)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return render(request, "admin_officials.html", 422, errors=[], error=N_("The file is not UTF-8 text."))

    def run() -> OfficialsImport:
        with db.transaction(request.app.state.session_factory) as s:
            report = import_officials(s, text)
            if not report.ok:
                s.rollback()
            return report

    report = await run_in_threadpool(run)
    if not report.ok:
        errors = report.errors
        return render(request, "admin_officials.html", 422, errors=errors[:500], total=len(errors), error=None)
    return Response(
        report.codes_csv(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="activation-codes.csv"', "Cache-Control": "no-store"},
    )


@router.get("/activate", response_class=HTMLResponse)
def activate_page(request: Request) -> HTMLResponse:
    return render(request, "activate.html", error=None, min_password=MIN_PASSWORD)


@router.post("/activate", response_model=None)
def activate_account(
    request: Request,
    username: Annotated[str, Form(max_length=120)],
    code: Annotated[str, Form(max_length=60)],
    password: Annotated[str, Form(max_length=200)],
    csrf: Annotated[str, Form()] = "",
) -> Response:
    check_csrf(request, csrf)
    if not SIGN_IN_LIMIT.allow(f"activate:{username.strip().lower()}"):
        error = N_("Too many attempts. Wait a few minutes and try again.")
        return render(request, "activate.html", 429, error=error, min_password=MIN_PASSWORD)
    try:
        with db.transaction(request.app.state.session_factory) as s:
            user = activate(s, username, code, password)
    except ValueError:
        error = N_("The password needs at least {count} characters.")
        return render(request, "activate.html", 422, error=error, count=MIN_PASSWORD, min_password=MIN_PASSWORD)
    if user is None:
        error = N_("The username or the activation code is wrong, or the code was already used.")
        return render(request, "activate.html", 401, error=error, min_password=MIN_PASSWORD)
    return RedirectResponse("/signin", status_code=303)
