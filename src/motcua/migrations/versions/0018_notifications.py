"""notifications: the outbox and delivery record of every message to a person; the applicant's
channels and language on each dossier; officials' e-mail addresses

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-02 20:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "notifications",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("source", sa.String(120), nullable=False),
        sa.Column("recipient", sa.String(40), nullable=False),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
        sa.Column("dossier_code", sa.String(60), nullable=True),
        sa.Column("channel", sa.String(8), nullable=False),
        sa.Column("address", sa.String(200), nullable=False),
        sa.Column("language", sa.String(5), nullable=False),
        sa.Column("template", sa.String(40), nullable=False),
        sa.Column("template_version", sa.Integer(), nullable=False),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("provider", sa.String(40), nullable=False),
        sa.Column("provider_reference", sa.String(120), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("fallback_of", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=True),
        sa.UniqueConstraint("source", "recipient", "channel", name="uq_notifications_source"),
    )
    op.create_index("ix_notifications_due", "notifications", ["status", "next_attempt_at"])
    op.create_index("ix_notifications_inbox", "notifications", ["user_id", "channel", "read_at"])
    op.create_index(op.f("ix_notifications_dossier_code"), "notifications", ["dossier_code"])
    op.create_index(op.f("ix_notifications_provider_reference"), "notifications", ["provider_reference"])
    with op.batch_alter_table("dossiers") as batch:
        batch.add_column(sa.Column("notify_channels", sa.JSON(), nullable=False, server_default="[]"))
        batch.add_column(sa.Column("language", sa.String(5), nullable=False, server_default="vi"))
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("email", sa.String(200), nullable=True))
    with op.batch_alter_table("dossier_events") as batch:
        batch.add_column(sa.Column("via", sa.String(12), nullable=True))
    op.create_index("ix_dossier_events_actor", "dossier_events", ["actor_id", "at"])
    op.create_index("ix_dossier_events_unit", "dossier_events", ["actor_unit", "at"])


def downgrade() -> None:
    op.drop_index("ix_dossier_events_unit", "dossier_events")
    op.drop_index("ix_dossier_events_actor", "dossier_events")
    with op.batch_alter_table("dossier_events") as batch:
        batch.drop_column("via")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("email")
    with op.batch_alter_table("dossiers") as batch:
        batch.drop_column("language")
        batch.drop_column("notify_channels")
    op.drop_table("notifications")
