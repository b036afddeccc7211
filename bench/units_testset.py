"""Build the address test set for ``bench/units_convert.py`` from the official conversion table.

Ground truth comes straight from the statistics office's table (``../shared``) with the reviewed
overrides in ``data/units/lineage_overrides.csv`` applied: it does not go through motcua's loader.
Every old commune is rendered in two of the styles people really write, chosen by a seeded random
generator, plus every new commune in the two-level form and every alias from earlier mergers.
"""

from __future__ import annotations

import csv
import random
import re
import sys
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "scripts"))

from units_sources import SHARED_UNITS, OldCommune, load_gso_communes, load_gso_districts, load_nso_table, read_csv  # noqa: E402

STREETS = [
    "Số 12 Nguyễn Trãi",
    "thôn 3",
    "123/4 Lê Lợi",
    "Tổ 5",
    "ấp Bình Lợi",
    "Số 7, ngõ 21 Trần Phú",
    "khu phố 2",
    "",
    "",
    "Xóm Đông",
    "45B Hai Bà Trưng",
]

OLD_STYLES = [
    "full",
    "no_diacritics",
    "upper",
    "abbreviated",
    "no_type_words",
    "lower_abbrev_no_diacritics",
    "typo",
    "no_district",
]


@dataclass(frozen=True)
class Case:
    address: str
    style: str
    kind: str  # single | split | homonym (the input cannot tell several old communes apart) | new_form
    expected: tuple[str, ...]  # new commune codes


def strip_marks(text: str) -> str:
    text = unicodedata.normalize("NFD", text).replace("đ", "d").replace("Đ", "D")
    return unicodedata.normalize("NFC", "".join(c for c in text if not unicodedata.combining(c)))


TYPE_ABBREV = {
    "Phường": "P.",
    "Xã": "X.",
    "Thị trấn": "TT.",
    "Quận": "Q.",
    "Huyện": "H.",
    "Thị xã": "TX.",
    "Thành phố": "TP.",
    "Tỉnh": "T.",
    "Đặc khu": "Đặc khu",
}
TYPE_RE = re.compile(r"^(Thành phố|Thị xã|Thị trấn|Đặc khu|Tỉnh|Quận|Huyện|Phường|Xã)\s+(.*)$", re.IGNORECASE)


def split_type(name: str) -> tuple[str, str]:
    m = TYPE_RE.match(name)
    if not m:
        return "", name
    word = m.group(1)
    return word[0].upper() + word[1:].lower(), m.group(2)


def abbreviate(name: str, compact_numbers: bool = False) -> str:
    word, short = split_type(name)
    if compact_numbers and short.isdigit() and word in ("Phường", "Quận"):
        return f"{'P' if word == 'Phường' else 'Q'}{short}"
    return f"{TYPE_ABBREV.get(word, word)} {short}".strip()


def typo(name: str, rng: random.Random) -> str | None:
    word, short = split_type(name)
    letters = [i for i, c in enumerate(short) if c.isalpha()]
    if len(short.replace(" ", "")) < 6 or len(letters) < 6:
        return None
    i = rng.choice(letters[1:-1])
    edit = rng.choice(["drop", "double", "swap"])
    if edit == "drop":
        short = short[:i] + short[i + 1 :]
    elif edit == "double":
        short = short[:i] + short[i] + short[i:]
    elif i + 1 < len(short) and short[i + 1].isalpha():
        short = short[:i] + short[i + 1] + short[i] + short[i + 2 :]
    return f"{word} {short}".strip()


def identity(name: str, style: str) -> str:
    """What the rendered commune name still tells: diacritics, type word, or neither."""
    from motcua.units.text import accent_key, fold

    word, short = split_type(name)
    word = {"Thị trấn": "tt", "Phường": "p", "Xã": "x"}.get(word, word)
    if style in ("no_diacritics", "lower_abbrev_no_diacritics"):
        return word + "|" + re.sub(r"\W", "", fold(short))
    if style == "no_type_words":
        return accent_key(short)
    return word + "|" + accent_key(short)


def truth() -> dict[str, tuple[str, ...]]:
    nso = load_nso_table()
    successors = {c: tuple(sorted(s)) for c, s in nso.successors.items()}
    for row in read_csv(REPO / "data" / "units" / "lineage_overrides.csv"):
        successors[row["old_code"]] = tuple(sorted(item.split(":")[0] for item in row["successors"].split()))
    return successors


