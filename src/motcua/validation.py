"""What no stored value may be, wherever it comes from (the API, a page's form, an import): text
without NUL characters or lone surrogates (PostgreSQL refuses the first, every encoder the second),
numbers that every JSON reader keeps exactly (±2^53) and that are finite, nesting of bounded depth."""

from __future__ import annotations

import math
from typing import Any

MAX_INT = 2**53
MAX_DEPTH = 32


def text_problem(value: str) -> str | None:
    if "\x00" in value:
        return "contains a NUL character"
    if any(0xD800 <= ord(c) <= 0xDFFF for c in value):
        return "contains a lone surrogate (not valid Unicode)"
    return None


def value_problems(value: Any, place: str, depth: int = 0) -> list[str]:
    """What no stored value may be, wherever it sits in a JSON document."""
    if depth > MAX_DEPTH:
        return [f"{place}: nested deeper than {MAX_DEPTH} levels"]
    if isinstance(value, bool) or value is None:
        return []
    if isinstance(value, int):
        return [] if -MAX_INT <= value <= MAX_INT else [f"{place}: the number is out of range (±2^53)"]
    if isinstance(value, float):
        return [] if math.isfinite(value) else [f"{place}: not a finite number"]
    if isinstance(value, str):
        problem = text_problem(value)
        return [f"{place}: {problem}"] if problem else []
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in value_problems(v, f"{place}.{i}", depth + 1)]
    if isinstance(value, dict):
        out = []
        for k, v in value.items():
            problem = text_problem(str(k))
            if problem:
                out.append(f"{place}: a key {problem}")
            out.extend(value_problems(v, f"{place}.{k}", depth + 1))
        return out
    return []
