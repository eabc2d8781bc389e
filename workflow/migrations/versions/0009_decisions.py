"""decisions as councils take them: Cabinet's own term, officers' own records (issue 12)

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-29 01:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0009"
# The brief says "0001" (the lead re-chains at merge); 0008 has already landed on this
# branch's base, so this one follows it to keep a single head.
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TEXT = sqlmodel.sql.sqltypes.AutoString

COLUMNS: dict[str, list[tuple[str, sa.types.TypeEngine]]] = {
    "resolutions": [("cabinet_months", sa.Integer())],
    "consultations": [("conflicts_of_interest", _TEXT()), ("dispensation", _TEXT())],
    "sign_offs": [("alternatives_rejected", _TEXT())],
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
