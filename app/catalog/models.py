"""Products, variants and their prices per currency, promotions and shipping options."""

from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal

from sqlalchemy import Enum, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.catalog.calculations import PromotionTerms
from app.db_types import ExactDecimal, UTCDateTime, utcnow
from app.extensions import db
from app.store.models import Region


class Product(db.Model):
    """Something the store sells, in one or more variants."""

    __tablename__ = "product"
    __table_args__ = (
        # The builder's item search matches the beginning of titles, case-insensitively; the
        # migration adds PostgreSQL's pattern operators so LIKE 'prefix%' uses the index.
        Index("ix_product_title_lower", text("lower(title)")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    #: Free text such as ``food`` or ``book``; tax rates may be overridden per product type.
    product_type: Mapped[str] = mapped_column(String(100), default="")
    #: An absolute URL or a path under ``/static``; empty when there is no picture.
    thumbnail: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    variants: Mapped[list[ProductVariant]] = relationship(
        back_populates="product", order_by="ProductVariant.id", cascade="all, delete-orphan"
    )


class ProductVariant(db.Model):
    """One sellable version of a product (``Blue / M``), with its own SKU and prices."""

    __tablename__ = "product_variant"
    __table_args__ = (
        Index("ix_product_variant_title_lower", text("lower(title)")),
        Index("ix_product_variant_sku_lower", text("lower(sku)")),
        # Scanners send whole codes, people type the start of one: pattern operators serve both.
        Index("ix_product_variant_barcode", "barcode",
              postgresql_ops={"barcode": "varchar_pattern_ops"}),
    )  # fmt: skip

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(
        ForeignKey("product.id", ondelete="CASCADE"), index=True
    )
    #: Shown after the product title; may be empty for a product with one variant.
    title: Mapped[str] = mapped_column(String(200), default="")
    #: Stock keeping unit; unique when given.
    sku: Mapped[str | None] = mapped_column(String(100), unique=True)
    #: EAN, UPC or any code a scanner reads; the builder finds variants by it.
    barcode: Mapped[str | None] = mapped_column(String(100))
    #: May be ordered when out of stock.
    allow_backorder: Mapped[bool] = mapped_column(default=False)

    # A variant is hardly ever used without its product's title and its prices: they come
    # with it.
    product: Mapped[Product] = relationship(back_populates="variants", lazy="joined")
    prices: Mapped[list[VariantPrice]] = relationship(
        back_populates="variant", order_by="VariantPrice.currency_code",
        cascade="all, delete-orphan", lazy="selectin",
    )  # fmt: skip

    @property
    def full_title(self) -> str:
        """``Stoneware Mug / Moss green``: the product title, then the variant's."""
        return " / ".join(t for t in (self.product.title, self.title) if t)

    def price_in(self, currency: str) -> Decimal | None:
        """The price in ``currency``, or ``None`` when the variant has none in it."""
        return next((p.amount for p in self.prices if p.currency_code == currency), None)


class VariantPrice(db.Model):
    """A variant's price in one currency."""

    __tablename__ = "variant_price"
    __table_args__ = (UniqueConstraint("variant_id", "currency_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    variant_id: Mapped[int] = mapped_column(ForeignKey("product_variant.id", ondelete="CASCADE"))
    #: ISO 4217, upper case.
    currency_code: Mapped[str] = mapped_column(String(3))
    #: In major units of the currency; with or without tax as the region selling in that
    #: currency says (``Region.is_tax_inclusive``).
    amount: Mapped[Decimal] = mapped_column(ExactDecimal)

    variant: Mapped[ProductVariant] = relationship(back_populates="prices")


class PromotionType(enum.StrEnum):
    """How a promotion's value is read."""

    #: ``value`` is a percent off each line (10 = 10 %).
    PERCENTAGE = "percentage"
    #: ``value`` is an amount in ``currency_code``, shared by the lines.
    FIXED = "fixed"


class PromotionTarget(enum.StrEnum):
    """What a promotion takes money off."""

    ITEMS = "items"
    SHIPPING = "shipping"


def _enum_column(enum_cls: type[enum.Enum], name: str) -> Enum:
    # Plain strings, as the order statuses are: a new member needs no migration.
    return Enum(enum_cls, name=name, native_enum=False, length=20,
                values_callable=lambda e: [m.value for m in e])  # fmt: skip


class Promotion(db.Model):
    """A code that takes a percentage or an amount off the items or the shipping."""

    __tablename__ = "promotion"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Upper case, unique: what the customer says at the counter.
    code: Mapped[str] = mapped_column(String(50), unique=True)
    description: Mapped[str] = mapped_column(String(300), default="")
    type: Mapped[PromotionType] = mapped_column(_enum_column(PromotionType, "promotion_type"))
    #: A percent (0-100) for ``percentage``, an amount in ``currency_code`` for ``fixed``.
    value: Mapped[Decimal] = mapped_column(ExactDecimal)
    #: Required for ``fixed`` and whenever ``min_subtotal`` is set (the minimum is an amount
    #: in it); a promotion with a currency applies only to orders in that currency. ``None``:
    #: a percentage that applies in every currency.
    currency_code: Mapped[str | None] = mapped_column(String(3))
    target: Mapped[PromotionTarget] = mapped_column(
        _enum_column(PromotionTarget, "promotion_target"), default=PromotionTarget.ITEMS
    )
    #: The order's item subtotal (before discounts, without tax) must reach this amount.
    min_subtotal: Mapped[Decimal | None] = mapped_column(ExactDecimal)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: Exclusive: the code stops working at this moment. ``None``: never ends.
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: How many orders may use the code; ``None``: no limit.
    usage_limit: Mapped[int | None]
    #: Orders that used the code (bumped when a draft using it is converted).
    usage_count: Mapped[int] = mapped_column(default=0)
    is_active: Mapped[bool] = mapped_column(default=True)

    @property
    def terms(self) -> PromotionTerms:
        """The promotion as plain values for ``app.catalog.calculations``."""
        return PromotionTerms(
            code=self.code,
            type=self.type.value,
            value=self.value,
            currency_code=self.currency_code,
            target=self.target.value,
            min_subtotal=self.min_subtotal,
            starts_at=self.starts_at,
            ends_at=self.ends_at,
            usage_limit=self.usage_limit,
            usage_count=self.usage_count,
            is_active=self.is_active,
        )


class ShippingOption(db.Model):
    """A way to ship offered in a region, at a flat price in the region's currency."""

    __tablename__ = "shipping_option"

    id: Mapped[int] = mapped_column(primary_key=True)
    region_id: Mapped[int] = mapped_column(ForeignKey("region.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    #: In the region's currency; with or without tax as the region says.
    amount: Mapped[Decimal] = mapped_column(ExactDecimal)
    #: Inactive options are kept for the orders that used them but no longer offered.
    is_active: Mapped[bool] = mapped_column(default=True)

    region: Mapped[Region] = relationship()
