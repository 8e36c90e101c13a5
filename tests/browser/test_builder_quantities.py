"""A quantity the builder cannot take, typed into a line and left with Tab: the builder says
why, the line shows the quantity it really has and the totals stay as they were; a good
quantity then goes through."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from app.money import format_money, round_money
from tests.browser.conftest import section
from tests.catalog.factories_catalog import make_product
from tests.factories import make_region

pytestmark = pytest.mark.browser

CURRENCY = "USD"
TAX_RATE = Decimal("8.25")
PRICE = Decimal("22.00")
TITLE = "Stoneware Mug"


def charged(quantity: int) -> str:
    """What the line costs: price × quantity and the tax on it, rounded once."""
    subtotal = PRICE * quantity
    return format_money(subtotal + round_money(subtotal * TAX_RATE / 100, CURRENCY), CURRENCY)


@pytest.fixture
def mug(app):
    make_region("United States", CURRENCY, inclusive=False, rate=str(TAX_RATE))
    make_product(TITLE, sku="MUG-1", prices={CURRENCY: str(PRICE)})


def test_a_quantity_the_line_cannot_take_is_refused_with_the_reason_and_the_true_quantity(
    staff_page: Page, mug
):
    page = staff_page
    page.goto("/draft-orders")
    page.get_by_role("button", name="New draft").click()
    page.locator("#item-search").fill("stoneware")
    expect(page.locator("#variant-results [role=option]")).to_have_count(1)
    page.locator("#item-search").press("Enter")
    quantity = page.get_by_label(f"Quantity of {TITLE}")
    line = page.locator("#draft-items tbody tr", has=quantity)
    line_total = line.get_by_role("cell").nth(6)
    to_pay = section(page, "Payment")
    expect(line_total).to_have_text(charged(1))
    message = page.locator("#builder-message")

    for typed in ("0", "2.5", "-1"):
        quantity.fill(typed)
        quantity.press("Tab")
        # The message names the line and what it kept, and quotes what was not taken.
        expect(message.get_by_role("alert")).to_have_text(
            re.compile(rf"^{TITLE} stays at 1 × \$22\.00\. Qty “{re.escape(typed)}”: .+")
        )
        # Beside the line too, tied to its inputs for screen readers.
        problem = line.locator(".field-error")
        expect(problem).to_have_text(re.compile(rf"^Qty “{re.escape(typed)}”: .+"))
        expect(quantity).to_have_attribute("aria-describedby", problem.get_attribute("id"))
        # The line shows the quantity it is charged for, and nothing changed.
        expect(quantity).to_have_value("1")
        expect(line_total).to_have_text(charged(1))
        # The focus stays where Tab took it, on the line's price.
        expect(page.get_by_label(f"Unit price of {TITLE}")).to_be_focused()
        expect(to_pay).to_contain_text(f"Register the payment of {charged(1)}")

    quantity.fill("3")
    quantity.press("Tab")

    expect(line_total).to_have_text(charged(3))
    expect(to_pay).to_contain_text(f"Register the payment of {charged(3)}")
    expect(quantity).to_have_value("3")
    expect(message).to_have_text("")
    expect(line.locator(".field-error")).to_have_count(0)
    expect(quantity).not_to_have_attribute("aria-describedby", re.compile(".*"))
