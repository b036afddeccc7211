"""Parse free-text Vietnamese addresses and convert them to the two-level units.

The parser reads an address from its end, where Vietnamese addresses put the largest unit:
province, then (old form) district, then commune; what remains in front is the street part.
Each level is a longest-match look-up of concatenated token keys in a dictionary scoped by the
level above, so the common case costs a few dozen dictionary probes. Typos fall back to fuzzy
matching (rapidfuzz) within the same scope only. No network, no guessing: an old commune that was
split between several new ones is reported ``ambiguous`` with all its successors.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from functools import cache, lru_cache
from typing import Any, Literal

from rapidfuzz import process
from rapidfuzz.distance import OSA

from motcua import clock
from motcua.units.models import Era, Unit
from motcua.units.registry import Registry, data_rows, get_registry, on_install
from motcua.units.text import (
    ALL_TYPE_WORDS,
    COMMUNE_TYPE_WORDS,
    DISTRICT_TYPE_WORDS,
    PROVINCE_TYPE_WORDS,
    Tokens,
    accent_key,
    fold,
    key,
    leading_type_words,
    nfc,
    tokenize,
)

Status = Literal["converted", "ambiguous", "unchanged", "not_found"]
MAX_INPUT_CHARS = 1000
MAX_SPAN = 10  # tokens in the longest unit name with its type word ("thanh pho ..." + 6 words)
FUZZY_CUTOFF = 0.78  # OSA similarity: one edit in a 5-letter name is 0.8
TRAILING_NOISE = {"vietnam", "vn", "namviet"}

# Prefix keys under which each unit type is indexed, besides its bare name.
PREFIXES: dict[str, tuple[str, ...]] = defaultdict(tuple)
for _words in (PROVINCE_TYPE_WORDS, DISTRICT_TYPE_WORDS, COMMUNE_TYPE_WORDS):
    for _word, _type in _words.items():
        PREFIXES[_type] = (*PREFIXES[_type], _word)


@dataclass(frozen=True, slots=True)
class Candidate:
    code: str
    name: str
    province_code: str
    province_name: str

    def to_dict(self) -> dict[str, str]:
        return {
            "code": self.code,
            "name": self.name,
            "province_code": self.province_code,
            "province_name": self.province_name,
        }


@dataclass(slots=True)
class OldUnits:
    """The pre-1 July 2025 units recognised in the input."""

    province_code: str | None = None
    province_name: str | None = None
    district_code: str | None = None
    district_name: str | None = None
    commune_code: str | None = None
    commune_name: str | None = None

    def to_dict(self) -> dict[str, str | None]:
        return {k: getattr(self, k) for k in self.__slots__}


@dataclass(slots=True)
class Conversion:
    input: str
    status: Status
    reason: str
    province_code: str | None = None
    province_name: str | None = None
    commune_code: str | None = None
    commune_name: str | None = None
    candidates: list[Candidate] = field(default_factory=list)
    street: str = ""
    formatted: str | None = None
    old: OldUnits | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "input": self.input,
            "status": self.status,
            "reason": self.reason,
            "province_code": self.province_code,
            "province_name": self.province_name,
            "commune_code": self.commune_code,
            "commune_name": self.commune_name,
            "candidates": [c.to_dict() for c in self.candidates],
            "street": self.street,
            "formatted": self.formatted,
            "old": self.old.to_dict() if self.old else None,
        }


KeyIndex = dict[str, list[str]]


def _index_unit(index: KeyIndex, unit: Unit) -> None:
    """Index a unit under its bare name (unless a bare number) and each type-word prefix."""
    seen: set[str] = set()
    for version in unit.versions:
        name_key = key(version.short_name)
        keys = {prefix + name_key for prefix in PREFIXES[version.unit_type]}
        if not name_key.isdigit():
            keys.add(name_key)
        for k in keys - seen:
            index.setdefault(k, []).append(unit.code)
        seen |= keys


def _add_alias(index: KeyIndex, alias: str, code: str) -> None:
    codes = index.setdefault(alias, [])
    if code not in codes:
        codes.append(code)


class AddressIndex:
    """Look-up tables for the parser, built once from the registry."""

    def __init__(self, registry: Registry) -> None:
        self.registry = registry
        self.provinces: KeyIndex = {}  # key → ["old:02", "new:08"]: era and code
        self.districts: dict[str, KeyIndex] = defaultdict(dict)  # old province → key → codes
        self.districts_national: KeyIndex = {}
        self.district_aliases: dict[str, KeyIndex] = defaultdict(dict)  # looked up after the names
        self.old_communes_by_district: dict[str, KeyIndex] = defaultdict(dict)
        self.old_communes_by_province: dict[str, KeyIndex] = defaultdict(dict)
        # Former names (mergers 2019–2025) are looked up only when no current name matches.
        self.old_aliases_by_district: dict[str, KeyIndex] = defaultdict(dict)
        self.old_aliases_by_province: dict[str, KeyIndex] = defaultdict(dict)
        self.new_communes: dict[str, KeyIndex] = defaultdict(dict)  # new province → key → codes
        self.district_successors: dict[str, str] = {}  # island districts without communes
        self._merged: dict[tuple[int, tuple[str, ...]], KeyIndex] = {}
        self.successors: dict[str, list[Unit]] = {}  # old commune code → new communes
        self._build()

    def _build(self) -> None:
        reg = self.registry
        eras: tuple[Era, ...] = ("old", "new")
        for era in eras:
            for unit in reg.units("province", era):
                tmp: KeyIndex = {}
                _index_unit(tmp, unit)
                for k in tmp:
                    self._add_province_ref(k, era, unit.code)
        for unit in reg.units("district", "old"):
            _index_unit(self.districts[unit.province_code], unit)
            _index_unit(self.districts_national, unit)
            for s in reg.successors(unit):
                self.district_successors[unit.code] = s.new.code
        for unit in reg.units("commune", "old"):
            self.successors[unit.code] = [s.new for s in reg.successors(unit)]
            _index_unit(self.old_communes_by_district[unit.district_code or ""], unit)
            _index_unit(self.old_communes_by_province[unit.province_code], unit)
        for unit in reg.units("commune", "new"):
            _index_unit(self.new_communes[unit.province_code], unit)
        for row in data_rows("aliases.csv"):
            level, code, alias = row["level"], row["code"], row["alias_key"]
            if level in ("old_province", "new_province"):
                self._add_province_ref(alias, "old" if level == "old_province" else "new", code)
            elif level == "old_district":
                d = reg.find("district", code, "old")
                if d:
                    _add_alias(self.district_aliases[d.province_code], alias, code)
            elif level == "old_commune":
                c = reg.find("commune", code, "old")
                if c:
                    _add_alias(self.old_aliases_by_district[c.district_code or ""], alias, code)
                    _add_alias(self.old_aliases_by_province[c.province_code], alias, code)

    def merged(self, table: dict[str, KeyIndex], codes: Iterable[str]) -> KeyIndex:
        """One index for several scopes (the old provinces of a new one), built once."""
        codes = tuple(codes)
        if len(codes) == 1:
            return table[codes[0]]
        cache_key = (id(table), codes)
        index = self._merged.get(cache_key)
        if index is None:
            index = {}
            for code in codes:
                for k, values in table[code].items():
                    index[k] = index[k] + [v for v in values if v not in index[k]] if k in index else values
            self._merged[cache_key] = index
        return index

    def _add_province_ref(self, k: str, era: str, code: str) -> None:
        _add_alias(self.provinces, k, f"{era}:{code}")
        if era == "old":
            # An old province whose name lives on (Hà Nội, Tuyên Quang…) is also the new one.
            old = self.registry.find("province", code, "old")
            new = self.registry.find("province", code, "new")
            if old and new and key(old.short_name) == key(new.short_name):
                _add_alias(self.provinces, k, f"new:{code}")


@cache
def get_index() -> AddressIndex:
    return AddressIndex(get_registry())


def _match_end(tokens: Tokens, end: int, index: KeyIndex) -> tuple[int, list[str]] | None:
    """Longest run of tokens ending at ``end`` whose joined key is in ``index``.

    A run never crosses a separator: unit names contain no commas."""
    best: tuple[int, list[str]] | None = None
    text, seg = tokens.text, tokens.segment
    segment = seg[end - 1]
    joined = ""
    for i in range(end - 1, max(-1, end - 1 - MAX_SPAN), -1):
        if seg[i] != segment:
            break
        joined = text[i] + joined
        found = index.get(joined)
        if found:
            best = (i, found)
    return best


def _starts_with_type_word(tokens: Tokens, start: int, end: int, words: dict[str, str]) -> bool:
    if tokens.text[start] in words:
        return True
    return start + 1 < end and tokens.text[start] + tokens.text[start + 1] in words


def _typed(tokens: Tokens, start: int, end: int, words: dict[str, str], index: KeyIndex) -> bool:
    """Does the match begin with a type word followed by the name itself ('Quận Ba Đình'), rather
    than with a name whose first syllable looks like one ('Quản Bạ' → 'quan ba')?"""
    n = leading_type_words(tokens.text[start:end])
    if n == 0 or n == end - start:
        return False
    rest = "".join(tokens.text[start + n : end])
    return rest.isdigit() or rest in index


def _skip_type_words(tokens: Tokens, start: int, words: dict[str, str]) -> int:
    """Move ``start`` back over a dangling type word ('xa' before a name matched bare).

    A match that already begins with its type word ('quan ba dinh') is left alone, so that the
    end of a commune name ('Thổ Quan', 'Phúc Xá') is not taken for a type word; nor is a word
    behind a separator."""
    if start < len(tokens.text) and _starts_with_type_word(tokens, start, len(tokens.text), words):
        return start
    segment = tokens.segment[start] if start < len(tokens.text) else -1
    if start >= 2 and tokens.segment[start - 2] == segment and tokens.text[start - 2] + tokens.text[start - 1] in words:
        return start - 2
    if start >= 1 and tokens.segment[start - 1] == segment and tokens.text[start - 1] in words:
        return start - 1
    return start


def _fuzzy_end(
    tokens: Tokens, end: int, indexes: list[KeyIndex], type_words: dict[str, str]
) -> tuple[int, list[str]] | None:
    """Best fuzzy match for the tokens ending at ``end``: the separator-delimited segment when
    there is one, else the last one to four tokens. Equally close names are all returned."""
    if end <= 0:
        return None
    segment = tokens.segment[end - 1]
    start = end - 1
    while start > 0 and tokens.segment[start - 1] == segment and end - start < 6:
        start -= 1
    spans = [start] if start == 0 or tokens.segment[start - 1] != segment else []
    spans += [s for s in range(end - 1, max(start - 1, end - 5), -1) if s not in spans]
    choices: dict[str, list[str]] = {}
    for index in indexes:
        for k, codes in index.items():
            if len(k) >= 4:
                choices.setdefault(k, []).extend(codes)
    if not choices:
        return None
    keys = list(choices)
    best: tuple[float, int, list[str]] | None = None
    for s in spans:
        words = tokens.text[s:end]
        n = 2 if len(words) > 2 and words[0] + words[1] in type_words else 1 if words[0] in type_words else 0
        query = "".join(words[n:])
        if len(query) < 5 or query.isdigit():
            continue
        top = process.extract(query, keys, scorer=OSA.normalized_similarity, score_cutoff=FUZZY_CUTOFF, limit=2)
        if not top:
            continue
        codes = list(choices[top[0][0]])
        if len(top) == 2 and top[1][1] >= top[0][1] - 1e-9:
            codes += [c for c in choices[top[1][0]] if c not in codes]  # a tie: the caller decides
        if best is None or top[0][1] > best[0]:
            best = (top[0][1], s, codes)
    return (best[1], best[2]) if best else None


@dataclass(slots=True)
class _CommuneHit:
    era: Literal["old", "new"]
    start: int  # first token of the commune part, a dangling type word included
    match_start: int  # first token of the name as matched (longer match = smaller)
    units: list[Unit]
    fuzzy: bool


class AddressConverter:
    def __init__(self, index: AddressIndex | None = None) -> None:
        self.index = index or get_index()
        self.registry = self.index.registry

    def convert(self, text: str, at: date | None = None) -> Conversion:
        at = at or clock.today()
        if not isinstance(text, str) or not text.strip():
            return Conversion(text if isinstance(text, str) else "", "not_found", "empty input")
        if len(text) > MAX_INPUT_CHARS:
            return Conversion(text, "not_found", f"input longer than {MAX_INPUT_CHARS} characters")
        original = nfc(text)
        tokens = tokenize(fold(original))
        if not tokens:
            return Conversion(text, "not_found", "no letters or digits in the input")
        end = len(tokens.text)
        while end > 0 and (
            tokens.text[end - 1] in TRAILING_NOISE
            or (tokens.text[end - 1].isdigit() and len(tokens.text[end - 1]) >= 5)
        ):
            end -= 1
        if end >= 2 and tokens.text[end - 2] + tokens.text[end - 1] in TRAILING_NOISE:
            end -= 2
        if end == 0:
            return Conversion(text, "not_found", "no province or city recognised")
        return self._parse(text, original, tokens, end, at)

    # -- the parse, level by level -------------------------------------------------------------
    def _parse(self, text: str, original: str, tokens: Tokens, end: int, at: date) -> Conversion:
        idx, reg = self.index, self.registry
        fuzzy_used = False
        province_hit = _match_end(tokens, end, idx.provinces)
        if province_hit is None:
            province_hit = _fuzzy_end(tokens, end, [idx.provinces], PROVINCE_TYPE_WORDS)
            fuzzy_used = province_hit is not None
        only_old_province = False
        if province_hit is not None:
            start, refs = province_hit
            old_scope, new_scope, only_old_province = self._province_scope(tuple(refs))
            pos = _skip_type_words(tokens, start, PROVINCE_TYPE_WORDS)
        else:
            # No province: a district name that is unique in the country tells it.
            hit = _match_end(tokens, end, idx.districts_national)
            if hit is None or len(hit[1]) != 1:
                return Conversion(text, "not_found", "no province or city recognised")
            district = reg.get("district", hit[1][0], era="old")
            old_scope = [district.province_code]
            new_scope = [reg.new_province_of(district.province_code).code]
            pos = end

        districts, district_start, fuzzy_district, typed = self._find_district(tokens, pos, old_scope)
        if districts and not typed:
            # 'P. Xuân Hương - Đà Lạt', 'Xã Tả Thanh Oai': a bare district name that ends a longer
            # commune name is part of that name.
            longer_new = _match_end(tokens, pos, idx.merged(idx.new_communes, new_scope))
            longer_old = _match_end(tokens, pos, idx.merged(idx.old_communes_by_province, old_scope))
            starts = [h[0] for h in (longer_new, longer_old) if h is not None]
            if starts and min(starts) < district_start:
                districts, district_start, fuzzy_district = [], pos, False
        bare_district = bool(districts) and not typed
        commune = (
            self._find_commune(tokens, district_start, original, districts, old_scope, new_scope, only_old_province)
            if district_start
            else None
        )
        if commune is None and bare_district and pos:
            # 'Xã Tả Thanh Oai': a district name inside a commune name. Read it without district.
            retry = self._find_commune(tokens, pos, original, [], old_scope, new_scope, only_old_province)
            if retry is not None:
                districts, commune, fuzzy_district = [], retry, False
        fuzzy_used = fuzzy_used or fuzzy_district or (commune is not None and commune.fuzzy)
        note = " (spelling corrected)" if fuzzy_used else ""
        old = OldUnits()
        if districts:
            d = districts[0]
            if len(districts) == 1:
                old.district_code, old.district_name = d.code, d.name
            if len({x.province_code for x in districts}) == 1:
                old.province_code = d.province_code
                old.province_name = reg.get("province", d.province_code, era="old").name

        if commune is not None:
            street = _street(original, tokens, commune.start)
            if commune.era == "new":
                current = self._in_force(commune.units, at)
                if current != commune.units:  # merged or split by a resolution since
                    moved: Status = "converted" if len(current) == 1 else "ambiguous"
                    why = "unit merged into another since" if len(current) == 1 else "unit split since"
                    return self._result(text, moved, why + note, current, street, at, old if districts else None)
                if len(commune.units) > 1:
                    return self._result(
                        text, "ambiguous", "several new communes have this name" + note, commune.units, street, at, None
                    )
                written_new = not districts and not only_old_province
                status: Status = "unchanged" if written_new else "converted"
                reason = (
                    "already in the two-level form"
                    if written_new
                    else "new commune name written with old district or province names"
                )
                return self._result(text, status, reason + note, commune.units, street, at, old if districts else None)
            olds = commune.units
            if len(olds) == 1:
                o = olds[0]
                successors = idx.successors[o.code]
                district = reg.unit("district", o.district_code or "", "old")
                province = reg.unit("province", o.province_code, "old")
                old = OldUnits(o.province_code, province.name, district.code, district.name, o.code, o.name)
            else:
                successors = list(dict.fromkeys(u for o in olds for u in idx.successors[o.code]))
            successors = self._in_force(successors, at)
            if len(successors) == 1:
                return self._result(
                    text, "converted", "old commune merged into one new commune" + note, successors, street, at, old
                )
            if len(olds) > 1:
                reason = f"{len(olds)} old communes match this name; a district or diacritics would choose"
            else:
                reason = f"the old commune was split between {len(successors)} new communes"
            return self._result(text, "ambiguous", reason + note, successors, street, at, old)

        # No commune: an island district that became a special zone, or nothing certain.
        if len(districts) == 1 and districts[0].code in idx.district_successors:
            new = reg.get("commune", idx.district_successors[districts[0].code], era="new")
            return self._result(
                text,
                "converted",
                "island district became a special zone" + note,
                [new],
                _street(original, tokens, district_start),
                at,
                old,
            )
        result = Conversion(
            text, "not_found", "no commune-level unit recognised" + (" in the district" if districts else "")
        )
        if len(new_scope) == 1:
            province = reg.get("province", new_scope[0], era="new")
            result.province_code, result.province_name = province.code, _name_at(province, at)
        result.old = old if districts else None
        return result

    @lru_cache(maxsize=1024)  # noqa: B019 - a handful of distinct keys
    def _province_scope(self, refs: tuple[str, ...]) -> tuple[list[str], list[str], bool]:
        """Old and new provinces a province name may mean; whether it names only old ones."""
        reg = self.registry
        old_scope: list[str] = []
        new_scope: list[str] = []
        for ref in refs:
            era, code = ref.split(":")
            if era == "old":
                old_scope.append(code)
                new_scope.append(reg.new_province_of(code).code)
            else:
                new_scope.append(code)
                old_scope.extend(u.code for u in reg.old_provinces_of(code))
        only_old = not any(ref.startswith("new:") for ref in refs)
        return list(dict.fromkeys(old_scope)), list(dict.fromkeys(new_scope)), only_old

    def _find_district(self, tokens: Tokens, pos: int, old_scope: list[str]) -> tuple[list[Unit], int, bool, bool]:
        """The old district(s) ending at ``pos``, where the commune part ends, whether the match
        was fuzzy and whether it carried its type word."""
        idx, reg = self.index, self.registry
        if not pos or not old_scope:
            return [], pos, False, False
        index = idx.merged(idx.districts, old_scope)
        hit = _match_end(tokens, pos, index)
        if hit is None:
            hit = _match_end(tokens, pos, idx.merged(idx.district_aliases, old_scope))
            if hit is not None:
                index = idx.merged(idx.district_aliases, old_scope)
        fuzzy = False
        if hit is None:
            # Only fuzzy-match a district that a type word announces at the start of its own
            # segment, so that a misspelt commune is not taken for a district.
            seg_start = pos - 1
            while seg_start > 0 and tokens.segment[seg_start - 1] == tokens.segment[pos - 1]:
                seg_start -= 1
            if seg_start > 0 and _starts_with_type_word(tokens, seg_start, pos, DISTRICT_TYPE_WORDS):
                hit = _fuzzy_end(tokens, pos, [index], DISTRICT_TYPE_WORDS)
                fuzzy = hit is not None
        if hit is None:
            return [], pos, False, False
        start, codes = hit
        typed = fuzzy or _typed(tokens, start, pos, DISTRICT_TYPE_WORDS, index)
        if not typed:
            dangling = _skip_type_words(tokens, start, ALL_TYPE_WORDS)
            if dangling != start:
                if "".join(tokens.text[dangling:start]) in COMMUNE_TYPE_WORDS:
                    return [], pos, False, False  # 'Xã Nhơn Trạch': a commune word says it is a commune
                typed, start = True, dangling
        districts = [reg.get("district", c, era="old") for c in codes]
        return districts, start, fuzzy, typed

    def _find_commune(
        self,
        tokens: Tokens,
        pos: int,
        original: str,
        districts: list[Unit],
        old_scope: list[str],
        new_scope: list[str],
        only_old_province: bool,
    ) -> _CommuneHit | None:
        """The commune ending at ``pos``: an old one under the district(s) or province(s), or a new
        one of the province. Exact names first, then former names, then a fuzzy match."""
        idx, reg = self.index, self.registry
        if districts:
            codes = [d.code for d in districts]
            old_index = idx.merged(idx.old_communes_by_district, codes)
            alias_index = idx.merged(idx.old_aliases_by_district, codes)
        else:
            old_index = idx.merged(idx.old_communes_by_province, old_scope)
            alias_index = idx.merged(idx.old_aliases_by_province, old_scope)
        new_index = idx.merged(idx.new_communes, new_scope)

        def hit(era: Literal["old", "new"], found: tuple[int, list[str]] | None, fuzzy: bool) -> _CommuneHit | None:
            if found is None:
                return None
            start, codes = found
            units = [reg.unit("commune", c, era) for c in codes]
            if len(units) > 1:
                units = _prefer_written_type(units, tokens, start, pos)
            if len(units) > 1:
                units = _prefer_accents(units, original, tokens, start, pos, fuzzy)
            return _CommuneHit(era, _skip_type_words(tokens, start, COMMUNE_TYPE_WORDS), start, units, fuzzy)

        old_hit = hit("old", _match_end(tokens, pos, old_index), False)
        if old_hit is not None and (districts or only_old_province):
            return old_hit  # an old district or province: the old reading wins
        new_hit = hit("new", _match_end(tokens, pos, new_index), False)
        if old_hit is None and (new_hit is None or districts or only_old_province):
            old_hit = hit("old", _match_end(tokens, pos, alias_index), False)
        if old_hit is None and (new_hit is None or districts):
            old_hit = hit("old", _fuzzy_end(tokens, pos, [old_index], COMMUNE_TYPE_WORDS), True)
        if old_hit is not None and new_hit is not None:
            # Old reading when the address names a district or a province that no longer exists,
            # or when the old name is the longer match; otherwise the address is in the new form.
            if districts or only_old_province or old_hit.match_start < new_hit.match_start:
                return old_hit
            return new_hit
        if old_hit is None and new_hit is None and not districts:
            new_hit = hit("new", _fuzzy_end(tokens, pos, [new_index], COMMUNE_TYPE_WORDS), True)
        return old_hit or new_hit

    def _in_force(self, units: list[Unit], at: date) -> list[Unit]:
        """The units as they are on ``at``: one merged or split by a resolution since its successors
        (unchanged when none is in force then, as for a date before the units existed)."""
        if not self.registry.map_changes:
            return units
        current = list(dict.fromkeys(u for unit in units for u in self.registry.in_force_successors(unit, at)))
        return current or units

    @lru_cache(maxsize=8192)  # noqa: B019 - one converter per process; names at a date never change
    def _candidate(self, code: str, at: date) -> Candidate:
        reg = self.registry
        commune = reg.get("commune", code, era="new")
        province = reg.get("province", commune.province_code, era="new")
        return Candidate(code, _name_at(commune, at), province.code, _name_at(province, at))

    def _result(
        self, text: str, status: Status, reason: str, communes: list[Unit], street: str, at: date, old: OldUnits | None
    ) -> Conversion:
        candidates = [self._candidate(c.code, at) for c in communes]
        result = Conversion(text, status, reason, street=street, old=old, candidates=candidates)
        provinces = {c.province_code for c in candidates}
        if len(provinces) == 1:
            result.province_code = candidates[0].province_code
            result.province_name = candidates[0].province_name
        if status in ("converted", "unchanged") and len(candidates) == 1:
            only = candidates[0]
            result.commune_code, result.commune_name = only.code, only.name
            result.formatted = ", ".join(p for p in (street, only.name, only.province_name) if p)
        return result


def _prefer_written_type(units: list[Unit], tokens: Tokens, start: int, end: int) -> list[Unit]:
    """'Thị trấn Trạm Tấu' vs 'Xã Trạm Tấu': when a type word is written, keep the units of that type."""
    n = leading_type_words(tokens.text[start:end])
    if n == 0 or n == end - start:
        return units
    written = COMMUNE_TYPE_WORDS.get("".join(tokens.text[start : start + n]))
    kept = [u for u in units if any(v.unit_type == written for v in u.versions)]
    return kept or units


def _prefer_accents(
    units: list[Unit], original: str, tokens: Tokens, start: int, end: int, fuzzy: bool = False
) -> list[Unit]:
    """Among homonyms without diacritics (Minh Quán, Minh Quân), keep those whose diacritics
    match what was written; written without diacritics, all stay. After a fuzzy match, keep the
    names closest to what was written, diacritics included."""
    if fuzzy:
        n = leading_type_words(tokens.text[start:end])
        written = nfc(original[tokens.start[start + n] : tokens.end[end - 1]]).lower().replace(" ", "")
        scores = {
            u.code: max(OSA.normalized_similarity(written, v.short_name.lower().replace(" ", "")) for v in u.versions)
            for u in units
        }
        top = max(scores.values())
        return [u for u in units if scores[u.code] == top]
    if original[tokens.start[start] :].isascii():
        return units  # the units are written without diacritics: nothing to choose by
    kept = []
    for unit in units:
        for version in unit.versions:
            n = len(tokenize(fold(version.short_name)))
            if n <= end - start:
                written = original[tokens.start[end - n] : tokens.end[end - 1]]
                if accent_key(written) == accent_key(version.short_name):
                    kept.append(unit)
                    break
    return kept or units


def _name_at(unit: Unit, at: date) -> str:
    version = unit.version_at(at) or unit.current
    return version.name


def _street(original: str, tokens: Tokens, pos: int) -> str:
    if pos <= 0:
        return ""
    return original[: tokens.start[pos]].strip(" ,;-–/.\t\r\n")


@cache
def get_converter() -> AddressConverter:
    return AddressConverter()


on_install(get_index.cache_clear)
on_install(get_converter.cache_clear)


def convert_address(text: str, at: date | None = None) -> Conversion:
    """Convert one free-text address to the two-level units in force on ``at`` (default today)."""
    return get_converter().convert(text, at)
