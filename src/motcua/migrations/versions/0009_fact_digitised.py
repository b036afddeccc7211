"""digitised dossiers in the day facts (the digitisation indicator)

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-24 13:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

TABLES = ("fact_dossier_days", "fact_commune_days", "fact_province_days")


def upgrade() -> None:
    # Decisions before this revision did not record it: they count as not digitised.
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("digitised", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_column("digitised")
