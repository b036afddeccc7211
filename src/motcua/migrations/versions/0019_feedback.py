"""feedback: messages (phản ánh, kiến nghị) with their append-only, hash-chained events and their
daily numbering

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-03 14:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "feedback_messages",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("code", sa.String(24), nullable=False, unique=True),
        sa.Column("channel", sa.String(12), nullable=False),
        sa.Column("filed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("filed_by", sa.Integer(), nullable=True),
        sa.Column("owner_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=True),
        sa.Column("idempotency_key", sa.String(120), nullable=True),
        sa.Column("about", sa.String(12), nullable=False),
        sa.Column("about_ref", sa.String(120), nullable=False),
        sa.Column("procedure_version_id", sa.Integer(), nullable=True),
        sa.Column("dossier_code", sa.String(60), nullable=True),
        sa.Column("commune_code", sa.String(5), nullable=True),
        sa.Column("province_code", sa.String(2), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("sender_name", sa.String(200), nullable=False),
        sa.Column("sender_address", sa.Text(), nullable=False),
        sa.Column("sender_phone", sa.String(20), nullable=False),
        sa.Column("sender_email", sa.String(254), nullable=True),
        sa.Column("show_name", sa.Boolean(), nullable=False),
        sa.Column("language", sa.String(2), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("agency_code", sa.String(60), nullable=False),
        sa.Column("competent_reason", sa.Text(), nullable=False),
        sa.Column("stage", sa.String(16), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("handle_due_on", sa.Date(), nullable=True),
        sa.Column("paused_days", sa.Integer(), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("forwarded", sa.Integer(), nullable=False),
        sa.Column("reopened", sa.Integer(), nullable=False),
        sa.Column("original_code", sa.String(24), nullable=True),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.Column("public_question", sa.Text(), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("rating", sa.String(12), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("late_stages", sa.JSON(), nullable=False),
        sa.UniqueConstraint("filed_by", "idempotency_key"),
    )
    op.create_index("ix_feedback_agency_queue", "feedback_messages", ["agency_code", "status", "due_on"])
    op.create_index("ix_feedback_messages_owner_id", "feedback_messages", ["owner_id"])
    op.create_index("ix_feedback_messages_dossier_code", "feedback_messages", ["dossier_code"])
    op.create_index("ix_feedback_messages_province_code", "feedback_messages", ["province_code"])
    op.create_index("ix_feedback_messages_original_code", "feedback_messages", ["original_code"])
    op.create_table(
        "feedback_events",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "message_id", sa.Integer(), sa.ForeignKey("feedback_messages.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("transition", sa.String(40), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("actor_role", sa.String(24), nullable=False),
        sa.Column("actor_unit", sa.String(60), nullable=True),
        sa.Column("from_status", sa.String(20), nullable=True),
        sa.Column("to_status", sa.String(20), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("via", sa.String(12), nullable=True),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.UniqueConstraint("message_id", "seq"),
    )
    op.create_index("ix_feedback_events_message_id", "feedback_events", ["message_id"])
    op.create_index("ix_feedback_events_at", "feedback_events", ["at"])
    op.create_table(
        "feedback_sequences",
        sa.Column("node", sa.String(8), primary_key=True),
        sa.Column("day", sa.Date(), primary_key=True),
        sa.Column("last", sa.Integer(), nullable=False),
    )
    # The event log refuses UPDATE and DELETE, as the dossiers' does (0015).
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE TRIGGER feedback_events_append_only BEFORE UPDATE OR DELETE ON feedback_events "
            "FOR EACH ROW EXECUTE FUNCTION motcua_append_only()"
        )
        op.execute(
            "CREATE TRIGGER feedback_events_no_truncate BEFORE TRUNCATE ON feedback_events "
            "FOR EACH STATEMENT EXECUTE FUNCTION motcua_append_only()"
        )
    else:
        for operation in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER feedback_events_no_{operation.lower()} BEFORE {operation} ON feedback_events "
                f"BEGIN SELECT RAISE(ABORT, 'motcua: feedback_events is append-only ({operation} refused)'); END"
            )


def downgrade() -> None:
    op.drop_table("feedback_sequences")
    op.drop_table("feedback_events")
    op.drop_table("feedback_messages")
