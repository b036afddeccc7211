"""The life of a feedback message (phản ánh, kiến nghị; Decree 20/2008 as amended by 92/2017): one
transition table. A message is received by an agency, which classifies it within its deadline —
accepts it as its own, declines it with a reason, or forwards it to the competent agency (where it is
received again) — asks the sender for more information if needed (the clock stops), drafts an
answer that a leader approves or sends back, and publishes it. An unhappy sender may ask within the
window to reopen; a leader accepts (handling again, a new deadline) or refuses with a reason.
Duplicates are merged into an original, whose answer every sender gets; a message raising two
matters is split, the second becoming a message of its own."""

from __future__ import annotations

from typing import Literal

from motcua.cases.machine import Step, table

State = Literal[
    "received",
    "handling",
    "info_requested",
    "answer_drafted",
    "answer_approved",
    "published",
    "reopen_requested",
    "declined",
    "merged",
]
# The deadline stages of a message (domain.md §5), each ended by the steps that name it in the table.
Stage = Literal["classify", "forward", "handle", "publish"]
Role = Literal["citizen", "reception_officer", "processing_officer", "leader", "system"]
FINAL: frozenset[State] = frozenset({"declined", "merged"})
OPEN: frozenset[State] = frozenset({"received", "handling", "info_requested", "answer_drafted", "answer_approved"})
OFFICIALS: set[Role] = {"processing_officer", "leader"}
# Who enters a message received on paper, by phone or by e-mail (Decision 31/2021): any official.
ENTERING: set[Role] = {"citizen", "reception_officer", "processing_officer", "leader"}

# Why a message is not accepted (Decree 20/2008 art. 9, and what belongs to another procedure).
DECLINE_REASONS = ("anonymous", "abusive", "already_answered", "complaint_or_denunciation", "not_feedback")

Transition = Step[State, Role]


def _t(
    name: str,
    sources: set[State | None],
    target: State | None,
    roles: set[Role],
    reason: bool = False,
    closes: Stage | None = None,
) -> Transition:
    return Transition(name, frozenset(sources), target, frozenset(roles), reason, closes)


TRANSITIONS: dict[str, Transition] = table(
    [
        _t("file", {None}, "received", ENTERING),
        # Classification, within the classification deadline of receipt or transfer.
        _t("accept", {"received"}, "handling", OFFICIALS, closes="classify"),
        _t("decline", {"received"}, "declined", OFFICIALS, reason=True, closes="classify"),
        _t("forward", {"received", "handling"}, "received", OFFICIALS, reason=True, closes="forward"),
        _t("merge", {"received", "handling"}, "merged", OFFICIALS, closes="classify"),
        # A message raising two matters: the second becomes a message of its own (same sender).
        _t("split", {"received", "handling"}, None, OFFICIALS, reason=True),
        # Handling: more information from the sender stops the clock until they answer.
        _t("request_info", {"handling"}, "info_requested", OFFICIALS, reason=True),
        _t("provide_info", {"info_requested"}, "handling", {"citizen", "processing_officer", "leader"}),
        _t("draft_answer", {"handling"}, "answer_drafted", OFFICIALS),
        _t("return_draft", {"answer_drafted"}, "handling", {"leader"}, reason=True),
        _t("approve_answer", {"answer_drafted"}, "answer_approved", {"leader"}, closes="handle"),
        _t("publish", {"answer_approved"}, "published", OFFICIALS, closes="publish"),
        # After the answer: the sender rates it, and may ask to reopen within the window.
        _t("rate", {"published"}, None, {"citizen"}),
        _t("request_reopen", {"published"}, "reopen_requested", {"citizen"}, reason=True),
        _t("accept_reopen", {"reopen_requested"}, "handling", {"leader"}),
        _t("refuse_reopen", {"reopen_requested"}, "published", {"leader"}, reason=True),
        # A reorganisation of units gave the agency's work to its successor (motcua.reorganisation): the
        # message moves with its deadlines unchanged; no person takes this step.
        _t("transferred", {*OPEN, "reopen_requested"}, None, {"system"}),
    ]
)
