"""The dossier state machine: one transition table, mapped onto the national status codes 1–10.

Each transition names the states it leaves from, the state it leads to and the roles that may
take it; a role fixes the unit the actor must belong to (``ROLE_SCOPE``): the applicant
themself, the receiving centre, or the deciding agency. Nothing else decides whether a step is
allowed.
"""

from __future__ import annotations

from typing import Literal

from motcua.cases.machine import Step, table

State = Literal[
    "submitted",
    "accepted",
    "rejected",
    "processing",
    "awaiting_signature",
    "supplement_requested",
    "payment_requested",
    "withdrawal_requested",
    "stopped",
    "processed",
    "returned",
]
Role = Literal["citizen", "reception_officer", "processing_officer", "leader", "system"]
Scope = Literal["owner", "receiving_centre", "deciding_agency"]

# National dossier status codes used with the National Public Service Portal (domain.md §2).
NATIONAL_STATUS: dict[State, int] = {
    "submitted": 1,  # Mới đăng ký
    "accepted": 2,  # Được tiếp nhận
    "rejected": 3,  # Không được tiếp nhận
    "processing": 4,  # Đang xử lý
    "awaiting_signature": 4,  # Đang xử lý: the specialist's draft waits for the leader's signature (trình ký)
    "supplement_requested": 5,  # Yêu cầu bổ sung giấy tờ
    "payment_requested": 6,  # Yêu cầu thực hiện nghĩa vụ tài chính
    "withdrawal_requested": 7,  # Công dân yêu cầu rút hồ sơ
    "stopped": 8,  # Dừng xử lý
    "processed": 9,  # Đã xử lý xong
    "returned": 10,  # Đã trả kết quả
}
FINAL: frozenset[State] = frozenset({"rejected", "stopped", "returned"})


def exchanged_status(state: str) -> str:
    """The state as the exchange contract and the national portal name it: the states motcua
    distinguishes inside one national status (awaiting a signature is still 'processing') take the
    national status's name."""
    return "processing" if state == "awaiting_signature" else state


# A dossier's step in the shared form of transition tables (``motcua.cases.machine``).
Transition = Step[State, Role]


ROLE_SCOPE: dict[Role, Scope] = {
    "citizen": "owner",
    "reception_officer": "receiving_centre",
    "processing_officer": "deciding_agency",
    "leader": "deciding_agency",
}


def _t(
    name: str, sources: set[State | None], target: State | None, roles: set[Role], needs_reason: bool = False
) -> Transition:
    return Transition(name, frozenset(sources), target, frozenset(roles), needs_reason)


ACTIVE: set[State | None] = {
    "submitted",
    "accepted",
    "processing",
    "awaiting_signature",
    "supplement_requested",
    "payment_requested",
}
DECIDING: set[State | None] = {"processing", "awaiting_signature"}  # the agency holds the dossier

TRANSITIONS: dict[str, Transition] = table(
    [
        # Online or postal submission by the applicant; counter reception by an officer.
        _t("submit", {None}, "submitted", {"citizen"}),
        _t("receive", {None}, "accepted", {"reception_officer"}),
        # Reception at the centre (ND 61/2018 art. 19): accept with a receipt, refuse, or ask once for more.
        _t("accept", {"submitted"}, "accepted", {"reception_officer"}),
        _t("reject", {"submitted"}, "rejected", {"reception_officer"}, needs_reason=True),
        _t(
            "request_supplement_at_reception",
            {"submitted"},
            "supplement_requested",
            {"reception_officer"},
            needs_reason=True,
        ),
        # A paper component scanned at the counter and its fields checked by the officer (the OCR ran in
        # the background): the component is digitised (motcua.digitisation).
        _t("digitise", ACTIVE - {None}, None, {"reception_officer"}),
        # Transfer to the deciding agency the same working day.
        _t("transfer", {"accepted"}, "processing", {"reception_officer"}),
        # Processing by the deciding agency.
        _t("assign", {"processing"}, None, {"processing_officer", "leader"}),
        _t(
            "request_supplement",
            {"processing"},
            "supplement_requested",
            {"processing_officer", "leader"},
            needs_reason=True,
        ),
        _t("supplement", {"supplement_requested"}, None, {"citizen", "reception_officer"}),
        _t("request_payment", {"processing"}, "payment_requested", {"processing_officer", "leader"}),
        _t("pay", {"payment_requested"}, "processing", {"citizen", "reception_officer"}),
        _t("extend", DECIDING, None, {"processing_officer", "leader"}, needs_reason=True),
        # The specialist submits the draft decision to the leader for signature (trình ký); the leader
        # signs it, refuses with the reason, or sends it back. A leader who examines a dossier
        # themself decides it directly.
        _t("submit_for_signature", {"processing"}, "awaiting_signature", {"processing_officer"}),
        _t("send_back", {"awaiting_signature"}, "processing", {"leader"}, needs_reason=True),
        _t("approve", DECIDING, "processed", {"leader"}),
        _t("refuse", DECIDING, "processed", {"leader"}, needs_reason=True),
        # The applicant may ask to withdraw; the agency (or the centre before transfer) stops it.
        _t("request_withdrawal", ACTIVE - {None}, "withdrawal_requested", {"citizen"}),
        _t(
            "stop",
            {"withdrawal_requested"},
            "stopped",
            {"reception_officer", "processing_officer", "leader"},
            needs_reason=True,
        ),
        # Return of the result at the appointment, at the receiving centre or online.
        _t("return_result", {"processed"}, "returned", {"reception_officer"}),
        # A reorganisation of units moved the dossier to the successor centre, agency or commune on its
        # date (motcua.reorganisation): no person takes it, the state and the clock stay as they were.
        _t("transferred", ACTIVE - {None} | {"withdrawal_requested", "processed"}, None, {"system"}),
    ]
)
# The fields of a dossier that say where it is; only a ``transferred`` event changes them, and it
# records them before and after.
PLACE_FIELDS = ("centre_identifier", "subject_commune_code", "deciding_agency_code", "handling_unit_code")
