"""Three nodes as separate processes with separate databases on loopback: the national node and the
nodes of provinces 79 and 01. A thousand dossiers are submitted at the national portal; province 79
is killed and restarted while they flow, and the link to province 01 (through a proxy of the test's
own) is cut for a while, twice. Then: every dossier arrived once, every status converged, the order
of each dossier's changes held, and nothing was lost (no message left, none dead)."""

from __future__ import annotations

import json
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from motcua import db
from motcua.accounts.service import create_user, issue_token
from motcua.catalog.models import ServiceCentre
from motcua.demo import prepare_demo
from motcua.dossiers.models import Dossier
from motcua.exchange.models import Delivery, DossierMirror, InboxMessage, Member, OutboxMessage
from motcua.exchange.signing import new_key, public_jwk
from tests.conftest import BACKENDS, _database
from tests.exchange.network import NodeProcess, Proxy, free_port

pytestmark = pytest.mark.slow

DOSSIERS = 1_000
SUBJECTS = {"province-79": "26740", "province-01": "00004"}  # Phường Sài Gòn, Phường Ba Đình
FORM = {
    "business_name": "Tạp hóa An",
    "business_address": "12 Lê Lợi",
    "activities": ["Bán lẻ"],
    "capital_vnd": 50_000_000,
}


