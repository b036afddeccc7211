"""One clock: the same dossier gets the same codes, dates, cut-off, stamps and displayed times on a
server in any time zone (run under TZ=UTC, Asia/Ho_Chi_Minh and America/Los_Angeles, compared)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from motcua import clock
from motcua.calendar.working import default_calendar

ZONES = ("UTC", "Asia/Ho_Chi_Minh", "America/Los_Angeles")


def test_every_zone_gives_the_same_answers(database_url: str, engine: object) -> None:
    outputs = {}
    for zone in ZONES:
        env = {**os.environ, "TZ": zone}
        done = subprocess.run(
            [sys.executable, "-m", "tests.clock_scenario", database_url],
            env=env,
            cwd=Path(__file__).parent.parent,
            capture_output=True,
            text=True,
            timeout=180,
            check=False,
        )
        assert done.returncode == 0, done.stderr[-3000:]
        outputs[zone] = json.loads(done.stdout.strip().splitlines()[-1])
    first = outputs["UTC"]
    assert all(o == first for o in outputs.values()), outputs
    # What the law says for 15:30 in Vietnam on Monday 1 June 2026: received that day, treated as
    # received on the next working day; the code carries the day of reception.
    assert first["code_day"] == "260601" and first["received_on"] == "2026-06-02"
    assert first["stamp"] == "2026-06-01T15:30:00+07:00" and first["shown"] == "01/06/2026 15:30"
    assert first["submitted_at"] == "2026-06-01T08:30:00+00:00"
    assert first["real_is_utc"] is True and first["real_code_day"] is True


def test_the_cut_off_is_vietnams_15_00_for_an_instant_in_any_zone() -> None:
    cal = default_calendar("79")
    before = datetime(2026, 6, 1, 7, 59, tzinfo=UTC)  # 14:59 in Vietnam
    after = datetime(2026, 6, 1, 8, 1, tzinfo=UTC)  # 15:01
    assert cal.treated_as_received(before).isoformat() == "2026-06-01"
    assert cal.treated_as_received(after).isoformat() == "2026-06-02"
    late_evening_utc = datetime(2026, 6, 1, 20, 0, tzinfo=UTC)  # already 2 June, 03:00 in Vietnam
    assert clock.local_date(late_evening_utc).isoformat() == "2026-06-02"
