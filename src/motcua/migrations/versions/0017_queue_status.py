"""an official's queue is filtered by status first: the status joins the queue indexes (commune,
status, due date), so a commune's dossiers in processing are found without reading every open
dossier of the country

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-02 16:30:00
"""

from __future__ import annotations

from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_dossiers_commune_queue", "dossiers")
    op.drop_index("ix_dossiers_agency_queue", "dossiers")
    op.create_index("ix_dossiers_commune_queue", "dossiers", ["deciding_commune_code", "status", "due_on"])
    op.create_index("ix_dossiers_agency_queue", "dossiers", ["deciding_agency_code", "status", "due_on"])


def downgrade() -> None:
    op.drop_index("ix_dossiers_agency_queue", "dossiers")
    op.drop_index("ix_dossiers_commune_queue", "dossiers")
    op.create_index("ix_dossiers_commune_queue", "dossiers", ["deciding_commune_code", "due_on"])
    op.create_index("ix_dossiers_agency_queue", "dossiers", ["deciding_agency_code", "due_on"])
