"""Real delivery for the notification tests: a local SMTP server (aiosmtpd) and an HTTP gateway
(SMS and app messages) that the tests run, and a database of their own (the sender commits)."""

from __future__ import annotations

import json
import logging
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy.orm import Session, sessionmaker

from motcua import db
from motcua.catalog import agencies, service
from tests.conftest import BACKENDS, TODAY, _database


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Mailbox:
    """What the SMTP server received; ``answer`` set to an SMTP reply refuses every message with it."""

    messages: list[EmailMessage] = field(default_factory=list)
    answer: str | None = None
    refused: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self.lock:
            if self.answer is not None:
                self.refused += 1
                return self.answer
            self.messages.append(message_from_bytes(envelope.content, policy=policy.default))  # type: ignore[arg-type]
        return "250 OK"

    def to(self, address: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"] == address]


@pytest.fixture
def smtp() -> Iterator[tuple[Mailbox, int]]:
    box = Mailbox()
    # aiosmtpd logs every envelope (the addresses): the server stands in for a remote one, whose log
    # is not motcua's, and would otherwise land in the run's log, scanned for personal data.
    logging.getLogger("mail.log").setLevel(logging.WARNING)
    port = free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield box, port
    finally:
        controller.stop()


@dataclass
class Gateway:
    """An SMS gateway and an app message platform on one HTTP server: records what it accepted;
    ``status`` other than 200 refuses everything with it."""

    port: int = 0
    status: int = 200
    accepted: list[dict[str, Any]] = field(default_factory=list)
    refused: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def _handler(gw: Gateway) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:  # the gateway's own log would carry phone numbers
            pass

        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            with gw.lock:
                if gw.status != 200:
                    gw.refused += 1
                    self.send_response(gw.status)
                    self.end_headers()
                    return
                n = len(gw.accepted) + 1
                gw.accepted.append({"path": self.path, "headers": dict(self.headers), **body})
            answer = {"id": f"sms-{n}"} if self.path == "/sms" else {"error": 0, "data": {"msg_id": f"app-{n}"}}
            data = json.dumps(answer).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    return Handler


@pytest.fixture
def gateway() -> Iterator[Gateway]:
    gw = Gateway()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(gw))
    gw.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield gw
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def channels(monkeypatch: pytest.MonkeyPatch, smtp: tuple[Mailbox, int], gateway: Gateway) -> tuple[Mailbox, Gateway]:
    """E-mail through the local SMTP server, SMS and app messages through the gateway."""
    box, port = smtp
    for name, value in {
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(port),
        "SMTP_SECURITY": "none",
        "MAIL_FROM": "motcua <no-reply@motcua.test>",
        "SMS_PROVIDER": "sms_http",
        "SMS_API_URL": f"{gateway.url}/sms",
        "SMS_API_KEY": "gw-key",
        "SMS_BRANDNAME": "MOTCUA",
        "APP_PROVIDER": "app_http",
        "APP_API_URL": f"{gateway.url}/app",
        "APP_API_TOKEN": "app-token",
        "NOTIFY_RECEIPT_SECRET": "receipt-secret",
        "PUBLIC_URL": "https://dichvucong.example.vn",
    }.items():
        monkeypatch.setenv(f"MOTCUA_{name}", value)
    return box, gateway


@pytest.fixture(scope="module", params=BACKENDS)
def committed(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[sessionmaker[Session]]:
    """A database of this module's own, with the demo catalog, where the sender's commits stay."""
    folder: Path = tmp_path_factory.mktemp("notify")
    for url in _database(request.param, folder / "notify.sqlite3", "motcua_notify"):
        db.upgrade(url)
        engine = db.make_engine(url)
        factory = db.session_factory(engine)
        with db.transaction(factory) as s:
            service.load_demo(s)
            agencies.generate(s, TODAY)
        yield factory
        engine.dispose()
