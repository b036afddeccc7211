"""HTML form fields generated from a procedure version's JSON Schema, and the posted form back to data.

The schema stays the single description of a form: the page shows one field per property (nested
objects as groups, a list of strings as one line per item, a list of objects as a few rows), and the
posted values are typed back (integers, numbers, booleans) before the service validates them against
the same schema. Field names are dotted paths (``deceased.full_name``, ``members.0.name``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from motcua.catalog.declaration import choice_labels, title_in

ROWS_PER_LIST = 3  # rows offered for a list of objects (empty rows are dropped)


@dataclass
class Field:
    name: str  # dotted path, also the HTML name
    label: str
    kind: str  # text | date | integer | number | boolean | choice | lines | group
    required: bool = False
    choices: list[str] = field(default_factory=list)
    choice_labels: list[str] = field(default_factory=list)  # in the page's language
    children: list[Field] = field(default_factory=list)
    hint: str = ""
    minimum: float | None = None
    maximum: float | None = None
    max_length: int | None = None


def fields_of(schema: dict[str, Any], prefix: str = "", language: str = "vi") -> list[Field]:
    """The fields of a form, labelled in ``language`` where the form gives its translations."""
    required = set(schema.get("required", []))
    out = []
    for key, prop in (schema.get("properties") or {}).items():
        out.extend(_field(f"{prefix}{key}", prop, key in required, language))
    return out


def _field(name: str, prop: dict[str, Any], required: bool, language: str) -> list[Field]:
    label = title_in(prop, language, name.rsplit(".", 1)[-1])
    kind = prop.get("type")
    common: dict[str, Any] = {"name": name, "label": label, "required": required, "hint": prop.get("description", "")}
    if "enum" in prop:
        choices = [str(c) for c in prop["enum"]]
        return [Field(kind="choice", choices=choices, choice_labels=choice_labels(prop, language), **common)]
    if kind == "object":
        children = fields_of(prop, f"{name}.", language)
        if not required:  # an optional group (the father): its fields are needed only if it is given
            _optional(children)
        return [Field(kind="group", children=children, **common)]
    if kind == "array":
        items = prop.get("items") or {}
        if items.get("type") == "object":
            rows = [
                Field(
                    name=f"{name}.{i}",
                    label=f"{label} ({i + 1})",
                    kind="group",
                    children=fields_of(items, f"{name}.{i}.", language),
                )
                for i in range(ROWS_PER_LIST)
            ]
            return [Field(kind="group", children=rows, **common)]
        return [Field(kind="lines", **common)]
    if kind in ("integer", "number"):
        return [Field(kind=kind, minimum=prop.get("minimum"), maximum=prop.get("maximum"), **common)]
    if kind == "boolean":
        return [Field(kind="boolean", **common)]
    text_kind = "date" if prop.get("format") == "date" else "text"
    return [Field(kind=text_kind, max_length=prop.get("maxLength"), **common)]


def _optional(fields: list[Field]) -> None:
    for f in fields:
        f.required = False
        _optional(f.children)


def data_of(schema: dict[str, Any], posted: dict[str, str]) -> dict[str, Any]:
    """The posted form as data for the schema. Empty fields are left out (the schema says which are
    required); a number that does not parse is kept as text, so that validation names the field."""
    return _object(schema, posted, "")


def _object(schema: dict[str, Any], posted: dict[str, str], prefix: str) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for key, prop in (schema.get("properties") or {}).items():
        value = _value(prop, posted, f"{prefix}{key}")
        if value is not None:
            data[key] = value
    return data


def _value(prop: dict[str, Any], posted: dict[str, str], name: str) -> Any:
    kind = prop.get("type")
    if kind == "object":
        inner = _object(prop, posted, f"{name}.")
        return inner or None
    if kind == "array":
        items = prop.get("items") or {}
        if items.get("type") == "object":
            rows = [_object(items, posted, f"{name}.{i}.") for i in range(ROWS_PER_LIST)]
            rows = [r for r in rows if r]
            return rows or None
        lines = [line.strip() for line in posted.get(name, "").splitlines() if line.strip()]
        return lines or None
    if kind == "boolean":
        return posted.get(name) in ("on", "true", "1") if name in posted else False
    raw = posted.get(name, "").strip()
    if not raw:
        return None
    if kind in ("integer", "number"):
        try:
            number = float(raw.replace(",", ".").replace(" ", ""))
        except ValueError:
            return raw
        if kind == "integer":
            return int(number) if number.is_integer() else raw
        return number
    return raw
