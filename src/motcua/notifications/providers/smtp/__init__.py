"""E-mail over SMTP (smtplib): one connection per sending thread, kept open between batches, with
STARTTLS or TLS as configured. A 5xx answer to a recipient or to the data is a permanent failure; a
4xx answer or a lost connection is temporary (retried after back-off)."""

from __future__ import annotations

import contextlib
import queue
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from motcua.notifications.providers.base import Outcome, Outgoing, Sent
from motcua.settings import Settings


class SmtpProvider:
    name = "smtp"
    channel = "email"
    sandbox = False
    parallel = 4  # connections: one SMTP session takes one message at a time

    def __init__(self, settings: Settings) -> None:
        self.host, self.port = settings.smtp_host, settings.smtp_port
        self.security = settings.smtp_security
        self.username = settings.smtp_username
        self.password = settings.smtp_password.get_secret_value() if settings.smtp_password else ""
        self.sender = settings.mail_from
        self.rate_limit = settings.email_rate_limit
        self.timeout = 10.0
        self._idle: queue.SimpleQueue[smtplib.SMTP] = queue.SimpleQueue()

    def _connect(self) -> smtplib.SMTP:
        context = ssl.create_default_context()
        conn: smtplib.SMTP
        if self.security == "ssl":
            conn = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout, context=context)
        else:
            conn = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
            if self.security == "starttls":
                conn.starttls(context=context)
        if self.username:
            conn.login(self.username, self.password)
        return conn

    def _message(self, m: Outgoing) -> EmailMessage:
        msg = EmailMessage()
        msg["From"] = self.sender
        msg["To"] = m.address
        msg["Subject"] = m.subject
        msg["Date"] = formatdate(localtime=False)
        # One Message-ID per notification: a resend after a crash is recognisable as the same message.
        msg["Message-ID"] = make_msgid(
            idstring=f"notification-{m.id}", domain=self.sender.rsplit("@", 1)[-1].strip(">")
        )
        msg.set_content(m.body)
        msg["Content-Language"] = m.language  # after set_content, which clears the Content-* headers
        return msg

    def send(self, batch: list[Outgoing]) -> list[Sent]:
        results: list[Sent] = []
        conn: smtplib.SMTP | None = None
        with contextlib.suppress(queue.Empty):
            conn = self._idle.get_nowait()
        for m in batch:
            if conn is None:
                try:
                    conn = self._connect()
                except (OSError, smtplib.SMTPException) as exc:
                    results.append(Sent("temporary_failure", error=f"SMTP connection: {exc.__class__.__name__}"))
                    continue
            try:
                conn.send_message(self._message(m))
                results.append(Sent("delivered"))
            except smtplib.SMTPRecipientsRefused as exc:
                code = next(iter(exc.recipients.values()))[0]
                results.append(Sent(_outcome(code), error=f"SMTP {code}: recipient refused"))
            except (smtplib.SMTPDataError, smtplib.SMTPSenderRefused) as exc:
                results.append(Sent(_outcome(exc.smtp_code), error=f"SMTP {exc.smtp_code}: refused"))
            except (OSError, smtplib.SMTPException) as exc:
                results.append(Sent("temporary_failure", error=f"SMTP: {exc.__class__.__name__}"))
                try:
                    conn.close()
                finally:
                    conn = None
        if conn is not None:
            self._idle.put(conn)
        return results

    def close(self) -> None:
        while True:
            try:
                conn = self._idle.get_nowait()
            except queue.Empty:
                return
            try:
                conn.quit()
            except (OSError, smtplib.SMTPException):
                conn.close()


def _outcome(code: int) -> Outcome:
    return "permanent_failure" if 500 <= code < 600 else "temporary_failure"
