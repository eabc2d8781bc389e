"""a delegation's consultees as rows of their own (issue 12, fault 8), so "the cases I am to be
consulted on" is one indexed query on every database; filled from ``delegations.consultee_ids``
(or ``consultee_id`` on rows older than it), which then go

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-29 06:30:00
"""

import json
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from workflow.councils import walls

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = "delegation_consultees"


def upgrade() -> None:
    op.create_table(
        TABLE,
        sa.Column("delegation_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"]),
        sa.ForeignKeyConstraint(["delegation_id"], ["delegations.id"]),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"]),
        sa.PrimaryKeyConstraint("delegation_id", "user_id"),
    )
    with op.batch_alter_table(TABLE, schema=None) as batch_op:
        batch_op.create_index(batch_op.f(f"ix_{TABLE}_case_id"), ["case_id"], unique=False)
        batch_op.create_index(batch_op.f(f"ix_{TABLE}_user_id"), ["user_id"], unique=False)
    _fill()
    with op.batch_alter_table("delegations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_delegations_consultee_id"))
        batch_op.drop_column("consultee_ids")
        batch_op.drop_column("consultee_id")
    if op.get_bind().dialect.name == "postgresql":
        for statement in walls.enable(TABLE, walls.OWNED[TABLE]):
            op.execute(statement)


def _named(consultee_id: object, consultee_ids: object) -> list[int]:
    """Who a delegation row names, as ``Delegation.consultees()`` read it before this
    revision: the JSON list when it has one, else the single ``consultee_id``."""
    listed = json.loads(consultee_ids) if isinstance(consultee_ids, str) else consultee_ids
    if listed:
        return list(dict.fromkeys(int(uid) for uid in listed))
    return [] if consultee_id is None else [int(str(consultee_id))]


def _fill() -> None:
    bind = op.get_bind()
    rows = bind.execute(
        sa.text("SELECT id, case_id, consultee_id, consultee_ids FROM delegations ORDER BY id")
    ).all()
    named = [
        {"d": delegation_id, "u": uid, "p": position, "c": case_id}
        for delegation_id, case_id, one, many in rows
        for position, uid in enumerate(_named(one, many))
    ]
    if named:
        bind.execute(
            sa.text(
                f"INSERT INTO {TABLE} (delegation_id, user_id, position, case_id) "
                "VALUES (:d, :u, :p, :c)"
            ),
            named,
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for statement in walls.disable(TABLE):
            op.execute(statement)
    with op.batch_alter_table("delegations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("consultee_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("consultee_ids", sa.JSON(), nullable=True))
        batch_op.create_foreign_key(
            "fk_delegations_consultee_id_users", "users", ["consultee_id"], ["id"]
        )
        batch_op.create_index(
            batch_op.f("ix_delegations_consultee_id"), ["consultee_id"], unique=False
        )
    bind = op.get_bind()
    rows = bind.execute(
        sa.text(f"SELECT delegation_id, user_id FROM {TABLE} ORDER BY delegation_id, position")
    ).all()
    named: dict[int, list[int]] = {}
    for delegation_id, uid in rows:
        named.setdefault(delegation_id, []).append(uid)
    for delegation_id, uids in named.items():
        bind.execute(
            sa.text(
                "UPDATE delegations SET consultee_id = :one, consultee_ids = :many WHERE id = :d"
            ),
            {"one": uids[0], "many": json.dumps(uids), "d": delegation_id},
        )
    with op.batch_alter_table(TABLE, schema=None) as batch_op:
        batch_op.drop_index(batch_op.f(f"ix_{TABLE}_user_id"))
        batch_op.drop_index(batch_op.f(f"ix_{TABLE}_case_id"))
    op.drop_table(TABLE)
