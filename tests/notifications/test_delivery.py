"""A dossier's life sends exactly the expected messages, in the applicant's language, over a real
SMTP server and a real HTTP gateway; a provider refusing for an hour then accepting delivers each
message once; a message that fails for good goes out on the next channel."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from motcua import clock, db
from motcua.notifications.models import Notification
from motcua.notifications.sender import Sender
from tests.dossiers.helpers import T0
from tests.notifications.conftest import Gateway, Mailbox
from tests.notifications.helpers import EMAIL, Committed, applicant, hours

LIFE = [
    ("accept", {}),
    ("transfer", {}),
    ("request_supplement", {"reason": "Thiếu giấy tờ", "missing": ["Bản sao CCCD"]}),
    ("supplement", {"note": "Đã bổ sung"}),
    ("approve", {}),
    ("return_result", {}),
]
# The steps that tell the applicant (data/events.toml), in order: transfer and supplement do not.
EXPECTED = ["dossier_submitted", "dossier_received", "supplement_requested", "result_ready", "result_returned"]


def live(code: str, world: Committed) -> None:
    at = clock.aware(T0)
    for n, (name, payload) in enumerate(LIFE, start=1):
        world.act(code, name, at + hours(n), **payload)


@pytest.mark.usefixtures("channels")
def test_a_dossiers_life_sends_the_expected_messages_in_the_applicants_language(
    committed: sessionmaker[Session], channels: tuple[Mailbox, Gateway], request: pytest.FixtureRequest
) -> None:
    box, gateway = channels
    world = Committed(committed, f"life-{request.node.callspec.id}")
    code = world.submit(applicant=applicant(["email", "sms"]), language="fr")
    live(code, world)
    rows = world.notifications(code)
    assert [(r.template, r.channel) for r in rows] == [(t, c) for t in EXPECTED for c in ("email", "sms")]
    assert {r.status for r in rows} == {"created"}
    assert all(r.language == "fr" and r.template_version == 1 for r in rows)

    sender = Sender(committed)
    try:
        tally = sender.drain(now=clock.aware(T0) + hours(8))
        again = sender.drain(now=clock.aware(T0) + hours(9))
    finally:
        sender.close()
    assert (tally.delivered, tally.sending, tally.failed) == (5, 5, 0)
    assert again.total == 0  # nothing sent twice

    # Sent several at once: compared in any order.
    mails = {m["Subject"]: m for m in box.to(EMAIL)}
    assert sorted(mails) == sorted(r.subject for r in rows if r.channel == "email")
    received = next(m for subject, m in mails.items() if subject.startswith(f"Dossier {code} reçu, résultat prévu le "))
    assert "Le dossier" in received.get_content()
    supplement = mails[f"Dossier {code} : pièces à compléter"].get_content()
    assert "Bản sao CCCD" in supplement and "Le délai est suspendu" in supplement
    assert all(m["Content-Language"] == "fr" for m in mails.values())
    texts = [a for a in gateway.accepted if a["path"] == "/sms" and code in a["text"]]
    assert [t["to"] for t in texts] == ["+84901234567"] * 5
    assert texts[0]["brandname"] == "MOTCUA" and texts[0]["headers"]["Authorization"] == "Bearer gw-key"
    assert sorted(t["text"] for t in texts) == sorted(r.body for r in rows if r.channel == "sms")
    assert any(t["text"].startswith(f"Dossier {code} recu, resultat prevu le ") for t in texts)
    after = {r.id: r for r in world.notifications(code)}
    assert {r.status for r in after.values() if r.channel == "email"} == {"delivered"}
    assert {r.status for r in after.values() if r.channel == "sms"} == {"sending"}  # the receipt tells
    assert all(r.provider_reference.startswith("sms-") for r in after.values() if r.channel == "sms")


def test_a_provider_down_for_an_hour_then_up_delivers_each_message_once(
    committed: sessionmaker[Session], channels: tuple[Mailbox, Gateway], request: pytest.FixtureRequest
) -> None:
    box, gateway = channels
    world = Committed(committed, f"down-{request.node.callspec.id}")
    codes = [world.submit(applicant=applicant(["email", "app"])) for _ in range(3)]
    box.answer, gateway.status = "421 Service not available", 503
    sender = Sender(committed)
    start = clock.aware(T0) + hours(1)
    try:
        moment, rounds = start, 0
        while moment < start + hours(1):
            sender.drain(now=moment)
            moment += timedelta(minutes=5)
            rounds += 1
        failing = [r for c in codes for r in world.notifications(c)]
        assert {r.status for r in failing} == {"temporary_failure"}
        assert all(2 <= r.attempts <= rounds for r in failing)  # retried, with back-off
        assert box.refused >= 6 and gateway.refused >= 3
        box.answer, gateway.status = None, 200
        sender.drain(now=start + hours(3))
        sender.drain(now=start + hours(4))
    finally:
        sender.close()
    for code in codes:
        assert len([m for m in box.to(EMAIL) if code in m["Subject"]]) == 1
        assert len([a for a in gateway.accepted if a["path"] == "/app" and a["template_data"]["code"] == code]) == 1
        assert {r.status for r in world.notifications(code)} == {"delivered", "sending"}


def test_a_temporary_failure_past_the_retry_period_fails_and_falls_back(
    committed: sessionmaker[Session], channels: tuple[Mailbox, Gateway], request: pytest.FixtureRequest
) -> None:
    box, gateway = channels
    world = Committed(committed, f"late-{request.node.callspec.id}")
    code = world.submit(applicant=applicant(["email"]))
    box.answer = "451 Try again later"
    sender = Sender(committed)
    try:
        sender.drain(now=clock.aware(T0) + hours(1))
        tally = sender.drain(now=clock.aware(T0) + hours(30))  # past MOTCUA_NOTIFY_RETRY_HOURS (24)
        assert tally.failed == 1 and tally.fallbacks == 1
        sender.drain(now=clock.aware(T0) + hours(30))
    finally:
        sender.close()
    email, sms = world.notifications(code)
    assert email.status == "permanent_failure" and email.last_error.startswith("gave up after 24 h")
    assert (sms.channel, sms.fallback_of, sms.status) == ("sms", email.id, "sending")
    assert [a["to"] for a in gateway.accepted if code in a.get("text", "")] == ["+84901234567"]


def test_a_refused_address_falls_back_to_the_next_channel_once(
    committed: sessionmaker[Session], channels: tuple[Mailbox, Gateway], request: pytest.FixtureRequest
) -> None:
    box, gateway = channels
    world = Committed(committed, f"bounce-{request.node.callspec.id}")
    code = world.submit(applicant=applicant(["email"]))
    box.answer = "550 No such user here"
    sender = Sender(committed)
    try:
        first = sender.drain(now=clock.aware(T0) + hours(1))
        second = sender.drain(now=clock.aware(T0) + hours(2))
    finally:
        sender.close()
    assert (first.failed, first.fallbacks, first.sending) == (1, 1, 1)
    assert second.total == 0
    email, sms = world.notifications(code)
    assert email.status == "permanent_failure" and email.last_error == "SMTP 550: refused"
    assert sms.fallback_of == email.id and sms.template == email.template == "dossier_submitted"
    assert len([a for a in gateway.accepted if code in a.get("text", "")]) == 1


def test_a_worker_that_died_mid_send_leaves_the_message_to_the_next_one(
    committed: sessionmaker[Session], channels: tuple[Mailbox, Gateway], request: pytest.FixtureRequest
) -> None:
    box, _ = channels
    world = Committed(committed, f"lease-{request.node.callspec.id}")
    code = world.submit(applicant=applicant(["email"]))
    at = clock.aware(T0) + hours(1)
    with db.transaction(committed) as s:  # claimed by a worker that then died: "sending", never sent
        s.execute(
            update(Notification)
            .where(Notification.dossier_code == code)
            .values(status="sending", attempts=1, next_attempt_at=at + timedelta(seconds=60))
        )
    sender = Sender(committed)
    try:
        assert sender.drain(now=at).total == 0  # still leased
        assert sender.drain(now=at + timedelta(seconds=61)).delivered == 1
    finally:
        sender.close()
    assert len([m for m in box.to(EMAIL) if code in m["Subject"]]) == 1
    with committed() as s:
        row = s.scalars(select(Notification).where(Notification.dossier_code == code)).one()
    assert (row.status, row.attempts) == ("delivered", 2)
