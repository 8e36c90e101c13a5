"""An order edit from start to settled, as the people involved do it: staff add a catalogue
item with the keyboard, lower a quantity and remove a line, read the preview and the
difference, and send it; the customer follows the emailed link on a phone, without the staff's
cookie, and confirms; staff then see version 2, what changed between the versions, and the
refund of exactly the difference, prefilled. The used link shows the outcome, not the form."""

from __future__ import annotations

import re
import time
from decimal import Decimal

import pytest
from playwright.sync_api import Browser, Page, expect

from app.extensions import db
from app.fulfillment.models import StockLocation
from app.inventory.actions import reserve_order
from app.inventory.models import InventoryLevel
from tests.browser.conftest import expect_no_sideways_scroll, section, totals_figure
from tests.catalog.factories_catalog import make_product
from tests.factories import make_order, make_region
from tests.order_pages import reload

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def the_link(inbox: list) -> str:
    """The link in the one email sent, from its plain-text part, as the customer follows it."""
    deadline = time.monotonic() + 5
    while not inbox and time.monotonic() < deadline:
        time.sleep(0.05)
    [message] = inbox
    text = message.get_body(preferencelist=("plain",)).get_content()
    [url] = re.findall(r"https?://\S+/c/order-edits/\S+", text)
    return url


def mugs_held() -> tuple[int, int]:
    db.session.expire_all()
    level = db.session.scalar(db.select(InventoryLevel).where(InventoryLevel.sku == "MUG-1"))
    return level.stocked, level.reserved


def test_staff_edit_the_customer_confirms_and_staff_refund_the_difference(
    staff_page: Page, browser: Browser, live_server: str, smtp_inbox
):
    region = make_region("United States", "USD", inclusive=False, rate="10")
    warehouse = StockLocation(name="Leeds warehouse")
    db.session.add(warehouse)
    db.session.add(InventoryLevel(sku="MUG-1", location=warehouse, stocked=5, reserved=0))
    make_product("Stoneware Mug", sku="MUG-1", prices={"USD": "18.00"})
    # 3 shirts at 40.00 and 2 pairs of socks at 12.50, 10 % tax: 132.00 + 27.50, all paid.
    order = make_order(email="ada@example.com", region=region, captured=["159.50"], items=[
        {"title": "Linen shirt", "unit_price": "40.00", "quantity": 3, "tax": ["10"]},
        {"title": "Wool socks", "unit_price": "12.50", "quantity": 2, "tax": ["10"]},
    ])  # fmt: skip
    reserve_order(order)
    db.session.commit()

    page = staff_page
    page.goto(f"/orders/{order.id}")
    page.get_by_role("link", name="Edit order").click()
    page.get_by_role("button", name="Start an edit").click()
    expect(page.get_by_role("heading", name=f"Edit order #{order.display_id}")).to_be_visible()

    # The mug, found by typing and added with Enter; one shirt instead of three; no socks.
    search = page.get_by_role("combobox", name="Add a product")
    expect(search).to_be_focused()
    page.wait_for_load_state()
    search.press_sequentially("mug", delay=15)
    expect(page.locator("#variant-results [role=option] .result-title")).to_have_text(
        ["Stoneware Mug"])  # fmt: skip
    page.keyboard.press("Enter")
    lines = section(page, "Items")
    expect(lines.get_by_role("row").filter(has_text="Stoneware Mug")).to_contain_text("added")
    page.get_by_label("Quantity of Linen shirt").fill("1")
    page.get_by_label("Quantity of Linen shirt").press("Enter")
    expect(lines.get_by_role("row").filter(has_text="Linen shirt")).to_contain_text("changed")
    page.get_by_role("button", name="Remove Wool socks").click()
    expect(lines.get_by_role("row").filter(has_text="Wool socks")).to_contain_text("Removed")

    # The preview: 44.00 (a shirt) + 19.80 (the mug) = 63.80; 159.50 was paid.
    totals = section(page, "Totals")
    expect(totals.get_by_role("row").filter(has_text="Total")).to_have_text(
        re.compile(r"Total\s*\$159\.50\s*\$63\.80"))  # fmt: skip
    expect(totals).to_contain_text("Difference: $95.70 to be refunded")
    assert reload(order.id).total == Decimal("159.50")  # nothing applied yet

    page.get_by_role("button", name="Request confirmation").click()
    expect(page.get_by_role("status").filter(has_text="Awaiting the customer")).to_be_visible()
    link = the_link(smtp_inbox)

    # The customer, on a phone, with no staff cookie.
    customer = browser.new_context(viewport=PHONE, locale="en-US")
    phone = customer.new_page()
    phone.goto(link)
    expect(phone.get_by_role("heading", name=f"Order #{order.display_id}")).to_be_visible()
    expect(phone.get_by_text("$95.70")).not_to_have_count(0)
    expect_no_sideways_scroll(phone)
    assert phone.get_by_role("link", name="Orders").count() == 0  # no staff navigation
    phone.get_by_role("button", name="Confirm the change").click()
    expect(phone.get_by_role("status")).to_contain_text("You confirmed this change")
    assert mugs_held() == (5, 1)

    # Staff: version 2, what changed, and the refund of exactly the difference.
    page.goto(f"/orders/{order.id}")
    expect(page.locator(".statuses")).to_contain_text("Version 2")
    expect(totals_figure(page, "Total")).to_have_text("$63.80")
    page.get_by_role("link", name="Compare with 1").click()
    diff = section(page, "Items")
    expect(diff.get_by_role("row").filter(has_text="Stoneware Mug")).to_contain_text("added")
    expect(diff.get_by_role("row").filter(has_text="Wool socks")).to_contain_text("removed")
    expect(diff.get_by_role("row").filter(has_text="Linen shirt")).to_contain_text(
        re.compile(r"changed\s*3 → 1"))  # fmt: skip
    page.go_back()
    settle = page.locator(".edit-difference")
    expect(settle).to_contain_text("leaves $95.70 to refund")
    expect(settle.get_by_label("Amount to refund (USD)")).to_have_value("95.70")
    settle.get_by_role("button", name="Refund the difference").click()
    expect(page.get_by_role("status")).to_be_visible()
    expect(page.locator(".edit-difference")).to_have_count(0)
    saved = reload(order.id)
    assert (saved.totals.refunded_total, saved.totals.outstanding_amount) == (
        Decimal("95.70"), Decimal("0.00"))  # fmt: skip

    # The link again: the outcome, no form.
    phone.goto(link)
    expect(phone.get_by_role("status")).to_contain_text("You confirmed this change")
    expect(phone.get_by_role("button", name="Confirm the change")).to_have_count(0)
    customer.close()
