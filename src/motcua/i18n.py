"""UI languages: Vietnamese (default), French, English, through Babel message catalogs.

The ``.po`` catalogs in ``motcua/locale`` are compiled in memory at first use, so a checkout
needs no build step; ``pybabel extract/update`` keeps them in step with the code (see README).
"""

from __future__ import annotations

import gettext
import io
from datetime import date, datetime
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Literal, cast

from babel import Locale, negotiate_locale
from babel.dates import format_date
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_currency, format_decimal, format_percent
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
    formats = LocaleFormats(language)
    env.filters["vn_time"] = formats.moment
    env.filters["day"] = formats.day
    env.filters["number"] = formats.number
    env.filters["percent"] = formats.percent
    env.filters["money"] = formats.money
    return env


# Dates as each language's readers write them: Vietnamese officials write 07/12/2026; French and
# English readers get the month in words, which no one misreads.
DATE_PATTERNS: dict[str, str] = {"vi": "dd/MM/y", "fr": "d MMM y", "en": "d MMM y"}


class LocaleFormats:
    """Numbers, money, percentages, dates and times in a language's conventions (Babel's CLDR data);
    times are Vietnam's wall-clock time whatever the server's zone."""

    def __init__(self, language: str) -> None:
        self.language = language if language in LANGUAGES else DEFAULT_LANGUAGE

    def day(self, value: date | str | None) -> str:
        """A date (or an ISO date as events record it) in the language's form."""
        if isinstance(value, str):
            try:
                value = date.fromisoformat(value[:10])
            except ValueError:
                return str(value)
        return format_date(value, DATE_PATTERNS[self.language], locale=self.language) if value else ""

    def moment(self, value: datetime | None, fmt: str | None = None) -> str:
        from motcua.clock import local

        if not value:
            return ""
        wall = local(value)
        if fmt:  # a fixed technical format (logs, exchange times)
            return wall.strftime(fmt)
        return f"{self.day(wall.date())} {wall.strftime('%H:%M')}"

    def number(self, value: float | int | None, digits: int = 0) -> str:
        if value is None:
            return "—"
        pattern = "#,##0" + ("." + "0" * digits if digits else "")
        return format_decimal(value, format=pattern, locale=self.language)

    def percent(self, ratio: float | None, digits: int = 1) -> str:
        """``ratio`` 0–1 as a percentage (74.0 %, 74,0 %)."""
        if ratio is None:
            return "—"
        # The language's own pattern ("#,##0 %" in French) with the decimals asked for.
        pattern = Locale.parse(self.language).percent_formats[None].pattern
        if digits:
            pattern = pattern.replace("#,##0", "#,##0." + "0" * digits, 1)
        return format_percent(ratio, format=pattern, locale=self.language)

    def money(self, amount_vnd: int | None) -> str:
        if amount_vnd is None:
            return "—"
        return format_currency(amount_vnd, "VND", locale=self.language)


def vn_time(moment: datetime | None, fmt: str = "%d/%m/%Y %H:%M") -> str:
    """An instant as Vietnam's wall-clock time (every time shown is Vietnam's, whatever the server's)."""
    from motcua.clock import local

    return local(moment).strftime(fmt) if moment else ""
