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


def answer(response, message: str) -> tuple[int, str | list[str]]:
    """The status, and ``message`` when a field's error says it, else every field's error: what
    a row got, to compare with what it must get, ``(422, message)``."""
    errors = field_errors(response)
    return response.status_code, message if any(message in e for e in errors) else errors


def refused_with(response, message: str) -> None:
    assert answer(response, message) == (422, message)


@pytest.fixture
def us(app):
    region = make_region("United States", "USD", inclusive=False, rate="10")
    db.session.commit()
    return region


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


# The tests of a table send every row in one test, to one store: setting a store and a logged-in
# client up per row cost far more than the requests. A refusal stores nothing, so every row meets
# the store the first did; each row compares what is stored with what it found (not with the
# fixture), so a row wrongly taken fails alone instead of every row after it. Each row's answer
# goes in a dict compared in one assert, so a failure names each wrong row.


def test_the_variant_form_refuses_every_price_that_is_not_an_amount(staff_client):
    product = make_product("Shirt", sku="SHIRT", prices={"USD": "29.90"})
    variant = product.variants[0]

    def prices() -> list[tuple]:
        db.session.expire_all()
        found = db.session.scalars(select(VariantPrice).filter_by(variant_id=variant.id))
        return [(p.currency_code, p.amount) for p in found]

    assert prices() == [("USD", Decimal("29.90"))]
    answers, expected = {}, {}
    for amount, message in PRICE_BAD_AMOUNTS:
        before = prices()
        response = staff_client.post(
            f"/settings/products/{product.id}/variants/{variant.id}",
            data={"title": "", "sku": "SHIRT", "prices-0-currency_code": "USD",
                  "prices-0-amount": amount},
        )  # fmt: skip
        answers[amount] = (*answer(response, message), prices())
        expected[amount] = (422, message, before)
    assert answers == expected


def test_the_shipping_option_form_refuses_every_amount_that_is_not_one(staff_client, us):
    option = make_shipping_option(us, "Standard", "5.99")

    def amount_stored() -> Decimal:
        db.session.expire_all()
        return db.session.get(ShippingOption, option.id).amount

    assert amount_stored() == Decimal("5.99")
    answers, expected = {}, {}
    for amount, message in PRICE_BAD_AMOUNTS:
        before = amount_stored()
        response = staff_client.post(f"/settings/shipping-options/{option.id}",
                                     data={"region_id": us.id, "name": "Standard",
                                           "amount": amount})  # fmt: skip
        answers[amount] = (*answer(response, message), amount_stored())
        expected[amount] = (422, message, before)
    assert answers == expected


def test_a_yen_shipping_amount_with_decimals_is_refused(staff_client):
    japan = make_region("Japan", "JPY", inclusive=True, rate="10")
    db.session.commit()
    response = staff_client.post("/settings/shipping-options/new",
                                 data={"region_id": japan.id, "name": "Yamato", "amount": "0.5"})
    refused_with(response, "JPY amounts have no decimals.")
    assert count(ShippingOption) == 0


PROMOTION = {
    "code": "SUMMER5", "description": "", "type": "fixed", "value": "5.00",
    "currency_code": "USD", "target": "items", "min_subtotal": "20.00",
    "starts_at": "2026-06-01T00:00", "ends_at": "", "usage_limit": "100", "is_active": "y",
}  # fmt: skip


PROMOTION_BAD_AMOUNTS = [
    *[("value", amount, message) for amount, message in BAD_AMOUNT_TEXTS],
    ("value", "-1", "Must be more than zero."),
    *[("min_subtotal", amount, message) for amount, message in BAD_AMOUNT_TEXTS],
    ("min_subtotal", "-1", "Must be zero or more."),
]


def test_the_promotion_form_refuses_every_amount_that_is_not_one(staff_client):
    promotion = make_promotion("SUMMER5", type="fixed", value="5.00", currency_code="USD")

    def amounts_stored() -> tuple:
        db.session.expire_all()
        saved = db.session.get(Promotion, promotion.id)
        return saved.value, saved.min_subtotal

    assert amounts_stored() == (Decimal("5.00"), None)
    answers, expected = {}, {}
    for field, amount, message in PROMOTION_BAD_AMOUNTS:
        before = amounts_stored()
        response = staff_client.post(f"/settings/promotions/{promotion.id}",
                                     data=PROMOTION | {field: amount})  # fmt: skip
        row = f"{field} {amount}"
        answers[row] = (*answer(response, message), amounts_stored())
        expected[row] = (422, message, before)
    assert answers == expected


def test_the_new_promotion_form_refuses_every_usage_limit_that_is_not_a_count(staff_client):
    answers, expected = {}, {}
    for limit, message in [(str(2**64), "Must be at most 2,147,483,647."),
                           ("١٢", "Must be a whole number"),
                           ("-1", "Must be 1 or more; leave it blank for no limit.")]:  # fmt: skip
        before = count(Promotion)
        response = staff_client.post("/settings/promotions/new",
                                     data=PROMOTION | {"usage_limit": limit})  # fmt: skip
        answers[limit] = (*answer(response, message), count(Promotion) - before)
        expected[limit] = (422, message, 0)
    assert answers == expected


def test_the_tax_rate_form_refuses_every_rate_that_is_not_a_percentage(staff_client, us):
    tax_rate = us.tax_rates[0]

    def rate_stored() -> Decimal:
        db.session.expire_all()
        return db.session.get(TaxRate, tax_rate.id).rate

    assert rate_stored() == Decimal(10)
    answers, expected = {}, {}
    for rate, message in [("NaN", NOT_A_NUMBER), ("1e309", NOT_A_NUMBER),
                          (str(10**30), TOO_LARGE), ("١٢", NOT_A_NUMBER),
                          ("101", "A tax rate cannot be over 100 %.")]:  # fmt: skip
        before = rate_stored()
        response = staff_client.post(f"/settings/tax-rates/{tax_rate.id}",
                                     data={"region_id": us.id, "code": "TAX", "name": "Tax",
                                           "rate": rate})  # fmt: skip
        answers[rate] = (*answer(response, message), rate_stored())
        expected[rate] = (422, message, before)
    assert answers == expected


def test_a_region_that_is_not_an_id_is_not_a_choice(staff_client, us):
    answers, expected = {}, {}
    for region_id in ["١", "１", str(2**64), "-1"]:
        before = count(ShippingOption)
        response = staff_client.post("/settings/shipping-options/new",
                                     data={"region_id": region_id, "name": "Post", "amount": "1"})
        answers[region_id] = (response.status_code, count(ShippingOption) - before)
        expected[region_id] = (422, 0)
    assert answers == expected


def test_the_stock_form_refuses_every_change_that_is_not_a_count_of_units(staff_client, us):
    location = StockLocation(name="Leeds warehouse")
    db.session.add(location)
    db.session.commit()
    answers, expected = {}, {}
    for change in [v for v in BAD_WHOLE_NUMBERS if v != "-1"] + ["-1000001"]:
        before = count(InventoryAdjustment)
        response = staff_client.post("/settings/inventory", data={
            "sku": "MUG-1", "location": location.id, "change": change, "reason": "Count",
        })  # fmt: skip
        answers[change] = (
            response.status_code,
            "Please check the highlighted fields." in response.get_data(as_text=True),
            count(InventoryAdjustment) - before,
        )
        expected[change] = (422, True, 0)
    assert answers == expected
