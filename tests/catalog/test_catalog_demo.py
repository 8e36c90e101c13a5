"""The demo store's catalogue: products, promotions, shipping options and tax overrides."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import func, select

from app.catalog.calculations import promotion_problem, tax_rates_for
from app.catalog.models import Product, ProductVariant, Promotion, ShippingOption
from app.db_types import utcnow
from app.demo import load_demo_data
from app.extensions import db
from app.money import round_money
from app.orders.models import LineItem
from app.store.models import Region


def _load(orders: int = 20) -> None:
    load_demo_data(orders=orders, progress=lambda message: None)


def test_the_demo_catalogue_has_a_few_dozen_products_priced_in_three_currencies(app):
    _load()

    products = db.session.scalars(select(Product)).all()
    variants = db.session.scalars(select(ProductVariant)).all()
    assert len(products) >= 30
    assert len(variants) > len(products)
    for variant in variants:
        assert {p.currency_code for p in variant.prices} == {"USD", "EUR", "JPY"}
        assert all(p.amount == round_money(p.amount, p.currency_code) for p in variant.prices)
        assert len(variant.barcode) == 13 and variant.barcode.isdigit()


def test_demo_order_lines_carry_skus_of_the_catalogue(app):
    _load()

    skus = set(db.session.scalars(select(ProductVariant.sku)))
    line_skus = set(db.session.scalars(select(LineItem.sku)))
    assert line_skus and line_skus <= skus


def test_demo_promotions_show_each_reason_a_code_is_refused(app):
    _load()
    now = utcnow()

    promotions = {p.code: p for p in db.session.scalars(select(Promotion))}
    problems = {
        code: promotion_problem(p.terms, now, Decimal(200), "USD") for code, p in promotions.items()
    }
    assert problems["WELCOME10"] is None
    assert problems["SUMMER5"] is None
    assert "expired" in problems["SPRING20"]
    assert "used up" in problems["LAUNCH25"]
    assert "not active" in problems["STAFF30"]
    assert "cannot be used before" in problems["HOLIDAY10"]
    assert "for orders in EUR" in problems["SOMMER5"]
    small = promotion_problem(promotions["BIGBASKET15"].terms, now, Decimal(20), "USD")
    assert "at least $150.00" in small


def test_every_demo_region_offers_its_carriers_and_pickup(app):
    _load()

    for region in db.session.scalars(select(Region)):
        options = db.session.scalars(select(ShippingOption).filter_by(region=region)).all()
        assert {o.name for o in options} >= {"Standard", "Express", "Pickup in store"}


def test_reduced_demo_rates_are_overrides_for_food_and_books(app):
    _load()
    regions = {r.name: r for r in db.session.scalars(select(Region))}

    def codes(region: str, product_type: str) -> list[str]:
        return [r.code for r in tax_rates_for(regions[region].tax_rates, product_type)]

    assert codes("Germany", "food") == codes("Germany", "book") == ["DE-VAT-7"]
    assert codes("Germany", "goods") == ["DE-VAT"]
    assert codes("Japan", "food") == ["JP-CT-8"]
    assert codes("Japan", "book") == ["JP-CT"]
    assert codes("United States", "food") == ["US-NY"]


def test_loading_the_demo_twice_keeps_one_catalogue(app):
    _load(5)

    def counts() -> tuple[int, ...]:
        return tuple(
            db.session.scalar(select(func.count()).select_from(m))
            for m in (Product, ProductVariant, Promotion, ShippingOption)
        )

    first = counts()
    _load(5)
    assert counts() == first
