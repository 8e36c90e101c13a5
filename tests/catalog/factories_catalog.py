"""Factories for the catalogue: products with priced variants, promotions, shipping options."""

from __future__ import annotations

from datetime import timedelta
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
from app.db_types import utcnow
from app.extensions import db
from app.store.models import Region


def make_product(
    title="Stoneware Mug", *, sku="MUG-1", prices=None, variant="", product_type="goods"
) -> Product:
    """A product with one variant priced in each currency of ``prices`` (default 22.00 USD)."""
    prices = prices or {"USD": "22.00"}
    product = Product(title=title, product_type=product_type, thumbnail="")
    product.variants.append(
        ProductVariant(
            title=variant,
            sku=sku,
            prices=[VariantPrice(currency_code=c, amount=Decimal(a)) for c, a in prices.items()],
        )
    )
    db.session.add(product)
    db.session.commit()
    return product


def make_promotion(code="SAVE10", **values) -> Promotion:
    promotion = Promotion(
        code=code,
        type=values.pop("type", PromotionType.PERCENTAGE),
        value=Decimal(values.pop("value", "10")),
        target=values.pop("target", PromotionTarget.ITEMS),
        starts_at=values.pop("starts_at", utcnow() - timedelta(days=1)),
        **values,
    )
    db.session.add(promotion)
    db.session.commit()
    return promotion


def make_shipping_option(region: Region, name="Standard", amount="5.99") -> ShippingOption:
    option = ShippingOption(region=region, name=name, amount=Decimal(amount))
    db.session.add(option)
    db.session.commit()
    return option
