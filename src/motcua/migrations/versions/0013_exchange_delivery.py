"""exchange: dossiers delivered by the national node, catalog revisions applied, sequences in the inbox

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-24 15:50:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("exchange_inbox", sa.Column("dossier_code", sa.String(60), nullable=True))
    op.add_column("exchange_inbox", sa.Column("sequence", sa.Integer(), nullable=True))
    op.add_column("exchange_dossier_mirrors", sa.Column("dossier_code", sa.String(60), nullable=True))
    op.add_column("exchange_dossier_mirrors", sa.Column("owner_id", sa.Integer(), nullable=True))
    op.add_column("exchange_dossier_mirrors", sa.Column("delivered_at", sa.DateTime(), nullable=True))
    op.create_index(
        "ix_exchange_dossier_mirrors_dossier_code", "exchange_dossier_mirrors", ["dossier_code"], unique=True
    )
    op.create_index("ix_exchange_dossier_mirrors_owner_id", "exchange_dossier_mirrors", ["owner_id"])
    op.create_table(
        "exchange_deliveries",
        sa.Column("reference", sa.String(60), nullable=False),
        sa.Column("sender", sa.String(40), nullable=False),
        sa.Column("dossier_code", sa.String(60), nullable=False),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("reference", name=op.f("pk_exchange_deliveries")),
    )
    op.create_index("ix_exchange_deliveries_dossier_code", "exchange_deliveries", ["dossier_code"], unique=True)
    op.create_table(
        "exchange_catalog_syncs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sender", sa.String(40), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("procedures", sa.Integer(), nullable=False),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exchange_catalog_syncs")),
    )


def downgrade() -> None:
    op.drop_table("exchange_catalog_syncs")
    op.drop_index("ix_exchange_deliveries_dossier_code", table_name="exchange_deliveries")
    op.drop_table("exchange_deliveries")
    op.drop_index("ix_exchange_dossier_mirrors_owner_id", table_name="exchange_dossier_mirrors")
    op.drop_index("ix_exchange_dossier_mirrors_dossier_code", table_name="exchange_dossier_mirrors")
    with op.batch_alter_table("exchange_dossier_mirrors") as batch:
        batch.drop_column("delivered_at")
        batch.drop_column("owner_id")
        batch.drop_column("dossier_code")
    with op.batch_alter_table("exchange_inbox") as batch:
        batch.drop_column("sequence")
        batch.drop_column("dossier_code")
