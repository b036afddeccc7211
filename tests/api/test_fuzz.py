"""Fuzzing over the whole OpenAPI document (schemathesis): thousands of generated requests with the
tokens of two roles, then none — no server error, and every answer's status documented."""

from __future__ import annotations

import itertools
import os
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import status_code_conformance
from sqlalchemy import Engine

from motcua import db
from motcua.accounts.service import create_user, issue_token
from motcua.api.app import create_app

pytestmark = pytest.mark.slow
# ≥ 5,000 cases on the first backend, fewer on the next (the same code paths).
EXAMPLES = int(os.environ.get("MOTCUA_FUZZ_EXAMPLES", "230"))


@pytest.fixture(scope="module")
def fuzzed(engine: Engine, database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    tag = uuid.uuid4().hex[:8]
    with db.transaction(db.session_factory(engine)) as s:
        tokens = [
            issue_token(s, create_user(s, f"{tag}-fuzz-citizen", "citizen", personal_id="079123456789")),
            issue_token(s, create_user(s, f"{tag}-fuzz-leader", "leader", unit_code="26740.UBND")),
            "",
        ]
    os.environ["MOTCUA_STORAGE_DIR"] = str(tmp_path_factory.mktemp("fuzz-files"))
    os.environ["MOTCUA_SUBMISSIONS_PER_ACCOUNT"] = "1000000"
    os.environ["MOTCUA_NOTIFY_RECEIPT_SECRET"] = "fuzz-receipt-key"  # receipts are read, not refused with 503
    app = create_app(database_url)
    yield {"app": app, "tokens": itertools.cycle(tokens), "backend": engine.dialect.name}
    os.environ.pop("MOTCUA_SUBMISSIONS_PER_ACCOUNT", None)
    os.environ.pop("MOTCUA_NOTIFY_RECEIPT_SECRET", None)


def test_no_server_error_and_only_documented_statuses(fuzzed: dict[str, Any]) -> None:
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", fuzzed["app"])
    count = {"cases": 0, "operations": 0}
    examples = EXAMPLES if fuzzed["backend"] == "sqlite" else max(EXAMPLES // 20, 5)  # same paths, other engine

    for result in schema.get_all_operations():
        operation = result.ok()
        count["operations"] += 1

        @settings(max_examples=examples, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
        @given(case=operation.as_strategy())
        def run(case: Any) -> None:
            token = next(fuzzed["tokens"])
            headers = {"Authorization": f"Bearer {token}"} if token else {}
            count["cases"] += 1
            case.call_and_validate(headers=headers, checks=[not_a_server_error, status_code_conformance])

        run()
    assert count["operations"] >= 20
    if fuzzed["backend"] == "sqlite":
        assert count["cases"] >= 5000 or EXAMPLES < 230, count
