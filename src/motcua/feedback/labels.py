"""What a feedback message's states, steps, topics and reasons for declining are called (translated
through the catalogs where they are shown)."""

from __future__ import annotations

from motcua.i18n import N_

STATUS_NAMES = {
    "received": N_("Received"),
    "handling": N_("Being handled"),
    "info_requested": N_("More information asked"),
    "answer_drafted": N_("Answer awaiting approval"),
    "answer_approved": N_("Answer approved"),
    "published": N_("Answered"),
    "reopen_requested": N_("Reopening asked"),
    "declined": N_("Not accepted"),
    "merged": N_("Merged into another"),
}
STEP_NAMES = {
    "accept": N_("Accept: within our competence"),
    "decline": N_("Do not accept"),
    "forward": N_("Forward to the competent agency"),
    "merge": N_("Merge into an original"),
    "split": N_("Split off a second matter"),
    "request_info": N_("Ask the sender for more information"),
    "provide_info": N_("Send the information asked"),
    "draft_answer": N_("Draft the answer"),
    "return_draft": N_("Send the draft back"),
    "approve_answer": N_("Approve the answer"),
    "publish": N_("Publish the answer"),
    "rate": N_("Rate the answer"),
    "request_reopen": N_("Ask to reopen"),
    "accept_reopen": N_("Reopen"),
    "refuse_reopen": N_("Refuse to reopen"),
    "transferred": N_("Moved to the successor unit (reorganisation)"),
}
ABOUT_NAMES = {
    "procedure": N_("A procedure"),
    "dossier": N_("A dossier"),
    "agency": N_("An agency or centre"),
    "official": N_("An official's conduct"),
    "regulation": N_("A regulation"),
}
DECLINE_NAMES = {
    "anonymous": N_("Anonymous: no sender to answer"),
    "abusive": N_("Abusive or insulting"),
    "already_answered": N_("Already answered"),
    "complaint_or_denunciation": N_("A complaint or denunciation (another procedure)"),
    "not_feedback": N_("Not feedback on an administrative matter"),
}
