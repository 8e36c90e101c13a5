"""Login attempts, counted by account and by address to throttle password guessing.

Revision ID: 0010
Revises: 0009
"""
import sqlalchemy as sa
from alembic import op

import app.db_types

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "login_attempt",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(254), nullable=False),
        sa.Column("address", sa.String(45), nullable=False),
        sa.Column("created_at", app.db_types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_attempt")),
    )
    op.create_index("ix_login_attempt_email_created_at", "login_attempt",
                    ["email", "created_at"])
    op.create_index("ix_login_attempt_address_created_at", "login_attempt",
                    ["address", "created_at"])
    op.create_index(op.f("ix_login_attempt_created_at"), "login_attempt", ["created_at"])


def downgrade():
    op.drop_index(op.f("ix_login_attempt_created_at"), table_name="login_attempt")
    op.drop_index("ix_login_attempt_address_created_at", table_name="login_attempt")
    op.drop_index("ix_login_attempt_email_created_at", table_name="login_attempt")
    op.drop_table("login_attempt")
