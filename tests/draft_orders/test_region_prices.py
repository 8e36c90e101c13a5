"""A region's "prices include tax" holds at the counter as it does online: in Germany and Japan
the builder charges the catalogue's shelf price (tax inside it), in the United States it adds
the tax on top; shipping the same; and the converted order keeps the figures the builder
showed."""

from __future__ import annotations

import html as markup
import re
from decimal import Decimal

import pytest

from app.extensions import db
from app.money import format_money, round_money
from app.orders.models import Order, OrderStatus
from tests.catalog.factories_catalog import make_product, make_shipping_option
from tests.draft_orders.test_draft_builder import new_draft, post
from tests.factories import make_region

#: name → (currency, prices include tax, tax rate in percent)
REGIONS = {
    "United States": ("USD", False, Decimal("8.875")),
    "Germany": ("EUR", True, Decimal("19")),
    "Japan": ("JPY", True, Decimal("10")),
}
PRICES = {
    "Earl Grey": {"USD": "12.50", "EUR": "10.90", "JPY": "1200"},
    "Hinoki Soap": {"USD": "9.00", "EUR": "8.50", "JPY": "990"},
}
SHIPPING = {"USD": "5.99", "EUR": "4.90", "JPY": "700"}


@pytest.fixture
def store(app):
    """The three regions, each with a carrier, and two products priced in every currency."""
    regions = {}
    for name, (currency, inclusive, rate) in REGIONS.items():
        regions[name] = make_region(name, currency, inclusive=inclusive, rate=str(rate))
    db.session.commit()
    for region in regions.values():
        make_shipping_option(region, "Carrier", SHIPPING[region.currency_code])
    products = {title: make_product(title, sku=title.upper().replace(" ", "-"), prices=prices)
                for title, prices in PRICES.items()}  # fmt: skip
    return regions, {title: p.variants[0] for title, p in products.items()}


def with_tax_added(price: Decimal, region: str) -> Decimal:
    """What the customer pays for ``price``: the price itself where prices include tax, else
    the price and its tax (rounded once, half up)."""
    currency, inclusive, rate = REGIONS[region]
    return price if inclusive else price + round_money(price * rate / 100, currency)


def line_total(html: str, item_id: int) -> str:
    row = re.search(rf'<tr id="line-{item_id}">(.*?)</tr>', html, re.S).group(1)
    return markup.unescape(re.findall(r'<td class="num"><strong>([^<]*)</strong>', row)[-1])


def shipping_total(html: str) -> str:
    return markup.unescape(re.search(r"→ <strong>([^<]*)</strong>", html).group(1))


def total_to_pay(html: str) -> str:
    """The total the builder asks the customer to pay (beside the payment buttons)."""
    return markup.unescape(re.search(r"Register the payment of ([^ ]*) with", html).group(1))


def draft_in(client, region) -> Order:
    draft = new_draft(client)
    assert post(client, draft, "/region", {"region": region.id}).status_code == 200
    return draft


@pytest.mark.parametrize("region_name", list(REGIONS))
@pytest.mark.parametrize("title", list(PRICES))
def test_a_catalogue_line_costs_the_catalogue_price_where_prices_include_tax(
    staff_client, store, region_name, title
):
    regions, variants = store
    region = regions[region_name]
    currency = region.currency_code
    draft = draft_in(staff_client, region)

    response = post(staff_client, draft, "/items/variant", {"variant_id": variants[title].id})

    assert response.status_code == 200
    (item,) = db.session.get(Order, draft.id).items
    price = Decimal(PRICES[title][currency])
    expected = with_tax_added(price, region_name)
    assert line_total(response.get_data(as_text=True), item.id) == format_money(expected, currency)
    assert item.is_tax_inclusive is region.is_tax_inclusive


