"""Registry queries: by code, by name, children, lineage, the unit in force at a date."""

from __future__ import annotations

from datetime import date

import pytest

from motcua.units import UnknownUnit, get_registry

reg = get_registry()


def test_codes_are_reused_so_the_era_tells_old_from_new() -> None:
    assert reg.get("commune", "00004", era="old").name == "Phường Trúc Bạch"
    assert reg.get("commune", "00004", era="new").name == "Phường Ba Đình"
    assert reg.get("commune", "00004", at=date(2025, 6, 30)).name == "Phường Trúc Bạch"
    assert reg.get("commune", "00004", at=date(2025, 7, 1)).name == "Phường Ba Đình"


def test_unknown_code_or_date_out_of_range_is_refused() -> None:
    with pytest.raises(UnknownUnit, match="99999"):
        reg.get("commune", "99999", era="new")
    with pytest.raises(UnknownUnit):
        reg.get("district", "001", era="old", at=date(2025, 7, 2))  # districts ended on 30 June 2025


@pytest.mark.parametrize("query", ["Ba Đình", "ba dinh", "BA ĐÌNH", "Phường Ba Đình", "phuong  ba-dinh"])
def test_search_ignores_case_diacritics_spacing_and_type_word(query: str) -> None:
    found = reg.search(query, level="commune", at=date(2026, 1, 1), province_code="01")
    assert [u.code for u in found] == ["00004"]


def test_search_tone_placement_variants_match() -> None:
    assert {u.code for u in reg.search("Hoà Bình", at=date(2026, 1, 1), province_code="31")} == {
        u.code for u in reg.search("Hòa Bình", at=date(2026, 1, 1), province_code="31")
    }


def test_children_of_a_province_by_date() -> None:
    hanoi_new = reg.get("province", "01", era="new")
    assert len(reg.children(hanoi_new, date(2026, 1, 1))) == 126
    hanoi_old = reg.get("province", "01", era="old")
    districts = reg.children(hanoi_old)
    assert len(districts) == 30 and all(d.level == "district" for d in districts)
    ba_dinh = next(d for d in districts if d.short_name == "Ba Đình")
    assert "Phường Trúc Bạch" in {c.name for c in reg.children(ba_dinh)}


def test_successors_and_predecessors() -> None:
    ba_dinh = reg.get("commune", "00004", era="new")
    predecessors = {s.old.name: s.kind for s in reg.predecessors(ba_dinh)}
    assert predecessors["Phường Trúc Bạch"] == "whole"
    assert predecessors["Phường Ngọc Hà"] == "partial"
    assert [s.new.code for s in reg.successors(reg.get("province", "02", era="old"))] == ["08"]  # Hà Giang


def test_unit_in_force_at_a_date_follows_its_versions() -> None:
    nhon_trach = reg.get("commune", "26485", era="new")
    assert nhon_trach.version_at(date(2026, 4, 29)).name == "Xã Nhơn Trạch"  # type: ignore[union-attr]
    assert nhon_trach.version_at(date(2026, 4, 30)).name == "Phường Nhơn Trạch"  # type: ignore[union-attr]
    assert nhon_trach.version_at(date(2025, 6, 30)) is None
    in_force = {u.code for u in reg.in_force(date(2026, 5, 1), "commune")}
    assert "26485" in in_force and len(in_force) == 3321
