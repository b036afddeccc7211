"""Logs: one JSON object a line with the request id, and personal data masked by one filter.

Whatever a log line holds — a message, its arguments, an exception's text, a traceback — goes
through ``mask`` before it is written: citizen ID and tax numbers, phone numbers and e-mail addresses
become ``[id]``, ``[phone]``, ``[email]``; the values of fields named like a name, an address or an ID
become ``[personal]``. SQL parameters are never logged (``db.make_engine``: ``hide_parameters``), nor
query strings (``api.request_log`` logs the path only).
"""

from __future__ import annotations

import contextvars
import logging
import re
import sys
from datetime import UTC, datetime
from typing import Any

from pythonjsonlogger.json import JsonFormatter

from motcua.settings import Settings

request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
PHONE = re.compile(r"(?<![\w.])(?:\+84|0084|0)(?:[\s.-]?\d){8,10}(?![\w.])")
NUMBER = re.compile(r"(?<![\w.-])\d{9,13}(?:-\d{3})?(?![\w.-])")  # ID cards (9/12 digits), tax codes (10/13)
NAMED = re.compile(
    r"(?i)(['\"]?(?:[a-z_]*(?:name|address|id_number|personal_id|phone|email|ho_ten|dia_chi)['\"]?\s*[:=]\s*))"
    r"('[^']*'|\"[^\"]*\"|[^,;}\s]+)"
)
PERSONAL_KEYS = re.compile(r"(?i)(name|address|id_number|personal_id|phone|email|ho_ten|dia_chi)")


def mask(text: str) -> str:
    text = EMAIL.sub("[email]", text)
    text = NAMED.sub(lambda m: m.group(1) + "[personal]", text)
    text = PHONE.sub("[phone]", text)
    return NUMBER.sub("[id]", text)


def _utc_time(record: logging.LogRecord) -> str:
    """Log times are instants: ISO 8601 in UTC with their zone, whatever the server's zone."""
    return datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds")


class MaskingJsonFormatter(JsonFormatter):
    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        return _utc_time(record)

    def process_log_record(self, log_data: dict[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in log_data.items():
            if PERSONAL_KEYS.search(key) and key not in ("name", "levelname"):
                out[key] = "[personal]"
            elif isinstance(value, str):
                out[key] = mask(value)
            else:
                out[key] = value
        return out


class MaskingTextFormatter(logging.Formatter):
    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        return _utc_time(record)

    def format(self, record: logging.LogRecord) -> str:
        return mask(super().format(record))


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get()
        return True


def formatter(settings: Settings) -> logging.Formatter:
    if settings.log_format == "json":
        return MaskingJsonFormatter(
            "%(asctime)s %(levelname)s %(name)s %(request_id)s %(message)s",
            rename_fields={"levelname": "level", "asctime": "time", "name": "logger"},
            timestamp=False,
        )
    return MaskingTextFormatter("%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s")


_configured: set[tuple[str, str, str]] = set()


def configure_logging(settings: Settings) -> None:
    """Every log of the process through the masking formatter (once per configuration)."""
    key = (settings.log_format, settings.log_level, str(settings.log_file or ""))
    if key in _configured:
        return
    _configured.add(key)
    handlers: list[logging.Handler] = [logging.StreamHandler(sys.stderr)]
    if settings.log_file:
        handlers.append(logging.FileHandler(settings.log_file, encoding="utf-8"))
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, "_motcua", False)]:
        root.removeHandler(old)
    for handler in handlers:
        handler.setFormatter(formatter(settings))
        handler.addFilter(RequestIdFilter())
        handler._motcua = True  # type: ignore[attr-defined]
        root.addHandler(handler)
    root.setLevel(settings.log_level.upper())
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logging.getLogger(name).handlers.clear()
        logging.getLogger(name).propagate = True
    logging.getLogger("uvicorn.access").disabled = True  # it logs query strings; api.request_log does not
