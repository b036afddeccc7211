"""Folding and tokenising Vietnamese text for matching unit names.

Folding keeps one character per input character (after NFC), so a token's offsets in the folded
text are its offsets in the original: the street part of an address is cut from the original.
"""

from __future__ import annotations

import re
import unicodedata
from typing import NamedTuple


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


class Token(NamedTuple):
    text: str  # folded; numbers without leading zeros
    start: int  # offset in the NFC text
    end: int
    segment: int  # how many separators (, ; newline) precede it


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def fold(text: str) -> str:
    """Lower-case Latin letters without diacritics; one character out for each character in."""
    return text.translate(FOLD_TABLE)


def key(text: str) -> str:
    """The matching key of a name: folded letters and digits only ('Phường 09' → 'phuong9')."""
    return "".join(t.text for t in tokenize(fold(nfc(text))))


def tokenize(folded: str) -> list[Token]:
    tokens: list[Token] = []
    segment = 0
    last = 0
    for m in TOKEN.finditer(folded):
        gap = folded[last : m.start()]
        if "," in gap or ";" in gap or "\n" in gap:
            segment += 1
        word = m.group()
        if word[0].isdigit():
            word = word.lstrip("0") or "0"
        tokens.append(Token(word, m.start(), m.end(), segment))
        last = m.end()
    return tokens


# Unit-type words as people write them, by the level they name. Two-word forms are joined.
PROVINCE_TYPE_WORDS = {"tinh": "province", "t": "province", "thanhpho": "city", "tp": "city"}
DISTRICT_TYPE_WORDS = {
    "quan": "urban_district", "q": "urban_district", "huyen": "district", "h": "district",
    "thixa": "town", "tx": "town", "thanhpho": "provincial_city", "tp": "provincial_city",
}
COMMUNE_TYPE_WORDS = {
    "phuong": "ward", "p": "ward", "f": "ward", "xa": "commune", "x": "commune",
    "thitran": "township", "tt": "township", "dackhu": "special_zone",
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
    words = [t.text for t in tokenize(fold(nfc(name)))]
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
