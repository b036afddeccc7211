"""Jinja2 templates with the request's language."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import ChoiceLoader, Environment, FileSystemLoader, PackageLoader, PrefixLoader

from motcua.i18n import LANGUAGE_NAMES, LANGUAGES, Language, gettext_for, jinja_environment, pick_language
from motcua.web.security import csrf_token

TEMPLATES = Path(__file__).parent / "templates"


@cache
def environment(language: Language) -> Environment:
    from motcua.notifications.reading import masked

    env = jinja_environment(TEMPLATES, language)
    # The design system's macros (govuk-frontend-jinja) beside motcua's templates.
    env.loader = ChoiceLoader(
        [FileSystemLoader(TEMPLATES), PrefixLoader({"govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja")})]
    )
    env.filters["masked"] = masked  # an address shown without being read out in full
    # (value, text) pairs for the select fields of ``_form.html``.
    translations = gettext_for(language)
    env.filters["zip_self"] = lambda values: [(v, v) for v in values]
    env.filters["zip_with"] = lambda values, texts: list(zip(values, texts, strict=True))
    env.filters["translated_pairs"] = lambda pairs: [(k, translations.gettext(v)) for k, v in pairs]
    return env


def language_of(request: Request) -> Language:
    return pick_language(
        request.query_params.get("lang"), request.cookies.get("lang"), request.headers.get("accept-language")
    )


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    language = language_of(request)
    if "session" in request.scope:  # pages served without the session middleware (tests of one router)
        context.setdefault("csrf", csrf_token(request))
        context.setdefault("signed_in", "uid" in request.session)
        role = request.session.get("role")
        context.setdefault("official", role not in (None, "citizen"))
        context.setdefault("administrator", role == "admin")
        context.setdefault("role", role)
        context.setdefault("home_affairs", bool(request.session.get("home_affairs")))
    html = (
        environment(language)
        .get_template(template)
        .render(request=request, lang=language, languages=LANGUAGES, language_names=LANGUAGE_NAMES, **context)
    )
    response = HTMLResponse(html, status_code=status_code)
    if request.query_params.get("lang") in LANGUAGES:
        response.set_cookie("lang", language, max_age=365 * 86400, samesite="lax", httponly=True)
    return response


def message(request: Request, template: str, **details: Any) -> str:
    """A message (an English msgid with ``{placeholders}``) in the request's language."""
    return gettext_for(language_of(request)).gettext(template).format(**details)


def flash_error(request: Request, error: Any) -> None:
    """Keep a refused step's message (a ``DossierError``) for the page the browser is sent back to."""
    request.session["flash_error"] = message(request, error.template, **error.details)
