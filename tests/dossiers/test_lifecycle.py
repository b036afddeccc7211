"""Dossiers through the state machine: each transition per role, the rules of each step, due dates."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy.orm import Session

from motcua.catalog.routing import CatalogSnapshot
from motcua.dossiers.errors import Conflict, DossierError, Forbidden, NotFound
from motcua.dossiers.integrity import verify
from motcua.dossiers.service import act
from motcua.dossiers.states import NATIONAL_STATUS, TRANSITIONS
from motcua.dossiers.timeliness import timeliness
from tests.dossiers.helpers import T0, World, calendar_for

PAYLOADS = {
    "reject": {"reason": "Không thuộc thẩm quyền"},
    "request_supplement_at_reception": {"reason": "Thiếu giấy tờ", "missing": ["Bản sao CCCD"]},
    "request_supplement": {"reason": "Thiếu giấy tờ", "missing": ["Hợp đồng thuê nhà"]},
    "supplement": {"documents": ["Hợp đồng thuê nhà"]},
    "extend": {"reason": "Cần xác minh thực địa", "new_due": "2026-06-10"},
    "refuse": {"reason": "Không đủ điều kiện"},
    "stop": {"reason": "Công dân rút hồ sơ"},
    "request_payment": {"amount_vnd": 100_000},
    "pay": {"payment_reference": "1.001612:5", "amount_vnd": 100_000},
    "submit_for_signature": {"proposal": "approve", "note": "Hồ sơ đủ điều kiện"},
    "send_back": {"reason": "Bổ sung ý kiến thẩm định"},
    "digitise": {"digitisation": 1, "component": "Đơn đề nghị"},  # as digitisation.jobs.confirm takes it
}
SOURCE = {
    name: sorted(s for s in t.sources if s is not None)[0]
    for name, t in TRANSITIONS.items()
    if name not in ("submit", "receive")
}


@pytest.fixture
def world(session: Session, snapshot: CatalogSnapshot, request: pytest.FixtureRequest) -> World:
    return World(session, request.node.name[:40], snapshot)


@pytest.mark.parametrize("name", sorted(SOURCE))
@pytest.mark.parametrize("role", ["citizen", "reception_officer", "processing_officer", "leader"])
def test_every_transition_per_role(world: World, name: str, role: str) -> None:
    dossier = world.in_state(SOURCE[name])
    actor = world.by_role[role]
    allowed = role in TRANSITIONS[name].roles
    if not allowed:
        with pytest.raises(Forbidden) as err:
            world.act(dossier, name, actor, **PAYLOADS.get(name, {}))
        assert err.value.code == "wrong_role"
        return
    before = dossier.event_count
    payload = {"user_id": world.officer.user_id} if name == "assign" else PAYLOADS.get(name, {})
    world.act(dossier, name, actor, **payload)
    assert dossier.event_count == before + 1 and dossier.status_code == NATIONAL_STATUS[dossier.status]  # type: ignore[index]
    world.session.refresh(dossier)
    assert verify(dossier, calendar_for).ok


@pytest.mark.parametrize("name", ["accept", "transfer", "return_result"])
def test_reception_steps_belong_to_the_receiving_centre(world: World, name: str) -> None:
    dossier = world.in_state(SOURCE[name])
    with pytest.raises(Forbidden) as err:
        world.act(dossier, name, world.other_reception)
    assert err.value.code == "wrong_unit"


@pytest.mark.parametrize("name", ["approve", "request_supplement", "request_payment"])
def test_decisions_belong_to_the_deciding_agency(world: World, name: str) -> None:
    dossier = world.in_state("processing")
    with pytest.raises(Forbidden) as err:
        world.act(dossier, name, world.other_leader, **PAYLOADS.get(name, {}))
    assert err.value.code == "wrong_unit"


def test_another_citizen_cannot_see_or_act(world: World) -> None:
    dossier = world.in_state("submitted")
    with pytest.raises(NotFound):
        world.act(dossier, "request_withdrawal", world.stranger)


def test_wrong_state_is_refused_and_changes_nothing(world: World) -> None:
    dossier = world.in_state("submitted")
    with pytest.raises(DossierError) as err:
        world.act(dossier, "approve")
    assert err.value.code == "wrong_state" and dossier.status == "submitted" and dossier.event_count == 1


def test_online_dossier_from_submission_to_result_with_due_dates(world: World) -> None:
    d = world.submit(at=datetime(2026, 6, 1, 16, 30))  # after 15:00
    assert d.code == f"{world.centre}-260601-0001" and (d.status, d.status_code) == ("submitted", 1)
    world.act(d, "accept", at=datetime(2026, 6, 2, 8, 0))
    assert d.received_on == date(2026, 6, 2) and d.due_on == date(2026, 6, 5)  # 3 working days
    for step in ("transfer", "approve", "return_result"):
        world.act(d, step, at=datetime(2026, 6, 3, 10, 0))
    assert (d.status, d.status_code, d.outcome) == ("returned", 10, "approved")
    assert timeliness(d, date(2026, 6, 30)) == "early"


def test_counter_reception_supplement_extension_and_late_return(world: World) -> None:
    from motcua.dossiers.service import submit

    d, _ = submit(world.session, world.reception, world.request(channel="in_person"), T0, world.snapshot, calendar_for)
    assert d.status == "accepted" and d.due_on == date(2026, 6, 4)  # counter: receipt and due date at once
    world.act(d, "transfer", at=datetime(2026, 6, 1, 10))
    # Within 3 working days: the clock restarts from zero when the complete dossier arrives.
    world.act(d, "request_supplement", at=datetime(2026, 6, 2, 9), **PAYLOADS["request_supplement"])
    assert d.status_code == 5
    world.act(d, "supplement", at=datetime(2026, 6, 8, 9), **PAYLOADS["supplement"])
    with pytest.raises(DossierError, match="only once"):
        world.act(d, "request_supplement", at=datetime(2026, 6, 8, 10), **PAYLOADS["request_supplement"])
    assert d.received_on == date(2026, 6, 8) and d.due_on == date(2026, 6, 11)
    with pytest.raises(DossierError) as err:
        world.act(d, "extend", at=datetime(2026, 6, 11, 8), reason="x", new_due="2026-06-15")
    assert err.value.code == "extension_too_late"
    world.act(d, "extend", at=datetime(2026, 6, 10, 8), reason="Cần xác minh", new_due="2026-06-15")
    assert d.due_on == date(2026, 6, 15) and d.extended
    with pytest.raises(DossierError, match="only once"):
        world.act(d, "extend", at=datetime(2026, 6, 11, 8), reason="x", new_due="2026-06-20")
    world.act(d, "approve", at=datetime(2026, 6, 16, 9))
    world.act(d, "return_result", at=datetime(2026, 6, 16, 14))
    assert timeliness(d, date(2026, 6, 30)) == "late"
    world.session.refresh(d)
    assert verify(d, calendar_for).ok and d.event_count == 7


def test_a_supplement_request_within_3_working_days_restarts_the_clock(world: World) -> None:
    d = world.in_state("processing")  # received 2026-06-01, due 2026-06-04
    world.act(d, "request_supplement", at=datetime(2026, 6, 3, 9), **PAYLOADS["request_supplement"])
    world.act(d, "supplement", at=datetime(2026, 6, 10, 9), **PAYLOADS["supplement"])
    assert d.received_on == date(2026, 6, 10) and d.due_on == date(2026, 6, 15)  # 3 working days from zero


def test_a_later_supplement_request_pauses_the_clock_instead(world: World) -> None:
    land = {"parcel_address": "Thửa 12, tờ bản đồ 3, Phường Sài Gòn", "area_m2": 85.5, "land_use": "Đất ở"}
    d = world.submit(procedure_code="1.012753", form=land)
    world.act(d, "accept", at=datetime(2026, 6, 1, 10))
    world.act(d, "transfer", at=datetime(2026, 6, 1, 11))
    assert d.due_on == date(2026, 6, 29)  # 20 working days
    world.act(d, "request_supplement", at=datetime(2026, 6, 8, 9), **PAYLOADS["request_supplement"])
    world.act(d, "supplement", at=datetime(2026, 6, 15, 9), **PAYLOADS["supplement"])
    # 5 working days had passed: the 15 that remained resume after the supplement.
    assert d.received_on == date(2026, 6, 1) and d.due_on == date(2026, 7, 6)


def test_supplement_at_reception_starts_the_clock_on_acceptance(world: World) -> None:
    d = world.in_state("submitted")
    world.act(d, "request_supplement_at_reception", **PAYLOADS["request_supplement_at_reception"])
    world.act(d, "supplement", at=datetime(2026, 6, 5, 14), documents=["Bản sao CCCD"])
    assert d.status == "submitted" and d.due_on is None
    world.act(d, "accept", at=datetime(2026, 6, 8, 9))
    assert d.received_on == date(2026, 6, 5) and d.due_on == date(2026, 6, 10)


def test_steps_that_need_something_say_so(world: World) -> None:
    d = world.in_state("processing")
    for name, payload, code in [
        ("refuse", {}, "reason_required"),
        ("request_supplement", {"reason": "x"}, "supplement_list_required"),
        ("extend", {"reason": "x", "new_due": "2026-06-03"}, "new_due_invalid"),
        ("extend", {"reason": "x", "new_due": "2026-06-06"}, "new_due_invalid"),
        ("assign", {}, "assignee_required"),
        ("assign", {"user_id": world.citizen.user_id}, "assignee_invalid"),
        ("assign", {"user_id": world.other_leader.user_id}, "assignee_invalid"),
        ("assign", {"user_id": 10**9}, "assignee_invalid"),
    ]:
        with pytest.raises(DossierError) as err:
            world.act(d, name, **payload)
        assert err.value.code == code, name
    assert d.event_count == 3


def test_a_stale_action_is_refused_with_who_acted(world: World) -> None:
    d = world.in_state("processing")
    seen = d.event_count
    world.act(d, "assign", user_id=world.officer.user_id)
    with pytest.raises(Conflict) as err:
        act(world.session, world.leader, d.code, "approve", T0 + timedelta(hours=9), calendar_for, expected_events=seen)
    assert err.value.code == "stale_action" and "assign" in err.value.message


def test_national_status_codes_cover_every_state() -> None:
    assert sorted(set(NATIONAL_STATUS.values())) == list(range(1, 11))
    # A state of motcua's own inside a national status is reported under that status's name.
    from motcua.dossiers.states import exchanged_status

    for state, code in NATIONAL_STATUS.items():
        assert NATIONAL_STATUS[exchanged_status(state)] == code  # type: ignore[index]
    assert exchanged_status("awaiting_signature") == "processing"