def build(seed: int = 20251001) -> list[Case]:
    rng = random.Random(seed)
    nso = load_nso_table()
    expected = truth()
    communes = load_gso_communes()
    districts = load_gso_districts()
    new_names_by_province: dict[str, set[str]] = defaultdict(set)
    for code, name in nso.new_names.items():
        new_names_by_province[nso.new_province[code][0]].add(strip_marks(split_type(name)[1]).lower())
    names_in_province: dict[tuple[str, str], int] = defaultdict(int)
    for c in communes.values():
        names_in_province[(c.province_code, strip_marks(c.name).lower())] += 1
    by_district: dict[str, list[OldCommune]] = defaultdict(list)
    for c in communes.values():
        by_district[c.district_code].append(c)
    # Without a district, an old province name that is also a new province's name covers every
    # old province merged into it (the reader cannot tell which one is meant).
    new_prov_of_old = {
        c.province_code: nso.new_province[expected[c.code][0]] for c in communes.values() if c.code in expected
    }
    by_new_province: dict[str, list[OldCommune]] = defaultdict(list)
    for c in communes.values():
        if c.code in expected:
            by_new_province[new_prov_of_old[c.province_code][0]].append(c)

    cases: list[Case] = []
    for code, c in sorted(communes.items()):
        if code not in expected:
            continue
        succ = expected[code]
        kind = "single" if len(succ) == 1 else "split"
        d = districts[c.district_code]
        new_province = nso.new_province[succ[0]][0]
        new_code, new_name = new_prov_of_old[c.province_code]
        same_name = strip_marks(split_type(new_name)[1]).lower() == strip_marks(split_type(c.province_name)[1]).lower()
        scope = (
            by_new_province[new_code]
            if same_name
            else [o for o in by_new_province[new_code] if o.province_code == c.province_code]
        )
        unique_name = (
            sum(1 for o in scope if identity(o.name, "full") == identity(c.name, "full")) == 1
            and strip_marks(split_type(c.name)[1]).lower() not in new_names_by_province[new_province]
            and not split_type(c.name)[1].isdigit()
        )
        styles = rng.sample(OLD_STYLES, 2)
        for style in styles:
            street = rng.choice(STREETS)
            parts = [c.name, d.name, c.province_name]
            if style == "no_district":
                if not unique_name:
                    style = "full"
                else:
                    parts = [c.name, c.province_name]
            if style == "typo":
                t = typo(c.name, rng)
                if t is None:
                    style = "no_diacritics"
                else:
                    parts = [t, d.name, c.province_name]
            text_parts = parts
            if style == "no_diacritics":
                text_parts = [strip_marks(p) for p in parts]
            elif style == "upper":
                text_parts = [p.upper() for p in parts]
            elif style == "abbreviated":
                text_parts = [abbreviate(p, compact_numbers=True) for p in parts[:-1]] + [parts[-1]]
            elif style == "no_type_words":
                text_parts = [split_type(p)[1] for p in parts]
                if split_type(c.name)[1].isdigit() or split_type(d.name)[1].isdigit():
                    text_parts = parts  # a bare number is not an address
                    style = "full"
            elif style == "lower_abbrev_no_diacritics":
                text_parts = [strip_marks(abbreviate(p)).lower() for p in parts]
            address = ", ".join(p for p in [street, *text_parts] if p)
            case_kind, case_expected = kind, succ
            if style not in ("typo", "no_district"):
                same = [
                    o
                    for o in by_district[c.district_code]
                    if o.code != code and o.code in expected and identity(o.name, style) == identity(c.name, style)
                ]
                if same:
                    union = tuple(sorted({x for o in [c, *same] for x in expected[o.code]}))
                    case_kind, case_expected = ("homonym", union) if len(union) > 1 else ("single", union)
            cases.append(Case(address, style, case_kind, case_expected))

    # Names from earlier mergers (2019–2025), as alias keys of the old units.
    prov_key = {
        re.sub(r"[^a-z0-9]", "", strip_marks(n).lower()): n for n in {c.province_name for c in communes.values()}
    }
    by_key = {
        (
            re.sub(r"[^a-z0-9]", "", strip_marks(c.province_name).lower()),
            re.sub(r"[^a-z0-9]", "", strip_marks(districts[c.district_code].name).lower()),
            re.sub(r"[^a-z0-9]", "", strip_marks(c.name).lower()),
        ): c
        for c in communes.values()
    }
    for row in read_csv(SHARED_UNITS / "aliases" / "legacy" / "alias_ward.csv"):
        found = by_key.get((row["province_key"], row["district_key"], row["ward_key"]))
        if found is None or found.code not in expected or row["alias_keyword"].isdigit():
            continue
        c = found
        current = {re.sub(r"[^a-z0-9]", "", strip_marks(o.name).lower()) for o in by_district[c.district_code]} | {
            re.sub(r"[^a-z0-9]", "", strip_marks(split_type(o.name)[1]).lower()) for o in by_district[c.district_code]
        }
        if row["alias_keyword"] in current:
            continue  # the former name is also a current name in the district: not a test of aliases
        d = districts[c.district_code]
        address = f"{rng.choice(STREETS) or 'Số 1'}, {row['alias_keyword']}, {d.name}, {prov_key[row['province_key']]}"
        succ = expected[c.code]
        cases.append(Case(address, "earlier_merger_name", "single" if len(succ) == 1 else "split", succ))

    # Addresses already in the two-level form.
    new_by_province: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for code, name in nso.new_names.items():
        new_by_province[nso.new_province[code][0]].append((code, name))
    for code, name in sorted(nso.new_names.items()):
        province_code, province = nso.new_province[code]
        street = rng.choice(STREETS)
        style, style_name = rng.choice(
            [("full", name), ("no_diacritics", strip_marks(name).lower()), ("abbreviated", abbreviate(name))]
        )
        homonyms: tuple[str, ...] = tuple(
            sorted(o for o, n in new_by_province[province_code] if identity(n, style) == identity(name, style))
        )
        kind, expected_codes = ("homonym", homonyms) if len(homonyms) > 1 else ("new_form", (code,))
        if style == "no_diacritics":
            province = strip_marks(province).lower()
        cases.append(Case(", ".join(p for p in [street, style_name, province] if p), "new_form", kind, expected_codes))
    return cases


def write_jsonl(cases: list[Case], path: Path) -> None:
    import json

    with path.open("w", encoding="utf-8") as f:
        for case in cases:
            f.write(json.dumps({"address": case.address}, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    out = csv.writer(sys.stdout)
    out.writerow(["style", "kind", "expected", "address"])
    for case in build():
        out.writerow([case.style, case.kind, " ".join(case.expected), case.address])
