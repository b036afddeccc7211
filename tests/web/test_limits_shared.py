"""Rate limits and the sign-in back-off shared by every process through Redis (``MOTCUA_REDIS_URL``):
what one process counted, another sees. Runs against the Redis server of the machine (``.ci/run``
starts it); without one it says so and skips."""

from __future__ import annotations

import uuid

import pytest

from motcua.web import security
from motcua.web.security import RateLimit, SignInGuard

REDIS = "redis://127.0.0.1:6379/15"


@pytest.fixture
def redis_limits(monkeypatch: pytest.MonkeyPatch) -> None:
    import redis

    try:
        redis.Redis.from_url(REDIS, socket_timeout=1).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("no Redis server at 127.0.0.1:6379")
    monkeypatch.setenv("MOTCUA_REDIS_URL", REDIS)
    security._storage.cache_clear()


def _another_process() -> None:
    """A new storage client, as another process or host would have."""
    security._storage.cache_clear()


def test_a_limit_is_counted_across_processes(redis_limits: None) -> None:
    key = uuid.uuid4().hex
    limit = RateLimit(3, 60, name="shared-test")
    assert [limit.allow(key) for _ in range(2)] == [True, True]
    _another_process()
    assert [limit.allow(key) for _ in range(2)] == [True, False]


def test_the_sign_in_back_off_holds_across_processes(redis_limits: None) -> None:
    account, address = f"user-{uuid.uuid4().hex[:6]}", "198.51.100.7"
    guard = SignInGuard(free=2)
    for _ in range(2):
        guard.failed(account, address)
    _another_process()
    assert guard.wait(account, address) >= 1
    assert guard.wait(account, "198.51.100.8") == 0  # another address is not held back
