"""Form fields from a JSON Schema, and posted values typed back for validation."""

from __future__ import annotations

from typing import Any

from motcua.dossiers.service import validate_form
from motcua.web.schema_form import ROWS_PER_LIST, data_of, fields_of

SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["name", "born", "capital"],
    "properties": {
        "name": {"type": "string", "title": "Họ và tên", "maxLength": 50},
        "born": {"type": "string", "format": "date"},
        "capital": {"type": "integer", "minimum": 0},
        "share": {"type": "number"},
        "married": {"type": "boolean"},
        "kind": {"type": "string", "enum": ["a", "b"]},
        "activities": {"type": "array", "items": {"type": "string"}},
        "owner": {"type": "object", "properties": {"name": {"type": "string"}}},
        "members": {"type": "array", "items": {"type": "object", "properties": {"name": {"type": "string"}}}},
    },
}


def test_each_property_gets_a_field_of_its_kind() -> None:
    kinds = {f.name: f.kind for f in fields_of(SCHEMA)}
    assert kinds == {
        "name": "text",
        "born": "date",
        "capital": "integer",
        "share": "number",
        "married": "boolean",
        "kind": "choice",
        "activities": "lines",
        "owner": "group",
        "members": "group",
    }
    fields = {f.name: f for f in fields_of(SCHEMA)}
    assert fields["name"].label == "Họ và tên" and fields["name"].required and fields["name"].max_length == 50
    assert [c.name for c in fields["owner"].children] == ["owner.name"]
    assert len(fields["members"].children) == ROWS_PER_LIST


def test_posted_values_are_typed_and_empty_ones_left_out() -> None:
    posted = {
        "name": " Lan ",
        "born": "1990-02-01",
        "capital": "50 000 000",
        "share": "2,5",
        "married": "on",
        "kind": "",
        "activities": "Bán lẻ\n\n  Ăn uống ",
        "owner.name": "",
        "members.0.name": "An",
        "members.2.name": "Bình",
    }
    data = data_of(SCHEMA, posted)
    assert data == {
        "name": "Lan",
        "born": "1990-02-01",
        "capital": 50_000_000,
        "share": 2.5,
        "married": True,
        "activities": ["Bán lẻ", "Ăn uống"],
        "members": [{"name": "An"}, {"name": "Bình"}],
    }
    assert validate_form(SCHEMA, data) == []


def test_a_number_that_does_not_parse_is_named_by_validation() -> None:
    data = data_of(SCHEMA, {"name": "Lan", "born": "1990-02-01", "capital": "50 triệu"})
    assert data["capital"] == "50 triệu"
    assert any(p.startswith("form.capital") for p in validate_form(SCHEMA, data))
