"""Notification templates as data (``data/templates.toml``): versioned, in Vietnamese, French and
English, rendered with the values of an event formatted per language (Babel)."""

from __future__ import annotations

import string
import tomllib
from dataclasses import dataclass
from datetime import date
from functools import cache, lru_cache
from importlib.resources import files
from typing import Any

from babel.dates import format_date
from babel.numbers import format_currency, format_decimal

from motcua.i18n import LANGUAGES, Language

PARTS = ("subject", "body", "sms")
SMS_LIMIT = 160  # one SMS of 7-bit characters; the SMS text is written without diacritics
BABEL_LOCALE = {"vi": "vi_VN", "fr": "fr_FR", "en": "en_GB"}


@dataclass(frozen=True)
class Template:
    key: str
    version: int
    params: tuple[str, ...]
    texts: dict[str, dict[str, str]]  # language → part → text


@dataclass(frozen=True)
class Rendered:
    template: str
    version: int
    language: str  # the language the text is in (Vietnamese when the one asked for is missing)
    subject: str
    body: str
    sms: str


@cache
def catalogue() -> dict[str, Template]:
    raw = tomllib.loads(files("motcua.notifications").joinpath("data/templates.toml").read_text("utf-8"))
    return {key: _template(key, value) for key, value in raw.items()}


def _template(key: str, value: dict[str, Any]) -> Template:
    texts: dict[str, dict[str, str]] = {
        lang: dict(value[lang]) for lang in LANGUAGES if isinstance(value.get(lang), dict)
    }
    return Template(key, int(value["version"]), tuple(value.get("params", ())), texts)


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def problems(templates: dict[str, Template] | None = None) -> list[str]:
    """What ``motcua notifications check`` reports: a missing language or part, a placeholder that
    is not a parameter, an SMS text longer than one message."""
    found = []
    for key, t in sorted((templates or catalogue()).items()):
        for lang in LANGUAGES:
            if lang not in t.texts:
                found.append(f"{key}: no {lang} text (Vietnamese is sent instead)")
                continue
            for part in PARTS:
                text = t.texts[lang].get(part)
                if not text:
                    found.append(f"{key}.{lang}.{part}: missing")
                    continue
                unknown = placeholders(text) - set(t.params)
                if unknown:
                    found.append(f"{key}.{lang}.{part}: unknown placeholder(s) {', '.join(sorted(unknown))}")
                if part == "sms" and len(text) > SMS_LIMIT:
                    found.append(f"{key}.{lang}.sms: {len(text)} characters, more than one SMS ({SMS_LIMIT})")
    return found


def formatted(value: Any, language: str) -> str:
    """A value as the language writes it: dates, amounts of money (``Money``), lists, numbers."""
    if isinstance(value, str):
        return value
    if isinstance(value, list | tuple):
        return "; ".join(formatted(v, language) for v in value)
    if isinstance(value, Money | date | int | float) and not isinstance(value, bool):
        return _localised(value, language)
    return str(value)


@lru_cache(maxsize=8192)  # a day's due dates and a catalog's fees repeat in every message
def _localised(value: Money | date | int | float, language: str) -> str:
    locale = BABEL_LOCALE.get(language, "vi_VN")
    if isinstance(value, Money):
        return format_currency(value.amount_vnd, "VND", locale=locale)
    if isinstance(value, date):
        return format_date(value, format="d MMMM yyyy" if language != "vi" else "dd/MM/yyyy", locale=locale)
    return format_decimal(value, locale=locale)


@dataclass(frozen=True)
class Money:
    amount_vnd: int


class UnknownTemplate(KeyError):
    pass


def render(key: str, language: str, values: dict[str, Any]) -> Rendered:
    """The template's texts in ``language`` (Vietnamese if it has none), every parameter filled (a
    parameter without a value is left empty rather than failing the event that sends it)."""
    try:
        t = catalogue()[key]
    except KeyError:
        raise UnknownTemplate(key) from None
    lang: Language = language if language in t.texts else "vi"  # type: ignore[assignment]
    shown = {name: formatted(values[name], lang) if values.get(name) is not None else "" for name in t.params}
    parts = {part: t.texts[lang].get(part, "").format_map(shown) for part in PARTS}
    return Rendered(key, t.version, lang, parts["subject"], parts["body"], parts["sms"])
