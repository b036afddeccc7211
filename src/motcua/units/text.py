"""Folding and tokenising Vietnamese text for matching unit names.

Folding keeps one character per input character (after NFC), so a token's offsets in the folded
text are its offsets in the original: the street part of an address is cut from the original.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right


def _build_fold_table() -> dict[int, str]:
    table: dict[int, str] = {}
    for cp in [*range(0xC0, 0x250), *range(0x1E00, 0x1F00)]:
        ch = chr(cp)
        base = unicodedata.normalize("NFD", ch)[0].lower()
        if "a" <= base <= "z":
            table[cp] = base
    table[ord("đ")] = "d"
    table[ord("Đ")] = "d"
    for cp in range(ord("A"), ord("Z") + 1):
        table[cp] = chr(cp + 32)
    return table


FOLD_TABLE = _build_fold_table()
TOKEN = re.compile(r"[a-z]+|[0-9]+")
SEPARATOR = re.compile(r"[,;\n]")


class Tokens:
    """The words of a folded text as parallel lists (cheaper than one object per word)."""

    __slots__ = ("end", "segment", "start", "text")

    def __init__(self) -> None:
        self.text: list[str] = []  # folded; numbers without leading zeros
        self.start: list[int] = []  # offsets in the NFC text
        self.end: list[int] = []
        self.segment: list[int] = []  # how many separators (, ; newline) precede the word

    def __len__(self) -> int:
        return len(self.text)


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def fold(text: str) -> str:
    """Lower-case Latin letters without diacritics; one character out for each character in."""
    return text.translate(FOLD_TABLE)


def key(text: str) -> str:
    """The matching key of a name: folded letters and digits only ('Phường 09' → 'phuong9')."""
    return "".join(tokenize(fold(nfc(text))).text)


def tokenize(folded: str) -> Tokens:
    tokens = Tokens()
    raw = TOKEN.findall(folded)
    tokens.start = start = [m.start() for m in TOKEN.finditer(folded)]
    tokens.end = [a + len(w) for a, w in zip(start, raw, strict=True)]
    # Numbers without leading zeros: 'Phường 09' is 'Phường 9'.
    tokens.text = [w.lstrip("0") or "0" if w[0] == "0" else w for w in raw] if "0" in folded else raw
    separators = [m.start() for m in SEPARATOR.finditer(folded)]
    if separators:
        tokens.segment = [bisect_right(separators, a) for a in start]
    else:
        tokens.segment = [0] * len(raw)
    return tokens


# Unit-type words as people write them, by the level they name. Two-word forms are joined.
PROVINCE_TYPE_WORDS = {"tinh": "province", "t": "province", "thanhpho": "city", "tp": "city"}
DISTRICT_TYPE_WORDS = {
    "quan": "urban_district",
    "q": "urban_district",
    "huyen": "district",
    "h": "district",
    "thixa": "town",
    "tx": "town",
    "thanhpho": "provincial_city",
    "tp": "provincial_city",
}
COMMUNE_TYPE_WORDS = {
    "phuong": "ward",
    "p": "ward",
    "f": "ward",
    "xa": "commune",
    "x": "commune",
    "thitran": "township",
    "tt": "township",
    "dackhu": "special_zone",
}
ALL_TYPE_WORDS = {**PROVINCE_TYPE_WORDS, **DISTRICT_TYPE_WORDS, **COMMUNE_TYPE_WORDS}


def leading_type_words(tokens: list[str]) -> int:
    """How many of the first tokens spell a unit-type word ('thi', 'tran' → 2)."""
    if len(tokens) >= 2 and tokens[0] + tokens[1] in ALL_TYPE_WORDS:
        return 2
    if tokens and tokens[0] in ALL_TYPE_WORDS:
        return 1
    return 0


def bare_key(name: str) -> str:
    """The key of a name without its leading type word ('Phường Ba Đình' → 'badinh')."""
    words = tokenize(fold(nfc(name))).text
    n = leading_type_words(words)
    return "".join(words[n:] if n < len(words) else words)


TONE_MARKS = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}


def accent_key(text: str) -> str:
    """Letters with their vowel marks, then the tones in order: 'Hòa' and 'Hoà' give the same
    key (tone placement varies between spellings), 'Quán' and 'Quân' do not."""
    letters: list[str] = []
    tones: list[str] = []
    for ch in unicodedata.normalize("NFD", text.lower()):
        if ch in TONE_MARKS:
            tones.append(ch)
        elif ch.isalnum() or unicodedata.combining(ch):
            letters.append(ch)
    return unicodedata.normalize("NFC", "".join(letters)) + "|" + "".join(tones)
