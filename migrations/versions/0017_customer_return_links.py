"""Customer links for returns: an order-change link gets a purpose (an order edit's, as every
link so far, or a return request's), the order it is for, the shipment whose email carried a
return link and the return made through it; an edit is no longer every link's target.

Revision ID: 0017
Revises: 0016
"""
import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

TABLE = "order_change_link"
PURPOSE_TARGET = ("(purpose = 'order_edit' AND change_id IS NOT NULL) OR "
                  "(purpose = 'return_request' AND fulfillment_id IS NOT NULL)")


def upgrade():
    with op.batch_alter_table(TABLE, reflect_kwargs={"resolve_fks": False}) as batch_op:
        batch_op.add_column(sa.Column(
            "purpose", sa.Enum("order_edit", "return_request", name="link_purpose",
                               native_enum=False, length=30),
            nullable=False, server_default="order_edit"))  # fmt: skip
        batch_op.add_column(sa.Column("order_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("fulfillment_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("return_id", sa.Integer(), nullable=True))
    # Every link so far answers an edit: its order is the edit's.
    op.execute(f"UPDATE {TABLE} SET order_id = (SELECT order_change.order_id FROM order_change "
               f"WHERE order_change.id = {TABLE}.change_id)")  # fmt: skip
    with op.batch_alter_table(TABLE, reflect_kwargs={"resolve_fks": False}) as batch_op:
        batch_op.alter_column("order_id", existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column("change_id", existing_type=sa.Integer(), nullable=True)
        batch_op.create_foreign_key(op.f("fk_order_change_link_order_id_order"), "order",
                                    ["order_id"], ["id"], ondelete="CASCADE")
        batch_op.create_foreign_key(op.f("fk_order_change_link_fulfillment_id_fulfillment"),
                                    "fulfillment", ["fulfillment_id"], ["id"],
                                    ondelete="CASCADE")  # fmt: skip
        batch_op.create_foreign_key(op.f("fk_order_change_link_return_id_order_return"),
                                    "order_return", ["return_id"], ["id"],
                                    ondelete="SET NULL")  # fmt: skip
        batch_op.create_check_constraint("purpose_target", PURPOSE_TARGET)
        batch_op.create_index(op.f("ix_order_change_link_order_id"), ["order_id"])


def downgrade():
    # A return link has no edit to belong to: it goes (the returns made through it stay).
    op.execute(f"DELETE FROM {TABLE} WHERE purpose <> 'order_edit'")
    with op.batch_alter_table(TABLE, reflect_kwargs={"resolve_fks": False}) as batch_op:
        batch_op.drop_index(op.f("ix_order_change_link_order_id"))
        batch_op.drop_constraint(op.f("ck_order_change_link_purpose_target"), type_="check")
        batch_op.drop_constraint(op.f("fk_order_change_link_return_id_order_return"),
                                 type_="foreignkey")  # fmt: skip
        batch_op.drop_constraint(op.f("fk_order_change_link_fulfillment_id_fulfillment"),
                                 type_="foreignkey")  # fmt: skip
        batch_op.drop_constraint(op.f("fk_order_change_link_order_id_order"), type_="foreignkey")
        batch_op.alter_column("change_id", existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column("return_id")
        batch_op.drop_column("fulfillment_id")
        batch_op.drop_column("order_id")
        batch_op.drop_column("purpose")
