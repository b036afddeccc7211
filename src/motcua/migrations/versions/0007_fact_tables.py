"""fact tables of the indicators

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-24 11:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

PLACE = ("province_code", "commune_code", "centre_identifier", "agency_code", "procedure_code", "channel")


def _place() -> list[sa.Column[str]]:
    sizes = {"province_code": 2, "commune_code": 5, "centre_identifier": 40, "agency_code": 60}
    return [sa.Column(k, sa.String(sizes.get(k, 40 if k == "procedure_code" else 12)), nullable=False) for k in PLACE]


def upgrade() -> None:
    counters = ("received", "online", "early", "on_time", "late", "fee_due", "paid_online", "rated", "dissatisfied")
    op.create_table(
        "fact_dossier_days",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        *_place(),
        *[sa.Column(c, sa.Integer(), nullable=False) for c in counters],
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fact_dossier_days")),
        sa.UniqueConstraint("day", *PLACE, name="uq_fact_dossier_days_key"),
    )
    op.create_index("ix_fact_dossier_days_day", "fact_dossier_days", ["day"])
    op.create_index("ix_fact_dossier_days_province_code", "fact_dossier_days", ["province_code"])
    op.create_table(
        "fact_open_dossiers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        *_place(),
        sa.Column("open", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fact_open_dossiers")),
        sa.UniqueConstraint("due_on", *PLACE, name="uq_fact_open_dossiers_key"),
    )
    op.create_index("ix_fact_open_dossiers_due_on", "fact_open_dossiers", ["due_on"])
    op.create_index("ix_fact_open_dossiers_province_code", "fact_open_dossiers", ["province_code"])


def downgrade() -> None:
    op.drop_table("fact_open_dossiers")
    op.drop_table("fact_dossier_days")
