"""Draft builder: catalogue lines remember their product type and whether staff set the price
by hand; promotion codes applied to an order.

Revision ID: 0004
Revises: 0003
"""
import sqlalchemy as sa
from alembic import op

import app.db_types

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("line_item", reflect_kwargs={"resolve_fks": False}) as batch_op:
        batch_op.add_column(sa.Column("product_type", sa.String(100), nullable=False,
                                      server_default=""))
        batch_op.add_column(sa.Column("is_custom_price", sa.Boolean(), nullable=False,
                                      server_default=sa.false()))
    op.create_table(
        "order_promotion",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("promotion_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(50), nullable=False),
        sa.Column("created_at", app.db_types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["order_id"], ["order.id"],
                                name=op.f("fk_order_promotion_order_id_order"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["promotion_id"], ["promotion.id"],
                                name=op.f("fk_order_promotion_promotion_id_promotion")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_order_promotion")),
        sa.UniqueConstraint("order_id", "promotion_id",
                            name=op.f("uq_order_promotion_order_id")),
    )
    op.create_index(op.f("ix_order_promotion_promotion_id"), "order_promotion", ["promotion_id"])


def downgrade():
    op.drop_index(op.f("ix_order_promotion_promotion_id"), table_name="order_promotion")
    op.drop_table("order_promotion")
    with op.batch_alter_table("line_item", reflect_kwargs={"resolve_fks": False}) as batch_op:
        batch_op.drop_column("is_custom_price")
        batch_op.drop_column("product_type")
