"""reminder deliveries: the recipients GOV.UK Notify accepted a reminder for (issue 9, part 5)

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-29 06:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import workflow.dbtypes
from workflow.councils import walls

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TEXT = sqlmodel.sql.sqltypes.AutoString
_INSTANT = workflow.dbtypes.UTCDateTime
TABLE = "reminder_deliveries"


def upgrade() -> None:
    op.create_table(
        TABLE,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reminder_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("address", _TEXT(), nullable=False),
        sa.Column("notification_id", _TEXT(), nullable=False),
        sa.Column("accepted_at", _INSTANT(), nullable=False),
        sa.ForeignKeyConstraint(["reminder_id"], ["reminders.id"]),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint(
            "reminder_id", "address", name="uq_reminder_deliveries_reminder_address"
        ),
    )
    with op.batch_alter_table(TABLE, schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_reminder_deliveries_case_id"), ["case_id"])
    if op.get_bind().dialect.name == "postgresql":
        for statement in walls.enable(TABLE, walls.OWNED[TABLE]):
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for statement in walls.disable(TABLE):
            op.execute(statement)
    with op.batch_alter_table(TABLE, schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reminder_deliveries_case_id"))
    op.drop_table(TABLE)
