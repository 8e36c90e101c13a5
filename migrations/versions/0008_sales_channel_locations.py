"""The stock locations each sales channel draws from.

Revision ID: 0008
Revises: 0007
"""
import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "sales_channel_location",
        sa.Column("sales_channel_id", sa.Integer(), nullable=False),
        sa.Column("location_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["sales_channel_id"], ["sales_channel.id"],
                                name=op.f("fk_sales_channel_location_sales_channel_id_sales_channel"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["location_id"], ["stock_location.id"],
                                name=op.f("fk_sales_channel_location_location_id_stock_location"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("sales_channel_id", "location_id",
                                name=op.f("pk_sales_channel_location")),
    )


def downgrade():
    op.drop_table("sales_channel_location")
