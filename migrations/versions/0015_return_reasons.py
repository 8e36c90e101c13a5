"""Return reasons kept in the settings, with one level of child reasons.

Revision ID: 0015
Revises: 0014
"""
import sqlalchemy as sa
from alembic import op

import app.db_types

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "return_reason",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("value", sa.String(length=50), nullable=False),
        sa.Column("label", sa.String(length=100), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("created_at", app.db_types.UTCDateTime(), nullable=False),
        sa.CheckConstraint("parent_id IS NULL OR parent_id <> id",
                           name=op.f("ck_return_reason_not_own_parent")),
        sa.ForeignKeyConstraint(["parent_id"], ["return_reason.id"],
                                name=op.f("fk_return_reason_parent_id_return_reason")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_return_reason")),
        sa.UniqueConstraint("value", name=op.f("uq_return_reason_value")),
    )  # fmt: skip
    op.create_index(op.f("ix_return_reason_parent_id"), "return_reason", ["parent_id"])


def downgrade():
    op.drop_index(op.f("ix_return_reason_parent_id"), table_name="return_reason")
    op.drop_table("return_reason")
