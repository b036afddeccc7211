"""The kinds of document a holder's store keeps (``data/document_types.toml``): what produces each
one and how the procedures' document lists name it, so that a stored document is offered where a
procedure asks for its kind."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from importlib.resources import files

from motcua.units.text import fold, nfc

OTHER = "other"


@dataclass(frozen=True)
class DocumentType:
    key: str
    names: dict[str, str]  # vi, en, fr
    produced_by: frozenset[str]
    asked_as: tuple[str, ...]  # folded
    valid_months: int | None

    def name(self, language: str) -> str:
        return self.names.get(language) or self.names["vi"]


@dataclass(frozen=True)
class Catalogue:
    types: dict[str, DocumentType]
    not_when: tuple[str, ...]  # folded starts of a name that is an application, not the document

    def produced_by(self, procedure_code: str) -> DocumentType | None:
        return next((t for t in self.types.values() if procedure_code in t.produced_by), None)

    def asked(self, document_name: str) -> DocumentType | None:
        """The kind of document a procedure's component names, or None when it names none (or names an
        application form that merely mentions one)."""
        name = fold(nfc(document_name)).strip()
        if any(name.startswith(prefix) for prefix in self.not_when):
            return None
        return next((t for t in self.types.values() if any(a in name for a in t.asked_as)), None)


@cache
def document_types() -> Catalogue:
    raw = tomllib.loads(files("motcua.digitisation").joinpath("data/document_types.toml").read_text("utf-8"))
    not_when = tuple(fold(nfc(s)) for s in raw.pop("not_when", []))
    types = {
        key: DocumentType(
            key=key,
            names={lang: str(entry[lang]) for lang in ("vi", "en", "fr")},
            produced_by=frozenset(entry.get("produced_by", [])),
            asked_as=tuple(fold(nfc(a)) for a in entry.get("asked_as", [])),
            valid_months=entry.get("valid_months"),
        )
        for key, entry in raw.items()
    }
    return Catalogue(types, not_when)
