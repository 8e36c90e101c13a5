"""A return from the customer's side and the counter's, in the browser: staff ship an order;
the customer follows the link in the shipment email on a phone, without the staff's cookie,
and asks one unit back with a reason; staff receive it back on the shelf and refund the amount
the return page offers. Fulfillment status, stock, totals, version and timeline follow."""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import Browser, Page, expect

from app.extensions import db
from app.fulfillment.models import StockLocation
from app.inventory.actions import reserve_order
from app.inventory.models import InventoryLevel
from app.returns.models import ReturnReason
from tests.browser.conftest import expect_no_sideways_scroll, section, totals_figure
from tests.factories import make_order, make_region

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def return_link(inbox: list) -> str:
    deadline = time.monotonic() + 5
    while not inbox and time.monotonic() < deadline:
        time.sleep(0.05)
    [message] = inbox
    [url] = re.findall(r"https?://\S+/c/returns/\S+", message.get_content())
    return url


def lamps_on_the_shelf() -> int:
    db.session.expire_all()
    return db.session.scalar(db.select(InventoryLevel.stocked).where(
        InventoryLevel.sku == "LAMP-1"))  # fmt: skip


def test_the_customer_asks_a_unit_back_and_staff_receive_and_refund_it(
    staff_page: Page, browser: Browser, smtp_inbox
):
    region = make_region("United States", "USD", inclusive=False, rate="10")
    warehouse = StockLocation(name="Leeds warehouse")
    db.session.add(warehouse)
    db.session.add(InventoryLevel(sku="LAMP-1", location=warehouse, stocked=5, reserved=0))
    wrong_size = ReturnReason(value="wrong_size", label="Wrong size")
    db.session.add_all([wrong_size, ReturnReason(value="too_small", label="Too small",
                                                 parent=wrong_size)])  # fmt: skip
    # Two lamps at 50.00 with 10 % tax: 110.00, paid.
    order = make_order(email="ada@example.com", region=region, captured=["110.00"], items=[
        {"title": "Desk lamp", "sku": "LAMP-1", "unit_price": "50.00", "quantity": 2,
         "tax": ["10"]}])  # fmt: skip
    reserve_order(order)
    db.session.commit()

    page = staff_page
    page.goto(f"/orders/{order.id}")
    page.get_by_label("Units of Desk lamp to pack").fill("2")
    page.get_by_role("button", name="Create fulfillment").click()
    page.get_by_label("Carrier").fill("DHL")
    page.get_by_label("Tracking numbers").fill("JD014600003")
    page.get_by_role("button", name="Mark as shipped").click()
    expect(page.get_by_role("status")).to_have_text("Shipment created.")
    assert lamps_on_the_shelf() == 3
    link = return_link(smtp_inbox)

    customer = browser.new_context(viewport=PHONE, locale="en-US")
    phone = customer.new_page()
    phone.goto(link)
    expect(phone.get_by_role("heading", name=f"Order #{order.display_id}")).to_be_visible()
    expect_no_sideways_scroll(phone)
    phone.get_by_label("Units of Desk lamp to return").fill("1")
    phone.get_by_label("Why Desk lamp comes back").select_option(label="Too small")
    phone.get_by_role("button", name="Request the return").click()
    expect(phone.get_by_text(re.compile(r"Return #\d+ requested"))).to_be_visible()
    customer.close()

    page.goto("/returns")
    page.get_by_role("link", name=re.compile(r"#\d+")).first.click()
    lines = section(page, "Lines")
    expect(lines).to_contain_text("Wrong size: Too small")
    expect(page.get_by_label("Units of Desk lamp back on the shelf")).to_have_value("1")
    page.get_by_role("button", name="Receive").click()
    expect(page.get_by_role("status")).to_be_visible()
    assert lamps_on_the_shelf() == 4
    # One of two lamps: half of 110.00.
    amount = section(page, "Refund").get_by_label("Amount to refund (USD)")
    expect(amount).to_have_value("55.00")
    section(page, "Refund").get_by_role("button", name="Refund").click()
    expect(section(page, "Refund")).to_have_count(0)

    page.goto(f"/orders/{order.id}")
    expect(page.locator(".statuses")).to_contain_text("partially returned")
    expect(page.locator(".statuses")).to_contain_text("Version 3")
    expect(totals_figure(page, "Refunded")).to_have_text("−$55.00")
    timeline = section(page, "Timeline")
    expect(timeline).to_contain_text("Return requested")
    expect(timeline).to_contain_text("customer via link")
    expect(timeline).to_contain_text("Return received")
