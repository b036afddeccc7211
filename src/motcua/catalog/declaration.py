"""A procedure's declaration form: its JSON Schema (draft 2020-12) with motcua's own keywords.

- ``x-not-future: true`` on a date: a birth or a death is not in the future (Vietnam's date);
- ``x-personal-id: true`` on a string: a personal identification number with its structure checked
  (``accounts.identity``);
- ``x-translations: {"en": {"title": …, "enum": […]}, "fr": {…}}`` on any node: its title and the
  labels of its choices in another language (the values stay the Vietnamese ones the law uses).

Validators ignore keywords they do not know, so a schema with these stays a valid JSON Schema for
any other tool; motcua's validator adds the two checks.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker, validators
from jsonschema.exceptions import ValidationError

from motcua import clock
from motcua.accounts.identity import personal_id_problem


def _not_future(validator: Any, wanted: Any, instance: Any, schema: dict[str, Any]) -> Iterator[ValidationError]:
    if not wanted or not isinstance(instance, str):
        return
    try:
        day = date.fromisoformat(instance)
    except ValueError:
        return  # the format check says so
    if day > clock.today():
        yield ValidationError(f"{instance} is in the future")


def _personal_id(validator: Any, wanted: Any, instance: Any, schema: dict[str, Any]) -> Iterator[ValidationError]:
    if wanted and isinstance(instance, str) and (problem := personal_id_problem(instance)):
        yield ValidationError(problem)


DeclarationValidator = validators.extend(  # type: ignore[no-untyped-call]
    Draft202012Validator, {"x-not-future": _not_future, "x-personal-id": _personal_id}
)


def validator_for(schema: dict[str, Any]) -> Any:
    return DeclarationValidator(schema, format_checker=FormatChecker())


def title_in(node: dict[str, Any], language: str, default: str = "") -> str:
    """A node's title in ``language`` where the form gives it, else its (Vietnamese) title."""
    translated = ((node.get("x-translations") or {}).get(language) or {}).get("title")
    return str(translated or node.get("title") or default)


def choice_labels(node: dict[str, Any], language: str) -> list[str]:
    """The labels of a node's choices in ``language`` (its values where none are given)."""
    values = [str(v) for v in node.get("enum", [])]
    labels = ((node.get("x-translations") or {}).get(language) or {}).get("enum")
    if isinstance(labels, list) and len(labels) == len(values):
        return [str(label) for label in labels]
    return values


def is_translated(schema: dict[str, Any], language: str) -> bool:
    """Whether the form's root names itself in ``language`` (a form is translated as a whole)."""
    return language == "vi" or bool(((schema.get("x-translations") or {}).get(language) or {}).get("title"))
