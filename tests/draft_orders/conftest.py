"""Fixtures of the draft-builder tests: a small store with two regions (tax-exclusive USD and
tax-inclusive EUR), a product-type tax override, a catalogue and shipping options."""

from __future__ import annotations

from decimal import Decimal
from types import SimpleNamespace

import pytest

from app.catalog.models import Product, ProductVariant, ShippingOption, VariantPrice
from app.customers.models import Customer
from app.extensions import db
from app.store.models import TaxRate
from tests.factories import make_region


def _variant(title, *, sku, prices, variant="", barcode=None, product_type="goods",
             thumbnail="") -> ProductVariant:  # fmt: skip
    product = Product(title=title, product_type=product_type, thumbnail=thumbnail)
    product.variants.append(ProductVariant(
        title=variant, sku=sku, barcode=barcode,
        prices=[VariantPrice(currency_code=c, amount=Decimal(a)) for c, a in prices.items()],
    ))  # fmt: skip
    db.session.add(product)
    db.session.flush()
    return product.variants[0]


@pytest.fixture
def new_variant(app):
    """Add a product with one variant to the catalogue (committed); returns the variant."""

    def make(title, **values) -> ProductVariant:
        variant = _variant(title, **values)
        db.session.commit()
        return variant

    return make


def _option(region, name, amount, *, active=True) -> ShippingOption:
    option = ShippingOption(region=region, name=name, amount=Decimal(amount), is_active=active)
    db.session.add(option)
    return option


@pytest.fixture
def shop(app):
    """Regions, catalogue and shipping options. The United States (first region, so new drafts
    start there) tax 10 % and food 5 %; Germany taxes 19 % and food 7 %, prices include tax."""
    us = make_region("United States", "USD", inclusive=False, rate="10")
    us.tax_rates.append(TaxRate(code="FOOD", name="Food", rate=Decimal("5"), product_type="food"))
    de = make_region("Germany", "EUR", inclusive=True, rate="19")
    de.tax_rates.append(TaxRate(code="FOOD", name="Food", rate=Decimal("7"), product_type="food"))
    mug = _variant("Stoneware Mug", variant="Moss green", sku="MUG-1",
                   prices={"USD": "22.00", "EUR": "19.50"},
                   thumbnail="/static/img/mug-moss.png")  # fmt: skip
    espresso = _variant("Espresso Mug", sku="MUG-10", prices={"USD": "12.00", "EUR": "11.00"})
    tea = _variant("Green Tea", variant="100 g", sku="TEA-100", barcode="5012345678900",
                   prices={"USD": "8.50", "EUR": "7.95"}, product_type="food",
                   thumbnail="/static/img/tea.png")  # fmt: skip
    tote = _variant("Linen Tote", sku="TOTE-1", barcode="5012345678917",
                    prices={"USD": "30.00", "EUR": "29.90"})  # fmt: skip
    poster = _variant("Berlin Poster", sku="POSTER-1", prices={"EUR": "15.00"})
    standard = _option(us, "Standard", "5.99")
    express = _option(us, "Express", "14.50")
    retired = _option(us, "Horse post", "3.00", active=False)
    dhl = _option(de, "DHL", "4.90")
    ada = Customer(email="ada@example.com", first_name="Ada", last_name="Lovelace")
    db.session.add(ada)
    db.session.commit()
    return SimpleNamespace(
        us=us, de=de, mug=mug, espresso=espresso, tea=tea, tote=tote, poster=poster,
        standard=standard, express=express, retired=retired, dhl=dhl, ada=ada,
    )  # fmt: skip
