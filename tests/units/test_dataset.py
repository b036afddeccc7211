"""The shipped unit dataset: counts by date, lineage completeness, reproducibility."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from importlib import resources
from pathlib import Path

import pytest

from motcua.units import get_registry

REPO = Path(__file__).resolve().parents[2]
SHARED = REPO.parent / "shared" / "data" / "units"


def test_counts_before_the_reorganisation() -> None:
    c = get_registry().counts(date(2025, 6, 30))
    assert c.total_provinces == 63
    assert c.total_districts == 696
    assert c.total_communes == 10035


def test_counts_on_1_july_2025() -> None:
    c = get_registry().counts(date(2025, 7, 1))
    assert c.provinces == {"city": 6, "province": 28}
    assert c.communes == {"commune": 2621, "ward": 687, "special_zone": 13}
    assert c.districts == {}


def test_dong_nai_changes_from_30_april_2026() -> None:
    before = get_registry().counts(date(2026, 4, 29))
    after = get_registry().counts(date(2026, 4, 30))
    assert before.provinces == {"city": 6, "province": 28}
    assert after.provinces == {"city": 7, "province": 27}
    assert after.communes == {"commune": 2611, "ward": 697, "special_zone": 13}
    assert after.total_communes == 3321


def test_quang_ninh_and_bac_ninh_become_cities_in_september_2026() -> None:
    reg = get_registry()
    assert reg.counts(date(2026, 9, 1)).provinces == {"city": 8, "province": 26}
    assert reg.counts(date(2026, 9, 20)).provinces == {"city": 9, "province": 25}
    qn = reg.get("province", "22", era="new")
    assert qn.version_at(date(2026, 8, 31)).name == "Tỉnh Quảng Ninh"  # type: ignore[union-attr]
    assert qn.version_at(date(2026, 9, 1)).name == "Thành phố Quảng Ninh"  # type: ignore[union-attr]


def test_every_old_commune_has_a_successor_and_every_new_one_a_predecessor() -> None:
    reg = get_registry()
    for unit in reg.units("commune", "old"):
        assert reg.successors(unit), unit
    # Island districts without communes (Bạch Long Vĩ…) have a district-level predecessor.
    assert [u.code for u in reg.units("commune", "new") if not reg.predecessors(u)] == []
    bach_long_vi = reg.get("commune", "11948", era="new")
    assert [(s.old.level, s.old.name) for s in reg.predecessors(bach_long_vi)] == [("district", "Huyện Bạch Long Vĩ")]


def test_every_old_province_maps_to_exactly_one_new_province() -> None:
    reg = get_registry()
    for unit in reg.units("province", "old"):
        assert len(reg.successors(unit)) == 1, unit.code
    assert sum(len(reg.predecessors(p)) for p in reg.units("province", "new")) == 63


def test_split_communes_keep_all_their_successors() -> None:
    reg = get_registry()
    co_bi = reg.get("commune", "00553", era="old")
    assert {s.new.code for s in reg.successors(co_bi)} == {"00136", "00541", "00565"}
    assert {s.kind for s in reg.successors(co_bi)} == {"partial"}


def test_manifest_reports_the_reviewed_overrides() -> None:
    text = resources.files("motcua.units").joinpath("data").joinpath("MANIFEST.json").read_text(encoding="utf-8")
    manifest = json.loads(text)
    lineage = manifest["report"]["lineage"]
    assert lineage["reviewed_overrides"] == lineage["disputed_between_nso_and_dvhcvn"] == 33
    assert all(len(v) == 64 for v in manifest["inputs"].values())


@pytest.mark.skipif(not SHARED.exists(), reason="../shared is not beside the checkout")
def test_shipped_dataset_is_rebuilt_identically_from_its_sources() -> None:
    result = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "build_units.py"), "--check"], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
