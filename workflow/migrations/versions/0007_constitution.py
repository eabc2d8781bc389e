"""the constitution's own rules (issue 12, fault 8 and the rest): several consultees per
delegation, call-in of officer key decisions, Full Council's decision on a referral, and the
lapse date the scheduler selects by

Revision ID: 0007
Revises: 0005
Create Date: 2026-11-29 03:40:00
"""

from collections.abc import Sequence
from datetime import date, timedelta

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"  # the lead re-chains at merge
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS: dict[str, list[tuple[str, sa.types.TypeEngine]]] = {
    "delegations": [("consultee_ids", sa.JSON())],
    "cases": [("lapses_after", sa.Date())],
    "sign_offs": [
        ("call_in_ends_on", sa.Date()),
        ("call_in_outcome", sqlmodel.sql.sqltypes.AutoString()),
        ("implemented_on", sa.Date()),
    ],
    "call_in_requests": [("sign_off_id", sa.Integer())],
    "resolutions": [("council_referred_on", sa.Date())],
}


def upgrade() -> None:
    for table, columns in COLUMNS.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for name, type_ in columns:
                batch_op.add_column(sa.Column(name, type_, nullable=True))
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_cases_lapses_after"), ["lapses_after"], unique=False)
    _fill_lapses_after()


def _fill_lapses_after() -> None:
    """Cases already in delegated approval get the day their envelope lapses after, by the
    rule of ``guards.envelope_lapses_after`` (read here from the rows, so the migration does
    not depend on the models as they will later be)."""
    bind = op.get_bind()
    waiting = bind.execute(
        sa.text(
            "SELECT id, term_end, proposal_start_date FROM cases WHERE state = 'delegated_approval'"
        )
    ).all()
    for case_id, term_end, start in waiting:
        own = bind.execute(
            sa.text(
                "SELECT cabinet_months FROM resolutions WHERE case_id = :c "
                "AND outcome = 'approved' ORDER BY id DESC LIMIT 1"
            ),
            {"c": case_id},
        ).scalar()
        latest = bind.execute(
            sa.text(
                "SELECT latest_end_date FROM delegations WHERE case_id = :c "
                "ORDER BY id DESC LIMIT 1"
            ),
            {"c": case_id},
        ).scalar()
        if own and term_end is None:
            continue
        days = [_day(d) for d in (_next_start(term_end, start), latest) if d is not None]
        if days:
            bind.execute(
                sa.text("UPDATE cases SET lapses_after = :d WHERE id = :c"),
                {"d": min(days), "c": case_id},
            )


def _day(value: object) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def _next_start(term_end: object, start: object) -> date | None:
    if term_end is not None:
        return _day(term_end) + timedelta(days=1)
    return None if start is None else _day(start)


def downgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cases_lapses_after"))
    for table, columns in reversed(COLUMNS.items()):
        with op.batch_alter_table(table, schema=None) as batch_op:
            for name, _ in reversed(columns):
                batch_op.drop_column(name)
