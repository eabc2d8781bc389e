"""the constitution's own rules (issue 12, fault 8 and the rest): several consultees per
delegation, call-in of officer key decisions, Full Council's decision on a referral, and the
lapse date the scheduler selects by

Revision ID: 0007
Revises: 0005
Create Date: 2026-11-29 03:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0005"  # the lead re-chains at merge
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS: dict[str, list[tuple[str, sa.types.TypeEngine]]] = {
    "delegations": [("consultee_ids", sa.JSON())],
}


def upgrade() -> None:
    for table, columns in COLUMNS.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for name, type_ in columns:
                batch_op.add_column(sa.Column(name, type_, nullable=True))


def downgrade() -> None:
    for table, columns in reversed(COLUMNS.items()):
        with op.batch_alter_table(table, schema=None) as batch_op:
            for name, _ in reversed(columns):
                batch_op.drop_column(name)
