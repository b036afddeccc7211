"""A dossier's place in the shared hash chain (``motcua.cases.chain``): the first event of a dossier
carries ``record``, the digest of every field the dossier row was created with (applicant, form,
fees, agencies, owner…), so the row is checked against its log like the projection.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Any

from motcua import clock
from motcua.cases.chain import canonical

# The fields a dossier row is created with and that never change afterwards.
RECORD_FIELDS = (
    "code",
    "centre_identifier",
    "province_code",
    "procedure_code",
    "procedure_version_id",
    "version_number",
    "channel",
    "owner_id",
    "created_by",
    "applicant_kind",
    "applicant_id_number",
    "applicant_name",
    "applicant_phone",
    "applicant_email",
    "subject_commune_code",
    "subject_address",
    "subject_address_as_written",
    "deciding_agency_code",
    "handling_unit_code",
    "form_data",
    "fees",
    "time_limit",
    "time_limit_kind",
    "submitted_at",
)


def record_digest(values: dict[str, Any]) -> str:
    """The digest of a dossier row's creation fields (``values`` maps each of ``RECORD_FIELDS``)."""
    body = {name: values.get(name) for name in RECORD_FIELDS}
    if isinstance(body["submitted_at"], datetime):
        body["submitted_at"] = clock.aware(body["submitted_at"]).isoformat()
    if body["time_limit"] is not None:
        body["time_limit"] = float(body["time_limit"])
    return hashlib.sha256(canonical(body)).hexdigest()
