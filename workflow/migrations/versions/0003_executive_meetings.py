"""executive meetings: SI 2012/2089 notices, urgency agreements and decision records

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29 00:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TEXT = sqlmodel.sql.sqltypes.AutoString

CASE_COLUMNS: list[tuple[str, sa.types.TypeEngine]] = [
    ("urgency_chair_told_id", sa.Integer()),
    ("urgency_agreed_by_id", sa.Integer()),
    ("urgency_agreed_on", sa.Date()),
    ("urgency_precedence_note", _TEXT()),
    ("urgency_reasons_published_on", sa.Date()),
    ("private_further_notice_published_on", sa.Date()),
    ("private_urgency_reason", _TEXT()),
    ("private_urgency_agreed_by_id", sa.Integer()),
    ("private_urgency_agreed_on", sa.Date()),
    ("private_urgency_precedence_note", _TEXT()),
    ("private_urgency_reasons_published_on", sa.Date()),
    ("agenda_published_on", sa.Date()),
    ("late_item_reason", _TEXT()),
]
CASE_PEOPLE = ("urgency_chair_told_id", "urgency_agreed_by_id", "private_urgency_agreed_by_id")

RESOLUTION_COLUMNS: list[tuple[str, sa.types.TypeEngine]] = [
    ("urgent_agreed_by_id", sa.Integer()),
    ("adjourned_to", sa.Date()),
    ("reasons", _TEXT()),
    ("conflicts_of_interest", _TEXT()),
    ("dispensation", _TEXT()),
]

SIGN_OFF_COLUMNS: list[tuple[str, sa.types.TypeEngine]] = [
    ("dispensation", _TEXT()),
    ("record_published_on", sa.Date()),
]


def _fk(table: str, column: str) -> str:
    return f"fk_{table}_{column}_users"


def upgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        for name, type_ in CASE_COLUMNS:
            batch_op.add_column(sa.Column(name, type_, nullable=True))
        for name in CASE_PEOPLE:
            batch_op.create_foreign_key(_fk("cases", name), "users", [name], ["id"])
    with op.batch_alter_table("resolutions", schema=None) as batch_op:
        for name, type_ in RESOLUTION_COLUMNS:
            batch_op.add_column(sa.Column(name, type_, nullable=True))
        batch_op.create_foreign_key(
            _fk("resolutions", "urgent_agreed_by_id"), "users", ["urgent_agreed_by_id"], ["id"]
        )
    with op.batch_alter_table("sign_offs", schema=None) as batch_op:
        for name, type_ in SIGN_OFF_COLUMNS:
            batch_op.add_column(sa.Column(name, type_, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("sign_offs", schema=None) as batch_op:
        for name, _ in reversed(SIGN_OFF_COLUMNS):
            batch_op.drop_column(name)
    with op.batch_alter_table("resolutions", schema=None) as batch_op:
        batch_op.drop_constraint(_fk("resolutions", "urgent_agreed_by_id"), type_="foreignkey")
        for name, _ in reversed(RESOLUTION_COLUMNS):
            batch_op.drop_column(name)
    with op.batch_alter_table("cases", schema=None) as batch_op:
        for name in CASE_PEOPLE:
            batch_op.drop_constraint(_fk("cases", name), type_="foreignkey")
        for name, _ in reversed(CASE_COLUMNS):
            batch_op.drop_column(name)
