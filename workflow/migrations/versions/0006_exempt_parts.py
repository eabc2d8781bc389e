"""exempt parts of a report, the public-interest test and the exemption's review and lapse
(issue 12, fault 4)

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29 03:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TEXT = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    """Existing exempt cases keep ``exempt_paragraph`` (the whole report exempt, as before);
    no data moves."""
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.add_column(sa.Column("exempt_parts", sa.JSON(none_as_null=True), nullable=True))
        batch_op.add_column(sa.Column("public_interest_decided_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("public_interest_decided_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("public_interest_reasons", _TEXT(), nullable=True))
        batch_op.add_column(sa.Column("exemption_review_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("exemption_lapses_on", sa.Date(), nullable=True))
        batch_op.create_foreign_key(
            "fk_cases_public_interest_decided_by_id_users",
            "users",
            ["public_interest_decided_by_id"],
            ["id"],
        )


def downgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_constraint("fk_cases_public_interest_decided_by_id_users", type_="foreignkey")
        for name in (
            "exemption_lapses_on",
            "exemption_review_on",
            "public_interest_reasons",
            "public_interest_decided_on",
            "public_interest_decided_by_id",
            "exempt_parts",
        ):
            batch_op.drop_column(name)
