"""Administrator pages (role ``admin``): import the officials of every commune from one CSV file, the
year's calendar notices and catalog files, each all or nothing with errors by line. And ``/activate``,
where an imported official chooses a password with their one-time code."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from motcua import db
from motcua.accounts.officials import MIN_PASSWORD, OfficialsImport, activate, import_officials
from motcua.audit.trail import record
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
            record(
                s,
                "import_officials",
                actor_id=actor.user_id,
                actor_role=actor.role,
                channel="web",
                details={"created": report.created, "updated": report.updated},
            )
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
            if user is not None:
                record(
                    s,
                    "account_activate",
                    actor_id=user.id,
                    actor_role=user.role,
                    channel="web",
                    subject=f"user:{user.id}",
                )
    except ValueError:
        error = N_("The password needs at least {count} characters.")
        return render(request, "activate.html", 422, error=error, count=MIN_PASSWORD, min_password=MIN_PASSWORD)
    if user is None:
        error = N_("The username or the activation code is wrong, or the code was already used.")
        return render(request, "activate.html", 401, error=error, min_password=MIN_PASSWORD)
    return RedirectResponse("/signin", status_code=303)


# Each import: its title, what the file holds, and its columns with their values where they are a
# list (the file's own words: shown as written, never translated).
IMPORTS = {
    "calendar": (
        N_("Import the year's calendar notices"),
        N_(
            "A CSV file, one notice per line, with these columns (the first line names them); an empty "
            "province means the whole country."
        ),
        (("day", "YYYY-MM-DD"), ("kind", "day_off | working_day"), ("reason", ""), ("province", ""), ("reference", "")),
    ),
    "centres": (
        N_("Import service centres"),
        N_(
            "A CSV file, one centre per line, with these columns (the first line names them). A known "
            "identifier is updated; a new one is added."
        ),
        (
            ("identifier", ""),
            ("name", ""),
            ("level", "province | commune | branch"),
            ("province", ""),
            ("commune", ""),
            ("address", ""),
            ("opening_hours", ""),
        ),
    ),
    "posts": (
        N_("Import the established posts"),
        N_(
            "A CSV file, one line per agency or centre and role, with these columns (the first line names "
            "them): the number of posts established. A known unit and role is updated."
        ),
        (("unit", ""), ("role", "reception_officer | processing_officer | leader"), ("established", "")),
    ),
    "catalog": (
        N_("Import procedures"),
        N_("The catalog interchange format: a JSON file, or a CSV of versions (docs/catalog-format.md)."),
        (),
    ),
}


@router.get("/admin/import/{what}", response_class=HTMLResponse, response_model=None)
def import_form(request: Request, what: str) -> Response:
    actor = current_actor(request)
    if actor is None or actor.role != "admin":
        return RedirectResponse(f"/signin?next=/admin/import/{what}", status_code=303)
    if what not in IMPORTS:
        return render(request, "not_found.html", status_code=404)
    title, help_text, columns = IMPORTS[what]
    return render(
        request, "admin_import.html", what=what, title=title, help_text=help_text, columns=columns, errors=[], done=None
    )


@router.post("/admin/import/{what}", response_model=None)
async def import_file(request: Request, what: str) -> Response:
    form = await request.form()
    check_csrf(request, str(form.get("csrf", "")))
    from starlette.concurrency import run_in_threadpool
    from starlette.datastructures import UploadFile

    actor = await run_in_threadpool(current_actor, request)
    if actor is None or actor.role != "admin" or what not in IMPORTS:
        return RedirectResponse("/signin", status_code=303)
    title, help_text, columns = IMPORTS[what]
    upload = form.get("file")
    data = await upload.read(MAX_CSV_BYTES + 1) if isinstance(upload, UploadFile) else b""
    name = upload.filename or "" if isinstance(upload, UploadFile) else ""
    try:
        text = data.decode("utf-8") if data and len(data) <= MAX_CSV_BYTES else None
    except UnicodeDecodeError:
        text = None
    if text is None:
        errors = ["the file is empty, larger than 20 MB or not UTF-8 text"]
        done = None
    else:
        done, errors = await run_in_threadpool(_import, request, what, name, text, actor.user_id)
    status = 422 if errors else 200
    context = {
        "what": what,
        "title": title,
        "help_text": help_text,
        "columns": columns,
        "errors": errors[:500],
        "done": done,
    }
    return render(request, "admin_import.html", status, total=len(errors), **context)


def _import(request: Request, what: str, name: str, text: str, admin: int) -> tuple[str | None, list[str]]:
    """Run one import in one transaction, recorded in the audit trail; any error and nothing is kept."""

    def audited(s: Session, summary: str) -> str:
        record(s, f"import_{what}", actor_id=admin, actor_role="admin", channel="web", details={"summary": summary})
        return summary

    from motcua.calendar.service import import_notices
    from motcua.catalog.formats import FormatError, read_csv, read_json
    from motcua.catalog.service import CatalogError, import_records

    try:
        with db.transaction(request.app.state.session_factory) as s:
            if what == "calendar":
                count, errors = import_notices(s, text)
                if errors:
                    s.rollback()
                    return None, errors
                return audited(s, f"{count} day(s) recorded"), []
            if what == "centres":
                from motcua.catalog.centres import import_centres

                added, updated, errors = import_centres(s, text)
                if errors:
                    s.rollback()
                    return None, errors
                return audited(s, f"{added} centre(s) added, {updated} updated"), []
            if what == "posts":
                from motcua.staff.posts import import_posts

                added, updated, errors = import_posts(s, text)
                if errors:
                    s.rollback()
                    return None, errors
                return audited(s, f"{added} post line(s) added, {updated} updated"), []
            records = read_json(text) if name.endswith(".json") or text.lstrip().startswith("[") else read_csv(text)
            result = import_records(s, records)
            summary = f"{len(result.codes)} procedure(s): {result.added} new, {result.replaced} replaced"
            return audited(s, summary), []
    except (FormatError, CatalogError) as exc:
        return None, list(exc.errors)
