"""index dossiers by the applicant's ID number (a citizen's "my dossiers" includes counter receptions)

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24 11:25:00
"""

from __future__ import annotations

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_dossiers_applicant_id_number", "dossiers", ["applicant_id_number"])


def downgrade() -> None:
    op.drop_index("ix_dossiers_applicant_id_number", table_name="dossiers")
