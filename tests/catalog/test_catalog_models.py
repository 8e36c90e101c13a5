"""Catalogue models and actions on the database."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from app.catalog.actions import save_tax_rate, save_variant
from app.catalog.models import ProductVariant, PromotionType, VariantPrice
from app.db_types import utcnow
from app.extensions import db
from tests.catalog.factories_catalog import make_product, make_promotion
from tests.factories import make_region


def test_a_variant_knows_its_full_title_and_price_per_currency(app):
    product = make_product(
        "Stoneware Mug", variant="Moss green", prices={"USD": "22.00", "JPY": "2640"}
    )
    variant = product.variants[0]

    assert variant.full_title == "Stoneware Mug / Moss green"
    assert variant.price_in("JPY") == Decimal(2640)
    assert variant.price_in("EUR") is None


def test_skus_are_unique_in_the_database(app):
    make_product("One", sku="SAME")

    with pytest.raises(IntegrityError):
        make_product("Two", sku="SAME")
    db.session.rollback()


def test_a_variant_has_one_price_per_currency_in_the_database(app):
    variant = make_product(prices={"USD": "1.00"}).variants[0]

    db.session.add(VariantPrice(variant=variant, currency_code="USD", amount=Decimal(2)))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_saving_a_variant_keeps_the_price_rows_of_currencies_still_priced(app):
    product = make_product(prices={"USD": "1.00", "EUR": "2.00"})
    variant = product.variants[0]
    usd_row = next(p.id for p in variant.prices if p.currency_code == "USD")

    save_variant(
        product,
        variant,
        title="",
        sku="MUG-1",
        barcode=" ",
        allow_backorder=True,
        prices={"USD": Decimal("1.50"), "JPY": Decimal(200)},
    )
    db.session.commit()

    rows = db.session.scalars(select(VariantPrice).filter_by(variant_id=variant.id)).all()
    assert {(p.currency_code, p.amount) for p in rows} == {
        ("USD", Decimal("1.5")),
        ("JPY", Decimal(200)),
    }
    assert usd_row in {p.id for p in rows}
    assert variant.barcode is None and variant.allow_backorder is True


def test_deleting_a_product_deletes_its_variants_and_prices(app):
    product = make_product()

    db.session.delete(product)
    db.session.commit()

    assert db.session.scalars(select(ProductVariant)).all() == []
    assert db.session.scalars(select(VariantPrice)).all() == []


def test_a_promotions_terms_carry_its_stored_values(app):
    ends = utcnow() + timedelta(days=3)
    promotion = make_promotion("FIVE", type=PromotionType.FIXED, value="5.00",
                               currency_code="USD", min_subtotal=Decimal(20), ends_at=ends,
                               usage_limit=10, usage_count=4)  # fmt: skip
    db.session.expire_all()

    terms = promotion.terms
    assert (terms.code, terms.type, terms.value, terms.currency_code) == (
        "FIVE",
        "fixed",
        Decimal(5),
        "USD",
    )
    assert (terms.min_subtotal, terms.usage_limit, terms.usage_count) == (Decimal(20), 10, 4)
    assert terms.ends_at == ends


def test_an_override_is_never_saved_as_a_default(app):
    region = make_region()

    rate = save_tax_rate(None, region=region, code="FOOD", name="Food", rate_percent=Decimal(5),
                         is_default=True, product_type=" Food ")  # fmt: skip
    db.session.commit()

    assert (rate.product_type, rate.is_default) == ("food", False)
    assert region.default_tax_rate.code == "TAX"


def test_the_variant_search_indexes_outlive_the_migrations(app):
    # SQLite rebuilds a table to drop a column and cannot carry indexes on expressions over:
    # the migration that dropped the variants' tax flag must have made them again.
    if db.engine.dialect.name == "sqlite":
        names = "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = :table"
    else:
        names = "SELECT indexname FROM pg_indexes WHERE tablename = :table"
    indexes = set(db.session.scalars(text(names), {"table": "product_variant"}))

    assert {"ix_product_variant_title_lower", "ix_product_variant_sku_lower"} <= indexes
