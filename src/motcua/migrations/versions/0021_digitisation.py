"""digitisation: scanned components and their OCR jobs, each holder's document store, reuses; the
reused dossiers in the day facts (the reuse indicator)

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-07 12:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None

FACT_TABLES = ("fact_dossier_days", "fact_commune_days", "fact_province_days", "fact_commune_months")


def upgrade() -> None:
    op.create_table(
        "digitisations",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("dossier_id", sa.Integer(), sa.ForeignKey("dossiers.id", ondelete="CASCADE"), nullable=False),
        sa.Column("component", sa.Text(), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("originals", sa.JSON(), nullable=False),
        sa.Column("pdfa_attachment_id", sa.Integer(), nullable=True),
        sa.Column("pages", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("suggestions", sa.JSON(), nullable=False),
        sa.Column("confirmed", sa.JSON(), nullable=False),
        sa.Column("error_code", sa.String(40), nullable=False),
        sa.Column("requested_by", sa.Integer(), nullable=True),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("confirmed_by", sa.Integer(), nullable=True),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_digitisations_dossier_id", "digitisations", ["dossier_id"])
    op.create_index("ix_digitisations_due", "digitisations", ["status", "next_attempt_at"])
    op.create_table(
        "document_store",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("holder_kind", sa.String(12), nullable=False),
        sa.Column("holder_id", sa.String(20), nullable=False),
        sa.Column("doc_type", sa.String(60), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("issuer_code", sa.String(60), nullable=False),
        sa.Column("issuer_name", sa.Text(), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=True),
        sa.Column("origin", sa.String(12), nullable=False),
        sa.Column("source_ref", sa.String(80), nullable=False),
        sa.Column("dossier_code", sa.String(60), nullable=False),
        sa.Column("attachment_id", sa.Integer(), nullable=True),
        sa.Column("storage_key", sa.Text(), nullable=True),
        sa.Column("sha256", sa.String(64), nullable=True),
        sa.Column("province_code", sa.String(2), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("origin", "source_ref"),
    )
    op.create_index("ix_document_store_holder", "document_store", ["holder_id", "doc_type"])
    op.create_index("ix_document_store_dossier_code", "document_store", ["dossier_code"])
    op.create_table(
        "dossier_reuses",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("dossier_id", sa.Integer(), sa.ForeignKey("dossiers.id", ondelete="CASCADE"), nullable=False),
        sa.Column("stored_document_id", sa.Integer(), sa.ForeignKey("document_store.id"), nullable=False),
        sa.Column("component", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("dossier_id", "stored_document_id"),
    )
    op.create_index("ix_dossier_reuses_dossier_id", "dossier_reuses", ["dossier_id"])
    op.create_index("ix_dossier_reuses_stored_document_id", "dossier_reuses", ["stored_document_id"])
    # At the national node: who holds which document in which province's store (never the files).
    op.create_table(
        "exchange_document_index",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("member", sa.String(40), nullable=False),
        sa.Column("reference", sa.String(12), nullable=False),
        sa.Column("holder_id", sa.String(20), nullable=False),
        sa.Column("holder_kind", sa.String(12), nullable=False),
        sa.Column("doc_type", sa.String(60), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("issuer_code", sa.String(60), nullable=False),
        sa.Column("issuer_name", sa.Text(), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=True),
        sa.Column("origin", sa.String(12), nullable=False),
        sa.Column("dossier_code", sa.String(60), nullable=False),
        sa.Column("announced_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("member", "reference"),
    )
    op.create_index("ix_exchange_document_index_holder", "exchange_document_index", ["holder_id", "doc_type"])
    # Submissions before this revision reused nothing.
    for table in FACT_TABLES:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("reused", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    for table in FACT_TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_column("reused")
    op.drop_table("exchange_document_index")
    op.drop_table("dossier_reuses")
    op.drop_table("document_store")
    op.drop_table("digitisations")
