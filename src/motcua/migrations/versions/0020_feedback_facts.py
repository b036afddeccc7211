"""feedback facts: a day's feedback per agency; dossiers with complaints in the dossier facts
(Decision 766's satisfaction); the published answers' search text, with a trigram index on PostgreSQL;
files sent with feedback

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-04 19:00:00
"""

from __future__ import annotations

import re

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None

DOSSIER_TABLES = ("fact_dossier_days", "fact_commune_days", "fact_commune_months", "fact_province_days")
KEYS = ("province_code", "commune_code", "agency_code", "about")
COUNTERS = (
    "received",
    "transferred_in",
    "forwarded",
    "accepted",
    "declined",
    "merged",
    "classify_on_time",
    "classify_late",
    "forward_on_time",
    "forward_late",
    "handle_on_time",
    "handle_late",
    "publish_on_time",
    "publish_late",
    "published",
    "reopen_requested",
    "reopened",
    "rated",
    "dissatisfied",
)


def upgrade() -> None:
    _search()
    op.create_table(
        "feedback_attachments",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "message_id", sa.Integer(), sa.ForeignKey("feedback_messages.id", ondelete="CASCADE"), nullable=False
        ),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("content_type", sa.String(60), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("storage_key", sa.String(200), nullable=False),
        sa.Column("uploaded_by", sa.Integer(), nullable=True),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_feedback_attachments_message_id", "feedback_attachments", ["message_id"])
    _exchange()
    for table in DOSSIER_TABLES:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("complained", sa.Integer(), nullable=False, server_default="0"))
        # Until now only dislikes counted; `motcua indicators rebuild` adds the complaints.
        op.execute(f"UPDATE {table} SET complained = dissatisfied")
    op.create_table(
        "fact_feedback_days",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("province_code", sa.String(2), nullable=False),
        sa.Column("commune_code", sa.String(5), nullable=False),
        sa.Column("agency_code", sa.String(60), nullable=False),
        sa.Column("about", sa.String(12), nullable=False),
        *(sa.Column(c, sa.Integer(), nullable=False) for c in COUNTERS),
        sa.UniqueConstraint("day", *KEYS, name="uq_fact_feedback_days_key"),
    )
    op.create_index("ix_fact_feedback_days_province_day", "fact_feedback_days", ["province_code", "day"])
    op.create_index("ix_fact_feedback_days_agency_day", "fact_feedback_days", ["agency_code", "day"])


def _exchange() -> None:
    """Feedback filed at the national portal: its mirror at the national node, its delivery at the province."""
    op.create_table(
        "exchange_feedback_mirrors",
        sa.Column("code", sa.String(24), primary_key=True),
        sa.Column("feedback_code", sa.String(24), nullable=True, unique=True),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("member", sa.String(40), nullable=False),
        sa.Column("about", sa.String(12), nullable=False),
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("stage", sa.String(16), nullable=False),
        sa.Column("agency_code", sa.String(60), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("question", sa.Text(), nullable=True),
        sa.Column("answer", sa.Text(), nullable=True),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_sequence", sa.Integer(), nullable=False),
        sa.Column("filed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
    )
    op.create_index("ix_exchange_feedback_mirrors_owner_id", "exchange_feedback_mirrors", ["owner_id"])
    op.create_index("ix_exchange_feedback_mirrors_member", "exchange_feedback_mirrors", ["member"])
    op.create_table(
        "exchange_feedback_deliveries",
        sa.Column("reference", sa.String(24), primary_key=True),
        sa.Column("sender", sa.String(40), nullable=False),
        sa.Column("feedback_code", sa.String(24), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index(
        "ix_exchange_feedback_deliveries_feedback_code", "exchange_feedback_deliveries", ["feedback_code"], unique=True
    )


def _search() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")  # shipped with PostgreSQL (contrib)
    with op.batch_alter_table("feedback_messages") as batch:
        batch.add_column(sa.Column("search_text", sa.Text(), nullable=True))
    if op.get_bind().dialect.name == "postgresql":  # the text's words, kept by PostgreSQL
        op.execute(
            "ALTER TABLE feedback_messages ADD COLUMN search_vector tsvector "
            "GENERATED ALWAYS AS (to_tsvector('simple', coalesce(search_text, ''))) STORED"
        )
    else:  # unused on SQLite (the search ranks the latest answers there)
        with op.batch_alter_table("feedback_messages") as batch:
            batch.add_column(sa.Column("search_vector", sa.Text(), nullable=True))
    op.create_index("ix_feedback_search_vector", "feedback_messages", ["search_vector"], postgresql_using="gin")
    op.create_table("feedback_words", sa.Column("word", sa.String(40), primary_key=True))
    op.create_index(
        "ix_feedback_words_trgm", "feedback_words", ["word"], postgresql_using="gist",
        postgresql_ops={"word": "gist_trgm_ops"},
    )  # fmt: skip
    op.create_index("ix_feedback_published", "feedback_messages", ["published_at"])
    open_sql = sa.text("status IN ('received', 'handling', 'info_requested', 'answer_drafted', 'answer_approved')")
    op.create_index(
        "ix_feedback_open_queue",
        "feedback_messages",
        ["agency_code", "due_on", "id"],
        postgresql_where=open_sql,
        sqlite_where=open_sql,
    )
    # Answers published before this revision get their search text (the public title and question).
    from types import SimpleNamespace

    from motcua.feedback.messages import search_text_of

    messages = sa.table(
        "feedback_messages",
        sa.column("id", sa.Integer()),
        sa.column("title", sa.String()),
        sa.column("public_question", sa.Text()),
        sa.column("sender_name", sa.String()),
        sa.column("sender_phone", sa.String()),
        sa.column("sender_email", sa.String()),
        sa.column("sender_address", sa.Text()),
        sa.column("published_at", sa.DateTime()),
        sa.column("search_text", sa.Text()),
    )
    connection = op.get_bind()
    for row in connection.execute(sa.select(messages).where(messages.c.published_at.is_not(None))).mappings():
        text = search_text_of(row["title"], row["public_question"], SimpleNamespace(**row))
        connection.execute(sa.update(messages).where(messages.c.id == row["id"]).values(search_text=text))
        words = sorted(set(re.findall(r"[a-z0-9]{1,40}", text)))
        if words:
            connection.execute(
                sa.text("INSERT INTO feedback_words (word) VALUES (:word) ON CONFLICT DO NOTHING"),
                [{"word": w} for w in words],
            )


def downgrade() -> None:
    op.drop_index("ix_feedback_open_queue", "feedback_messages")
    op.drop_index("ix_feedback_published", "feedback_messages")
    op.drop_table("feedback_words")
    op.drop_index("ix_feedback_search_vector", "feedback_messages")
    with op.batch_alter_table("feedback_messages") as batch:
        batch.drop_column("search_vector")
        batch.drop_column("search_text")
    op.drop_table("fact_feedback_days")
    for table in DOSSIER_TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_column("complained")
