"""Staff workload against the province's median."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from motcua.accounts.service import create_user
from motcua.indicators.facts import write
from motcua.indicators.workload import workload


def test_over_and_under_loaded_communes_stand_out(session: Session) -> None:
    # Four communes of a made-up month: 100 dossiers for 1 official, 40 for 2, 30 for 1, 5 for 4.
    for commune, received, staff in (("00004", 100, 1), ("00008", 40, 2), ("00025", 30, 1), ("00031", 5, 4)):
        write(session, [(date(2031, 1, 15), ("01", commune, "x", "x", "p", "in_person"), "received", received)], [])
        for i in range(staff):
            create_user(session, f"wl-{commune}-{i}", "processing_officer", unit_code=f"{commune}.office")
    session.flush()
    loads = {c.commune_code: c for c in workload(session, "01", date(2031, 1, 1), date(2031, 1, 31))}
    assert loads["00004"].per_official == 100 and loads["00004"].staffing == "over_loaded"
    assert loads["00031"].per_official == 1.25 and loads["00031"].staffing == "under_loaded"
    assert loads["00008"].staffing == loads["00025"].staffing == "balanced"  # median 25
