"""Where attachment bytes live: a local directory by default, an S3-compatible bucket at scale.
The database keeps the name, type, size and checksum; bytes are only served after a check."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Protocol


class Storage(Protocol):
    def put(self, key: str, data: bytes) -> None: ...
    def get(self, key: str) -> bytes: ...
    def delete(self, key: str) -> None: ...


class LocalStorage:
    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, key: str) -> Path:
        path = (self.root / key).resolve()
        if self.root.resolve() not in path.parents:
            raise ValueError(f"storage key {key!r} leaves the storage directory")
        return path

    def put(self, key: str, data: bytes) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(path.suffix + ".tmp")
        tmp.write_bytes(data)
        tmp.replace(path)

    def get(self, key: str) -> bytes:
        return self._path(key).read_bytes()

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)


class S3Storage:
    """An S3-compatible bucket (AWS, MinIO, Ceph…), through boto3 (``pip install motcua[s3]``)."""

    def __init__(self, bucket: str, client: Any | None = None, prefix: str = "", endpoint: str | None = None) -> None:
        if client is None:
            import boto3  # type: ignore[import-not-found,import-untyped,unused-ignore]

            client = boto3.client("s3", endpoint_url=endpoint)
        self.bucket, self.client, self.prefix = bucket, client, prefix

    def put(self, key: str, data: bytes) -> None:
        self.client.put_object(Bucket=self.bucket, Key=self.prefix + key, Body=data)

    def get(self, key: str) -> bytes:
        body: bytes = self.client.get_object(Bucket=self.bucket, Key=self.prefix + key)["Body"].read()
        return body

    def delete(self, key: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self.prefix + key)


def configured_storage() -> Storage:
    """The bucket of ``MOTCUA_S3_BUCKET`` (at ``MOTCUA_S3_ENDPOINT``), else the folder of
    ``MOTCUA_STORAGE_DIR`` (default: the data folder's ``attachments``)."""
    from motcua.settings import get_settings

    settings = get_settings()
    if settings.s3_bucket:
        return S3Storage(settings.s3_bucket, endpoint=settings.s3_endpoint)
    return LocalStorage(settings.attachments_dir())
