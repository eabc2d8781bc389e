"""sign-in with OpenID Connect: identity providers and the sign-ins begun at them (issue 10)

Revision ID: 0013
Revises: 0005
Create Date: 2026-11-29 03:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
import sqlmodel
from alembic import op

import workflow.dbtypes

revision: str = "0013"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TEXT = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    op.create_table(
        "identity_providers",
        sa.Column("id", sa.Integer(), nullable=False),
        # No foreign key yet: the councils table arrives beside this one (issue 10, part 1).
        sa.Column("council_id", sa.Integer(), nullable=True),
        sa.Column("name", _TEXT(), nullable=False),
        sa.Column("issuer", sa.String(length=500), nullable=False),
        sa.Column("client_id", _TEXT(), nullable=False),
        sa.Column("client_secret", _TEXT(), nullable=True),
        sa.Column("scopes", _TEXT(), nullable=False),
        sa.Column("roles_claim", _TEXT(), nullable=False),
        sa.Column("role_mapping", sa.JSON(), nullable=False),
        sa.Column("provisioning", _TEXT(), nullable=False),
        sa.Column("create_role", _TEXT(), nullable=True),
        sa.Column("end_session", sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.Column("created_at", workflow.dbtypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("issuer"),
    )
    op.create_table(
        "oidc_sign_ins",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("state_hash", sa.String(length=64), nullable=False),
        sa.Column("provider_id", sa.Integer(), nullable=False),
        sa.Column("nonce", _TEXT(), nullable=False),
        sa.Column("code_verifier", _TEXT(), nullable=False),
        sa.Column("next", _TEXT(), nullable=False),
        sa.Column("created_at", workflow.dbtypes.UTCDateTime(), nullable=False),
        sa.Column("used_at", workflow.dbtypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["provider_id"], ["identity_providers.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("state_hash"),
    )
    with op.batch_alter_table("oidc_sign_ins", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_oidc_sign_ins_created_at"), ["created_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("oidc_sign_ins", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_oidc_sign_ins_created_at"))
    op.drop_table("oidc_sign_ins")
    op.drop_table("identity_providers")
