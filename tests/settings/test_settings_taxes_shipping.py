"""Tax rates (with product-type overrides) and shipping options in the settings."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.catalog.calculations import tax_rates_for
from app.catalog.models import ShippingOption
from app.extensions import db
from app.store.models import TaxRate
from tests.bad_amounts import NOT_A_NUMBER
from tests.catalog.factories_catalog import make_shipping_option
from tests.factories import make_region


@pytest.fixture
def germany(app):
    region = make_region("Germany", "EUR", inclusive=True, rate="19")
    db.session.commit()
    return region


def test_an_override_for_a_product_type_taxes_those_products(staff_client, germany):
    response = staff_client.post(
        "/settings/tax-rates/new",
        data={"region_id": germany.id, "code": "VAT-7", "name": "Reduced VAT", "rate": "7",
              "product_type": "Food"},
    )  # fmt: skip

    assert response.status_code == 302
    db.session.expire_all()
    rates = db.session.scalars(select(TaxRate).filter_by(region_id=germany.id)).all()
    assert [r.code for r in tax_rates_for(rates, "food")] == ["VAT-7"]
    assert [r.code for r in tax_rates_for(rates, "goods")] == ["TAX"]
    listing = staff_client.get("/settings/tax-rates").get_data(as_text=True)
    assert "Products of type <strong>food</strong> (override)" in listing


def test_a_new_default_rate_takes_over_from_the_old_one(staff_client, germany):
    old = germany.tax_rates[0]

    response = staff_client.post(
        "/settings/tax-rates/new",
        data={"region_id": germany.id, "code": "VAT", "name": "VAT", "rate": "19",
              "is_default": "y"},
    )  # fmt: skip

    assert response.status_code == 302
    db.session.expire_all()
    defaults = db.session.scalars(select(TaxRate.code).filter_by(is_default=True)).all()
    assert defaults == ["VAT"]
    assert db.session.get(TaxRate, old.id).is_default is False


def test_editing_a_tax_rate_changes_it(staff_client, germany):
    rate = germany.tax_rates[0]

    response = staff_client.post(
        f"/settings/tax-rates/{rate.id}",
        data={"region_id": germany.id, "code": "TAX", "name": "Tax", "rate": "16",
              "is_default": "y"},
    )  # fmt: skip

    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(TaxRate, rate.id).rate == Decimal(16)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"rate": "-1"}, "Must be zero or more."),
        ({"rate": "101"}, "A tax rate cannot be over 100 %."),
        ({"rate": ""}, "Enter the rate in percent."),
        ({"code": ""}, "Give the rate a code, such as VAT."),
        ({"product_type": "food", "is_default": "y"},
         "An override for a product type cannot be the default rate."),
        ({"region_id": "999"}, "Not a valid choice."),
    ],
)  # fmt: skip
def test_a_refused_tax_rate_says_why_and_saves_nothing(staff_client, germany, changes, message):
    data = {"region_id": germany.id, "code": "VAT-7", "name": "Reduced", "rate": "7", **changes}

    response = staff_client.post("/settings/tax-rates/new", data=data)

    assert response.status_code == 422
    assert f'<p class="field-error" role="alert">{message}</p>' in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(TaxRate)) == 1


def test_creating_and_editing_a_shipping_option(staff_client, germany):
    created = staff_client.post(
        "/settings/shipping-options/new",
        data={"region_id": germany.id, "name": "Express", "amount": "9.90",
              "is_active": "y"},
    )  # fmt: skip
    option = db.session.scalars(select(ShippingOption)).one()
    edited = staff_client.post(
        f"/settings/shipping-options/{option.id}",
        data={"region_id": germany.id, "name": "Express", "amount": "11.50"},
    )

    assert created.status_code == edited.status_code == 302
    db.session.expire_all()
    option = db.session.get(ShippingOption, option.id)
    assert (option.amount, option.is_active) == (Decimal("11.50"), False)
    listing = staff_client.get("/settings/shipping-options").get_data(as_text=True)
    assert "Express" in listing and "€11.50" in listing and "not offered" in listing


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"amount": "-4.90"}, "Must be zero or more."),
        ({"amount": "4.999"}, "EUR amounts have at most 2 decimals."),
        ({"amount": "four"}, NOT_A_NUMBER),
        ({"name": ""}, "Give the option a name."),
    ],
)  # fmt: skip
def test_a_refused_shipping_option_says_why_and_saves_nothing(
    staff_client, germany, changes, message
):
    make_shipping_option(germany)
    data = {"region_id": germany.id, "name": "Express", "amount": "9.90", **changes}

    response = staff_client.post("/settings/shipping-options/new", data=data)

    assert response.status_code == 422
    assert f'<p class="field-error" role="alert">{message}</p>' in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(ShippingOption)) == 1


def test_edit_pages_show_the_stored_values(staff_client, germany):
    rate = germany.tax_rates[0]
    rate.product_type = "food"
    option = make_shipping_option(germany, "Express", "9.90")

    rate_page = staff_client.get(f"/settings/tax-rates/{rate.id}").get_data(as_text=True)
    option_page = staff_client.get(f"/settings/shipping-options/{option.id}").get_data(as_text=True)

    assert 'value="TAX"' in rate_page and 'value="food"' in rate_page
    assert f'<option selected value="{germany.id}">' in rate_page
    assert 'value="Express"' in option_page and 'value="9.90"' in option_page


def test_unknown_rates_and_options_are_not_found(staff_client):
    assert staff_client.get("/settings/tax-rates/77").status_code == 404
    assert staff_client.get("/settings/shipping-options/77").status_code == 404


def test_whether_a_shipping_price_includes_tax_is_the_regions_to_say(staff_client, germany):
    us = make_region("United States", "USD", inclusive=False, rate="8")
    db.session.commit()
    make_shipping_option(germany, "DHL", "4.90")

    form = staff_client.get("/settings/shipping-options/new").get_data(as_text=True)
    listing = staff_client.get("/settings/shipping-options").get_data(as_text=True)

    # no setting of its own that the builder and the orders would not follow
    assert "includes tax" not in form and "is_tax_inclusive" not in form
    assert "EUR, prices include tax" in listing and "USD, prices exclude tax" in listing
    assert us.name in listing
