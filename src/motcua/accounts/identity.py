"""The personal identification number (số định danh cá nhân, printed on the citizen ID card): twelve
digits whose structure says where the birth was registered, the century of birth with the sex, and
the year of birth (Circular 59/2021/TT-BCA art. 7, unchanged by the Law on Identification 2023).

- digits 1–3: the code of the province where the birth was registered, a 0 before the province's
  two-digit code as it was until 30 June 2025 (079 for Hồ Chí Minh City, 001 for Hà Nội);
- digit 4: the century of birth and the sex: 0/1 the 20th century (male/female), 2/3 the 21st,
  4/5 the 22nd, 6/7 the 23rd, 8/9 the 24th;
- digits 5–6: the last two digits of the year of birth;
- digits 7–12: a random number.

A number that breaks the structure is a typing mistake; telling which part is wrong helps the
person find it. A number that fits is not thereby known to exist (only the national population
database knows that).
"""

from __future__ import annotations

import re
from datetime import date
from functools import cache
from random import Random

from motcua import clock
from motcua.units import get_registry

TWELVE_DIGITS = re.compile(r"^\d{12}$")


@cache
def registration_provinces() -> frozenset[str]:
    """The three-digit codes of the provinces that register births: the 63 until 30 June 2025 (the
    numbers issued since keep them) and the 34 since, which reuse codes of the same list."""
    registry = get_registry()
    codes = {u.code for u in registry.units("province", "old")} | {u.code for u in registry.units("province", "new")}
    return frozenset(f"0{c}" for c in codes)


def birth_year(number: str) -> int:
    """The year of birth a well-formed number gives."""
    century = 1900 + 100 * (int(number[3]) // 2)
    return century + int(number[4:6])


def personal_id_problem(number: str, today: date | None = None) -> str | None:
    """What is wrong with ``number`` as a personal identification number, or None."""
    if not TWELVE_DIGITS.match(number):
        return "a personal identification number has 12 digits"
    if number[:3] not in registration_provinces():
        return f"its first three digits ({number[:3]}) are not the code of a province"
    if birth_year(number) > (today or clock.today()).year:
        return f"its 4th to 6th digits give a year of birth ({birth_year(number)}) in the future"
    return None


def generated_personal_id(rng: Random, province_code: str = "", earliest: int = 1940, latest: int = 2006) -> str:
    """A well-formed number for demo and synthetic people (born between ``earliest`` and ``latest``,
    registered in ``province_code`` or a province drawn at random): the same shape as a real one."""
    province = f"0{province_code}" if province_code else rng.choice(sorted(registration_provinces()))
    year = rng.randint(earliest, latest)
    century_and_sex = 2 * ((year - 1900) // 100) + rng.randint(0, 1)
    return f"{province}{century_and_sex}{year % 100:02d}{rng.randrange(10**6):06d}"
