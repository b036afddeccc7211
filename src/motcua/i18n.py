"""UI languages: Vietnamese (default), French, English, through Babel message catalogs.

The ``.po`` catalogs in ``motcua/locale`` are compiled in memory at first use, so a checkout
needs no build step; ``pybabel extract/update`` keeps them in step with the code (see README).
"""

from __future__ import annotations

import gettext
import io
from datetime import datetime
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Literal, cast

from babel import Locale, negotiate_locale
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from jinja2 import Environment, FileSystemLoader, select_autoescape

Language = Literal["vi", "fr", "en"]
LANGUAGES: tuple[Language, ...] = ("vi", "fr", "en")
DEFAULT_LANGUAGE: Language = "vi"
LANGUAGE_NAMES = {"vi": "Tiếng Việt", "fr": "Français", "en": "English"}


@cache
def translations(language: Language) -> gettext.GNUTranslations:
    po = resources.files("motcua").joinpath("locale").joinpath(language).joinpath("LC_MESSAGES")
    with po.joinpath("messages.po").open("rb") as f:
        catalog = read_po(f, locale=language)
    buf = io.BytesIO()
    write_mo(buf, catalog)
    buf.seek(0)
    return gettext.GNUTranslations(buf)


def gettext_for(language: Language) -> gettext.GNUTranslations:
    return translations(language if language in LANGUAGES else DEFAULT_LANGUAGE)


def pick_language(requested: str | None, cookie: str | None, accept_language: str | None) -> Language:
    """Explicit choice, then the remembered one, then the browser's preference, then Vietnamese."""
    for choice in (requested, cookie):
        if choice in LANGUAGES:
            return choice
    if accept_language:
        preferred = [part.split(";")[0].strip().replace("-", "_") for part in accept_language.split(",")]
        found = negotiate_locale(preferred, list(LANGUAGES), sep="_")
        if found:
            return cast(Language, Locale.parse(found).language)
    return DEFAULT_LANGUAGE


def N_(message: str) -> str:
    """Mark a message for extraction; it is translated where it is shown."""
    return message


def jinja_environment(templates: Path, language: Language) -> Environment:
    """Jinja2 for HTML templates in ``templates``, escaping on, ``_()`` translating to ``language``
    (the portal's pages and the report)."""
    env = Environment(
        loader=FileSystemLoader(templates),
        autoescape=select_autoescape(["html"]),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_translations(gettext_for(language), newstyle=True)  # type: ignore[attr-defined]
    env.filters["vn_time"] = vn_time
    return env


def vn_time(moment: datetime | None, fmt: str = "%d/%m/%Y %H:%M") -> str:
    """An instant as Vietnam's wall-clock time (every time shown is Vietnam's, whatever the server's)."""
    from motcua.clock import local

    return local(moment).strftime(fmt) if moment else ""
