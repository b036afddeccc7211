"""The 1 July 2025 reform replayed on Huế (133 communes into 40, 9 districts abolished): a system with
the three-level map's bodies and open dossiers at district and commune level; after the replay each
dossier is with the new commune's agency that the 2025 decrees give its procedure, its due date
unchanged, and every log verifies."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from motcua import db
from motcua.accounts.models import User
from motcua.accounts.service import actor_of, create_user
from motcua.catalog.models import ServiceCentre
from motcua.catalog.routing import CatalogSnapshot
from motcua.dossiers.integrity import verify_all
from motcua.dossiers.models import Dossier
from motcua.dossiers.service import Applicant, SubmitRequest, act, submit
from motcua.reorganisation.apply import apply, decide
from motcua.reorganisation.effect import take_effect
from motcua.reorganisation.models import JournalEntry
from motcua.reorganisation.plan import make_plan, render_html
from motcua.reorganisation.reform2025 import district_centre_identifier, load_pre_reform, resolution_text
from motcua.reorganisation.resolution import parse
from motcua.units.registry import get_registry
from tests.dossiers.helpers import calendar_for

HUE = "46"
HOUSEHOLD_BUSINESS = "1.001612"  # district level until 30 June 2025, commune level since (168/2025/NĐ-CP)
BIRTH = "1.001193"  # commune level before and after


def request(procedure: str, centre: str, commune: str, n: int) -> SubmitRequest:
    form = (
        {
            "business_name": f"Tạp hóa {n}",
            "business_address": "12 Lê Lợi, Huế",
            "activities": ["Bán lẻ"],
            "capital_vnd": 50_000_000,
        }
        if procedure == HOUSEHOLD_BUSINESS
        else None
    )
    return SubmitRequest(
        procedure_code=procedure,
        centre_identifier=centre,
        subject_commune_code=commune,
        applicant=Applicant("citizen", "079123456789", "Nguyễn Văn An", "0901234567"),
        form=form or {},
    )


def test_the_reform_replayed_on_hue(own_factory: sessionmaker[Session]) -> None:
    registry = get_registry()
    olds = sorted((u for u in registry.units("commune", "old") if u.province_code == HUE), key=lambda u: u.code)
    assert len(olds) == 133 and len(registry.children(registry.get("province", HUE, era="new"))) == 40
    with db.transaction(own_factory) as s:
        made = load_pre_reform(s, HUE)
        assert (made.agencies, made.centres) == (9 + 133, 9)
        citizen = actor_of(create_user(s, "citizen", "citizen", personal_id="079123456789"))
        snapshot = CatalogSnapshot.load(s)
        officers = {}
        codes: dict[str, tuple[str, str]] = {}  # dossier → (old commune, procedure)
        at = datetime(2025, 6, 23, 8, 0)
        for n, old in enumerate(olds):
            centre = district_centre_identifier(old.district_code or "", HUE)
            if centre not in officers:
                officers[centre] = actor_of(
                    create_user(s, f"reception-{centre}", "reception_officer", unit_code=centre)
                )
            procedure = HOUSEHOLD_BUSINESS if n % 3 else BIRTH
            form = request(procedure, centre, old.code, n)
            if procedure == BIRTH:  # the demo catalog's birth form
                version = snapshot.procedures[BIRTH].versions[-1]
                form = SubmitRequest(**{**form.__dict__, "form": _birth_form(version.form_schema)})
            d, _ = submit(s, citizen, form, at + timedelta(minutes=n), snapshot, calendar_for)
            if n % 2:  # half of them received and sent to the district's People's Committee
                act(s, officers[centre], d.code, "accept", at + timedelta(hours=2), calendar_for)
            codes[d.code] = (old.code, procedure)
        before = {d.code: (d.deciding_agency_code, d.due_on) for d in s.scalars(select(Dossier))}
    assert sum(1 for a, _ in before.values() if a.endswith(".UBND-old") and len(a.split(".")[0]) == 3) > 80

    resolution, problems = parse(resolution_text(HUE))
    assert resolution is not None and not problems and resolution.reference == "1675/NQ-UBTVQH15"
    with db.transaction(own_factory) as s:
        plan = make_plan(s, resolution, date(2026, 12, 7))
        s.rollback()
    assert plan.ok and plan.totals["dossiers"] == 133 and plan.totals["decisions"] == 9  # the district officers
    assert plan.levels == {"commune→commune": 45, "district→commune": 88}
    assert "Open dossiers by the level" in render_html(plan, "en")

    with db.transaction(own_factory) as s:
        apply(s, resolution, datetime(2026, 12, 7, 9, 0), applied_by="test")
    done = take_effect(own_factory, datetime(2026, 12, 7, 9, 1), calendar_for)
    assert (done.dossiers, done.waiting, done.officials) == (133, 0, 0)
    with own_factory() as s:
        for d in s.scalars(select(Dossier)):
            old, procedure = codes[d.code]
            new = registry.successors(registry.unit("commune", old, "old"))[0].new.code
            office = f"{new}.economy" if procedure == HOUSEHOLD_BUSINESS else f"{new}.office"
            assert (d.subject_commune_code, d.deciding_agency_code, d.handling_unit_code) == (
                new,
                f"{new}.UBND",
                office,
            )
            assert (
                d.centre_identifier
                == s.scalars(select(ServiceCentre.identifier).where(ServiceCentre.commune_code == new)).one()
            )
            assert d.due_on == before[d.code][1]
            assert d.events[-1].transition == "transferred"
        assert all(v.ok for v in verify_all(s, calendar_for))
        moved = Counter(s.scalars(select(JournalEntry.note).where(JournalEntry.kind == "dossier")))
        assert moved == Counter({"district→commune": 88, "commune→commune": 45})
        waiting = s.scalars(select(JournalEntry.code).where(JournalEntry.kind == "waiting")).all()
        assert len(waiting) == 9 and all(w.startswith("official:reception-") for w in waiting)
    # The district's reception officers go where the province decides: one to a new commune's centre.
    officer, commune_centre = waiting[0].removeprefix("official:"), "001.00.31.H46"
    with db.transaction(own_factory) as s:
        decide(s, resolution.reference, {f"official:{officer}": commune_centre})
    assert take_effect(own_factory, datetime(2026, 12, 7, 9, 2), calendar_for).officials == 1
    with own_factory() as s:
        assert s.scalars(select(User.unit_code).where(User.username == officer)).one() == commune_centre


def _birth_form(schema: dict[str, Any]) -> dict[str, Any]:
    """The schema's required fields filled with plausible values (a declaration the form accepts)."""

    def value(spec: dict[str, Any]) -> Any:
        if "enum" in spec:
            return spec["enum"][0]
        kind = spec.get("type")
        if kind == "object":
            return {k: value(v) for k, v in spec.get("properties", {}).items() if k in spec.get("required", [])}
        if kind == "array":
            return [value(spec.get("items", {"type": "string"}))]
        if kind in ("integer", "number"):
            return spec.get("minimum", 1)
        if spec.get("format") == "date":
            return "2025-06-01"
        if spec.get("x-personal-id"):
            return "079123456789"
        return "Nguyễn Thị Hoa"

    return value(schema)  # type: ignore[no-any-return]
