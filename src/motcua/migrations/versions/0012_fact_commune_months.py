"""facts per commune and month (a province's page over a year reads twelve rows per commune)

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-24 14:35:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

COUNTERS = (
    "received",
    "online",
    "early",
    "on_time",
    "late",
    "digitised",
    "fee_due",
    "paid_online",
    "rated",
    "dissatisfied",
)


def upgrade() -> None:
    op.create_table(
        "fact_commune_months",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("month", sa.Date(), nullable=False),
        sa.Column("province_code", sa.String(2), nullable=False),
        sa.Column("commune_code", sa.String(5), nullable=False),
        *[sa.Column(c, sa.Integer(), nullable=False) for c in COUNTERS],
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fact_commune_months")),
        sa.UniqueConstraint("month", "province_code", "commune_code", name="uq_fact_commune_months_key"),
    )
    op.create_index("ix_fact_commune_months_province_month", "fact_commune_months", ["province_code", "month"])
    op.create_index("ix_fact_commune_months_province_code", "fact_commune_months", ["province_code"])
    op.create_index("ix_fact_commune_months_commune_code", "fact_commune_months", ["commune_code"])
    postgres = op.get_bind().dialect.name == "postgresql"
    month = "CAST(date_trunc('month', day) AS DATE)" if postgres else "date(day, 'start of month')"
    sums = ", ".join(f"SUM({c})" for c in COUNTERS)
    op.execute(
        f"INSERT INTO fact_commune_months (month, province_code, commune_code, {', '.join(COUNTERS)}) "
        f"SELECT {month}, province_code, commune_code, {sums} FROM fact_commune_days "
        f"GROUP BY {month}, province_code, commune_code"
    )


def downgrade() -> None:
    op.drop_table("fact_commune_months")
