"""Order changes: the lock version and the seed's version kept apart, changes with their staged
actions, the customer's links, and the versions confirmed changes leave.

Revision ID: 0014
Revises: 0013
"""
import sqlalchemy as sa
from alembic import op

import app.db_types

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

_OPEN = sa.text("status IN ('pending', 'requested')")


def _who_and_when(step):
    return [sa.Column(f"{step}_by", sa.String(254), nullable=True),
            sa.Column(f"{step}_at", app.db_types.UTCDateTime(), nullable=True)]


def upgrade():
    # Every existing order is at version 1: no change was ever confirmed on it. (RENAME COLUMN
    # is understood by PostgreSQL and by SQLite since 3.25.)
    op.execute('ALTER TABLE "order" RENAME COLUMN version TO lock_version')
    op.add_column("order", sa.Column("version", sa.Integer(), nullable=False,
                                     server_default="1"))
    op.create_table(
        "order_change",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("change_type", sa.Enum("edit", "return", "exchange", "claim",
                                         name="change_type", native_enum=False, length=30),
                  nullable=False),
        sa.Column("status", sa.Enum("pending", "requested", "confirmed", "declined", "canceled",
                                    name="change_status", native_enum=False, length=30),
                  nullable=False),
        sa.Column("internal_note", sa.Text(), nullable=False),
        sa.Column("declined_reason", sa.Text(), nullable=False),
        sa.Column("created_by", sa.String(254), nullable=False),
        sa.Column("created_at", app.db_types.UTCDateTime(), nullable=False),
        *_who_and_when("requested"), *_who_and_when("confirmed"), *_who_and_when("declined"),
        *_who_and_when("canceled"),
        sa.Column("confirmed_version", sa.Integer(), nullable=True),
        sa.Column("difference", app.db_types.ExactDecimal(), nullable=True),
        sa.Column("settled_at", app.db_types.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["order_id"], ["order.id"], ondelete="CASCADE",
                                name=op.f("fk_order_change_order_id_order")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_order_change")),
    )  # fmt: skip
    op.create_index(op.f("ix_order_change_order_id"), "order_change", ["order_id"])
    op.create_index("ix_order_change_status_order", "order_change", ["status", "order_id"])
    op.create_index("uq_order_change_open", "order_change", ["order_id"], unique=True,
                    sqlite_where=_OPEN, postgresql_where=_OPEN)
    op.create_table(
        "order_change_action",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("change_id", sa.Integer(), nullable=False),
        sa.Column("ordering", sa.Integer(), nullable=False),
        sa.Column("action", sa.Enum("ITEM_ADD", "ITEM_UPDATE", "ITEM_REMOVE", "SHIPPING_ADD",
                                    "SHIPPING_REMOVE", "RETURN_ITEM", "RECEIVE_RETURN_ITEM",
                                    "RECEIVE_DAMAGED_RETURN_ITEM", "CANCEL_RETURN_ITEM",
                                    name="change_action", native_enum=False, length=30),
                  nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=True),
        sa.Column("shipping_method_id", sa.Integer(), nullable=True),
        sa.Column("variant_id", sa.Integer(), nullable=True),
        sa.Column("sku", sa.String(100), nullable=False),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("subtitle", sa.String(300), nullable=False),
        sa.Column("product_type", sa.String(100), nullable=False),
        sa.Column("thumbnail", sa.String(500), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=True),
        sa.Column("unit_price", app.db_types.ExactDecimal(), nullable=True),
        sa.Column("shipping_option_id", sa.Integer(), nullable=True),
        sa.Column("created_by", sa.String(254), nullable=False),
        sa.Column("created_at", app.db_types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["change_id"], ["order_change.id"], ondelete="CASCADE",
                                name=op.f("fk_order_change_action_change_id_order_change")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_order_change_action")),
        sa.UniqueConstraint("change_id", "ordering",
                            name=op.f("uq_order_change_action_change_id")),
    )  # fmt: skip
    op.create_table(
        "order_change_link",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("change_id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("created_at", app.db_types.UTCDateTime(), nullable=False),
        sa.Column("expires_at", app.db_types.UTCDateTime(), nullable=False),
        sa.Column("used_at", app.db_types.UTCDateTime(), nullable=True),
        sa.Column("voided_at", app.db_types.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(["change_id"], ["order_change.id"], ondelete="CASCADE",
                                name=op.f("fk_order_change_link_change_id_order_change")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_order_change_link")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_order_change_link_token_hash")),
    )  # fmt: skip
    op.create_index(op.f("ix_order_change_link_change_id"), "order_change_link", ["change_id"])
    op.create_table(
        "order_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("order_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("change_id", sa.Integer(), nullable=True),
        sa.Column("snapshot", sa.JSON(), nullable=False),
        sa.Column("created_at", app.db_types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["change_id"], ["order_change.id"], ondelete="SET NULL",
                                name=op.f("fk_order_version_change_id_order_change")),
        sa.ForeignKeyConstraint(["order_id"], ["order.id"], ondelete="CASCADE",
                                name=op.f("fk_order_version_order_id_order")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_order_version")),
        sa.UniqueConstraint("order_id", "version", name=op.f("uq_order_version_order_id")),
    )  # fmt: skip


def downgrade():
    op.drop_table("order_version")
    op.drop_index(op.f("ix_order_change_link_change_id"), table_name="order_change_link")
    op.drop_table("order_change_link")
    op.drop_table("order_change_action")
    op.drop_index("uq_order_change_open", table_name="order_change")
    op.drop_index("ix_order_change_status_order", table_name="order_change")
    op.drop_index(op.f("ix_order_change_order_id"), table_name="order_change")
    op.drop_table("order_change")
    with op.batch_alter_table("order", reflect_kwargs={"resolve_fks": False}) as batch_op:
        batch_op.drop_column("version")
    op.execute('ALTER TABLE "order" RENAME COLUMN lock_version TO version')