@pytest.mark.parametrize("region_name", list(REGIONS))
def test_shipping_costs_the_options_price_where_prices_include_tax(
    staff_client, store, region_name
):
    regions, _ = store
    region = regions[region_name]
    draft = draft_in(staff_client, region)

    response = post(staff_client, draft, "/shipping",
                    {"option_id": region.shipping_options[0].id})  # fmt: skip

    assert response.status_code == 200
    expected = with_tax_added(Decimal(SHIPPING[region.currency_code]), region_name)
    assert shipping_total(response.get_data(as_text=True)) == format_money(
        expected, region.currency_code
    )


@pytest.mark.parametrize("region_name", list(REGIONS))
def test_a_custom_line_follows_the_regions_price_style_too(staff_client, store, region_name):
    regions, _ = store
    region = regions[region_name]
    draft = draft_in(staff_client, region)
    price = Decimal(PRICES["Earl Grey"][region.currency_code])

    response = post(staff_client, draft, "/items",
                    {"title": "Gift box", "unit_price": str(price), "quantity": "1"})  # fmt: skip

    (item,) = db.session.get(Order, draft.id).items
    assert line_total(response.get_data(as_text=True), item.id) == format_money(
        with_tax_added(price, region_name), region.currency_code
    )


@pytest.mark.parametrize(("start", "moved_to"), [("United States", "Germany"),
                                                 ("Japan", "United States")])  # fmt: skip
def test_moving_a_draft_to_another_region_gives_every_line_that_regions_price_style(
    staff_client, store, start, moved_to
):
    regions, variants = store
    draft = draft_in(staff_client, regions[start])
    post(staff_client, draft, "/items/variant", {"variant_id": variants["Earl Grey"].id})
    post(staff_client, draft, "/items", {"title": "Gift box", "unit_price": "300",
                                         "quantity": "1"})  # fmt: skip

    response = post(staff_client, draft, "/region", {"region": regions[moved_to].id})

    assert response.status_code == 200
    db.session.expire_all()
    tea, box = db.session.get(Order, draft.id).items
    currency = regions[moved_to].currency_code
    html = response.get_data(as_text=True)
    assert [tea.is_tax_inclusive, box.is_tax_inclusive] == [regions[moved_to].is_tax_inclusive] * 2
    assert line_total(html, tea.id) == format_money(
        with_tax_added(Decimal(PRICES["Earl Grey"][currency]), moved_to), currency
    )
    assert line_total(html, box.id) == format_money(with_tax_added(Decimal(300), moved_to),
                                                    currency)  # fmt: skip


@pytest.mark.parametrize("region_name", list(REGIONS))
def test_the_converted_order_charges_what_the_builder_showed(staff_client, store, region_name):
    regions, variants = store
    region = regions[region_name]
    currency = region.currency_code
    draft = draft_in(staff_client, region)
    post(staff_client, draft, "/customer", {"email": "ada@example.com"})
    post(staff_client, draft, "/items/variant", {"variant_id": variants["Earl Grey"].id})
    post(staff_client, draft, "/items/variant", {"variant_id": variants["Hinoki Soap"].id})
    shown = post(staff_client, draft, "/shipping",
                 {"option_id": region.shipping_options[0].id}).get_data(as_text=True)  # fmt: skip
    expected = sum(
        (with_tax_added(Decimal(p[currency]), region_name) for p in PRICES.values()),
        with_tax_added(Decimal(SHIPPING[currency]), region_name),
    )
    assert total_to_pay(shown) == format_money(expected, currency)

    post(staff_client, draft, "/payment", {"mode": "now"})
    response = post(staff_client, draft, "/convert", {})

    assert "HX-Redirect" in response.headers
    db.session.expire_all()
    order = db.session.get(Order, draft.id)
    assert order.status == OrderStatus.PENDING
    totals = order.totals
    assert [format_money(t.total, currency) for t in totals.items] == [
        line_total(shown, item.id) for item in order.items
    ]
    assert format_money(totals.shipping_total, currency) == shipping_total(shown)
    assert format_money(totals.total, currency) == total_to_pay(shown)
    assert order.total == totals.total == totals.paid_total
