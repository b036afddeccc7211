"""trust: instants in UTC with their zone, the keyed chain, the audit trail and daily seals,
append-only logs, idempotency per creating account, token expiry and revocation, disabled accounts,
server-side browser sessions

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-02 05:30:00
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
# Columns that held Vietnam wall-clock time without a zone (the server's clock was read as such).
WALL_CLOCK = {
    "dossiers": ("submitted_at", "complete_at", "finished_at", "returned_at"),
    "dossier_events": ("at",),
    "attachments": ("uploaded_at",),
    "ratings": ("at",),
    "exchange_dossier_mirrors": ("finished_at", "returned_at"),
}
# Columns that already held UTC without a zone.
UTC_NAIVE = {
    "exchange_members": ("last_contact_at",),
    "exchange_outbox": ("next_attempt_at", "created_at", "delivered_at"),
    "exchange_inbox": ("received_at",),
    "exchange_dossier_mirrors": ("updated_at", "delivered_at"),
    "exchange_deliveries": ("received_at",),
    "exchange_catalog_syncs": ("received_at",),
    "exchange_documents": ("created_at",),
}
APPEND_ONLY = ("dossier_events", "audit_events", "seals")


def _to_utc() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        for table, columns in WALL_CLOCK.items():
            for c in columns:
                op.execute(
                    f"ALTER TABLE {table} ALTER COLUMN {c} TYPE timestamptz USING {c} AT TIME ZONE 'Asia/Ho_Chi_Minh'"
                )
        for table, columns in UTC_NAIVE.items():
            for c in columns:
                op.execute(f"ALTER TABLE {table} ALTER COLUMN {c} TYPE timestamptz USING {c} AT TIME ZONE 'UTC'")
        return
    # SQLite keeps text: rewrite each value from Vietnam time to UTC in Python (to the microsecond,
    # which the legacy chain's hashes cover).
    for table, columns in WALL_CLOCK.items():
        for c in columns:
            rows = bind.execute(sa.text(f"SELECT rowid, {c} FROM {table} WHERE {c} IS NOT NULL")).all()
            for rowid, value in rows:
                moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
                utc = moment.replace(tzinfo=VIETNAM).astimezone(UTC).replace(tzinfo=None)
                bind.execute(
                    sa.text(f"UPDATE {table} SET {c} = :v WHERE rowid = :id"),
                    {"v": utc.isoformat(sep=" ", timespec="microseconds"), "id": rowid},
                )


def _append_only() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        op.execute(
            """
            CREATE OR REPLACE FUNCTION motcua_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
              RAISE EXCEPTION 'motcua: % is append-only (% refused)', TG_TABLE_NAME, TG_OP
                USING ERRCODE = 'insufficient_privilege';
            END $$
            """
        )
        for table in APPEND_ONLY:
            op.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION motcua_append_only()"
            )
            op.execute(
                f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION motcua_append_only()"
            )
        return
    for table in APPEND_ONLY:
        for operation in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER {table}_no_{operation.lower()} BEFORE {operation} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, 'motcua: {table} is append-only ({operation} refused)'); END"
            )


def upgrade() -> None:
    _to_utc()
    # Plain ADD COLUMN and indexes (no table rebuild on SQLite, none of ten million rows copied).
    op.add_column("dossiers", sa.Column("created_by", sa.Integer(), nullable=True))
    op.execute("UPDATE dossiers SET created_by = owner_id")
    op.create_index("uq_dossiers_created_by", "dossiers", ["created_by", "idempotency_key"], unique=True)
    op.add_column("dossier_events", sa.Column("chain", sa.Integer(), nullable=True))
    op.execute("UPDATE dossier_events SET chain = 1")
    op.create_index("ix_dossier_events_at", "dossier_events", ["at"])
    op.add_column("users", sa.Column("disabled_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("api_tokens", sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("api_tokens", sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        "web_sessions",
        sa.Column("id_sha256", sa.String(64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_web_sessions_user_id_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id_sha256", name=op.f("pk_web_sessions")),
    )
    op.create_index(op.f("ix_web_sessions_user_id"), "web_sessions", ["user_id"])
    op.create_index(op.f("ix_web_sessions_expires_at"), "web_sessions", ["expires_at"])
    op.create_table(
        "accounts_revision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_accounts_revision")),
    )
    op.execute("INSERT INTO accounts_revision (id, revision) VALUES (1, 0)")
    op.create_table(
        "audit_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("actor_role", sa.String(24), nullable=False),
        sa.Column("channel", sa.String(12), nullable=False),
        sa.Column("action", sa.String(40), nullable=False),
        sa.Column("subject", sa.String(120), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_events")),
        sa.UniqueConstraint("seq", name=op.f("uq_audit_events_seq")),
    )
    op.create_index(op.f("ix_audit_events_at"), "audit_events", ["at"])
    op.create_index(op.f("ix_audit_events_action"), "audit_events", ["action"])
    op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("last_hash", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_head")),
    )
    op.execute(f"INSERT INTO audit_head (id, seq, last_hash) VALUES (1, 0, '{'0' * 64}')")
    op.create_table(
        "seals",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("dossier_events", sa.Integer(), nullable=False),
        sa.Column("dossier_root", sa.String(64), nullable=False),
        sa.Column("audit_events", sa.Integer(), nullable=False),
        sa.Column("audit_root", sa.String(64), nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
        sa.Column("signature", sa.Text(), nullable=False),
        sa.Column("key_id", sa.String(64), nullable=False),
        sa.Column("made_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("day", name=op.f("pk_seals")),
    )
    _append_only()


def downgrade() -> None:
    raise NotImplementedError("the trust migration is not reversible: the logs are append-only from here")
