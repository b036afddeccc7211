"""The 2025 decentralisation as the data holds it, beside the government's figures; and the shipped
files derived from ../shared stay as their scripts build them."""

from __future__ import annotations

import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from motcua.catalog.decentralisation import compare, record, references
from motcua.catalog.models import Procedure, ProcedureChange

REPO = Path(__file__).resolve().parents[2]


def test_the_named_procedures_are_compared_with_the_government_figures(session: Session) -> None:
    refs = references()
    assert len(refs) == 451 and len({r.code for r in refs}) == 451
    before = compare(session).to_dict()
    figures = {f["figure"]: f for f in before["figures"]}
    assert figures["procedures delegated"] == {"figure": "procedures delegated", "government": 556, "data": 451}
    assert figures["district → commune"]["data"] == 17  # the demo catalog's changes with their decree
    assert figures["district → province"]["candidates"] == before["levels_now"]["province"]
    assert any("six ministries" in s for s in before["shortfalls"])
    named = {r.code for r in refs}
    with_change = set(
        session.scalars(
            select(Procedure.code).join(ProcedureChange).where(ProcedureChange.effective_date == date(2025, 7, 1))
        )
    )
    in_catalog = set(session.scalars(select(Procedure.code))) & named
    assert before["in_catalog"] == len(in_catalog)
    assert record(session) == len(in_catalog - with_change) > 0  # each named procedure not yet recorded
    assert record(session) == 0  # once
    after = compare(session)
    assert after.recorded["district→commune"] == 17 and sum(after.recorded.values()) == 17 + len(
        in_catalog - with_change
    )
    change = session.scalars(select(ProcedureChange).where(ProcedureChange.from_level.is_(None))).first()
    assert change is not None and not change.verified and change.to_level in ("province", "commune")


@pytest.mark.parametrize("script", ["build_reform_2025.py", "build_decentralisation.py"])
def test_shipped_files_are_built_from_shared(script: str) -> None:
    result = subprocess.run(
        [sys.executable, str(REPO / "scripts" / script), "--check"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
