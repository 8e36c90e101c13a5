"""A claim at the counter, in the browser: a customer reports that one of the two lamps they were
sent does not work; staff open the shipped order, create a claim to replace it at no charge
without asking it back, read the claim (also on a phone), then fulfil and ship the replacement
through the order's fulfillment panel, as any other line. The order's total does not move."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from app.extensions import db
from app.fulfillment.actions import create_fulfillment, ship_fulfillment
from app.fulfillment.models import StockLocation
from app.inventory.actions import reserve_order
from app.inventory.models import InventoryLevel
from tests.browser.conftest import expect_no_sideways_scroll, section, totals_figure
from tests.factories import make_order, make_region

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1024, "height": 768}
STAFF = "staff@example.com"


def lamps() -> tuple[int, int]:
    """The lamps on the shelf, and how many of them are held for orders."""
    db.session.expire_all()
    level = db.session.scalar(db.select(InventoryLevel).where(InventoryLevel.sku == "LAMP-1"))
    return level.stocked, level.reserved


def test_staff_replace_a_faulty_lamp_at_no_charge_and_ship_the_replacement(staff_page: Page):
    region = make_region("United States", "USD", inclusive=False, rate="10")
    warehouse = StockLocation(name="Leeds warehouse")
    db.session.add(warehouse)
    db.session.add(InventoryLevel(sku="LAMP-1", location=warehouse, stocked=5, reserved=0))
    # Two lamps at 50.00 with 10 % tax: 110.00, paid and shipped.
    order = make_order(email="ada@example.com", region=region, captured=["110.00"], items=[
        {"title": "Desk lamp", "sku": "LAMP-1", "unit_price": "50.00", "quantity": 2,
         "tax": ["10"]}], commit=False)  # fmt: skip
    reserve_order(order)
    db.session.flush()
    fulfillment = create_fulfillment(order, order.lock_version, warehouse.id,
                                     {order.items[0].id: 2}, STAFF)  # fmt: skip
    ship_fulfillment(order, order.lock_version, fulfillment.id, carrier="DHL",
                     tracking_numbers=["JD1"], actor=STAFF)  # fmt: skip
    db.session.commit()
    assert lamps() == (3, 0)

    page = staff_page
    page.set_viewport_size(DESKTOP)
    page.goto(f"/orders/{order.id}")
    expect(totals_figure(page, "Total")).to_have_text("$110.00")
    section(page, "Claims").get_by_role("link", name="Create a claim").click()
    page.get_by_label("Replace them at no charge").check()
    page.get_by_label("Units of Desk lamp claimed").fill("1")
    page.get_by_label("Why Desk lamp is claimed").select_option(label="Production failure")
    page.get_by_label("Note on Desk lamp").fill("Does not switch on")
    expect(page.get_by_label("The customer sends the faulty units back")).not_to_be_checked()
    page.get_by_role("button", name="Create the claim").click()

    expect(page.get_by_role("status")).to_have_text(re.compile(r"Claim #\d+ created\."))
    claimed = section(page, "Claimed units")
    expect(claimed).to_contain_text("Production failure")
    expect(claimed).to_contain_text("Does not switch on")
    replacement = section(page, "Replacement").get_by_role("row").filter(has_text="Desk lamp")
    # One lamp, at no charge, neither fulfilled nor shipped yet.
    expect(replacement.get_by_role("cell")).to_have_text(["Desk lamp (LAMP-1)", "1", "$0.00",
                                                          "0", "0"])  # fmt: skip
    expect(section(page, "Timeline")).to_contain_text("Claim created")
    claim_url = page.url

    page.set_viewport_size(PHONE)
    expect(section(page, "Replacement")).to_be_visible()
    expect_no_sideways_scroll(page)
    page.set_viewport_size(DESKTOP)

    section(page, "Replacement").get_by_role("link", name=re.compile("fulfillment panel")).click()
    items = section(page, "Items")
    expect(items.get_by_role("row").filter(has_text="Desk lamp")).to_have_count(2)
    expect(items.get_by_role("row").filter(has_text="Desk lamp").nth(1)).to_contain_text("$0.00")
    expect(totals_figure(page, "Total")).to_have_text("$110.00")
    expect(section(page, "Claims")).to_contain_text("Production failure")
    assert lamps() == (3, 1)  # held for the replacement

    panel = section(page, "Fulfillment")
    expect(panel.get_by_label("Units of Desk lamp to pack")).to_have_value("1")
    panel.get_by_role("button", name="Create fulfillment").click()
    expect(page.get_by_role("status")).to_be_visible()
    panel.get_by_label("Carrier").fill("DHL")
    panel.get_by_label("Tracking numbers").fill("JD014600004")
    panel.get_by_role("button", name="Mark as shipped").click()
    expect(page.get_by_role("status")).to_have_text("Shipment created.")
    expect(panel.locator(".fulfillment-shipped")).to_have_count(2)
    expect(panel.locator(".fulfillment-shipped").nth(1)).to_contain_text("JD014600004")
    expect(panel.get_by_role("button", name="Create fulfillment")).to_have_count(0)
    assert lamps() == (2, 0)
    expect(totals_figure(page, "Total")).to_have_text("$110.00")

    page.goto(claim_url)
    expect(section(page, "Replacement").get_by_role("row").filter(has_text="Desk lamp")
           .get_by_role("cell")).to_have_text(["Desk lamp (LAMP-1)", "1", "$0.00", "1", "1"])
