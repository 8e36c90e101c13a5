"""Exchanges and claims, and returned units that come off the order's total: a line counts the
units credited to the customer; ``written_off_quantity`` now counts the units a claim writes off
without a return (damaged units of a return are counted on the return's lines); a return may
charge its shipping on the order and may leave its units uncredited (a replace claim's).

Revision ID: 0018
Revises: 0017
"""
import sqlalchemy as sa
from alembic import op

import app.db_types

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("line_item", reflect_kwargs={"resolve_fks": False}) as batch_op:
        batch_op.add_column(sa.Column("credited_quantity", sa.Integer(), nullable=False,
                                      server_default="0"))
    # Every return so far credited what it received; its damaged units are on its lines.
    op.execute("UPDATE line_item SET credited_quantity = returned_quantity, "
               "written_off_quantity = 0")
    with op.batch_alter_table("order_return", reflect_kwargs={"resolve_fks": False}) as batch_op:
        batch_op.add_column(sa.Column("shipping_method_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("credits_units", sa.Boolean(), nullable=False,
                                      server_default=sa.true()))
        batch_op.create_foreign_key(op.f("fk_order_return_shipping_method_id_shipping_method"),
                                    "shipping_method", ["shipping_method_id"], ["id"],
                                    ondelete="SET NULL")  # fmt: skip
    op.create_table(
        "order_exchange",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("change_id", sa.Integer(), nullable=False),
        sa.Column("return_id", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("new_total", app.db_types.ExactDecimal(), nullable=False),
        sa.Column("difference", app.db_types.ExactDecimal(), nullable=False),
        sa.Column("created_by", sa.String(254), nullable=False),
        sa.Column("created_at", app.db_types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["order_id"], ["order.id"], ondelete="CASCADE",
                                name=op.f("fk_order_exchange_order_id_order")),
        sa.ForeignKeyConstraint(["change_id"], ["order_change.id"],
                                name=op.f("fk_order_exchange_change_id_order_change")),
        sa.ForeignKeyConstraint(["return_id"], ["order_return.id"],
                                name=op.f("fk_order_exchange_return_id_order_return")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_order_exchange")),
    )  # fmt: skip
    op.create_index(op.f("ix_order_exchange_order_id"), "order_exchange", ["order_id"])
    op.create_table(
        "order_claim",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("change_id", sa.Integer(), nullable=False),
        sa.Column("type", sa.Enum("refund", "replace", name="claim_type", native_enum=False,
                                  length=30), nullable=False),
        sa.Column("return_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("refund_due", app.db_types.ExactDecimal(), nullable=False),
        sa.Column("refunded", app.db_types.ExactDecimal(), nullable=False),
        sa.Column("created_by", sa.String(254), nullable=False),
        sa.Column("created_at", app.db_types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["order_id"], ["order.id"], ondelete="CASCADE",
                                name=op.f("fk_order_claim_order_id_order")),
        sa.ForeignKeyConstraint(["change_id"], ["order_change.id"],
                                name=op.f("fk_order_claim_change_id_order_change")),
        sa.ForeignKeyConstraint(["return_id"], ["order_return.id"],
                                name=op.f("fk_order_claim_return_id_order_return")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_order_claim")),
    )  # fmt: skip
    op.create_index(op.f("ix_order_claim_order_id"), "order_claim", ["order_id"])
    op.create_table(
        "order_claim_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("claim_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Enum("missing_item", "wrong_item", "production_failure", "other",
                                    name="claim_reason", native_enum=False, length=30),
                  nullable=False),
        sa.Column("note", sa.String(1000), nullable=False),
        sa.Column("written_off_quantity", sa.Integer(), nullable=False),
        sa.Column("replacement_item_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["claim_id"], ["order_claim.id"], ondelete="CASCADE",
                                name=op.f("fk_order_claim_item_claim_id_order_claim")),
        sa.ForeignKeyConstraint(["item_id"], ["line_item.id"],
                                name=op.f("fk_order_claim_item_item_id_line_item")),
        sa.ForeignKeyConstraint(["replacement_item_id"], ["line_item.id"], ondelete="SET NULL",
                                name=op.f("fk_order_claim_item_replacement_item_id_line_item")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_order_claim_item")),
    )  # fmt: skip
    op.create_index(op.f("ix_order_claim_item_claim_id"), "order_claim_item", ["claim_id"])


def downgrade():
    op.drop_index(op.f("ix_order_claim_item_claim_id"), table_name="order_claim_item")
    op.drop_table("order_claim_item")
    op.drop_index(op.f("ix_order_claim_order_id"), table_name="order_claim")
    op.drop_table("order_claim")
    op.drop_index(op.f("ix_order_exchange_order_id"), table_name="order_exchange")
    op.drop_table("order_exchange")
    with op.batch_alter_table("order_return", reflect_kwargs={"resolve_fks": False}) as batch_op:
        batch_op.drop_constraint(op.f("fk_order_return_shipping_method_id_shipping_method"),
                                 type_="foreignkey")  # fmt: skip
        batch_op.drop_column("credits_units")
        batch_op.drop_column("shipping_method_id")
    # Damaged units were the written-off ones before.
    op.execute("UPDATE line_item SET written_off_quantity = COALESCE((SELECT "
               "SUM(order_return_item.damaged_quantity) FROM order_return_item WHERE "
               "order_return_item.item_id = line_item.id), 0)")
    with op.batch_alter_table("line_item", reflect_kwargs={"resolve_fks": False}) as batch_op:
        batch_op.drop_column("credited_quantity")
