"""Catalogue: products, variants and prices, promotions, shipping options, tax overrides.

Revision ID: 0002
Revises: 0001
"""
import sqlalchemy as sa
from alembic import op

import app.db_types

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "product",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("product_type", sa.String(length=100), nullable=False),
        sa.Column("thumbnail", sa.String(length=500), nullable=False),
        sa.Column("created_at", app.db_types.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_product")),
    )
    op.create_table(
        "product_variant",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("sku", sa.String(length=100), nullable=True),
        sa.Column("barcode", sa.String(length=100), nullable=True),
        sa.Column("is_tax_inclusive", sa.Boolean(), nullable=False),
        sa.Column("allow_backorder", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["product_id"], ["product.id"],
            name=op.f("fk_product_variant_product_id_product"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_product_variant")),
        sa.UniqueConstraint("sku", name=op.f("uq_product_variant_sku")),
    )  # fmt: skip
    op.create_index(op.f("ix_product_variant_product_id"), "product_variant", ["product_id"])
    op.create_index(
        "ix_product_variant_barcode", "product_variant", ["barcode"],
        postgresql_ops={"barcode": "varchar_pattern_ops"},
    )  # fmt: skip
    op.create_table(
        "variant_price",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("variant_id", sa.Integer(), nullable=False),
        sa.Column("currency_code", sa.String(length=3), nullable=False),
        sa.Column("amount", app.db_types.ExactDecimal(), nullable=False),
        sa.ForeignKeyConstraint(
            ["variant_id"], ["product_variant.id"],
            name=op.f("fk_variant_price_variant_id_product_variant"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_variant_price")),
        sa.UniqueConstraint("variant_id", "currency_code", name=op.f("uq_variant_price_variant_id")),
    )  # fmt: skip
    op.create_table(
        "promotion",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=50), nullable=False),
        sa.Column("description", sa.String(length=300), nullable=False),
        sa.Column(
            "type", sa.Enum("percentage", "fixed", name="promotion_type", native_enum=False,
                            length=20), nullable=False,
        ),
        sa.Column("value", app.db_types.ExactDecimal(), nullable=False),
        sa.Column("currency_code", sa.String(length=3), nullable=True),
        sa.Column(
            "target", sa.Enum("items", "shipping", name="promotion_target", native_enum=False,
                              length=20), nullable=False,
        ),
        sa.Column("min_subtotal", app.db_types.ExactDecimal(), nullable=True),
        sa.Column("starts_at", app.db_types.UTCDateTime(), nullable=False),
        sa.Column("ends_at", app.db_types.UTCDateTime(), nullable=True),
        sa.Column("usage_limit", sa.Integer(), nullable=True),
        sa.Column("usage_count", sa.Integer(), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_promotion")),
        sa.UniqueConstraint("code", name=op.f("uq_promotion_code")),
    )  # fmt: skip
    op.create_table(
        "shipping_option",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("region_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("amount", app.db_types.ExactDecimal(), nullable=False),
        sa.Column("is_tax_inclusive", sa.Boolean(), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["region_id"], ["region.id"],
            name=op.f("fk_shipping_option_region_id_region"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shipping_option")),
    )  # fmt: skip
    op.create_index(op.f("ix_shipping_option_region_id"), "shipping_option", ["region_id"])
    with op.batch_alter_table("tax_rate") as batch_op:
        batch_op.add_column(sa.Column("product_type", sa.String(length=100), nullable=True))
    # The builder's item search matches the beginning of product and variant titles and SKUs,
    # case-insensitively, on thousands of variants. PostgreSQL uses an index for
    # LIKE 'prefix%' only with pattern operators (the database collation is not C).
    # Alembic does not autogenerate expression indexes.
    pattern_ops = " varchar_pattern_ops" if op.get_context().dialect.name == "postgresql" else ""
    for table, column in (("product", "title"), ("product_variant", "title"),
                          ("product_variant", "sku")):  # fmt: skip
        op.create_index(f"ix_{table}_{column}_lower", table, [sa.text(f"lower({column}){pattern_ops}")])


def downgrade():
    op.drop_index("ix_product_variant_sku_lower", table_name="product_variant")
    op.drop_index("ix_product_variant_title_lower", table_name="product_variant")
    op.drop_index("ix_product_title_lower", table_name="product")
    with op.batch_alter_table("tax_rate") as batch_op:
        batch_op.drop_column("product_type")
    op.drop_index(op.f("ix_shipping_option_region_id"), table_name="shipping_option")
    op.drop_table("shipping_option")
    op.drop_table("promotion")
    op.drop_table("variant_price")
    op.drop_index("ix_product_variant_barcode", table_name="product_variant")
    op.drop_index(op.f("ix_product_variant_product_id"), table_name="product_variant")
    op.drop_table("product_variant")
    op.drop_table("product")
