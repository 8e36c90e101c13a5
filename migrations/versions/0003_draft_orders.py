"""Draft orders: when a draft became an order.

Revision ID: 0003
Revises: 0002
"""
import sqlalchemy as sa
from alembic import op

import app.db_types

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("order", reflect_kwargs={"resolve_fks": False}) as batch_op:
        batch_op.add_column(sa.Column("converted_at", app.db_types.UTCDateTime(), nullable=True))
    # The draft list shows a store's drafts newest first, open, converted or canceled.
    op.create_index("ix_order_converted_at", "order", ["converted_at"])


def downgrade():
    op.drop_index("ix_order_converted_at", table_name="order")
    with op.batch_alter_table("order", reflect_kwargs={"resolve_fks": False}) as batch_op:
        batch_op.drop_column("converted_at")
