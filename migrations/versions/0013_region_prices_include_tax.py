"""Whether prices include tax is the region's to say: variants and shipping options lose their
own flag.

Revision ID: 0013
Revises: 0012
"""
import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade():
    # SQLite rebuilds the table for a dropped column (batch mode) and cannot carry over
    # indexes on expressions: the variant search's lower(title) and lower(sku) indexes are
    # dropped first and made again on the new table.
    _drop_search_indexes()
    with op.batch_alter_table("product_variant", reflect_kwargs={"resolve_fks": False}) as batch_op:
        batch_op.drop_column("is_tax_inclusive")
    _create_search_indexes()
    with op.batch_alter_table("shipping_option", reflect_kwargs={"resolve_fks": False}) as batch_op:
        batch_op.drop_column("is_tax_inclusive")


def downgrade():
    # Back to a flag each: a shipping option's is its region's (what the drafts charged);
    # a variant's is the old default, false. The columns had no server default: the one
    # that fills the existing rows goes again once they are filled.
    _add_flag("shipping_option")
    op.execute(
        "UPDATE shipping_option SET is_tax_inclusive = (SELECT region.is_tax_inclusive "
        "FROM region WHERE region.id = shipping_option.region_id)"
    )
    _drop_default("shipping_option")
    _drop_search_indexes()
    _add_flag("product_variant")
    _drop_default("product_variant")
    _create_search_indexes()


def _add_flag(table):
    with op.batch_alter_table(table, reflect_kwargs={"resolve_fks": False}) as batch_op:
        batch_op.add_column(sa.Column("is_tax_inclusive", sa.Boolean(), nullable=False,
                                      server_default=sa.false()))


def _drop_default(table):
    with op.batch_alter_table(table, reflect_kwargs={"resolve_fks": False}) as batch_op:
        batch_op.alter_column("is_tax_inclusive", existing_type=sa.Boolean(),
                              existing_nullable=False, server_default=None)


def _drop_search_indexes():
    for column in ("title", "sku"):
        op.drop_index(f"ix_product_variant_{column}_lower", table_name="product_variant")


def _create_search_indexes():
    # As migration 0002 made them: PostgreSQL needs pattern operators for LIKE 'prefix%'.
    pattern_ops = " varchar_pattern_ops" if op.get_context().dialect.name == "postgresql" else ""
    for column in ("title", "sku"):
        op.create_index(f"ix_product_variant_{column}_lower", "product_variant",
                        [sa.text(f"lower({column}){pattern_ops}")])
