"""fact tables per commune and per province (the coarser grains the dashboards read)

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-24 12:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

COUNTERS = ("received", "online", "early", "on_time", "late", "fee_due", "paid_online", "rated", "dissatisfied")
GRAINS = {"commune": ("province_code", "commune_code"), "province": ("province_code",)}
SIZES = {"province_code": 2, "commune_code": 5}


def _keys(grain: str) -> list[sa.Column[str]]:
    return [sa.Column(k, sa.String(SIZES[k]), nullable=False) for k in GRAINS[grain]]


def upgrade() -> None:
    for grain, keys in GRAINS.items():
        days, opens = f"fact_{grain}_days", f"fact_{grain}_open"
        op.create_table(
            days,
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("day", sa.Date(), nullable=False),
            *_keys(grain),
            *[sa.Column(c, sa.Integer(), nullable=False) for c in COUNTERS],
            sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{days}")),
            sa.UniqueConstraint("day", *keys, name=f"uq_{days}_key"),
        )
        op.create_table(
            opens,
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("due_on", sa.Date(), nullable=False),
            *_keys(grain),
            sa.Column("open", sa.Integer(), nullable=False),
            sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{opens}")),
            sa.UniqueConstraint("due_on", *keys, name=f"uq_{opens}_key"),
        )
        op.create_index(f"ix_{days}_day", days, ["day"])
        op.create_index(f"ix_{opens}_due_on", opens, ["due_on"])
        for key in keys:
            op.create_index(f"ix_{days}_{key}", days, [key])
            op.create_index(f"ix_{opens}_{key}", opens, [key])
    op.create_index("ix_fact_dossier_days_commune_code", "fact_dossier_days", ["commune_code"])
    op.create_index("ix_fact_open_dossiers_commune_code", "fact_open_dossiers", ["commune_code"])
    # Fill the new grains from the place grain (the facts already counted).
    for grain, keys in GRAINS.items():
        cols = ", ".join(keys)
        sums = ", ".join(f"SUM({c})" for c in COUNTERS)
        op.execute(
            f"INSERT INTO fact_{grain}_days (day, {cols}, {', '.join(COUNTERS)}) "
            f"SELECT day, {cols}, {sums} FROM fact_dossier_days GROUP BY day, {cols}"
        )
        op.execute(
            f"INSERT INTO fact_{grain}_open (due_on, {cols}, open) "
            f"SELECT due_on, {cols}, SUM(open) FROM fact_open_dossiers GROUP BY due_on, {cols}"
        )


def downgrade() -> None:
    op.drop_index("ix_fact_open_dossiers_commune_code", "fact_open_dossiers")
    op.drop_index("ix_fact_dossier_days_commune_code", "fact_dossier_days")
    for grain in GRAINS:
        op.drop_table(f"fact_{grain}_open")
        op.drop_table(f"fact_{grain}_days")
