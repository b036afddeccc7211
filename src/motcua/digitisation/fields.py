"""Field suggestions from a scanned component's text: the personal identification number, the full
name, the date of birth and the address, each found after its label as Vietnamese forms and papers
write it. Suggestions only: the officer confirms or corrects each one; nothing is filled silently.
An address is converted to the new units (an old address gives the new commune, or the candidates)."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from motcua import clock
from motcua.accounts.identity import personal_id_problem
from motcua.units.address import convert_address
from motcua.units.text import nfc

FIELDS = ("id_number", "full_name", "date_of_birth", "address")
# Labels as the forms and papers write them, most specific first; a value follows ":" or a space.
LABELS: dict[str, tuple[str, ...]] = {
    "id_number": (r"số định danh cá nhân", r"số (?:thẻ )?căn cước(?: công dân)?", r"số cccd", r"số cmnd"),
    "full_name": (r"họ,? chữ đệm,? (?:và )?tên(?: khai sinh)?", r"họ và tên", r"họ tên"),
    "date_of_birth": (r"ngày,? tháng,? năm sinh", r"ngày sinh", r"sinh ngày"),
    "address": (
        r"nơi thường trú",
        r"địa chỉ thường trú",
        r"nơi cư trú",
        r"nơi ở hiện (?:tại|nay)",
        r"địa chỉ",
    ),
}
TWELVE_DIGITS = re.compile(r"(?<!\d)(\d(?:[ .]?\d){11})(?!\d)")
DATE = re.compile(r"(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{4})")
DATE_IN_WORDS = re.compile(r"ngày\s+(\d{1,2})\s+tháng\s+(\d{1,2})\s+năm\s+(\d{4})", re.IGNORECASE)


@dataclass(frozen=True)
class Suggestion:
    field: str
    value: str  # as the form wants it: 12 digits, a name, an ISO date, the converted address
    found: str  # the text it was read from
    note: str = ""  # what the officer should know (converted from an old address, several communes…)
    commune_code: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _after_label(lines: list[str], field: str) -> list[tuple[str, str]]:
    """(the line's text after the label, the whole line) for each line with one of the field's labels."""
    found = []
    for pattern in LABELS[field]:
        # "Họ và tên chủ đầu tư: …": a few words may stand between the label and its colon.
        with_colon = re.compile(rf"{pattern}[^:：\d]{{0,30}}[:：]\s*", re.IGNORECASE)
        bare = re.compile(rf"{pattern}\s+", re.IGNORECASE)
        for line in lines:
            m = with_colon.search(line) or bare.search(line)
            if m and line[m.end() :].strip():
                found.append((line[m.end() :].strip(), line))
        if found:
            break
    return found


def _id_number(text: str, lines: list[str]) -> Suggestion | None:
    candidates = [(after, line) for after, line in _after_label(lines, "id_number")] + [(text, "")]
    for where, line in candidates:
        for m in TWELVE_DIGITS.finditer(where):
            digits = re.sub(r"\D", "", m.group(1))
            if personal_id_problem(digits) is None:
                return Suggestion("id_number", digits, (line or m.group(1)).strip()[:200])
    return None


def _name(lines: list[str]) -> Suggestion | None:
    for after, line in _after_label(lines, "full_name"):
        # The name ends where the next label of the same line starts ("Giới tính: Nữ").
        name = re.split(r"\s{2,}|\s+(?:giới tính|ngày sinh|sinh ngày|dân tộc|quốc tịch)\b", after, flags=re.I)[0]
        name = re.sub(r"[^\w\s]", " ", name)
        words = name.split()
        if 2 <= len(words) <= 7 and all(w.isalpha() for w in words):
            return Suggestion("full_name", " ".join(w[:1].upper() + w[1:].lower() for w in words), line.strip()[:200])
    return None


def _date(lines: list[str], today: date) -> Suggestion | None:
    for after, line in _after_label(lines, "date_of_birth"):
        m = DATE.search(after) or DATE_IN_WORDS.search(after)
        if not m:
            continue
        try:
            day = date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
        except ValueError:
            continue
        if day <= today:
            return Suggestion("date_of_birth", day.isoformat(), line.strip()[:200])
    return None


def _address(lines: list[str], today: date) -> Suggestion | None:
    for after, _line in _after_label(lines, "address"):
        written = after.strip(" .;")
        if len(written) < 6:
            continue
        converted = convert_address(written, today)
        if converted.commune_code and converted.formatted:
            note = "converted" if converted.status == "converted" else ""
            return Suggestion("address", converted.formatted, written[:300], note, converted.commune_code)
        if converted.candidates:
            names = ", ".join(c.name for c in converted.candidates)
            return Suggestion("address", written, written[:300], f"ambiguous: {names}")
        return Suggestion("address", written, written[:300], "not_found")
    return None


def suggestions(text: str, today: date | None = None) -> list[Suggestion]:
    """What the text suggests for each field it holds, in ``FIELDS`` order."""
    today = today or clock.today()
    lines = [" ".join(line.split()) for line in nfc(text).splitlines() if line.strip()]
    found = [
        _id_number(" ".join(lines), lines),
        _name(lines),
        _date(lines, today),
        _address(lines, today),
    ]
    return [s for s in found if s is not None]
