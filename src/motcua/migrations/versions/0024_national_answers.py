"""national answers: the national node's copy of the answers the provinces publish for messages filed
at their own portals (publishFeedbackAnswer), public text only

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-07 15:20:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "exchange_national_answers",
        sa.Column("member", sa.String(40), primary_key=True),
        sa.Column("feedback_code", sa.String(24), primary_key=True),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("public", sa.Boolean(), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.Column("agency_code", sa.String(60), nullable=False),
        sa.Column("agency_name", sa.String(300), nullable=False),
        sa.Column("about", sa.String(12), nullable=False),
        sa.Column("filed_on", sa.Date(), nullable=True),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sender_name", sa.String(200), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_exchange_national_answers_listed", "exchange_national_answers", ["public", "published_at"])


def downgrade() -> None:
    op.drop_table("exchange_national_answers")
