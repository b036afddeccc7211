"""The one clock: instants in UTC with their zone; legal dates, cut-offs and displayed times in
Vietnam's zone (Asia/Ho_Chi_Minh), whatever zone the server runs in.

A naive datetime handed to motcua (tests, imports, the calendar's own arithmetic) is read as Vietnam
wall-clock time, never as the server's local time.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")


def now() -> datetime:
    """This instant, in UTC, to the second."""
    return datetime.now(UTC).replace(microsecond=0)


def aware(moment: datetime) -> datetime:
    """``moment`` in UTC; a naive one is Vietnam wall-clock time."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=VIETNAM)
    return moment.astimezone(UTC)


def local(moment: datetime) -> datetime:
    """``moment`` as Vietnam wall-clock time (aware, in Asia/Ho_Chi_Minh)."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=VIETNAM)
    return moment.astimezone(VIETNAM)


def wall(moment: datetime) -> datetime:
    """``moment`` as naive Vietnam wall-clock time (for the working-day arithmetic)."""
    return local(moment).replace(tzinfo=None)


def local_date(moment: datetime) -> date:
    """The legal date of ``moment`` in Vietnam."""
    return local(moment).date()


def today() -> date:
    """Today's date in Vietnam."""
    return datetime.now(VIETNAM).date()
