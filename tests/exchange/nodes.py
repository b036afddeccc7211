"""Two nodes of the exchange in one process, for the in-process tests: the national node on a database
of its own, the node of province 79 on the shared test database; one HTTP client that reaches either
by its host name (the three-process test crosses a real network instead)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import delete
from sqlalchemy.orm import Session, sessionmaker

from motcua import db
from motcua.api.app import create_app
from motcua.catalog import agencies, service
from motcua.exchange.models import Member
from motcua.exchange.node import Node, this_node
from motcua.exchange.relay import relay_once
from motcua.exchange.signing import new_key, public_jwk
from tests.conftest import TODAY

NATIONAL_URL, PROVINCE_URL = "http://national.test", "http://province79.test"


def province_node(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, code: str = "79") -> Node:
    """This process acts as the node of a province (its dossier events go to the outbox)."""
    key_file = tmp_path / f"province-{code}.jwk"
    key_file.write_text(json.dumps(new_key().as_dict(private=True)))
    monkeypatch.setenv("MOTCUA_EXCHANGE_MEMBER", f"province-{code}")
    monkeypatch.setenv("MOTCUA_EXCHANGE_KEY", str(key_file))
    this_node.cache_clear()
    node = this_node()
    assert node is not None
    return node


@dataclass
class Pair:
    national: Node
    province: Node
    national_factory: sessionmaker[Session]
    province_factory: sessionmaker[Session]
    national_app: FastAPI
    province_app: FastAPI
    client: httpx.Client  # reaches both nodes by host name

    def national_client(self) -> TestClient:
        return TestClient(self.national_app, base_url=NATIONAL_URL)


def pair(province_url: str, national_url: str, province: Node) -> Pair:
    """The national node (a new database with the demo catalog) and the province's, each
    registered at the other."""
    national = Node("national", new_key())
    db.upgrade(national_url)
    national_factory = db.session_factory(db.make_engine(national_url))
    with db.transaction(national_factory) as s:
        service.load_demo(s)
        agencies.generate(s, TODAY)  # the portal lists every province's centres
        s.add(
            Member(
                identifier=province.member,
                role="province",
                province_code=province.province_code,
                base_url=PROVINCE_URL,
                public_jwk=public_jwk(province.key),
            )
        )
    province_factory = db.session_factory(db.make_engine(province_url))
    with db.transaction(province_factory) as s:
        s.execute(delete(Member).where(Member.identifier == "national"))
        s.add(
            Member(identifier="national", role="national", base_url=NATIONAL_URL, public_jwk=public_jwk(national.key))
        )
    national_app, province_app = create_app(national_url), create_app(province_url)
    national_app.state.exchange_node, province_app.state.exchange_node = national, province
    transports = {
        "national.test": TestClient(national_app, base_url=NATIONAL_URL)._transport,
        "province79.test": TestClient(province_app, base_url=PROVINCE_URL)._transport,
    }

    def route(request: httpx.Request) -> httpx.Response:
        response = transports[request.url.host].handle_request(request)
        response.read()
        return response

    client = httpx.Client(transport=httpx.MockTransport(route))
    national_app.state.exchange_client = province_app.state.exchange_client = client
    return Pair(national, province, national_factory, province_factory, national_app, province_app, client)


def drain(factory: sessionmaker[Session], client: httpx.Client, node: Node) -> int:
    """Relay ``node``'s outbox until it is empty; how many messages were delivered."""
    delivered = 0
    for _ in range(50):
        report = relay_once(factory, client, node)
        delivered += report.delivered
        if report.sent == 0:
            return delivered
    raise AssertionError("the outbox does not drain")


@contextmanager
def paired(
    database_url: str, empty_database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Pair]:
    """The two nodes for one test; the shared database's outbox is left empty for the next."""
    monkeypatch.setenv("MOTCUA_SECURE_COOKIES", "0")  # the test clients speak plain http
    nodes = pair(database_url, empty_database_url, province_node(tmp_path, monkeypatch))
    try:
        yield nodes
        drain(nodes.province_factory, nodes.client, nodes.province)
    finally:
        this_node.cache_clear()


@contextmanager
def served(app: FastAPI) -> Iterator[str]:
    """``app`` served over HTTP on a free loopback port, in a thread; yields its base URL."""
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)
