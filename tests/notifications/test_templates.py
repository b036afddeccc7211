"""Templates as data: every language renders with its values formatted; a template missing a
language falls back to Vietnamese and the check reports it; contact details are refused at entry."""

from __future__ import annotations

from datetime import date

import pytest
from typer.testing import CliRunner

from motcua.cli import app
from motcua.notifications.contacts import e164, email_problem, is_mobile, phone_problem
from motcua.notifications.templates import Money, Template, catalogue, problems, render

VALUES = {
    "code": "H79.1",
    "procedure": "Đăng ký hộ kinh doanh",
    "due": date(2027, 2, 12),
    "amount": Money(100_000),
    "link": "https://x/y",
}


def test_the_shipped_templates_are_complete() -> None:
    assert problems() == []
    needed = {"dossier_received", "supplement_requested", "payment_requested", "result_ready", "result_returned"}
    needed |= {"dossier_refused", "dossier_extended", "feedback_answered", "feedback_information_requested"}
    assert needed | {"account_activation"} <= set(catalogue())


@pytest.mark.parametrize(
    ("language", "due", "amount"),
    [
        ("vi", "12/02/2027", "100.000\xa0₫"),
        ("fr", "12 février 2027", "100\u202f000\xa0₫"),
        ("en", "12 February 2027", "₫100,000"),
    ],
)
def test_values_are_written_as_each_language_writes_them(language: str, due: str, amount: str) -> None:
    received = render("dossier_received", language, VALUES)
    assert received.language == language and due in received.subject and "H79.1" in received.sms
    assert amount in render("payment_requested", language, VALUES).body


def test_a_missing_language_falls_back_to_vietnamese_and_is_reported() -> None:
    shipped = catalogue()["dossier_received"]
    partial = Template("partial", 3, shipped.params, {"vi": shipped.texts["vi"], "fr": {"subject": "{code} {nope}"}})
    report = problems({"partial": partial})
    assert "partial: no en text (Vietnamese is sent instead)" in report
    assert "partial.fr.subject: unknown placeholder(s) nope" in report
    assert "partial.fr.body: missing" in report
    assert render("dossier_received", "de", VALUES).language == "vi"


def test_the_check_command() -> None:
    result = CliRunner().invoke(app, ["notifications", "check"])
    assert result.exit_code == 0, result.output
    assert "templates and providers: ok" in result.output


def test_contact_details_are_checked_at_entry() -> None:
    assert email_problem("an.nguyen@example.vn") is None
    assert email_problem("an@") is not None and email_problem("an nguyen@example.vn") is not None
    assert phone_problem("0901234567") is None and phone_problem("+84 90 123 4567") is None
    assert phone_problem("0992123456") == "not a valid phone number in Vietnam's numbering plan"
    assert phone_problem("abc") == "not a phone number"
    assert e164("090 123 4567") == "+84901234567"
    assert is_mobile("0901234567") and not is_mobile("02838123456")  # a Hồ Chí Minh City fixed line
