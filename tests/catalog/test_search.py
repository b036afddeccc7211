"""Procedure search: without diacritics, with typos, by field and level."""

from __future__ import annotations

from datetime import date

from motcua.catalog.routing import CatalogSnapshot
from motcua.catalog.search import fields, search

TODAY = date(2026, 11, 24)


def test_a_name_typed_without_accents_or_with_a_typo_is_found_first(snapshot: CatalogSnapshot) -> None:
    for query in ("dang ky khai sinh", "dang ki khai sinh", "Đăng ký khai sinh", "khai sinh"):
        hits = search(snapshot, query, TODAY)
        assert hits and hits[0].name == "Thủ tục đăng ký khai sinh", query


def test_filters_and_nonsense(snapshot: CatalogSnapshot) -> None:
    assert search(snapshot, "xyzzy qwerty", TODAY) == []
    civil = search(snapshot, "", TODAY, field="Hộ tịch")
    assert civil and all(h.field == "Hộ tịch" for h in civil)
    assert all(h.level == "commune" for h in search(snapshot, "", TODAY, level="commune"))
    assert "Hộ tịch" in fields(snapshot)
