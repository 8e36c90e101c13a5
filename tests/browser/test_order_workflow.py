"""A member of staff takes an order from placed to refunded in the browser: capture part of the
payment, fulfil two of three units, ship with a tracking number (the customer is emailed),
deliver, capture the rest, refund one unit; statuses, totals, stock and timeline follow."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import Page, expect

from app.extensions import db
from app.fulfillment.models import StockLocation
from app.inventory.actions import reserve_order
from app.inventory.models import InventoryLevel
from tests.browser.conftest import open_breakdown, section, totals_figure
from tests.conftest import STAFF_EMAIL
from tests.factories import make_order
from tests.order_pages import reload

pytestmark = pytest.mark.browser


def head_status(page: Page, name: str):
    """The badge beside ``name`` (Status, Payment, Fulfillment) in the page head."""
    return page.locator(".statuses span").filter(has_text=name).locator(".badge")


def stock(sku: str) -> tuple[int, int]:
    db.session.expire_all()
    level = db.session.scalar(db.select(InventoryLevel).where(InventoryLevel.sku == sku))
    return level.stocked, level.reserved


def wait_for_mail(inbox: list, count: int) -> None:
    deadline = time.monotonic() + 5
    while len(inbox) < count and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(inbox) == count


def test_capture_fulfil_ship_deliver_and_refund(staff_page: Page, app, smtp_inbox):
    warehouse = StockLocation(name="Leeds warehouse")
    db.session.add(warehouse)
    db.session.add(InventoryLevel(sku="LAMP-1", location=warehouse, stocked=5, reserved=0))
    order = make_order(email="ada@example.com", authorized=["130.00"], items=[
        {"title": "Desk lamp", "sku": "LAMP-1", "unit_price": "50.00", "quantity": 2},
        {"title": "Lamp shade", "sku": "", "unit_price": "30.00", "quantity": 1},
    ])  # fmt: skip
    reserve_order(order)  # as placing it through the import or a draft does
    db.session.commit()
    assert stock("LAMP-1") == (5, 2)
    page = staff_page
    page.goto(f"/orders/{order.id}")
    expect(totals_figure(page, "Total")).to_have_text("$130.00")

    page.get_by_label("Amount to capture (USD)").fill("100.00")
    page.get_by_role("button", name="Capture").click()
    expect(page.get_by_role("status")).to_have_text("Payment captured.")
    expect(head_status(page, "Payment")).to_have_text("partially captured")
    expect(totals_figure(page, "Paid")).to_have_text("$100.00")
    expect(totals_figure(page, "Outstanding")).to_have_text("$30.00")

    page.get_by_label("Units of Desk lamp to pack").fill("2")
    page.get_by_label("Units of Lamp shade to pack").fill("0")
    page.get_by_role("button", name="Create fulfillment").click()
    expect(page.get_by_role("status")).to_have_text("Fulfillment created.")
    expect(head_status(page, "Fulfillment")).to_have_text("partially fulfilled")
    assert stock("LAMP-1") == (3, 0)  # two lamps off the shelf, no longer held

    page.get_by_label("Carrier").fill("DHL")
    page.get_by_label("Tracking numbers").fill("JD014600003")
    page.get_by_role("button", name="Mark as shipped").click()
    expect(page.get_by_role("status")).to_have_text("Shipment created.")
    expect(head_status(page, "Fulfillment")).to_have_text("partially shipped")
    wait_for_mail(smtp_inbox, 1)
    assert smtp_inbox[0]["To"] == "ada@example.com"
    assert f"#{order.display_id}" in smtp_inbox[0]["Subject"]
    assert "JD014600003" in smtp_inbox[0].get_content()

    page.get_by_role("button", name="Mark as delivered").click()
    expect(page.get_by_role("status")).to_have_text("Marked as delivered.")
    expect(head_status(page, "Fulfillment")).to_have_text("partially delivered")

    page.get_by_label("Amount to capture (USD)").fill("30.00")
    page.get_by_role("button", name="Capture").click()
    expect(head_status(page, "Payment")).to_have_text("captured")

    page.get_by_text("Refund from payment").click()
    page.get_by_label("Amount to refund (USD)").fill("50.00")
    page.get_by_label("Reason").select_option(label="Items returned")
    page.get_by_label("Note", exact=True).fill("One lamp came back")
    page.get_by_role("button", name="Refund", exact=True).click()
    expect(page.get_by_role("status")).to_have_text("Refund created.")
    expect(head_status(page, "Payment")).to_have_text("partially refunded")
    # The order's total is unchanged (no return was recorded) and still counts the refunded
    # $50.00: the panel says so, and that nothing is outstanding, as the payment (with no
    # capture form left) does.
    for label, figure in {"Paid": "$130.00", "Refunded": "−$50.00", "Outstanding": "$0.00",
                          "Refunded without a return": "$50.00"}.items():  # fmt: skip
        expect(totals_figure(page, label), label).to_have_text(figure)
    expect(section(page, "Totals")).to_contain_text("the order total still counts them")
    expect(page.get_by_label("Amount to capture (USD)")).to_have_count(0)
    open_breakdown(page)
    expect(totals_figure(page, "Refundable")).to_have_text("$80.00")
    wait_for_mail(smtp_inbox, 2)
    assert "We have refunded $50.00" in smtp_inbox[1].get_content()

    timeline = section(page, "Timeline").locator("li.event")
    expect(timeline.locator("strong")).to_have_text([
        "Refund created", "Payment captured", "Delivered", "Shipment created",
        "Fulfillment created", "Payment captured", "Order placed",
    ])  # fmt: skip
    expect(timeline.first).to_contain_text(STAFF_EMAIL)
    assert reload(order.id).totals.refunded_total == 50
