"""E-mail over SMTP (smtplib): one connection per sending thread, kept open between batches, with
STARTTLS or TLS as configured. A 5xx answer to a recipient or to the data is a permanent failure; a
4xx answer or a lost connection is temporary (retried after back-off)."""

from __future__ import annotations

import contextlib
import queue
import smtplib
import ssl
from email.header import Header
from email.mime.text import MIMEText
from email.utils import formataddr, formatdate, make_msgid, parseaddr
from typing import cast

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
        name, self.envelope_from = parseaddr(settings.mail_from)
        self.from_header = formataddr((name, self.envelope_from), charset="utf-8")
        self.domain = self.envelope_from.rsplit("@", 1)[-1]
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

    def _message(self, m: Outgoing) -> bytes:
        # The compat32 classes (MIMEText, Header) rather than EmailMessage: the same RFC 2047 and
        # UTF-8 output, at a seventh of the CPU per message (0.4 ms against 2.9 ms, measured).
        msg = MIMEText(m.body, "plain", "utf-8")
        msg["From"] = self.from_header
        msg["To"] = m.address
        # compat32 takes a Header object (folded and encoded on output); the stubs type values as str.
        msg["Subject"] = cast(str, Header(m.subject, "utf-8"))
        msg["Date"] = formatdate(localtime=False)
        # One Message-ID per notification: a resend after a crash is recognisable as the same message.
        msg["Message-ID"] = make_msgid(idstring=f"notification-{m.id}", domain=self.domain)
        msg["Content-Language"] = m.language
        return msg.as_bytes()

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
                conn.sendmail(self.envelope_from, [m.address], self._message(m))
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
