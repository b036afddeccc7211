"""Finding a procedure by what people type: without diacritics, with typos, by name, field or level.

Names are folded (``đăng ký khai sinh`` → ``dang ky khai sinh``) and compared word by word with
rapidfuzz, so ``dang ki khai sinh`` and ``khai sinh`` both find the birth registration. Only the
version in force on the day is searched; abolished procedures are left out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from rapidfuzz import fuzz

from motcua.catalog.routing import CatalogSnapshot, ProcedureView, VersionView
from motcua.units.text import fold

MIN_SCORE = 70  # below this a match is noise (measured on the demo catalog's names)


@dataclass(frozen=True)
class Hit:
    code: str
    name: str
    field: str
    level: str
    score: float
    version: VersionView


def match_score(wanted: str, text: str) -> float:
    """How well a folded query matches a folded text, 0–100 (word sets and best partial match), the
    one measure of every accent- and typo-forgiving search (procedures, published answers)."""
    return max(fuzz.token_set_ratio(wanted, text), fuzz.partial_ratio(wanted, text))


def in_force(procedure: ProcedureView, at: date) -> VersionView | None:
    published = [v for v in procedure.versions if v.status == "published" and v.in_force(at)]
    return max(published, key=lambda v: v.number) if published else None


def search(
    snapshot: CatalogSnapshot,
    query: str,
    at: date,
    *,
    field: str | None = None,
    level: str | None = None,
    limit: int | None = 30,
    language: str = "vi",
) -> list[Hit]:
    """Procedures in force matching ``query`` (any of the catalog's names: Vietnamese, or the
    language of the page), best first; ``limit`` None: all of them. Names are given in ``language``
    where the catalog has them."""
    wanted = fold(query).strip()
    hits = []
    for p in snapshot.procedures.values():
        if p.abolished_on is not None and p.abolished_on <= at:
            continue
        v = in_force(p, at)
        if v is None or (field and p.field != field) or (level and v.level != level):
            continue
        translated = {"en": v.name_en, "fr": v.name_fr}.get(language, "")
        if wanted:
            names = (v.name_vi, translated) if translated else (v.name_vi,)
            score = max(*(match_score(wanted, fold(n)) for n in names), 100.0 if wanted == p.code else 0)
            if score < MIN_SCORE:
                continue
        else:
            score = 0.0
        hits.append(Hit(p.code, translated or v.name_vi, p.field, v.level, score, v))
    hits.sort(key=lambda h: (-h.score, len(h.name), h.name))  # equal scores: the shorter, plainer name first
    return hits if limit is None else hits[:limit]


def fields(snapshot: CatalogSnapshot) -> list[str]:
    return sorted({p.field for p in snapshot.procedures.values() if p.field})
