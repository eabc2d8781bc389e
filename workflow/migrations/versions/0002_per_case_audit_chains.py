"""per-case keyed audit chains and checkpoints (issue 8)

The one global SHA-256 chain, serialised on ``audit_head``, becomes one chain per case
(``chain``, ``seq``), every hash HMAC-SHA256 keyed with ``COUNCILFLOW_AUDIT_KEY`` (read here
through ``get_settings()``: set it before upgrading), joined by a first checkpoint.
``audit_head`` goes. Event ids come from a sequence from now on, since no global head
assigns them.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29 01:15:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op
from sqlmodel import Session, col, select

import workflow.dbtypes

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 1000


def upgrade() -> None:
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("chain", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("seq", sa.Integer(), nullable=True))
    op.create_table(
        "audit_checkpoints",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("at", workflow.dbtypes.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_event_id", sa.Integer(), nullable=False),
        sa.Column("heads", sa.JSON(), nullable=False),
        sa.Column("prev_hash", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("hash"),
    )
    rechain()
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.alter_column("chain", existing_type=sa.String(length=40), nullable=False)
        batch_op.alter_column("seq", existing_type=sa.Integer(), nullable=False)
        batch_op.create_unique_constraint("uq_audit_events_chain_seq", ["chain", "seq"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE SEQUENCE audit_events_id_seq OWNED BY audit_events.id")
        op.execute(
            "ALTER TABLE audit_events ALTER COLUMN id SET DEFAULT nextval('audit_events_id_seq')"
        )
        op.execute(
            "SELECT setval('audit_events_id_seq', "
            "COALESCE((SELECT max(id) FROM audit_events), 0) + 1, false)"
        )
    op.drop_table("audit_head")


def rechain() -> None:
    """Give every existing event its chain, seq and keyed hash, in the order they were
    written, then append the first checkpoint over all of them. Uses the live hashing code so
    that what the migration writes is exactly what ``verify`` checks."""
    from workflow.audit.chain import GENESIS, chain_of, digest
    from workflow.audit.checkpoints import checkpoint
    from workflow.clock import Clock
    from workflow.context import Ctx
    from workflow.models import AuditEvent
    from workflow.settings import get_settings

    settings = get_settings()
    session = Session(bind=op.get_bind())
    heads: dict[str, tuple[int, str]] = {}  # one entry per chain, not per event
    after = 0
    while True:
        rows = session.exec(
            select(AuditEvent)
            .where(col(AuditEvent.id) > after)
            .order_by(col(AuditEvent.id))
            .limit(BATCH)
        ).all()
        if not rows:
            break
        for row in rows:
            row.chain = chain_of(row.case_id)
            seq, prev = heads.get(row.chain, (0, GENESIS))
            row.seq, row.prev_hash = seq + 1, prev
            row.hash = digest(row, settings.audit_key)
            heads[row.chain] = (row.seq, row.hash)
            session.add(row)
        session.flush()
        after = rows[-1].id or after
        session.expunge_all()
    checkpoint(Ctx(session, Clock(start=settings.now), settings))
    session.flush()
    session.close()


def downgrade() -> None:
    """Back to the shape of 0001. The hashes stay keyed per case, so 0001's ``verify`` will
    not accept them: downgrade only to rebuild, never to keep running."""
    op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("last_id", sa.Integer(), nullable=False),
        sa.Column("last_hash", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE audit_events ALTER COLUMN id DROP DEFAULT")
        op.execute("DROP SEQUENCE IF EXISTS audit_events_id_seq")
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_constraint("uq_audit_events_chain_seq", type_="unique")
        batch_op.drop_column("seq")
        batch_op.drop_column("chain")
    op.drop_table("audit_checkpoints")
