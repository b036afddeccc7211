"""The Vietnamese working-day calendar and legal deadlines."""

from motcua.calendar.working import Due, WorkingCalendar, default_calendar

__all__ = ["Due", "WorkingCalendar", "default_calendar"]
