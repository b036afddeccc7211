"""The working-day calendar: the 2025 and 2026 notices date by date, the deadline rules, and
their invariants (Hypothesis)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from motcua.calendar.working import DayRule, WorkingCalendar, default_calendar

cal = default_calendar()

# Weekdays off and Saturdays worked in the notices (../shared/domain.md §3), plus the Labour
# Code holidays that fall on weekdays.
REST_WEEKDAYS = {
    2025: [
        "2025-01-01",
        "2025-01-27",
        "2025-01-28",
        "2025-01-29",
        "2025-01-30",
        "2025-01-31",
        "2025-04-07",
        "2025-04-30",
        "2025-05-01",
        "2025-05-02",
        "2025-09-01",
        "2025-09-02",
    ],
    2026: [
        "2026-01-01",
        "2026-02-16",
        "2026-02-17",
        "2026-02-18",
        "2026-02-19",
        "2026-02-20",
        "2026-04-27",
        "2026-04-30",
        "2026-05-01",
        "2026-08-31",
        "2026-09-01",
        "2026-09-02",
    ],
}
WORKED_SATURDAYS = {2025: ["2025-04-26"], 2026: ["2026-08-22"]}


@pytest.mark.parametrize("year", [2025, 2026])
def test_notices_date_by_date(year: int) -> None:
    rest_weekdays, worked_weekends = [], []
    d = date(year, 1, 1)
    while d.year == year:
        if d.weekday() < 5 and not cal.is_working_day(d):
            rest_weekdays.append(d.isoformat())
        if d.weekday() >= 5 and cal.is_working_day(d):
            worked_weekends.append(d.isoformat())
        d += timedelta(days=1)
    assert rest_weekdays == REST_WEEKDAYS[year]
    assert worked_weekends == WORKED_SATURDAYS[year]


def test_unconfirmed_culture_day_is_configurable() -> None:
    assert cal.is_working_day(date(2026, 11, 24))  # [U]: ignored by default
    off = WorkingCalendar([DayRule(date(2026, 11, 24), "day_off", "Ngày Văn hóa Việt Nam")])
    assert not off.is_working_day(date(2026, 11, 24))


@pytest.mark.parametrize(
    ("received", "days", "due"),
    [
        ("2026-06-01T09:00", 5, "2026-06-08"),  # Monday: counted from Tuesday
        ("2026-06-01T15:00", 1, "2026-06-02"),  # at the cut-off: still that day
        ("2026-06-01T15:01", 1, "2026-06-03"),  # after 15:00: treated as received on Tuesday
        ("2026-06-06T10:00", 1, "2026-06-09"),  # Saturday: treated as received Monday 8 June
        ("2026-06-01T22:30", 0, "2026-06-02"),  # online at night, "immediately": next working day
        ("2026-06-01T09:00", 0, "2026-06-01"),  # immediately
        ("2026-02-13T09:00", 1, "2026-02-23"),  # Friday before Tết Bính Ngọ
        ("2025-04-25T09:00", 1, "2025-04-26"),  # the make-up Saturday counts
        ("2025-04-25T09:00", 2, "2025-04-28"),
        ("2026-08-21T09:00", 1, "2026-08-22"),  # make-up Saturday 22 Aug 2026
        ("2026-08-28T09:00", 1, "2026-09-03"),  # over National Day
    ],
)
def test_due_dates(received: str, days: int, due: str) -> None:
    assert cal.due(datetime.fromisoformat(received), days).due.isoformat() == due


def test_calendar_days_and_months_move_off_rest_days() -> None:
    r = cal.due(datetime(2026, 6, 1, 9), 5, "days")  # ends Saturday 6 June → Monday 8 June
    assert r.due == date(2026, 6, 8) and any("Civil Code art. 148" in x for x in r.rules)
    assert cal.due(datetime(2026, 1, 30, 9), 1, "months").due == date(2026, 3, 2)  # 28 Feb is a Saturday


def test_saturday_reception_province() -> None:
    from dataclasses import replace

    from motcua.calendar.working import shipped_notices, shipped_settings

    settings = replace(shipped_settings(), saturday_reception_provinces=("48",))
    danang = WorkingCalendar(shipped_notices(), settings, "48")
    r = danang.due(datetime(2026, 6, 6, 10), 0)
    assert r.treated_as_received == date(2026, 6, 6) and r.due == date(2026, 6, 6)
    assert danang.due(datetime(2026, 6, 6, 10), 1).due == date(2026, 6, 8)
    assert not danang.is_reception_day(date(2026, 2, 14))  # Tết Saturday: closed everywhere


def test_province_notice_applies_to_that_province_only() -> None:
    rule = DayRule(date(2026, 6, 3), "day_off", "Lễ hội địa phương", province_code="46")
    assert not WorkingCalendar([rule], province_code="46").is_working_day(date(2026, 6, 3))
    assert WorkingCalendar([rule], province_code="01").is_working_day(date(2026, 6, 3))


moments = st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2031, 12, 31))
periods = st.integers(min_value=0, max_value=60)


@settings(max_examples=400, deadline=None)
@given(moments, periods)
def test_due_is_a_working_day_after_reception(at: datetime, n: int) -> None:
    r = cal.due(at, n)
    assert cal.is_working_day(r.due) and cal.is_working_day(r.treated_as_received)
    assert r.treated_as_received >= at.date()
    assert (r.due > r.treated_as_received) if n else (r.due == r.treated_as_received)
    assert cal.working_days_between(r.treated_as_received, r.due) == n


@settings(max_examples=300, deadline=None)
@given(moments, st.integers(min_value=1, max_value=60), st.integers(min_value=1, max_value=60))
def test_working_days_add_up(at: datetime, a: int, b: int) -> None:
    d = at.date()
    assert cal.add_working_days(cal.add_working_days(d, a), b) == cal.add_working_days(d, a + b)
    assert cal.due(at, a).due < cal.due(at, a + b).due


@settings(max_examples=300, deadline=None)
@given(st.dates(min_value=date(2024, 1, 1), max_value=date(2031, 12, 31)), periods)
def test_after_cutoff_is_the_same_as_next_morning(d: date, n: int) -> None:
    late = cal.due(datetime.combine(d, time(16, 30)), n)
    nxt = cal.next_working_day(d)
    early_next = cal.due(datetime.combine(nxt, time(8, 0)), n)
    assert late.due == early_next.due
