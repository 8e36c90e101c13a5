"""Inventory: stock levels per SKU per location, reservations of orders, adjustments.

Revision ID: 0007
Revises: 0006
"""
import sqlalchemy as sa
from alembic import op

import app.db_types

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "inventory_level",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sku", sa.String(100), nullable=False),
        sa.Column("location_id", sa.Integer(), nullable=False),
        sa.Column("stocked", sa.Integer(), nullable=False),
        sa.Column("reserved", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["location_id"], ["stock_location.id"],
                                name=op.f("fk_inventory_level_location_id_stock_location")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inventory_level")),
        sa.UniqueConstraint("sku", "location_id", name=op.f("uq_inventory_level_sku")),
    )
    op.create_index(op.f("ix_inventory_level_location_id"), "inventory_level", ["location_id"])
    op.create_table(
        "reservation",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("level_id", sa.Integer(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["order_id"], ["order.id"],
                                name=op.f("fk_reservation_order_id_order"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["item_id"], ["line_item.id"],
                                name=op.f("fk_reservation_item_id_line_item"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["level_id"], ["inventory_level.id"],
                                name=op.f("fk_reservation_level_id_inventory_level")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reservation")),
    )
    op.create_index(op.f("ix_reservation_order_id"), "reservation", ["order_id"])
    op.create_index(op.f("ix_reservation_level_id"), "reservation", ["level_id"])
    op.create_table(
        "inventory_adjustment",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("level_id", sa.Integer(), nullable=False),
        sa.Column("change", sa.Integer(), nullable=False),
        sa.Column("stocked_after", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(300), nullable=False),
        sa.Column("created_by", sa.String(254), nullable=False),
        sa.Column("created_at", app.db_types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["level_id"], ["inventory_level.id"],
                                name=op.f("fk_inventory_adjustment_level_id_inventory_level")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inventory_adjustment")),
    )
    op.create_index(op.f("ix_inventory_adjustment_level_id"), "inventory_adjustment",
                    ["level_id"])


def downgrade():
    op.drop_index(op.f("ix_inventory_adjustment_level_id"), table_name="inventory_adjustment")
    op.drop_table("inventory_adjustment")
    op.drop_index(op.f("ix_reservation_level_id"), table_name="reservation")
    op.drop_index(op.f("ix_reservation_order_id"), table_name="reservation")
    op.drop_table("reservation")
    op.drop_index(op.f("ix_inventory_level_location_id"), table_name="inventory_level")
    op.drop_table("inventory_level")
