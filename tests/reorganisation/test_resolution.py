"""A resolution file read and checked against the registry: problems by line, nothing half-read."""

from __future__ import annotations

from datetime import date

from motcua.reorganisation.checks import check
from motcua.reorganisation.moves import map_change, overlaid
from motcua.reorganisation.resolution import parse
from motcua.units.registry import get_registry
from tests.reorganisation.files import BEN_THANH, HEADER, SAI_GON, merge_into_existing, merge_into_new, split_by_address

DAY = date(2027, 1, 1)


def problems_of(text: str, applied: tuple[str, ...] = ()) -> list[str]:
    resolution, problems = parse(text)
    if problems:
        return [str(p) for p in problems]
    assert resolution is not None
    return [str(p) for p in check(resolution, get_registry(), applied=applied)]


def test_valid_files_have_no_problem() -> None:
    for text in (merge_into_existing(DAY), merge_into_new(DAY), split_by_address(DAY)):
        assert problems_of(text) == []


def test_the_form_of_the_file_is_told_by_line_and_column() -> None:
    text = HEADER + (
        f"NQ 1,{DAY},merge,commune,{BEN_THANH},,,,{SAI_GON},,,\n"
        f"NQ 2,2027-13-01,fuse,commune,{SAI_GON},,,,,,,\n"
        f"NQ 1,{DAY},merge,town,1,,,,,,,\n"
        f"NQ 1,{DAY},split,commune,{SAI_GON},,,,{BEN_THANH},sometimes,,\n"
    )
    found = problems_of(text)
    assert "line 3, effective_date: not a date (YYYY-MM-DD)" in found
    assert any(p.startswith("line 3, action: 'fuse' is not a change of a commune") for p in found)
    assert any(p.startswith("line 4, level: 'town' is not one of") for p in found)
    assert any(p.startswith("line 5, rule: 'sometimes'") for p in found)
    assert any(p.startswith("line 3, reference: 'NQ 2' differs from 'NQ 1'") for p in found)
    missing = problems_of("reference,action\nNQ,merge\n")
    assert missing == [
        "line 1, effective_date: required column missing from the header",
        "line 1, level: required column missing from the header",
        "line 1, code: required column missing from the header",
    ]


def test_every_unit_is_accounted_for_and_codes_exist() -> None:
    text = HEADER + (
        f"NQ,{DAY},merge,commune,{BEN_THANH},,,,,,,\n"  # no successor
        f"NQ,{DAY},merge,commune,99999,,,,{SAI_GON},,,\n"  # unknown unit
        f"NQ,{DAY},create,commune,29991,Mới,ward,79,,,,\n"  # made from nothing
        f"NQ,{DAY},merge,commune,26758,,,,25747,,,\n"  # another province? 25747 is in 79 too: fine
        f"NQ,{DAY},merge,commune,00004,,,,{SAI_GON},,,\n"  # Hà Nội into Hồ Chí Minh City
        f"NQ,{DAY},create,commune,{SAI_GON},Trùng,ward,79,,,,\n"  # a code already used
        f"NQ,{DAY},rename,commune,{BEN_THANH},Bến Thành Mới,,,,,,\n"  # renamed while it ends
    )
    found = problems_of(text)
    assert "line 2, successor: 26743 ends: name the unit that takes it over" in found
    assert "line 3, code: no commune with code '99999'" in found
    assert "line 4, code: 29991 comes from no unit: a new unit is made from units that end here" in found
    assert any(p.startswith("line 6, successor: 26740 is in province 79, 00004 in 01") for p in found)
    assert "line 7, code: commune code 26740 is already used; a new unit needs a new code" in found
    assert "line 8, code: 26743 ends in this resolution: rename its successor" in found
    assert not any(p.startswith("line 5") for p in found)


def test_a_split_needs_a_rule_and_a_unit_ends_once() -> None:
    text = HEADER + (
        f"NQ,{DAY},split,commune,{BEN_THANH},,,,{SAI_GON},,,\n"
        f"NQ,{DAY},split,commune,{BEN_THANH},,,,26758,,,\n"
        f"NQ,{DAY},merge,commune,25747,,,,{SAI_GON},,,\n"
        f"NQ,{DAY},merge,commune,25747,,,,26758,,,\n"
        f"NQ,{DAY},split,commune,26761,,,,{SAI_GON},address,,\n"
        f"NQ,{DAY},split,commune,26761,,,,26758,address,Lê Lợi,\n"
    )
    found = problems_of(text)
    assert any(p.startswith("line 2, rule: 26743 goes to several successors") for p in found)
    assert any(p.startswith("line 3, rule: 26743 goes to several successors") for p in found)
    assert "line 5, code: 25747 already ends on line 4: a unit merges once, or splits" in found
    assert any(p.startswith("line 6, match: the address rule needs the words") for p in found)


def test_dates_and_repeats() -> None:
    assert any("is not after 2025-07-01" in p for p in problems_of(merge_into_existing(date(2025, 7, 1))))
    assert problems_of(merge_into_existing(DAY), applied=("NQ 9001/NQ-UBTVQH15",)) == [
        "line 2, reference: 'NQ 9001/NQ-UBTVQH15' is already applied"
    ]


def test_the_registry_lays_a_resolution_over_the_map() -> None:
    resolution, _ = parse(merge_into_new(DAY))
    assert resolution is not None
    base = get_registry()
    after = overlaid(base, map_change(resolution))
    sai_gon, new = after.get("commune", SAI_GON, era="new"), after.get("commune", "29990", era="new")
    eve = date(2026, 12, 31)
    assert sai_gon.version_at(eve) is not None and sai_gon.version_at(DAY) is None
    assert new.version_at(eve) is None and new.version_at(DAY).name == "Phường Trung Tâm"  # type: ignore[union-attr]
    assert [s.new.code for s in after.successors(sai_gon)] == ["29990"]
    assert sorted(s.old.code for s in after.predecessors(new)) == [SAI_GON, BEN_THANH]
    assert sorted(after.lineage_codes("commune", "29990")) == ["26740", "26743", "29990"]
    # The 2025 lineage goes on through the new unit: the old wards of District 1.
    assert {s.old.district_code for s in after.origins(new)} == {"760"}
    assert [u.code for u in after.in_force_successors(sai_gon, DAY)] == ["29990"]
    counts_before, counts_after = after.counts(eve), after.counts(DAY)
    assert counts_after.total_communes == counts_before.total_communes - 1
    assert base.find("commune", "29990", "new") is None  # the registry in use is not changed
