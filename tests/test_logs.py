"""No personal data in any log: every line the suite writes goes to one file (``MOTCUA_LOG_FILE``, set
by conftest for this process and the servers it starts); this test writes personal data through the
paths that used to leak it, and conftest scans the whole file at the end of the run."""

from __future__ import annotations

import logging
import os
from pathlib import Path

from fastapi.testclient import TestClient

from motcua.logs import mask
from tests.api_fixtures import body, h
from tests.conftest import PERSONAL_IN_TESTS

PERSONAL = (*PERSONAL_IN_TESTS, "Nguyễn Văn An")  # the name too, in the lines this test writes


def test_masking_covers_ids_phones_emails_and_named_fields() -> None:
    line = "failed: applicant_name='Nguyễn Văn An', id 079123456789, phone +84901234567, an.nguyen@example.vn"
    masked = mask(line)
    assert all(p not in masked for p in ("079123456789", "0901234567", "an.nguyen@example.vn", "Nguyễn Văn An"))
    assert "dossier 000.00.01.H79-260601-0001" in mask("dossier 000.00.01.H79-260601-0001")  # codes stay


def test_personal_data_sent_through_the_app_never_reaches_the_log(api: dict) -> None:  # type: ignore[type-arg]
    c: TestClient = api["client"]
    c.get("/api/v1/addresses/convert", params={"q": "123 Nguyễn Trãi, P.2, Q.5, TP.HCM 0901234567"})
    c.post("/api/v1/dossiers", json=body(api, applicant={"kind": "citizen", "id_number": "x", "name": "Nguyễn Văn An"}))
    c.post("/api/v1/dossiers", json=body(api), headers=h(api, "citizen"))
    try:
        raise ValueError("insert failed for applicant 079123456789 (0901234567, an.nguyen@example.vn)")
    except ValueError:
        logging.getLogger("motcua.test").exception("a failed insert, as a driver would report it")
    for handler in logging.getLogger().handlers:
        handler.flush()
    text = Path(os.environ["MOTCUA_LOG_FILE"]).read_text(encoding="utf-8")
    assert "a failed insert" in text and "/api/v1/addresses/convert" in text  # the lines are there…
    for value in PERSONAL:  # …without what they carried
        assert value not in text
    assert "Nguyễn Trãi" not in text  # the query string is never logged
