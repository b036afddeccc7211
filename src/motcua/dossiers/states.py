"""The dossier state machine: one declaration per step, mapped onto the national status codes 1–10.

Each step names the states it leaves from, the state it leads to and the roles that may take it; a
role fixes the unit the actor must belong to (``ROLE_SCOPE``): the applicant themself, the receiving
centre, or the deciding agency. The same declaration names the step in words, the payload it takes,
its rule (``guards``), its effect on the projection (``effects``), what the fact tables count and
how a page offers it. Nothing else decides whether a step is allowed or what it does.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from motcua.cases.machine import Step, table
from motcua.dossiers import effects, guards
from motcua.dossiers.effects import Effect
from motcua.dossiers.guards import Guard
from motcua.i18n import N_

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
# What the fact tables count for a step (``indicators.facts``): a dossier received, decided (early, on
# time or late), a fee asked for, a fee paid.
Count = Literal["received", "decided", "fee_due", "paid"]
# What a step's payload may carry, beside the reason every step may give (the API's body and the
# pages' forms read these; the guard checks them).
Field = Literal["missing", "documents", "note", "new_due", "user_id", "amount_vnd", "proposal"]


ROLE_SCOPE: dict[Role, Scope] = {
    "citizen": "owner",
    "reception_officer": "receiving_centre",
    "processing_officer": "deciding_agency",
    "leader": "deciding_agency",
}


@dataclass(frozen=True)
class DossierStep:
    """One step, declared once: its place in the table (sources, target, roles, reason), its name in
    words, the payload it takes, the rule that guards it, its effect on the projection, what the fact
    tables count, and how a page offers it."""

    transition: Transition
    label: str
    fields: tuple[Field, ...] = ()
    guard: Guard | None = None
    effect: Effect | None = None
    counts: Count | None = None
    on_page: bool = True  # offered as a form of its own on a dossier's page
    confirm: bool = False  # the page asks for a ticked box: it ends the dossier or signs it

    @property
    def name(self) -> str:
        return self.transition.name


def _s(
    name: str,
    sources: set[State | None],
    target: State | None,
    roles: set[Role],
    label: str,
    *,
    needs_reason: bool = False,
    fields: tuple[Field, ...] = (),
    guard: Guard | None = None,
    effect: Effect | None = None,
    counts: Count | None = None,
    on_page: bool = True,
    confirm: bool = False,
) -> DossierStep:
    transition = Transition(name, frozenset(sources), target, frozenset(roles), needs_reason)
    return DossierStep(transition, label, fields, guard, effect, counts, on_page, confirm)


ACTIVE: set[State | None] = {
    "submitted",
    "accepted",
    "processing",
    "awaiting_signature",
    "supplement_requested",
    "payment_requested",
}
DECIDING: set[State | None] = {"processing", "awaiting_signature"}  # the agency holds the dossier
ALL_OFFICERS: set[Role] = {"reception_officer", "processing_officer", "leader"}
DECIDERS: set[Role] = {"processing_officer", "leader"}

STEP_LIST = [
    # Online or postal submission by the applicant; counter reception by an officer.
    _s("submit", {None}, "submitted", {"citizen"}, N_("Submit online"), effect=effects.arrived, counts="received",
       on_page=False),
    _s("receive", {None}, "accepted", {"reception_officer"}, N_("Receive at the counter"),
       effect=effects.received_at_counter, counts="received", on_page=False),
    # Reception at the centre (ND 61/2018 art. 19): accept with a receipt, refuse, or ask once for more.
    _s("accept", {"submitted"}, "accepted", {"reception_officer"}, N_("Accept and give a receipt"),
       effect=effects.received),
    _s("reject", {"submitted"}, "rejected", {"reception_officer"}, N_("Refuse to accept"), needs_reason=True,
       effect=effects.finished, confirm=True),
    _s("request_supplement_at_reception", {"submitted"}, "supplement_requested", {"reception_officer"},
       N_("Ask for missing documents"), needs_reason=True, fields=("missing",),
       guard=guards.supplement_at_reception, effect=effects.supplement_requested),
    # A paper component scanned at the counter and its fields checked by the officer (the OCR ran in
    # the background): the component is digitised (motcua.digitisation, which has its own panel).
    _s("digitise", ACTIVE - {None}, None, {"reception_officer"}, N_("Digitise a paper component"),
       guard=guards.digitised_component, on_page=False),
    # Transfer to the deciding agency the same working day.
    _s("transfer", {"accepted"}, "processing", {"reception_officer"}, N_("Transfer to the deciding agency")),
    # Processing by the deciding agency.
    _s("assign", {"processing"}, None, DECIDERS, N_("Assign to an official"), fields=("user_id",),
       guard=guards.assignee, effect=effects.assigned),
    _s("request_supplement", {"processing"}, "supplement_requested", DECIDERS, N_("Ask for missing documents"),
       needs_reason=True, fields=("missing",), guard=guards.supplement_in_processing,
       effect=effects.supplement_requested),
    _s("supplement", {"supplement_requested"}, None, {"citizen", "reception_officer"},
       N_("Send the missing documents"), fields=("documents", "note"), guard=guards.supplement,
       effect=effects.supplemented),
    _s("request_payment", {"processing"}, "payment_requested", DECIDERS, N_("Ask for the fees"),
       fields=("amount_vnd",), guard=guards.fee_amount, counts="fee_due"),
    _s("pay", {"payment_requested"}, "processing", {"citizen", "reception_officer"}, N_("Pay the fees"),
       guard=guards.payment, effect=effects.paid, counts="paid"),
    _s("extend", DECIDING, None, DECIDERS, N_("Postpone the appointment, with an apology"), needs_reason=True,
       fields=("new_due",), guard=guards.extension, effect=effects.extended),
    # The specialist submits the draft decision to the leader for signature (trình ký); the leader
    # signs it, refuses with the reason, or sends it back. A leader who examines a dossier
    # themself decides it directly.
    _s("submit_for_signature", {"processing"}, "awaiting_signature", {"processing_officer"},
       N_("Submit to the leader for signature"), fields=("proposal", "note"), guard=guards.proposal),
    _s("send_back", {"awaiting_signature"}, "processing", {"leader"}, N_("Send back to the processing officer"),
       needs_reason=True),
    _s("approve", DECIDING, "processed", {"leader"}, N_("Approve and sign the result"), guard=guards.decision,
       effect=effects.approved, counts="decided", confirm=True),
    _s("refuse", DECIDING, "processed", {"leader"}, N_("Refuse, with the reason"), needs_reason=True,
       guard=guards.decision, effect=effects.refused, counts="decided", confirm=True),
    # The applicant may ask to withdraw; the agency (or the centre before transfer) stops it.
    _s("request_withdrawal", ACTIVE - {None}, "withdrawal_requested", {"citizen"}, N_("Withdraw the dossier")),
    _s("stop", {"withdrawal_requested"}, "stopped", ALL_OFFICERS, N_("Stop processing"), needs_reason=True,
       effect=effects.finished, confirm=True),
    # Return of the result at the appointment, at the receiving centre or online.
    _s("return_result", {"processed"}, "returned", {"reception_officer"}, N_("Return the result"),
       effect=effects.returned),
    # A reorganisation of units moved the dossier to the successor centre, agency or commune on its
    # date (motcua.reorganisation): no person takes it, the state and the clock stay as they were.
    _s("transferred", ACTIVE - {None} | {"withdrawal_requested", "processed"}, None, {"system"},
       N_("Moved to the successor unit (reorganisation)"), on_page=False),
]  # fmt: skip
STEPS: dict[str, DossierStep] = {s.name: s for s in STEP_LIST}
TRANSITIONS: dict[str, Transition] = table(s.transition for s in STEP_LIST)


def counting(kind: Count) -> tuple[str, ...]:
    """The steps whose events the fact tables count as ``kind`` (the SQL rebuild selects them)."""
    return tuple(s.name for s in STEP_LIST if s.counts == kind)


# The fields of a dossier that say where it is; only a ``transferred`` event changes them, and it
# records them before and after.
PLACE_FIELDS = ("centre_identifier", "subject_commune_code", "deciding_agency_code", "handling_unit_code")
