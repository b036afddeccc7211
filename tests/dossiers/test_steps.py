"""Each dossier step is declared once (``states.STEPS``): what the pages, the API, the projection and
the fact tables do with a step comes from that declaration."""

from __future__ import annotations

from datetime import datetime

import pytest

from motcua.api.dossiers import ActIn
from motcua.calendar.working import WorkingCalendar
from motcua.dossiers.projection import Projection, project
from motcua.dossiers.states import NATIONAL_STATUS, STEPS, TRANSITIONS, counting
from motcua.i18n import gettext_for
from motcua.web.work import FORM_FIELDS, STEP_NAMES, _payload


def test_the_table_is_the_declarations() -> None:
    assert list(TRANSITIONS) == list(STEPS)
    assert all(TRANSITIONS[name] is step.transition for name, step in STEPS.items())


@pytest.mark.parametrize("language", ["vi", "fr", "en"])
def test_every_step_is_named_in_words_in_every_language(language: str) -> None:
    words = gettext_for(language)  # type: ignore[arg-type]
    for name, step in STEPS.items():
        assert STEP_NAMES[name] == step.label and step.label
        if language != "en":
            assert words.gettext(step.label) != step.label, (language, name)


def test_every_declared_field_is_in_the_api_body_and_the_forms() -> None:
    for step in STEPS.values():
        for field in step.fields:
            assert field in ActIn.model_fields, (step.name, field)
            assert field in FORM_FIELDS or field == "documents", (step.name, field)


def test_a_page_form_gives_only_what_its_step_takes() -> None:
    posted = {"reason": " late ", "missing": "a\n\n b ", "amount_vnd": "150.000", "user_id": "7", "note": "n"}
    assert _payload("request_supplement", posted, []) == {"reason": "late", "missing": ["a", "b"]}
    assert _payload("request_payment", posted, []) == {"reason": "late", "amount_vnd": 150_000}
    assert _payload("assign", posted, []) == {"reason": "late", "user_id": 7}
    assert _payload("supplement", posted, ["scan.pdf"]) == {"reason": "late", "documents": ["scan.pdf"], "note": "n"}
    assert _payload("assign", {"user_id": "seven"}, []) == {}  # the guard says what is missing


def test_what_the_fact_tables_count_comes_from_the_declarations() -> None:
    assert counting("received") == ("submit", "receive")
    assert counting("decided") == ("approve", "refuse")
    assert counting("fee_due") == ("request_payment",) and counting("paid") == ("pay",)


def test_a_step_without_an_effect_changes_only_the_status() -> None:
    cal = WorkingCalendar()
    at = datetime(2026, 3, 2, 9)
    for name, step in STEPS.items():
        if step.effect is None and step.transition.target is not None:
            p = Projection(5, "working_days", status="processing", status_code=4)
            project(p, name, at, step.transition.target, {}, cal)
            assert p == Projection(
                5, "working_days", status=step.transition.target, status_code=NATIONAL_STATUS[step.transition.target]
            ), name


def test_the_pages_confirm_the_steps_that_end_or_sign_a_dossier() -> None:
    assert {n for n, s in STEPS.items() if s.confirm} == {"approve", "refuse", "reject", "stop"}
    assert {n for n, s in STEPS.items() if not s.on_page} == {"submit", "receive", "digitise", "transferred"}
