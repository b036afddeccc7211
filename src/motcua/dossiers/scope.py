"""Which unit acts for which agency: the scope rules shared by the dossier steps, the queues and the
other case types (feedback, staff)."""

from __future__ import annotations

ASSIGNABLE_ROLES = ("processing_officer", "leader")
VERTICAL_SUFFIXES = (".police",)  # vertical agencies in a commune: only their own staff act for them


def unit_matches(actor_unit: str | None, agency_code: str | None) -> bool:
    """Commune staff act for their commune's People's Committee and offices; vertical agencies (the
    commune police) and provincial agencies only for themselves."""
    if not actor_unit or not agency_code:
        return False
    if agency_code.endswith(VERTICAL_SUFFIXES) or actor_unit.endswith(VERTICAL_SUFFIXES):
        return actor_unit == agency_code
    mine, theirs = actor_unit.split(".")[0], agency_code.split(".")[0]
    return mine == theirs if len(mine) == 5 else actor_unit == agency_code


def commune_of_agency(agency_code: str | None) -> str | None:
    """The commune whose People's Committee or offices an agency is (None: provincial, vertical)."""
    if not agency_code or agency_code.endswith(VERTICAL_SUFFIXES):
        return None
    prefix = agency_code.split(".")[0]
    return prefix if len(prefix) == 5 and prefix.isdigit() and "." in agency_code else None
