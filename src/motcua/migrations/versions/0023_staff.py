"""staff: established posts by role, who held which post when, transfers decided by the province

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-07 15:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "staff_posts",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("province_code", sa.String(2), nullable=False),
        sa.Column("unit_code", sa.String(60), nullable=False),
        sa.Column("role", sa.String(24), nullable=False),
        sa.Column("established", sa.Integer(), nullable=False),
        sa.UniqueConstraint("unit_code", "role"),
    )
    op.create_index("ix_staff_posts_province_code", "staff_posts", ["province_code"])
    op.create_table(
        "staff_holdings",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("unit_code", sa.String(60), nullable=False),
        sa.Column("role", sa.String(24), nullable=False),
        sa.Column("started_on", sa.Date(), nullable=False),
        sa.Column("ended_on", sa.Date(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
    )
    op.create_index("ix_staff_holdings_user", "staff_holdings", ["user_id", "started_on"])
    op.create_index("ix_staff_holdings_unit_code", "staff_holdings", ["unit_code"])
    op.create_table(
        "staff_transfers",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("province_code", sa.String(2), nullable=False),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False),
        sa.Column("role", sa.String(24), nullable=False),
        sa.Column("from_unit", sa.String(60), nullable=False),
        sa.Column("to_unit", sa.String(60), nullable=False),
        sa.Column("from_post", sa.String(60), nullable=False),
        sa.Column("to_post", sa.String(60), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("figures", sa.JSON(), nullable=False),
        sa.Column("decided_by", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reassigned", sa.Integer(), nullable=False),
    )
    op.create_index("ix_staff_transfers_province_code", "staff_transfers", ["province_code"])


def downgrade() -> None:
    op.drop_index("ix_staff_transfers_province_code", table_name="staff_transfers")
    op.drop_table("staff_transfers")
    op.drop_index("ix_staff_holdings_unit_code", table_name="staff_holdings")
    op.drop_index("ix_staff_holdings_user", table_name="staff_holdings")
    op.drop_table("staff_holdings")
    op.drop_index("ix_staff_posts_province_code", table_name="staff_posts")
    op.drop_table("staff_posts")
