"""Sorting by total is done within one currency: index (currency, total, id) replaces
(total, id).

Revision ID: 0012
Revises: 0011
"""
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("order", schema=None) as batch_op:
        batch_op.create_index(
            "ix_order_currency_total_id", ["currency_code", "total", "id"], unique=False
        )
        batch_op.drop_index("ix_order_total_id")


def downgrade():
    with op.batch_alter_table("order", schema=None) as batch_op:
        batch_op.create_index("ix_order_total_id", ["total", "id"], unique=False)
        batch_op.drop_index("ix_order_currency_total_id")
