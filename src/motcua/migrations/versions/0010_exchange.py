"""exchange: members, outbox, inbox, the national node's mirror of routed dossiers

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-24 13:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "exchange_members",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("identifier", sa.String(40), nullable=False),
        sa.Column("role", sa.String(12), nullable=False),
        sa.Column("province_code", sa.String(2), nullable=True),
        sa.Column("base_url", sa.Text(), nullable=False),
        sa.Column("public_jwk", sa.JSON(), nullable=False),
        sa.Column("adapter", sa.String(40), nullable=False),
        sa.Column("options", sa.JSON(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("last_contact_at", sa.DateTime(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exchange_members")),
        sa.UniqueConstraint("identifier", name=op.f("uq_exchange_members_identifier")),
    )
    op.create_index("ix_exchange_members_province_code", "exchange_members", ["province_code"])
    op.create_table(
        "exchange_outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.String(36), nullable=False),
        sa.Column("recipient", sa.String(40), nullable=False),
        sa.Column("operation", sa.String(40), nullable=False),
        sa.Column("method", sa.String(8), nullable=False),
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("dossier_code", sa.String(60), nullable=True),
        sa.Column("state", sa.String(12), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("delivered_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exchange_outbox")),
        sa.UniqueConstraint("message_id", name=op.f("uq_exchange_outbox_message_id")),
    )
    for column in ("recipient", "dossier_code", "state", "next_attempt_at"):
        op.create_index(f"ix_exchange_outbox_{column}", "exchange_outbox", [column])
    op.create_table(
        "exchange_inbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sender", sa.String(40), nullable=False),
        sa.Column("message_id", sa.String(36), nullable=False),
        sa.Column("operation", sa.String(40), nullable=False),
        sa.Column("body_sha256", sa.String(64), nullable=False),
        sa.Column("status", sa.Integer(), nullable=False),
        sa.Column("answer", sa.JSON(), nullable=False),
        sa.Column("received_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exchange_inbox")),
        sa.UniqueConstraint("sender", "message_id", name=op.f("uq_exchange_inbox_sender")),
    )
    op.create_table(
        "exchange_dossier_mirrors",
        sa.Column("code", sa.String(60), nullable=False),
        sa.Column("member", sa.String(40), nullable=False),
        sa.Column("procedure_code", sa.String(40), nullable=False),
        sa.Column("status", sa.String(24), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=False),
        sa.Column("last_sequence", sa.Integer(), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=True),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.Column("returned_at", sa.DateTime(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_exchange_dossier_mirrors")),
    )
    op.create_index("ix_exchange_dossier_mirrors_member", "exchange_dossier_mirrors", ["member"])


def downgrade() -> None:
    op.drop_table("exchange_dossier_mirrors")
    op.drop_table("exchange_inbox")
    op.drop_table("exchange_outbox")
    op.drop_table("exchange_members")
