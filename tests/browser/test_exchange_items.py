"""An exchange from start to settled, as staff do it in the browser: on a shipped order they
exchange one shirt for a catalogue mug (by its SKU) sent by courier, with a return label the
customer pays, preview the difference and create it; the mug is on the order with its stock
held, and they pack and ship it through the usual fulfillment panel; the shirt comes back on
its return's page and the refund the page offers settles the order to $0.00."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import expect_no_sideways_scroll, section, totals_figure
from tests.exchanges.test_exchange_flow import levels, mug  # noqa: F401  (a fixture)
from tests.returns.test_return_flow import shipped  # noqa: F401  (a fixture)

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def order(shipped, mug):  # noqa: F811  (the return flow's fixture)
    """3 shirts (121.00 with tax, after 10.00 off) and 2 pairs of socks, paid 148.50 and
    shipped; a stoneware mug at 22.00 in the catalogue, 5 in stock."""
    order, _ = shipped
    return order


def test_staff_exchange_a_shirt_for_a_mug_ship_it_and_refund_the_difference(
    staff_page: Page, order, smtp_inbox
):
    page = staff_page
    page.goto(f"/orders/{order.id}")
    section(page, "Exchanges").get_by_role("link", name="Exchange items").click()
    expect(page.get_by_role("heading", name="Exchange items")).to_be_visible()

    page.get_by_label("Units of Linen shirt to send back").fill("1")
    page.get_by_label("Why Linen shirt comes back").select_option(label="Too small")
    new_items = section(page, "New items to send")
    new_items.get_by_label("SKU of new item 1").fill("MUG-1")
    new_items.get_by_label("Method").fill("Courier")
    new_items.get_by_label("Cost (USD)").fill("5.00")
    the_return = section(page, "The return")
    the_return.get_by_label("Method").fill("Return label")
    the_return.get_by_label("Cost (USD)").fill("7.50")
    the_return.get_by_label(re.compile("The customer pays it")).check()

    page.get_by_role("button", name="Preview").click()
    preview = section(page, "Preview")
    # The mug (24.20), the courier (5.50) and the label (8.25) out; the shirt's 40.33 back.
    expect(preview.get_by_role("row", name=re.compile("Once the units arrive"))).to_contain_text(
        "$146.12")  # fmt: skip
    expect(preview.get_by_role("row", name=re.compile("Difference"))).to_contain_text(
        "$2.38 to be refunded")  # fmt: skip
    expect(page.get_by_label("SKU of new item 1")).to_have_value("MUG-1")
    page.get_by_role("button", name="Create the exchange").click()

    expect(page.get_by_role("heading", name=re.compile(r"Exchange #\d+"))).to_be_visible()
    exchange_url = page.url
    going_out = section(page, "Going out")
    expect(going_out.get_by_role("row", name=re.compile("Stoneware mug"))).to_contain_text(
        "Stoneware mug (MUG-1) 1 0 0 $24.20")  # fmt: skip
    page.set_viewport_size(PHONE)
    expect(section(page, "Coming back")).to_be_visible()
    expect_no_sideways_scroll(page)
    page.set_viewport_size({"width": 1024, "height": 800})

    # The mug is on the order, its unit held; staff pack and ship it as any line.
    page.get_by_role("link", name=f"Order #{order.display_id}").first.click()
    expect(section(page, "Items")).to_contain_text("Stoneware mug")
    assert levels("MUG-1") == (5, 1)
    expect(page.get_by_label("Units of Stoneware mug to pack")).to_have_value("1")
    page.get_by_role("button", name="Create fulfillment").click()
    page.get_by_label("Carrier").fill("DHL")
    page.get_by_role("button", name="Mark as shipped").click()
    expect(page.get_by_role("status")).to_have_text("Shipment created.")
    assert levels("MUG-1") == (4, 0)
    page.goto(exchange_url)
    expect(section(page, "Going out").get_by_role("row", name=re.compile("Stoneware mug"))
           ).to_contain_text("1 1 1 $24.20")  # fmt: skip

    # The shirt arrives: received on its return's page, then the refund it offers.
    section(page, "Coming back").get_by_role("link", name=re.compile(r"Return #\d+")).click()
    expect(page.get_by_role("link", name=re.compile(r"Part of exchange #\d+"))).to_be_visible()
    page.get_by_role("button", name="Receive").click()
    refund = section(page, "Refund")
    expect(refund.get_by_label("Amount to refund (USD)")).to_have_value("2.38")
    refund.get_by_role("button", name="Refund").click()
    expect(section(page, "Refund")).to_have_count(0)

    page.get_by_role("link", name=f"Order #{order.display_id}").click()
    # The shirt's share, in the panel and in its breakdown of every total.
    expect(totals_figure(page, "Returned and claimed items")).to_have_text(["−$40.33"] * 2)
    expect(totals_figure(page, "Total")).to_have_text("$146.12")
    expect(totals_figure(page, "Outstanding")).to_have_text("$0.00")
    expect(section(page, "Exchanges")).to_contain_text("$2.38 to be refunded")
