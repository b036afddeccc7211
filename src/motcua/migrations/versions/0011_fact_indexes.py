"""composite indexes for the dashboards' reads: a province's communes, a commune's procedures

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-24 13:55:00
"""

from __future__ import annotations

from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_fact_commune_days_province_day", "fact_commune_days", ["province_code", "day"])
    op.create_index("ix_fact_dossier_days_commune_day", "fact_dossier_days", ["commune_code", "day"])


def downgrade() -> None:
    op.drop_index("ix_fact_dossier_days_commune_day", "fact_dossier_days")
    op.drop_index("ix_fact_commune_days_province_day", "fact_commune_days")
