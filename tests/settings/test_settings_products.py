"""Products and variants in the settings: list, search, create, edit and every refusal."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.catalog.models import Product, ProductVariant, VariantPrice
from app.extensions import db
from tests.bad_amounts import NOT_A_NUMBER
from tests.catalog.factories_catalog import make_product
from tests.factories import make_region


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.mark.parametrize(
    "url",
    ["/settings/", "/settings/products", "/settings/products/new", "/settings/promotions",
     "/settings/tax-rates", "/settings/shipping-options"],
)  # fmt: skip
def test_settings_pages_ask_for_a_login(client, url):
    response = client.get(url)

    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_settings_index_links_to_every_section(staff_client):
    page = staff_client.get("/settings/").get_data(as_text=True)

    for href in ("/settings/products", "/settings/promotions", "/settings/tax-rates",
                 "/settings/shipping-options"):  # fmt: skip
        assert f'href="{href}"' in page


def test_creating_a_product_leads_to_its_page_to_add_variants(staff_client):
    response = staff_client.post(
        "/settings/products/new",
        data={"title": " Linen Apron ", "product_type": "Goods", "thumbnail": "/static/a.svg",
              "description": "Heavy linen."},
    )  # fmt: skip

    product = db.session.scalars(select(Product)).one()
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/settings/products/{product.id}")
    assert (product.title, product.product_type, product.thumbnail) == (
        "Linen Apron",
        "goods",
        "/static/a.svg",
    )
    page = staff_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Product Linen Apron created" in page
    assert "No variants yet" in page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"title": ""}, "Give the product a title."),
        ({"title": "Mug", "thumbnail": "ftp://x/y.png"},
         "Use a web address (https://…) or a path under /static/."),
    ],
)  # fmt: skip
def test_a_refused_product_says_why_and_saves_nothing(staff_client, data, message):
    response = staff_client.post("/settings/products/new", data=data)

    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert count(Product) == 0


def test_editing_a_product_changes_it(staff_client):
    product = make_product()

    response = staff_client.post(
        f"/settings/products/{product.id}", data={"title": "Big Mug", "product_type": "goods"}
    )

    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Product, product.id).title == "Big Mug"


def test_the_product_list_shows_thumbnails_and_finds_by_title_or_sku(staff_client):
    mug = make_product("Stoneware Mug", sku="MUG-STN")
    mug.thumbnail = "/static/img/products/mug-stn.svg"
    db.session.commit()
    make_product("Canvas Tote Bag", sku="TOT-CAN")

    everything = staff_client.get("/settings/products").get_data(as_text=True)
    by_title = staff_client.get("/settings/products?q=stone").get_data(as_text=True)
    by_sku = staff_client.get("/settings/products?q=tot-").get_data(as_text=True)
    nothing = staff_client.get("/settings/products?q=100%25").get_data(as_text=True)

    assert "Stoneware Mug" in everything and "Canvas Tote Bag" in everything
    assert 'src="/static/img/products/mug-stn.svg"' in everything
    assert "Stoneware Mug" in by_title and "Canvas Tote Bag" not in by_title
    assert "Canvas Tote Bag" in by_sku and "Stoneware Mug" not in by_sku
    assert "No product matches" in nothing


def test_the_product_list_pages_by_twenty_five(staff_client):
    for n in range(30):
        make_product(f"Product {n:02d}", sku=f"P-{n:02d}")

    first = staff_client.get("/settings/products").get_data(as_text=True)
    second = staff_client.get("/settings/products?page=2").get_data(as_text=True)

    assert "Product 24" in first and "Product 25" not in first
    assert "Product 25" in second and "Product 29" in second
    assert "Page 2 of 2 · 30 products" in second


def test_a_new_variant_offers_a_price_row_per_store_currency(staff_client):
    make_region("Germany", "EUR")
    make_region("Japan", "JPY")
    db.session.commit()
    product = make_product()

    page = staff_client.get(f"/settings/products/{product.id}/variants/new").get_data(as_text=True)

    assert 'value="EUR"' in page and 'value="JPY"' in page


def _variant_data(**changes) -> dict:
    data = {
        "title": "Blue / M", "sku": "SHIRT-BLU-M", "barcode": "4006381333931",
        "prices-0-currency_code": "USD", "prices-0-amount": "29.90",
        "prices-1-currency_code": "jpy", "prices-1-amount": "4200",
        "prices-2-currency_code": "", "prices-2-amount": "",
    }  # fmt: skip
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_adding_a_variant_stores_its_codes_and_a_price_per_currency(staff_client):
    product = make_product("Shirt", sku="SHIRT")

    response = staff_client.post(
        f"/settings/products/{product.id}/variants/new", data=_variant_data()
    )

    assert response.status_code == 302
    variant = db.session.scalars(select(ProductVariant).filter_by(sku="SHIRT-BLU-M")).one()
    assert (variant.title, variant.barcode) == ("Blue / M", "4006381333931")
    assert {p.currency_code: p.amount for p in variant.prices} == {
        "USD": Decimal("29.90"),
        "JPY": Decimal(4200),
    }


def test_editing_a_variant_replaces_its_prices(staff_client):
    product = make_product("Shirt", sku="SHIRT", prices={"USD": "20.00", "EUR": "18.00"})
    variant = product.variants[0]

    response = staff_client.post(
        f"/settings/products/{product.id}/variants/{variant.id}",
        data=_variant_data(sku="SHIRT", **{"prices-1-currency_code": "EUR",
                                           "prices-1-amount": ""}),
    )  # fmt: skip

    assert response.status_code == 302
    db.session.expire_all()
    prices = db.session.scalars(select(VariantPrice).filter_by(variant_id=variant.id))
    assert {p.currency_code: p.amount for p in prices} == {"USD": Decimal("29.90")}


def test_a_variants_own_sku_is_not_a_duplicate(staff_client):
    product = make_product("Shirt", sku="SHIRT")
    variant = product.variants[0]

    response = staff_client.post(
        f"/settings/products/{product.id}/variants/{variant.id}", data=_variant_data(sku="shirt")
    )

    assert response.status_code == 302


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"sku": "mug-1"}, "SKU mug-1 is taken by Stoneware Mug."),
        ({"prices-0-amount": "-1.00"}, "Must be zero or more."),
        ({"prices-0-amount": "abc"}, NOT_A_NUMBER),
        ({"prices-0-amount": "1.005"}, "USD amounts have at most 2 decimals."),
        ({"prices-1-amount": "4200.5"}, "JPY amounts have no decimals."),
        ({"prices-1-currency_code": "XYZ"}, "“XYZ” is not a known currency code, such as USD."),
        ({"prices-2-amount": "3.00"}, "Say which currency this price is in."),
        ({"prices-2-currency_code": "usd", "prices-2-amount": "3.00"},
         "Give one price per currency (USD twice)."),
    ],
)  # fmt: skip
def test_a_refused_variant_says_why_next_to_the_field_and_saves_nothing(
    staff_client, changes, message
):
    make_product()
    product = make_product("Shirt", sku="SHIRT")

    response = staff_client.post(
        f"/settings/products/{product.id}/variants/new", data=_variant_data(**changes)
    )

    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert f'<p class="field-error" role="alert">{message}</p>' in page
    assert count(ProductVariant) == 2


def test_an_unknown_product_or_foreign_variant_is_not_found(staff_client):
    one = make_product("One", sku="ONE")
    other = make_product("Other", sku="OTHER")

    assert staff_client.get("/settings/products/999").status_code == 404
    url = f"/settings/products/{one.id}/variants/{other.variants[0].id}"
    assert staff_client.get(url).status_code == 404


def test_settings_forms_refuse_a_post_without_the_csrf_token(staff_client, csrf_enabled):
    response = staff_client.post("/settings/products/new", data={"title": "Mug"})

    assert response.status_code == 400
    assert count(Product) == 0


def test_the_variant_page_shows_its_prices_in_the_currency_decimals(staff_client):
    product = make_product("Shirt", sku="SHIRT", variant="Blue", prices={"USD": "20.5"})
    variant = product.variants[0]

    page = staff_client.get(f"/settings/products/{product.id}/variants/{variant.id}")

    text = page.get_data(as_text=True)
    assert 'value="SHIRT"' in text and 'value="Blue"' in text
    assert re.search(r'<input [^>]*name="prices-0-currency_code" [^>]*value="USD"', text)
    assert re.search(r'<input [^>]*name="prices-0-amount" [^>]*value="20.50"', text)


def test_whether_a_variants_prices_include_tax_is_left_to_the_regions(staff_client):
    product = make_product()

    page = staff_client.get(f"/settings/products/{product.id}/variants/new").get_data(as_text=True)

    # a variant has prices in several currencies, and each region says whether its own
    # include tax: no flag of the variant's own, which nothing would follow
    assert "is_tax_inclusive" not in page and "Prices include tax" not in page
    assert "as the region selling in its currency says" in page