@pytest.fixture(params=BACKENDS)
def databases(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[dict[str, str]]:
    """A database of its own for each node."""
    with ExitStack() as stack:
        yield {
            member: stack.enter_context(
                contextmanager(_database)(request.param, tmp_path / f"{member}.sqlite3", "motcua_net")
            )
            for member in ("national", "province-79", "province-01")
        }


def _wait(what: str, condition: Callable[[], bool], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.5)


def _count(factory: sessionmaker[Session], query: object) -> int:
    with factory() as s:
        return int(s.scalar(query) or 0)  # type: ignore[call-overload]


def test_a_thousand_dossiers_cross_a_failing_network(databases: dict[str, str], tmp_path: Path) -> None:
    logs = tmp_path / "logs"
    logs.mkdir()
    keys = {member: new_key() for member in databases}
    factories = {}
    for member, url in databases.items():
        prepare_demo(url, dossiers=0)
        factories[member] = db.session_factory(db.make_engine(url))
    nodes = {
        member: NodeProcess(member, url, tmp_path / f"{member}.jwk", free_port(), logs)
        for member, url in databases.items()
    }
    for member, node in nodes.items():
        node.key_file.write_text(json.dumps(keys[member].as_dict(private=True)))
    proxy = Proxy(target=nodes["province-01"].port)
    proxy.start()
    address = {
        "national": nodes["national"].url,
        "province-79": nodes["province-79"].url,
        "province-01": f"http://127.0.0.1:{proxy.port}",  # the national node reaches 01 through the proxy
    }

    # Registries: the national node knows both provinces, each province the national node.
    tokens: dict[str, str] = {}
    centres: dict[str, str] = {}
    with db.transaction(factories["national"]) as s:
        for member in ("province-79", "province-01"):
            s.add(
                Member(
                    identifier=member,
                    role="province",
                    province_code=member[-2:],
                    base_url=address[member],
                    public_jwk=public_jwk(keys[member]),
                )
            )
        citizen = create_user(s, "net-citizen", "citizen", personal_id="079123456789")
        s.flush()
        tokens["citizen"] = issue_token(s, citizen)
    for member in ("province-79", "province-01"):
        with db.transaction(factories[member]) as s:
            s.add(
                Member(
                    identifier="national",
                    role="national",
                    base_url=address["national"],
                    public_jwk=public_jwk(keys["national"]),
                )
            )
            centres[member] = s.scalars(
                select(ServiceCentre.identifier).where(ServiceCentre.commune_code == SUBJECTS[member])
            ).one()
            officer = create_user(s, f"net-reception-{member}", "reception_officer", unit_code=centres[member])
            s.flush()
            tokens[member] = issue_token(s, officer)

    for node in nodes.values():
        node.start()
    try:
        references = _submit_through_outages(nodes, proxy, tokens, centres)
        by_province: dict[str, list[str]] = defaultdict(list)
        for reference, member in references:
            by_province[member].append(reference)

        for member, refs in by_province.items():
            expected = len(refs)

            def received(m: str = member, n: int = expected) -> bool:
                return _count(factories[m], select(func.count()).select_from(Delivery)) == n

            _wait(f"{member} to receive its {expected} dossiers", received, timeout=240)

        # The provinces' officials take every dossier in, while the link to 01 is cut once more.
        with httpx.Client(timeout=30) as client, ThreadPoolExecutor(4) as pool:

            def accept(member: str, code: str) -> int:
                r = client.post(
                    f"{nodes[member].url}/api/v1/dossiers/{code}/transitions/accept",
                    json={},
                    headers={"Authorization": f"Bearer {tokens[member]}"},
                )
                return r.status_code

            jobs = []
            for member in by_province:
                with factories[member]() as s:
                    codes = s.scalars(select(Delivery.dossier_code)).all()
                jobs += [(member, code) for code in codes]
            proxy.cut()
            statuses = list(pool.map(lambda job: accept(*job), jobs))
            proxy.restore()
            assert statuses.count(200) == DOSSIERS, sorted(set(statuses))

        national = factories["national"]
        _wait(
            "every status to converge at the national node",
            lambda: (
                _count(
                    national,
                    select(func.count())
                    .select_from(DossierMirror)
                    .where(DossierMirror.last_sequence == 2, DossierMirror.status == "accepted"),
                )
                == DOSSIERS
            ),
            timeout=240,
        )
        for member in databases:  # nothing left behind anywhere
            _wait(
                f"{member}'s outbox to drain",
                lambda m=member: (
                    _count(
                        factories[m],
                        select(func.count()).select_from(OutboxMessage).where(OutboxMessage.state != "delivered"),
                    )
                    == 0
                ),
                timeout=60,
            )
    finally:
        for node in nodes.values():
            node.stop()
        proxy.close()

    # Every dossier arrived once, at its own province.
    for member, refs in by_province.items():
        with factories[member]() as s:
            delivered = dict(s.execute(select(Delivery.reference, Delivery.dossier_code)).all())
            assert sorted(delivered) == sorted(refs)
            assert s.scalar(select(func.count()).select_from(Dossier)) == len(refs)
            held = {d.code: d for d in s.scalars(select(Dossier))}
        with national() as s:
            mirrors = {m.code: m for m in s.scalars(select(DossierMirror).where(DossierMirror.member == member))}
        for reference, code in delivered.items():  # the national node sees what the province holds
            mirror, dossier = mirrors[reference], held[code]
            assert (mirror.dossier_code, mirror.status, mirror.status_code, mirror.last_sequence) == (
                code,
                dossier.status,
                dossier.status_code,
                dossier.event_count,
            )
            assert mirror.due_on == dossier.due_on and mirror.received_on == dossier.received_on
    # Order per dossier: the status changes applied at the national node came in sequence.
    with national() as s:
        applied: dict[str, list[int]] = defaultdict(list)
        for row in s.scalars(
            select(InboxMessage).where(InboxMessage.operation == "reportStatus").order_by(InboxMessage.id)
        ):
            if not row.answer.get("alreadyApplied"):
                applied[str(row.dossier_code)].append(int(row.sequence or 0))
    assert len(applied) == DOSSIERS and all(seqs == [1, 2] for seqs in applied.values())
    # The outages really happened: the relay had to retry.
    with national() as s:
        retried = s.scalar(select(func.count()).select_from(OutboxMessage).where(OutboxMessage.attempts > 1))
    assert retried and retried > 0


def _submit_through_outages(
    nodes: dict[str, NodeProcess], proxy: Proxy, tokens: dict[str, str], centres: dict[str, str]
) -> list[tuple[str, str]]:
    """Submit the dossiers at the national portal; on the way, kill province 79 (server and worker)
    and bring it back, and cut the link to province 01 for a while."""
    members = ["province-79", "province-01"]
    events = {
        DOSSIERS * 2 // 10: lambda: nodes["province-79"].kill(),
        DOSSIERS * 4 // 10: proxy.cut,
        DOSSIERS * 6 // 10: lambda: nodes["province-79"].start(),
        DOSSIERS * 8 // 10: proxy.restore,
    }
    references: list[tuple[str, str]] = []
    with httpx.Client(timeout=30) as client:

        def submit(i: int) -> tuple[str, str]:
            member = members[i % 2]
            r = client.post(
                f"{nodes['national'].url}/api/v1/dossiers",
                json={
                    "procedure_code": "1.001612",
                    "centre": centres[member],
                    "subject_commune_code": SUBJECTS[member],
                    "form": FORM,
                    "applicant": {"kind": "citizen", "id_number": "079123456789", "name": "Nguyễn Văn An"},
                },
                headers={"Authorization": f"Bearer {tokens['citizen']}"},
            )
            assert r.status_code == 201, r.text
            assert r.json()["delivered_to"] == member
            return r.json()["code"], member

        with ThreadPoolExecutor(4) as pool:
            start = 0
            for mark in [*sorted(events), DOSSIERS]:
                references += pool.map(submit, range(start, mark))
                if mark in events:
                    events[mark]()
                    time.sleep(1.0)  # let the relay meet the outage
                start = mark
    return references
