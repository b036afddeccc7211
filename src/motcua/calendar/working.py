"""The Vietnamese working-day calendar and the legal deadline rules.

Rest days: Saturdays and Sundays, the Labour Code holidays (Tết and the Hùng Kings on the lunar
calendar) from the ``holidays`` library, the government's yearly notices (extra days off and
make-up working Saturdays, ``data/notices.csv``) and operators' changes, per province.

Rules (../shared/domain.md §2–3, ND 61/2018 as codified, Civil Code arts. 147–148):
- a dossier received after the cut-off (15:00) or on a rest day — online outside working hours
  too — is treated as received on the next working day;
- a period of N working days starts the following working day: the due date is the N-th working
  day after the day of reception; "immediately" (N = 0) is the day of reception;
- a period in calendar days or months ends on that day, moved to the next working day if it is
  a rest day.

Working days are kept as a sorted array per calendar so that a due date is two bisections.
"""

from __future__ import annotations

import csv
import io
import tomllib
from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import cache
from importlib import resources
from typing import Any, Literal

import holidays

from motcua.clock import wall

DeadlineKind = Literal["working_days", "days", "hours", "months", "same_day"]
FIRST_YEAR, LAST_YEAR = 2015, 2040
WORKING_HOURS_PER_DAY = 8


@dataclass(frozen=True)
class DayRule:
    day: date
    kind: Literal["day_off", "working_day"]
    reason: str
    reference: str = ""
    confirmed: bool = True
    province_code: str = ""  # "" for the whole country


@dataclass(frozen=True)
class Settings:
    reception_cutoff: time = time(15, 0)
    ignored_library_holidays: tuple[str, ...] = ()
    saturday_reception_provinces: tuple[str, ...] = ()


@dataclass
class Due:
    """A computed due date with the rules that produced it (shown to officials and citizens)."""

    received_at: datetime
    treated_as_received: date
    due: date
    amount: float
    kind: DeadlineKind
    rules: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "received_at": self.received_at.isoformat(),
            "treated_as_received": self.treated_as_received.isoformat(),
            "due": self.due.isoformat(),
            "amount": self.amount,
            "kind": self.kind,
            "rules": self.rules,
        }


def day_kind(value: str) -> Literal["day_off", "working_day"]:
    if value == "day_off":
        return "day_off"
    if value == "working_day":
        return "working_day"
    raise ValueError(f"a calendar day is day_off or working_day, not {value!r}")


def _resource(name: str) -> str:
    return resources.files("motcua.calendar").joinpath("data").joinpath(name).read_text(encoding="utf-8")


@cache
def shipped_settings() -> Settings:
    data = tomllib.loads(_resource("calendar.toml"))
    hh, mm = (int(x) for x in data["reception_cutoff"].split(":"))
    return Settings(time(hh, mm), tuple(data["ignored_library_holidays"]), tuple(data["saturday_reception_provinces"]))


@cache
def shipped_notices() -> tuple[DayRule, ...]:
    rows = csv.DictReader(io.StringIO(_resource("notices.csv")))
    return tuple(
        DayRule(
            date.fromisoformat(r["date"]),
            day_kind(r["kind"]),
            r["reason"],
            r["reference"],
            r["confirmed"] == "yes",
            r["province_code"],
        )
        for r in rows
    )


