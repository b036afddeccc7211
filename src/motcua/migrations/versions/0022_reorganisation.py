"""reorganisation: the resolutions applied since 1 July 2025 (the map's changes, the moves and their
journal); agencies and centres dated, with the body that took each over

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-07 14:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade() -> None:
    for table, width in (("agencies", 60), ("service_centres", 40)):
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("valid_from", sa.Date(), nullable=True))
            batch.add_column(sa.Column("valid_to", sa.Date(), nullable=True))
            batch.add_column(sa.Column("successor", sa.String(width), nullable=True))
    op.create_table(
        "unit_map_changes",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("reference", sa.String(120), nullable=False, unique=True),
        sa.Column("effective_date", sa.Date(), nullable=False),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "reorganisations",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("reference", sa.String(120), nullable=False, unique=True),
        sa.Column("effective_date", sa.Date(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("moves", sa.JSON(), nullable=False),
        sa.Column("decisions", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("applied_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("applied_by", sa.String(120), nullable=False),
        sa.Column("effective_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("swept_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("moved_dossiers", sa.Integer(), nullable=False),
        sa.Column("moved_feedback", sa.Integer(), nullable=False),
        sa.Column("moved_officials", sa.Integer(), nullable=False),
        sa.Column("waiting", sa.Integer(), nullable=False),
    )
    op.create_index("ix_reorganisations_effective_date", "reorganisations", ["effective_date"])
    op.create_table(
        "reorganisation_journal",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "reorganisation_id",
            sa.Integer(),
            sa.ForeignKey("reorganisations.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.String(12), nullable=False),
        sa.Column("code", sa.String(60), nullable=False),
        sa.Column("before", sa.String(60), nullable=False),
        sa.Column("after", sa.String(60), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
    )
    op.create_index("ix_reorganisation_journal_item", "reorganisation_journal", ["reorganisation_id", "kind", "code"])


def downgrade() -> None:
    op.drop_index("ix_reorganisation_journal_item", table_name="reorganisation_journal")
    op.drop_table("reorganisation_journal")
    op.drop_index("ix_reorganisations_effective_date", table_name="reorganisations")
    op.drop_table("reorganisations")
    op.drop_table("unit_map_changes")
    for table in ("agencies", "service_centres"):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("successor")
            batch.drop_column("valid_to")
            batch.drop_column("valid_from")
