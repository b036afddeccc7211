"""The write path under retries and odd input: limits at the edge answered 413/422 with the place,
idempotency on every creating endpoint (counter reception included, concurrent retries too), never a
500 after a commit; tokens that expire and are revoked, accounts disabled; /metrics behind a token."""

from __future__ import annotations

import json
import threading
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import Engine, func, select

from motcua import db
from motcua.accounts.models import User
from motcua.accounts.service import disable_user, issue_token, revoke_token
from motcua.dossiers.models import Dossier
from tests.api_fixtures import body, h

ODD = [
    ({"applicant": {"kind": "citizen", "id_number": "079123456789", "name": "An\x00", "phone": ""}}, "contains a NUL"),
    ({"applicant": {"kind": "citizen", "id_number": "079123456789", "name": "A", "email": "a\x00@b.vn"}}, "NUL"),
    ({"subject_address": "12 Lê Lợi\x00"}, "NUL"),
    ({"form": {"business_name": "x", "capital_vnd": 2**64}}, "out of range"),
    ({"form": {"business_name": "\ud800"}}, "lone surrogate"),
]


@pytest.mark.parametrize(("changes", "said"), ODD)
def test_odd_values_are_refused_with_their_place_and_nothing_is_stored(api: dict, changes: dict, said: str) -> None:  # type: ignore[type-arg]
    c = api["client"]
    data = body(api, **changes)
    raw = json.dumps(data, ensure_ascii=True).encode()  # lone surrogates survive only as escapes
    before = _count(api)
    r = c.post("/api/v1/dossiers", content=raw, headers=h(api, "citizen", **{"Content-Type": "application/json"}))
    assert r.status_code == 422, r.text
    error = r.json()["error"]
    assert said in json.dumps(error, ensure_ascii=False) and error["problems"][0]["where"].startswith("body.")
    assert _count(api) == before


def test_nan_malformed_json_and_huge_bodies(api: dict) -> None:  # type: ignore[type-arg]
    c, headers = api["client"], h(api, "citizen", **{"Content-Type": "application/json"})
    nan = c.post("/api/v1/dossiers", content=b'{"form": {"capital_vnd": NaN}}', headers=headers)
    assert nan.status_code == 422 and "NaN" in nan.text
    broken = c.post("/api/v1/dossiers", content=b'{"procedure_code": "1.001612",\n "centre": }', headers=headers)
    assert broken.status_code == 422 and "line 2, column" in broken.json()["error"]["problems"][0]["problem"]
    huge = c.post("/api/v1/dossiers", content=b'{"form": {"x": "' + b"a" * (2 * 1024 * 1024) + b'"}}', headers=headers)
    assert huge.status_code == 413 and huge.json()["error"]["code"] == "body_too_large"
    deep = c.post("/api/v1/dossiers", content=b"[" * 40 + b"]" * 40, headers=headers)
    assert deep.status_code == 422


def test_nul_in_the_path_or_query_and_out_of_range_numbers(api: dict) -> None:  # type: ignore[type-arg]
    c = api["client"]
    assert c.get("/api/v1/track/abc%00def").status_code == 422
    assert c.get("/api/v1/dossiers", params={"status": "a\x00"}, headers=h(api, "officer")).status_code == 422
    assert c.get("/api/v1/dossiers", params={"offset": 2**64}, headers=h(api, "officer")).status_code == 422
    code = c.post("/api/v1/dossiers", json=body(api), headers=h(api, "citizen")).json()["code"]
    r = c.post(f"/api/v1/dossiers/{code}/transitions/assign", json={"user_id": 2**70}, headers=h(api, "leader"))
    assert r.status_code == 422


def _count(api: dict) -> int:  # type: ignore[type-arg]
    with db.session_factory(api["engine"])() as s:
        return int(s.scalar(select(func.count()).select_from(Dossier)) or 0)


def test_counter_reception_is_idempotent_even_when_retries_race(api: dict) -> None:  # type: ignore[type-arg]
    c = api["client"]
    key = uuid.uuid4().hex
    counter = body(api, channel="in_person")
    first = c.post("/api/v1/dossiers", json=counter, headers=h(api, "reception", **{"Idempotency-Key": key}))
    again = c.post("/api/v1/dossiers", json=counter, headers=h(api, "reception", **{"Idempotency-Key": key}))
    assert (first.status_code, again.status_code) == (201, 200) and first.json()["code"] == again.json()["code"]
    racing_key = uuid.uuid4().hex
    codes: list[str] = []

    def send() -> None:  # one client, one app lifespan: its portal is thread-safe and handlers run in parallel
        r = c.post("/api/v1/dossiers", json=counter, headers=h(api, "reception", **{"Idempotency-Key": racing_key}))
        assert r.status_code in (200, 201), r.text
        codes.append(r.json()["code"])

    threads = [threading.Thread(target=send) for _ in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(codes) == 10 and len(set(codes)) == 1


def test_tokens_expire_are_revoked_and_disabled_accounts_stop(api: dict, engine: Engine) -> None:  # type: ignore[type-arg]
    c = api["client"]
    factory = db.session_factory(engine)
    with db.transaction(factory) as s:
        citizen = s.scalars(select(User).where(User.username.like("%-stranger"))).all()[-1]
        expired = issue_token(s, citizen, "test", lifetime=timedelta(seconds=-1))
        revoked = issue_token(s, citizen)
        kept = issue_token(s, citizen)
    assert c.get("/api/v1/dossiers", headers={"Authorization": f"Bearer {expired}"}).status_code == 401
    assert c.get("/api/v1/dossiers", headers={"Authorization": f"Bearer {revoked}"}).status_code == 200
    with db.transaction(factory) as s:
        assert revoke_token(s, revoked)
    c.app.state.token_cache.checked = 0.0  # as if two seconds had passed
    assert c.get("/api/v1/dossiers", headers={"Authorization": f"Bearer {revoked}"}).status_code == 401
    assert c.get("/api/v1/dossiers", headers={"Authorization": f"Bearer {kept}"}).status_code == 200
    with db.transaction(factory) as s:
        disable_user(s, s.get(User, citizen.id))  # type: ignore[arg-type]
    c.app.state.token_cache.checked = 0.0
    assert c.get("/api/v1/dossiers", headers={"Authorization": f"Bearer {kept}"}).status_code == 401


def test_metrics_need_the_operators_token(api: dict, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[type-arg]
    c = api["client"]
    monkeypatch.setenv("MOTCUA_ALLOW_PUBLIC_METRICS", "0")
    monkeypatch.setenv("MOTCUA_METRICS_TOKEN", "secret-of-the-operators")
    assert c.get("/metrics").status_code == 401
    r = c.get("/metrics", headers={"Authorization": "Bearer secret-of-the-operators"})
    assert r.status_code == 200 and "motcua_http_requests" in r.text


def test_an_attachment_sent_twice_is_one_attachment(api: dict) -> None:  # type: ignore[type-arg]
    from tests.api_fixtures import PDF

    c = api["client"]
    code = c.post("/api/v1/dossiers", json=body(api), headers=h(api, "citizen")).json()["code"]
    files = {"file": ("a.pdf", PDF, "application/pdf")}
    first = c.post(f"/api/v1/dossiers/{code}/attachments", files=files, headers=h(api, "citizen")).json()
    again = c.post(f"/api/v1/dossiers/{code}/attachments", files=files, headers=h(api, "citizen")).json()
    assert first["id"] == again["id"]
    assert len(c.get(f"/api/v1/dossiers/{code}/attachments", headers=h(api, "citizen")).json()) == 1
