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


# An open duty with a later modification's open duty of the same kind and agreement beside it:
# before 0017 a case held one duty per kind and agreement.
_SUPERSEDED = """
    SELECT d.id FROM deadlines d
    WHERE d.status = 'open' AND d.occasion IS NOT NULL AND EXISTS (
        SELECT 1 FROM deadlines later
        WHERE later.case_id = d.case_id AND later.kind = d.kind AND later.status = 'open'
          AND (later.agreement_id = d.agreement_id
               OR (later.agreement_id IS NULL AND d.agreement_id IS NULL))
          AND later.occasion > d.occasion)
"""


def downgrade() -> None:
    """Back to one duty per kind and agreement: the latest modification's open duty stays,
    the earlier open ones are cancelled with their pending reminders (the old planner would
    keep one and leave the others' reminders firing, never cancelled). What the earlier
    modifications owed is then no longer reminded, as before this revision."""
    op.execute(
        f"UPDATE reminders SET status = 'cancelled' "
        f"WHERE status = 'pending' AND deadline_id IN ({_SUPERSEDED})"
    )
    op.execute(f"UPDATE deadlines SET status = 'cancelled' WHERE id IN ({_SUPERSEDED})")
    with op.batch_alter_table("deadlines", schema=None) as batch_op:
        batch_op.drop_column("occasion")
