"""each modification's procurement notices are deadlines of their own (issue 9)

A deadline's key was its kind and agreement, so a later modification's reg 72(3) notice or
s.77 publication took over the stored duty of an earlier one still unpublished. The
``occasion`` (the first day of the term the modification brings) is now part of the key.
Rows stored before take theirs at the case's next re-plan (``deadlines.planning._key``).

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-29 06:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("deadlines", schema=None) as batch_op:
        batch_op.add_column(sa.Column("occasion", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("deadlines", schema=None) as batch_op:
        batch_op.drop_column("occasion")
