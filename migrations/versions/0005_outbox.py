"""The transactional outbox: one row per delivery of an event to a subscriber.

Revision ID: 0005
Revises: 0004
"""
import sqlalchemy as sa
from alembic import op

import app.db_types

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "outbox_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_type", sa.String(60), nullable=False),
        sa.Column("subscriber", sa.String(100), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=True),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("created_at", app.db_types.UTCDateTime(), nullable=False),
        sa.Column("next_attempt_at", app.db_types.UTCDateTime(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("delivered_at", app.db_types.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_event")),
    )
    # The worker's question, "what is due?", answered from the index.
    op.create_index("ix_outbox_event_pending", "outbox_event",
                    ["delivered_at", "next_attempt_at", "id"])


def downgrade():
    op.drop_index("ix_outbox_event_pending", table_name="outbox_event")
    op.drop_table("outbox_event")
