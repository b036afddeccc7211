"""Run by tests/test_clock.py under several TZ values: one dossier's life at fixed instants and one at
the real clock, printed as JSON. Every zone must print the same."""

from __future__ import annotations

import json
import sys
import time
import uuid
from datetime import UTC, datetime

from fastapi.testclient import TestClient
from sqlalchemy import select

from motcua import clock, db
from motcua.accounts.service import create_user, issue_token
from motcua.api import dossiers as api_dossiers
from motcua.api.app import create_app
from motcua.catalog.models import ServiceCentre
from motcua.exchange.outbox import stamp
from motcua.i18n import vn_time

url = sys.argv[1]
tag = uuid.uuid4().hex[:8]
engine = db.make_engine(url)
with db.transaction(db.session_factory(engine)) as s:
    centre = s.scalars(select(ServiceCentre.identifier).where(ServiceCentre.commune_code == "26740")).one()
    citizen = issue_token(s, create_user(s, f"{tag}-c", "citizen", personal_id="079123456789"))
    reception = issue_token(s, create_user(s, f"{tag}-r", "reception_officer", unit_code=centre))
client = TestClient(create_app(url))
body = {
    "procedure_code": "1.001612",
    "centre": centre,
    "subject_commune_code": "26740",
    "applicant": {"kind": "citizen", "id_number": "079123456789", "name": "Nguyễn Văn An"},
    "form": {"business_name": "An", "business_address": "12 Lê Lợi", "activities": ["Bán lẻ"], "capital_vnd": 1},
}
out: dict[str, object] = {}
# 08:30 UTC on Monday 1 June 2026 is 15:30 in Vietnam: after the 15:00 cut-off.
fixed = datetime(2026, 6, 1, 8, 30, tzinfo=UTC)
api_dossiers.now = lambda: fixed  # type: ignore[assignment]
auth = {"Authorization": f"Bearer {citizen}"}
submitted = client.post("/api/v1/dossiers", json=body, headers=auth).json()
accepted = client.post(
    f"/api/v1/dossiers/{submitted['code']}/transitions/accept",
    json={},
    headers={"Authorization": f"Bearer {reception}"},
).json()
out["code_day"] = submitted["code"].split("-")[1]
out["submitted_at"] = submitted["submitted_at"]
out["received_on"], out["due_on"] = accepted["received_on"], accepted["due_on"]
out["stamp"] = stamp(fixed)
out["shown"] = vn_time(fixed)
out["track"] = {k: v for k, v in client.get(f"/api/v1/track/{submitted['code']}").json().items() if k != "code"}
# The real clock: an instant in UTC whatever the zone, and Vietnam's date.
api_dossiers.now = clock.now  # type: ignore[assignment]
real = client.post("/api/v1/dossiers", json=body, headers=auth).json()
moment = datetime.fromisoformat(real["submitted_at"])
out["real_is_utc"] = moment.utcoffset() is not None and abs(moment.timestamp() - time.time()) < 30
out["real_code_day"] = real["code"].split("-")[1] == clock.today().strftime("%y%m%d")
print(json.dumps(out, sort_keys=True))
