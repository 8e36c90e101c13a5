"""Every amount and whole number of the settings forms is read the one way: a bad value is the
field's error on the page with a 422, never a 500, and what was stored stays as it was."""

from __future__ import annotations

import html
import re
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.catalog.models import Promotion, ShippingOption, VariantPrice
from app.extensions import db
from app.fulfillment.models import StockLocation
from app.inventory.models import InventoryAdjustment
from app.store.models import TaxRate
from tests.bad_amounts import BAD_AMOUNT_TEXTS, BAD_WHOLE_NUMBERS, NOT_A_NUMBER, TOO_LARGE
from tests.catalog.factories_catalog import make_product, make_promotion, make_shipping_option
from tests.factories import make_region

PRICE_BAD_AMOUNTS = [*BAD_AMOUNT_TEXTS, ("-1", "Must be zero or more.")]


def field_errors(response) -> list[str]:
    """The fields' error messages on the page, as staff read them."""
    found = re.findall(r'<p class="field-error" role="alert">([^<]*)</p>',
                       response.get_data(as_text=True))  # fmt: skip
    return [html.unescape(message) for message in found]


def refused_with(response, message: str) -> None:
    assert response.status_code == 422
    assert any(message in error for error in field_errors(response)), field_errors(response)


@pytest.fixture
def us(app):
    region = make_region("United States", "USD", inclusive=False, rate="10")
    db.session.commit()
    return region


@pytest.mark.parametrize(("amount", "message"), PRICE_BAD_AMOUNTS)
def test_a_variant_price_that_is_not_an_amount_is_refused(staff_client, amount, message):
    product = make_product("Shirt", sku="SHIRT", prices={"USD": "29.90"})
    variant = product.variants[0]
    response = staff_client.post(
        f"/settings/products/{product.id}/variants/{variant.id}",
        data={"title": "", "sku": "SHIRT", "prices-0-currency_code": "USD",
              "prices-0-amount": amount},
    )  # fmt: skip
    refused_with(response, message)
    db.session.expire_all()
    prices = db.session.scalars(select(VariantPrice).filter_by(variant_id=variant.id))
    assert [(p.currency_code, p.amount) for p in prices] == [("USD", Decimal("29.90"))]


@pytest.mark.parametrize(("amount", "message"), PRICE_BAD_AMOUNTS)
def test_a_shipping_option_amount_that_is_not_an_amount_is_refused(
    staff_client, us, amount, message
):
    option = make_shipping_option(us, "Standard", "5.99")
    response = staff_client.post(f"/settings/shipping-options/{option.id}",
                                 data={"region_id": us.id, "name": "Standard", "amount": amount})
    refused_with(response, message)
    db.session.expire_all()
    assert db.session.get(ShippingOption, option.id).amount == Decimal("5.99")


def test_a_yen_shipping_amount_with_decimals_is_refused(staff_client):
    japan = make_region("Japan", "JPY", inclusive=True, rate="10")
    db.session.commit()
    response = staff_client.post("/settings/shipping-options/new",
                                 data={"region_id": japan.id, "name": "Yamato", "amount": "0.5"})
    refused_with(response, "JPY amounts have no decimals.")
    assert db.session.scalar(select(func.count()).select_from(ShippingOption)) == 0


PROMOTION = {
    "code": "SUMMER5", "description": "", "type": "fixed", "value": "5.00",
    "currency_code": "USD", "target": "items", "min_subtotal": "20.00",
    "starts_at": "2026-06-01T00:00", "ends_at": "", "usage_limit": "100", "is_active": "y",
}  # fmt: skip


@pytest.mark.parametrize(
    ("field", "amount", "message"),
    [*[("value", amount, message) for amount, message in BAD_AMOUNT_TEXTS],
     ("value", "-1", "Must be more than zero."),
     *[("min_subtotal", amount, message) for amount, message in BAD_AMOUNT_TEXTS],
     ("min_subtotal", "-1", "Must be zero or more.")],
)  # fmt: skip
def test_a_promotion_amount_that_is_not_an_amount_is_refused(staff_client, field, amount, message):
    promotion = make_promotion("SUMMER5", type="fixed", value="5.00", currency_code="USD")
    response = staff_client.post(f"/settings/promotions/{promotion.id}",
                                 data=PROMOTION | {field: amount})  # fmt: skip
    refused_with(response, message)
    db.session.expire_all()
    saved = db.session.get(Promotion, promotion.id)
    assert (saved.value, saved.min_subtotal) == (Decimal("5.00"), None)


@pytest.mark.parametrize(
    ("limit", "message"),
    [(str(2**64), "Must be at most 2,147,483,647."), ("١٢", "Must be a whole number"),
     ("-1", "Must be 1 or more; leave it blank for no limit.")],
)  # fmt: skip
def test_a_promotion_usage_limit_that_is_not_a_count_is_refused(staff_client, limit, message):
    response = staff_client.post("/settings/promotions/new",
                                 data=PROMOTION | {"usage_limit": limit})  # fmt: skip
    refused_with(response, message)
    assert db.session.scalar(select(func.count()).select_from(Promotion)) == 0


@pytest.mark.parametrize(
    ("rate", "message"),
    [("NaN", NOT_A_NUMBER), ("1e309", NOT_A_NUMBER), (str(10**30), TOO_LARGE),
     ("١٢", NOT_A_NUMBER), ("101", "A tax rate cannot be over 100 %.")],
)  # fmt: skip
def test_a_tax_rate_that_is_not_a_percentage_is_refused(staff_client, us, rate, message):
    tax_rate = us.tax_rates[0]
    response = staff_client.post(f"/settings/tax-rates/{tax_rate.id}",
                                 data={"region_id": us.id, "code": "TAX", "name": "Tax",
                                       "rate": rate})  # fmt: skip
    refused_with(response, message)
    db.session.expire_all()
    assert db.session.get(TaxRate, tax_rate.id).rate == Decimal(10)


@pytest.mark.parametrize("region_id", ["١", "１", str(2**64), "-1"])
def test_a_region_that_is_not_an_id_is_not_a_choice(staff_client, us, region_id):
    response = staff_client.post("/settings/shipping-options/new",
                                 data={"region_id": region_id, "name": "Post", "amount": "1"})
    assert response.status_code == 422
    assert db.session.scalar(select(func.count()).select_from(ShippingOption)) == 0


@pytest.mark.parametrize("change", [v for v in BAD_WHOLE_NUMBERS if v != "-1"] + ["-1000001"])
def test_a_stock_change_that_is_not_a_count_of_units_is_refused(staff_client, us, change):
    location = StockLocation(name="Leeds warehouse")
    db.session.add(location)
    db.session.commit()
    response = staff_client.post("/settings/inventory", data={
        "sku": "MUG-1", "location": location.id, "change": change, "reason": "Count"})  # fmt: skip
    assert response.status_code == 422
    assert "Please check the highlighted fields." in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(InventoryAdjustment)) == 0
