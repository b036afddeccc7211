"""exchange: files of dossiers submitted at the national node, kept until their province fetches them

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-24 16:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "exchange_documents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(60), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("content_type", sa.String(100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("storage_key", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exchange_documents")),
    )
    op.create_index("ix_exchange_documents_reference", "exchange_documents", ["reference"])


def downgrade() -> None:
    op.drop_index("ix_exchange_documents_reference", table_name="exchange_documents")
    op.drop_table("exchange_documents")
