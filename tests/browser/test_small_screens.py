"""The order pages and the draft builder on a tablet (1024 × 768) and a phone (390 × 844): the
page never scrolls sideways (a wide table scrolls inside its card), no control is covered by
another, and the totals are there to read.

Clicks go through Playwright's actionability checks, never ``force``: a click on a button that
another element covers fails, as a tap on it would.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Locator, Page, expect

from app.extensions import db
from tests.browser.conftest import expect_no_sideways_scroll, section, totals_figure
from tests.catalog.factories_catalog import make_product, make_promotion
from tests.factories import make_channel, make_order, make_region

pytestmark = pytest.mark.browser

SCREENS = [
    pytest.param({"width": 1024, "height": 768}, id="tablet"),
    pytest.param({"width": 390, "height": 844}, id="phone"),
]
#: Long titles and SKUs, as real catalogues have them: they are what makes a table wide.
PRODUCTS = [
    ("Hand-thrown Stoneware Mug with Speckled Glaze", "MUG-STONEWARE-SPECKLED", "24.00"),
    ("Cast Iron Teapot, Black, 1.2 litres", "POT-CAST-IRON-BLACK", "79.00"),
    ("Hinoki Soap Bar", "SOAP-HINOKI", "9.50"),
]


def expect_uncovered(target: Locator) -> None:
    """Once scrolled to, the element itself is what a tap at its centre reaches."""
    target.scroll_into_view_if_needed()
    reached = target.evaluate("""element => {
        const box = element.getBoundingClientRect();
        return element.contains(document.elementFromPoint(box.x + box.width / 2,
                                                          box.y + box.height / 2));
    }""")
    assert reached, f"{target} is covered by another element"


@pytest.mark.parametrize("screen", SCREENS)
def test_the_order_list_and_an_order_are_usable_on_a_small_screen(staff_page: Page, screen):
    order = make_order(
        email="margaret.hamilton@apollo-guidance.example.org",
        customer=("Margaret", "Hamilton-Smith"),
        sales_channel=make_channel("Berlin shop, point of sale"),
        items=[{"title": title, "sku": sku, "unit_price": price, "quantity": 2, "tax": ["10"],
                "discounts": ["1.00"]} for title, sku, price in PRODUCTS],
        shipping=[{"name": "Express courier", "amount": "12.00", "tax": ["10"]}],
        authorized=["300.00"],
    )  # fmt: skip
    page = staff_page
    page.set_viewport_size(screen)

    page.goto("/orders")
    expect_no_sideways_scroll(page)
    page.get_by_label("Status").select_option(label="Pending")
    page.get_by_role("button", name="Apply").click()
    expect(page).to_have_url(re.compile(r"[?&]status=pending(&|$)"))
    page.get_by_role("link", name=f"#{order.display_id}").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(f"Order #{order.display_id}")
    expect_no_sideways_scroll(page)
    for line_total in section(page, "Items").locator("tbody tr td:last-child").all():
        expect_uncovered(line_total)
    expect(totals_figure(page, "Total")).to_be_visible()
    expect(totals_figure(page, "Outstanding")).to_be_visible()
    page.get_by_label("Amount to capture (USD)").fill("20.00")
    page.get_by_role("button", name="Capture").click()
    expect(page.get_by_role("status")).to_have_text("Payment captured.")
    expect(totals_figure(page, "Paid")).to_have_text("$20.00")
    expect_no_sideways_scroll(page)


@pytest.mark.parametrize("screen", SCREENS)
def test_the_builders_lines_can_be_changed_on_a_small_screen(staff_page: Page, app, screen):
    make_region("United States", "USD", rate="8.875")
    for title, sku, price in PRODUCTS:
        make_product(title, sku=sku, prices={"USD": price})
    make_promotion("WELCOME10", value="10")  # a discount on every line widens its table
    db.session.commit()
    page = staff_page
    page.set_viewport_size(screen)
    page.goto("/draft-orders")
    page.get_by_role("button", name="New draft").click()
    lines = page.locator("#draft-items table.lines tbody tr")
    for count, (_, sku, _) in enumerate(PRODUCTS, start=1):
        # Typed key by key at a scanner's pace: the search box is swapped in anew after each
        # add, and htmx wires the new one up when the swap settles (20 ms); text filled in all
        # at once before then would never be searched for.
        page.locator("#item-search").press_sequentially(sku, delay=15)
        expect(page.locator("#variant-results [role=option]")).to_have_count(1)
        page.keyboard.press("Enter")
        expect(lines).to_have_count(count)
    page.get_by_label("Promotion code").fill("WELCOME10")
    page.get_by_role("button", name="Apply").click()
    expect(page.locator("#builder-message")).to_have_text("Code WELCOME10 applied.")

    expect_no_sideways_scroll(page)
    for title, _, _ in PRODUCTS:
        line = lines.filter(has_text=title)
        expect_uncovered(line.get_by_role("cell").nth(-2))  # the line's total
        line.get_by_role("button", name="Update").click(trial=True)
        line.get_by_role("button", name=f"Remove {title}").click(trial=True)
    expect(totals_figure(page, "Total")).to_be_visible()
    # A real tap on the last one: the line goes, the totals follow.
    title = PRODUCTS[-1][0]
    page.get_by_role("button", name=f"Remove {title}").click()
    expect(lines).to_have_count(len(PRODUCTS) - 1)
    expect(section(page, "Items")).not_to_contain_text(title)
    expect_no_sideways_scroll(page)
