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


# The tables as this revision knows them: later revisions add columns (0012: council_id) that
# the live models would select before they exist.
EVENTS = sa.table(
    "audit_events",
    sa.column("id", sa.Integer()),
    sa.column("chain", sa.String()),
    sa.column("seq", sa.Integer()),
    sa.column("case_id", sa.Integer()),
    sa.column("event", sa.String()),
    sa.column("from_state", sa.String()),
    sa.column("to_state", sa.String()),
    sa.column("actor_id", sa.Integer()),
    sa.column("at", workflow.dbtypes.UTCDateTime()),
    sa.column("data", sa.JSON()),
    sa.column("prev_hash", sa.String()),
    sa.column("hash", sa.String()),
)
CHECKPOINTS = sa.table(
    "audit_checkpoints",
    sa.column("id", sa.Integer()),
    sa.column("at", workflow.dbtypes.UTCDateTime()),
    sa.column("last_event_id", sa.Integer()),
    sa.column("heads", sa.JSON()),
    sa.column("prev_hash", sa.String()),
    sa.column("hash", sa.String()),
)


def rechain() -> None:
    """Give every existing event its chain, seq and keyed hash, in the order they were
    written, then append the first checkpoint over all of them. Uses the live hashing code so
    that what the migration writes is exactly what ``verify`` checks."""
    from types import SimpleNamespace

    from workflow.audit import checkpoints
    from workflow.audit.chain import GENESIS, chain_of, digest
    from workflow.clock import Clock
    from workflow.settings import get_settings

    settings = get_settings()
    bind = op.get_bind()
    heads: dict[str, dict[str, object]] = {}  # one entry per chain, not per event
    after = 0
    while True:
        rows = (
            bind.execute(
                sa.select(EVENTS).where(EVENTS.c.id > after).order_by(EVENTS.c.id).limit(BATCH)
            )
            .mappings()
            .all()
        )
        if not rows:
            break
        for found in rows:
            row = SimpleNamespace(**found)
            row.chain = chain_of(row.case_id)
            head = heads.get(row.chain)
            row.seq = 1 + (int(head["seq"]) if head else 0)  # type: ignore[call-overload]
            row.prev_hash = str(head["hash"]) if head else GENESIS
            row.hash = digest(row, settings.audit_key)  # type: ignore[arg-type]
            heads[row.chain] = {
                "chain": row.chain, "case_id": row.case_id, "seq": row.seq,
                "event_id": row.id, "hash": row.hash,
            }  # fmt: skip
            bind.execute(
                EVENTS.update()
                .where(EVENTS.c.id == row.id)
                .values(chain=row.chain, seq=row.seq, prev_hash=row.prev_hash, hash=row.hash)
            )
        after = rows[-1]["id"]
    if not heads:
        return
    first = SimpleNamespace(
        id=1,
        at=Clock(start=settings.now).now(),
        last_event_id=max(int(h["event_id"]) for h in heads.values()),  # type: ignore[call-overload]
        heads=[heads[chain] for chain in sorted(heads)],
        prev_hash=GENESIS,
    )
    first.hash = checkpoints.digest(first, settings.audit_key)  # type: ignore[arg-type]
    bind.execute(CHECKPOINTS.insert().values(**vars(first)))


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
