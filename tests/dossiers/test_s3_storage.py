"""Attachments in an S3-compatible bucket, over real HTTP (moto's S3 server on loopback stands in for
AWS, MinIO or Ceph): chosen by the settings, stored by one app and read back by another, deleted."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3  # type: ignore[import-untyped,unused-ignore]
import pytest
from fastapi.testclient import TestClient
from moto.server import ThreadedMotoServer  # type: ignore[import-untyped,unused-ignore]
from sqlalchemy import Engine

from motcua.api.app import create_app
from motcua.dossiers.storage import S3Storage, configured_storage
from tests.api_fixtures import body, h
from tests.deploy.cluster import free_port

BUCKET = "motcua-attachments"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def s3(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    for name, value in (
        ("AWS_ACCESS_KEY_ID", "test"),
        ("AWS_SECRET_ACCESS_KEY", "test"),
        ("AWS_DEFAULT_REGION", "us-east-1"),
    ):
        monkeypatch.setenv(name, value)
    boto3.client("s3", endpoint_url=endpoint).create_bucket(Bucket=BUCKET)
    monkeypatch.setenv("MOTCUA_S3_BUCKET", BUCKET)
    monkeypatch.setenv("MOTCUA_S3_ENDPOINT", endpoint)
    try:
        yield endpoint
    finally:
        server.stop()


def test_the_settings_choose_the_bucket_and_bytes_go_there_and_back(s3: str) -> None:
    storage = configured_storage()
    assert isinstance(storage, S3Storage) and storage.bucket == BUCKET
    storage.put("D-1/1-id.pdf", PDF)
    assert storage.get("D-1/1-id.pdf") == PDF
    storage.delete("D-1/1-id.pdf")
    with pytest.raises(Exception, match=r"NoSuchKey|Not Found|404"):
        storage.get("D-1/1-id.pdf")


def test_an_attachment_stored_by_one_app_is_read_by_another(s3: str, api: dict[str, Any], engine: Engine) -> None:
    c = api["client"]
    code = c.post("/api/v1/dossiers", json=body(api), headers=h(api, "citizen")).json()["code"]
    stored = c.post(
        f"/api/v1/dossiers/{code}/attachments",
        files={"file": ("id.pdf", PDF, "application/pdf")},
        headers=h(api, "citizen"),
    )
    assert stored.status_code == 201, stored.text
    other = TestClient(create_app(engine.url.render_as_string(hide_password=False)))  # another host
    back = other.get(f"/api/v1/dossiers/{code}/attachments/{stored.json()['id']}", headers=h(api, "citizen"))
    assert back.status_code == 200 and back.content == PDF
