"""queues served by indexes: the deciding commune as a column, composite indexes for the officials'
queues (commune, agency, centre) and the handling unit

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-02 06:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("dossiers", sa.Column("deciding_commune_code", sa.String(5), nullable=True))
    # Commune agencies are "<5-digit commune>.<office>"; the commune police act for themselves.
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "UPDATE dossiers SET deciding_commune_code = substr(deciding_agency_code, 1, 5) "
            "WHERE deciding_agency_code ~ '^[0-9]{5}[.]' AND deciding_agency_code NOT LIKE '%.police'"
        )
    else:
        op.execute(
            "UPDATE dossiers SET deciding_commune_code = substr(deciding_agency_code, 1, 5) "
            "WHERE deciding_agency_code GLOB '[0-9][0-9][0-9][0-9][0-9].*' AND deciding_agency_code NOT LIKE '%.police'"
        )
    op.create_index("ix_dossiers_commune_queue", "dossiers", ["deciding_commune_code", "due_on"])
    op.create_index("ix_dossiers_agency_queue", "dossiers", ["deciding_agency_code", "due_on"])
    op.create_index("ix_dossiers_centre_queue", "dossiers", ["centre_identifier", "submitted_at"])
    op.create_index(op.f("ix_dossiers_handling_unit_code"), "dossiers", ["handling_unit_code"])


def downgrade() -> None:
    op.drop_index(op.f("ix_dossiers_handling_unit_code"), "dossiers")
    op.drop_index("ix_dossiers_centre_queue", "dossiers")
    op.drop_index("ix_dossiers_agency_queue", "dossiers")
    op.drop_index("ix_dossiers_commune_queue", "dossiers")
    op.drop_column("dossiers", "deciding_commune_code")