class WorkingCalendar:
    def __init__(
        self, rules: Iterable[DayRule] = (), settings: Settings | None = None, province_code: str = ""
    ) -> None:
        self.settings = settings or shipped_settings()
        self.province_code = province_code
        self.rules: dict[date, DayRule] = {}
        rest: set[date] = set()
        library = holidays.country_holidays("VN", years=range(FIRST_YEAR, LAST_YEAR + 1))
        for day, name in library.items():
            if not any(ignored in name for ignored in self.settings.ignored_library_holidays):
                rest.add(day)
                self.rules[day] = DayRule(day, "day_off", name, "Labour Code art. 112 (holidays library)")
        # National notices first, then this province's: the later one wins for a given day.
        for notice in sorted(rules, key=lambda r: r.province_code != ""):
            if notice.province_code not in ("", province_code):
                continue
            self.rules[notice.day] = notice
            if notice.kind == "day_off":
                rest.add(notice.day)
            else:
                rest.discard(notice.day)
        start, end = date(FIRST_YEAR, 1, 1), date(LAST_YEAR, 12, 31)
        days: list[int] = []
        d = start
        while d <= end:
            rule = self.rules.get(d)
            working = (d.weekday() < 5 and d not in rest) or (rule is not None and rule.kind == "working_day")
            if working:
                days.append(d.toordinal())
            d += timedelta(days=1)
        self._days = days
        self._set = set(days)
        self.saturday_reception = province_code in self.settings.saturday_reception_provinces

    # -- days ------------------------------------------------------------------------------------
    def is_working_day(self, d: date) -> bool:
        return d.toordinal() in self._set

    def is_reception_day(self, d: date) -> bool:
        """A working day, or a Saturday that is not a holiday where the province receives then."""
        if self.is_working_day(d):
            return True
        rule = self.rules.get(d)
        return self.saturday_reception and d.weekday() == 5 and (rule is None or rule.kind != "day_off")

    def next_working_day(self, d: date, *, inclusive: bool = False) -> date:
        o = d.toordinal()
        i = bisect_left(self._days, o) if inclusive else bisect_right(self._days, o)
        return self._at(i)

    def add_working_days(self, d: date, n: int) -> date:
        """The n-th working day after ``d`` (``d`` itself does not count)."""
        return self._at(bisect_right(self._days, d.toordinal()) + n - 1)

    def working_days_between(self, start: date, end: date) -> int:
        """Working days in (start, end]: how many have elapsed from ``start`` to ``end``."""
        return bisect_right(self._days, end.toordinal()) - bisect_right(self._days, start.toordinal())

    def _at(self, i: int) -> date:
        if i >= len(self._days):
            raise ValueError(f"outside the calendar (years {FIRST_YEAR}-{LAST_YEAR})")
        return date.fromordinal(self._days[i])

    # -- deadlines -------------------------------------------------------------------------------
    def treated_as_received(self, at: datetime, rules: list[str] | None = None) -> date:
        at = wall(at)  # the cut-off is Vietnam's 15:00, whatever zone ``at`` is in
        d = at.date()
        if self.is_reception_day(d) and at.time() <= self.settings.reception_cutoff:
            if not self.is_working_day(d) and rules is not None:
                rules.append("received on a Saturday reception day: counts from the next working day")
            return d
        nxt = self.next_working_day(d)
        if rules is not None:
            why = "after the reception cut-off" if self.is_reception_day(d) else "on a rest day"
            cutoff = self.settings.reception_cutoff.strftime("%H:%M")
            rules.append(f"received {why} ({cutoff}): treated as received on {nxt.isoformat()}")
        return nxt

    def due(self, received_at: datetime, amount: float, kind: DeadlineKind = "working_days") -> Due:
        rules: list[str] = []
        start = self.treated_as_received(received_at, rules)
        if kind == "same_day" or amount == 0:
            rules.append("immediately: due the day it is treated as received")
            return Due(received_at, start, start, 0, "same_day", rules)
        if kind == "working_days":
            n = int(-(-amount // 1))  # part of a day counts as a day
            due = self.add_working_days(start, n)
            rules.append(f"{n} working days counted from the next working day after {start.isoformat()}")
        elif kind == "hours":
            n = int(-(-amount // WORKING_HOURS_PER_DAY))
            due = self.add_working_days(start, n)
            rules.append(f"{amount:g} working hours: {n} working day(s) of {WORKING_HOURS_PER_DAY} hours")
        elif kind in ("days", "months"):
            end = start + timedelta(days=int(amount)) if kind == "days" else _add_months(start, int(amount))
            due = self.next_working_day(end, inclusive=True)
            rules.append(f"{amount:g} {kind} from {start.isoformat()} (Civil Code art. 147)")
            if due != end:
                rules.append(f"{end.isoformat()} is a rest day: moved to {due.isoformat()} (Civil Code art. 148)")
        else:
            raise ValueError(f"unknown time-limit kind {kind!r}")
        return Due(received_at, start, due, amount, kind, rules)


def _add_months(d: date, months: int) -> date:
    month = d.month - 1 + months
    year, month = d.year + month // 12, month % 12 + 1
    for day in (d.day, 30, 29, 28):
        try:
            return date(year, month, day)
        except ValueError:
            continue
    raise ValueError(d)


@cache
def default_calendar(province_code: str = "") -> WorkingCalendar:
    """The calendar from the shipped notices only (no database): tests, CLI without a database."""
    return WorkingCalendar(shipped_notices(), province_code=province_code)
