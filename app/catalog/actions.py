"""Changes to the catalogue and the store settings, one function each.

The forms have checked the values (``app.settings.forms``); these functions store them, in the
caller's transaction: the view commits once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from app.catalog.models import (
    Product,
    ProductVariant,
    Promotion,
    PromotionTarget,
    PromotionType,
    ShippingOption,
    VariantPrice,
)
from app.extensions import db
from app.store.models import Region, TaxRate


def save_product(
    product: Product | None, *, title: str, description: str, product_type: str, thumbnail: str
) -> Product:
    """Create a product (``product`` is ``None``) or change one."""
    if product is None:
        product = Product()
        db.session.add(product)
    product.title = title.strip()
    product.description = description.strip()
    product.product_type = product_type.strip().lower()
    product.thumbnail = thumbnail.strip()
    db.session.flush()
    return product


def save_variant(
    product: Product,
    variant: ProductVariant | None,
    *,
    title: str,
    sku: str | None,
    barcode: str | None,
    allow_backorder: bool,
    prices: dict[str, Decimal],
) -> ProductVariant:
    """Create a variant of ``product`` or change one; ``prices`` (currency → amount) replaces
    its prices: a currency left out has no price any more."""
    if variant is None:
        variant = ProductVariant(product=product)
        db.session.add(variant)
    variant.title = title.strip()
    variant.sku = (sku or "").strip() or None
    variant.barcode = (barcode or "").strip() or None
    variant.allow_backorder = allow_backorder
    kept = {p.currency_code: p for p in variant.prices if p.currency_code in prices}
    variant.prices = [
        kept.get(currency) or VariantPrice(currency_code=currency)
        for currency in sorted(prices)
    ]  # fmt: skip
    for price in variant.prices:
        price.amount = prices[price.currency_code]
    db.session.flush()
    return variant


@dataclass(frozen=True)
class PromotionValues:
    """What staff enter for a promotion; ``currency_code`` upper case or ``None``."""

    code: str
    description: str
    type: PromotionType
    value: Decimal
    currency_code: str | None
    target: PromotionTarget
    min_subtotal: Decimal | None
    starts_at: datetime
    ends_at: datetime | None
    usage_limit: int | None
    is_active: bool


def save_promotion(promotion: Promotion | None, values: PromotionValues) -> Promotion:
    """Create a promotion or change one; the code is stored upper case. Its usage count is
    left alone: only orders change it."""
    if promotion is None:
        promotion = Promotion(usage_count=0)
        db.session.add(promotion)
    promotion.code = values.code.strip().upper()
    promotion.description = values.description.strip()
    promotion.type = values.type
    promotion.value = values.value
    promotion.currency_code = values.currency_code
    promotion.target = values.target
    promotion.min_subtotal = values.min_subtotal
    promotion.starts_at = values.starts_at
    promotion.ends_at = values.ends_at
    promotion.usage_limit = values.usage_limit
    promotion.is_active = values.is_active
    db.session.flush()
    return promotion


def save_tax_rate(
    rate: TaxRate | None,
    *,
    region: Region,
    code: str,
    name: str,
    rate_percent: Decimal,
    is_default: bool,
    product_type: str | None,
) -> TaxRate:
    """Create a tax rate or change one. An override (``product_type`` given) is never the
    default; a new default rate takes over from the region's previous default."""
    if rate is None:
        rate = TaxRate()
    product_type = (product_type or "").strip().lower() or None
    rate.region = region
    rate.code = code.strip()
    rate.name = name.strip()
    rate.rate = rate_percent
    rate.is_default = is_default and product_type is None
    rate.product_type = product_type
    db.session.add(rate)
    if rate.is_default:
        for other in region.tax_rates:
            if other is not rate:
                other.is_default = False
    db.session.flush()
    return rate


def save_shipping_option(
    option: ShippingOption | None,
    *,
    region: Region,
    name: str,
    amount: Decimal,
    is_active: bool,
) -> ShippingOption:
    """Create a shipping option or change one."""
    if option is None:
        option = ShippingOption()
        db.session.add(option)
    option.region = region
    option.name = name.strip()
    option.amount = amount
    option.is_active = is_active
    db.session.flush()
    return option
