"""Returns: units of an order asked back by an order change of type return, and what became of
them (restocked, damaged), with what they refund.

Revision ID: 0016
Revises: 0015
"""
import sqlalchemy as sa
from alembic import op

import app.db_types

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "order_return",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("change_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.Enum("requested", "partially_received", "received", "canceled",
                                    name="return_status", native_enum=False, length=30),
                  nullable=False),
        sa.Column("location_id", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("return_shipping_name", sa.String(200), nullable=False),
        sa.Column("return_shipping_amount", app.db_types.ExactDecimal(), nullable=False),
        sa.Column("deduct_shipping", sa.Boolean(), nullable=False),
        sa.Column("refund_due", app.db_types.ExactDecimal(), nullable=False),
        sa.Column("refunded", app.db_types.ExactDecimal(), nullable=False),
        sa.Column("created_by", sa.String(254), nullable=False),
        sa.Column("created_at", app.db_types.UTCDateTime(), nullable=False),
        sa.Column("received_at", app.db_types.UTCDateTime(), nullable=True),
        sa.Column("canceled_by", sa.String(254), nullable=True),
        sa.Column("canceled_at", app.db_types.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["order_id"], ["order.id"], ondelete="CASCADE",
                                name=op.f("fk_order_return_order_id_order")),
        sa.ForeignKeyConstraint(["change_id"], ["order_change.id"],
                                name=op.f("fk_order_return_change_id_order_change")),
        sa.ForeignKeyConstraint(["location_id"], ["stock_location.id"],
                                name=op.f("fk_order_return_location_id_stock_location")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_order_return")),
    )  # fmt: skip
    op.create_index(op.f("ix_order_return_order_id"), "order_return", ["order_id"])
    op.create_index("ix_order_return_status_created_at", "order_return",
                    ["status", "created_at", "id"])
    op.create_table(
        "order_return_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("return_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("reason_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.String(1000), nullable=False),
        sa.Column("restocked_quantity", sa.Integer(), nullable=False),
        sa.Column("damaged_quantity", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["return_id"], ["order_return.id"], ondelete="CASCADE",
                                name=op.f("fk_order_return_item_return_id_order_return")),
        sa.ForeignKeyConstraint(["item_id"], ["line_item.id"],
                                name=op.f("fk_order_return_item_item_id_line_item")),
        sa.ForeignKeyConstraint(["reason_id"], ["return_reason.id"],
                                name=op.f("fk_order_return_item_reason_id_return_reason")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_order_return_item")),
    )  # fmt: skip
    op.create_index(op.f("ix_order_return_item_return_id"), "order_return_item", ["return_id"])


def downgrade():
    op.drop_index(op.f("ix_order_return_item_return_id"), table_name="order_return_item")
    op.drop_table("order_return_item")
    op.drop_index("ix_order_return_status_created_at", table_name="order_return")
    op.drop_index(op.f("ix_order_return_order_id"), table_name="order_return")
    op.drop_table("order_return")
