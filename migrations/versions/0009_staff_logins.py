"""Staff logins kept on the server, so that logging out ends them.

Revision ID: 0009
Revises: 0008
"""
import sqlalchemy as sa
from alembic import op

import app.db_types

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "staff_login",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("created_at", app.db_types.UTCDateTime(), nullable=False),
        sa.Column("expires_at", app.db_types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"],
                                name=op.f("fk_staff_login_user_id_user"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_login")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_staff_login_token_hash")),
    )
    op.create_index(op.f("ix_staff_login_user_id"), "staff_login", ["user_id"])
    op.create_index(op.f("ix_staff_login_expires_at"), "staff_login", ["expires_at"])


def downgrade():
    op.drop_index(op.f("ix_staff_login_expires_at"), table_name="staff_login")
    op.drop_index(op.f("ix_staff_login_user_id"), table_name="staff_login")
    op.drop_table("staff_login")
