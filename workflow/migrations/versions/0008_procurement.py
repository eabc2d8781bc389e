"""procurement facts of agreements and the lawful ground of a proposal (issue 9, SPEC §9)

Revision ID: 0008
Revises: 0005
Create Date: 2026-11-29 03:15:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0008"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TEXT = sqlmodel.sql.sqltypes.AutoString

COLUMNS: dict[str, list[tuple[str, sa.types.TypeEngine]]] = {
    "agreements": [
        ("procurement_regime", _TEXT()),
        ("procurement_started_on", sa.Date()),
        ("light_touch", sa.Boolean()),
        ("contract_type", _TEXT()),
        ("award_value_pence", sa.BigInteger()),
        ("award_max_months", sa.Integer()),
        ("extension_options_months", sa.Integer()),
    ],
    "cases": [("proposal_ground", _TEXT())],
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
