"""Stock locations and fulfillments with their items.

Revision ID: 0006
Revises: 0005
"""
import sqlalchemy as sa
from alembic import op

import app.db_types

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "stock_location",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("address", sa.String(500), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stock_location")),
        sa.UniqueConstraint("name", name=op.f("uq_stock_location_name")),
    )
    op.create_table(
        "fulfillment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("location_id", sa.Integer(), nullable=False),
        sa.Column("provider_id", sa.String(50), nullable=False),
        sa.Column("carrier", sa.String(100), nullable=False),
        sa.Column("tracking_numbers", sa.JSON(), nullable=False),
        sa.Column("created_by", sa.String(254), nullable=False),
        sa.Column("created_at", app.db_types.UTCDateTime(), nullable=False),
        sa.Column("shipped_at", app.db_types.UTCDateTime(), nullable=True),
        sa.Column("delivered_at", app.db_types.UTCDateTime(), nullable=True),
        sa.Column("canceled_at", app.db_types.UTCDateTime(), nullable=True),
        sa.Column("metadata", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(["order_id"], ["order.id"],
                                name=op.f("fk_fulfillment_order_id_order"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["location_id"], ["stock_location.id"],
                                name=op.f("fk_fulfillment_location_id_stock_location")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fulfillment")),
    )
    op.create_index(op.f("ix_fulfillment_order_id"), "fulfillment", ["order_id"])
    op.create_table(
        "fulfillment_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("fulfillment_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["fulfillment_id"], ["fulfillment.id"],
                                name=op.f("fk_fulfillment_item_fulfillment_id_fulfillment"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["item_id"], ["line_item.id"],
                                name=op.f("fk_fulfillment_item_item_id_line_item"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fulfillment_item")),
    )
    op.create_index(op.f("ix_fulfillment_item_fulfillment_id"), "fulfillment_item",
                    ["fulfillment_id"])


def downgrade():
    op.drop_index(op.f("ix_fulfillment_item_fulfillment_id"), table_name="fulfillment_item")
    op.drop_table("fulfillment_item")
    op.drop_index(op.f("ix_fulfillment_order_id"), table_name="fulfillment")
    op.drop_table("fulfillment")
    op.drop_table("stock_location")
