"""Print the evidence needed to review lineage disputes between the statistics office's
conversion table and the dvhcvn dataset: for each old commune the two sources map
differently, the paragraphs of the National Assembly Standing Committee resolution that
name it, with the new unit each paragraph creates.

The reviewer reads this output and records a decision per code in
``data/units/lineage_overrides.csv``. Usage: ``python scripts/units_review_disputes.py``.
"""

from __future__ import annotations

import re
import sys
from itertools import pairwise
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from units_sources import SHARED_UNITS, load_dvhcvn_splits, load_gso_communes, load_nso_table

PARAGRAPH = re.compile(r"(?m)^\d+\\?\.\s")
NEW_UNIT = re.compile(r"\*\*((?:xã|phường|đặc khu)\s[^*]+)\*\*", re.IGNORECASE)


def resolution_paragraphs() -> list[tuple[str, str, str]]:
    """(resolution number, paragraph text, new unit name) for every numbered paragraph."""
    out = []
    for path in sorted((SHARED_UNITS / "official" / "resolutions").glob("16*_NQ-UBTVQH15.md")):
        text = path.read_text(encoding="utf-8")
        starts = [m.start() for m in PARAGRAPH.finditer(text)] + [len(text)]
        for a, b in pairwise(starts):
            para = re.sub(r"\s+", " ", text[a:b])
            m = NEW_UNIT.search(para)
            if m:
                out.append((path.stem, para, m.group(1)))
    return out


def main() -> None:
    nso = load_nso_table()
    dv = load_dvhcvn_splits()
    gso = load_gso_communes()
    paragraphs = resolution_paragraphs()
    disputed = sorted(c for c in set(nso.successors) & set(dv) if set(nso.successors[c]) != dv[c])
    for code in disputed:
        old = gso[code]
        short = re.sub(r"^(Xã|Phường|Thị trấn)\s+", "", old.name)
        print(f"== {code} {old.name} | {old.district_name} | {old.province_name}")
        print("   NSO :", [(s, nso.new_names[s], nso.notes[(code, s)]) for s in nso.successors[code]])
        print("   DV  :", [(s, nso.new_names.get(s, "?")) for s in sorted(dv[code])])
        word = re.compile(r"(?<![\wÀ-ỹ])" + re.escape(short) + r"(?![\wÀ-ỹ])")
        for number, para, new_unit in paragraphs:
            for m in word.finditer(para):
                around = para[max(0, m.start() - 60) : m.end() + 40]
                print(f"   {number[:4]} -> {new_unit}: …{around}…")
    print(len(disputed), "disputed codes")


if __name__ == "__main__":
    main()
