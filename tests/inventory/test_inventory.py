"""Stock per SKU and location: staff adjust it with a reason; placing an order (a converted
draft, an import) holds its units; fulfilling takes them off the shelf; canceling gives them
back. Available stock never goes below zero unless the variant allows backorders."""

import re
import threading

import pytest
from sqlalchemy import func, select

from app.catalog.models import ProductVariant
from app.extensions import db
from app.fulfillment.models import StockLocation
from app.inventory.models import InventoryAdjustment, InventoryLevel, Reservation
from app.orders.models import Order, OrderStatus
from app.store.models import SalesChannel
from tests.api.helpers import IMPORT_URL, order_payload
from tests.catalog.factories_catalog import make_product
from tests.draft_orders.test_draft_builder import new_draft, post, version_of
from tests.factories import make_region


def level(sku: str, location: StockLocation) -> tuple[int, int, int]:
    """(stocked, held by orders, available) of ``sku`` at ``location``."""
    db.session.expire_all()
    row = db.session.scalar(select(InventoryLevel).where(
        InventoryLevel.sku == sku, InventoryLevel.location_id == location.id))  # fmt: skip
    return (row.stocked, row.reserved, row.available)


@pytest.fixture
def warehouse(app):
    make_region("United States", "USD", inclusive=False, rate="10")
    location = StockLocation(name="Leeds warehouse")
    db.session.add(location)
    db.session.commit()
    return location


def adjust(client, warehouse, sku, change, reason="Delivery from the supplier"):
    return client.post("/settings/inventory", data={
        "sku": sku, "location": warehouse.id, "change": change, "reason": reason})  # fmt: skip


def test_staff_adjust_stock_with_a_reason_kept_in_the_history(staff_client, warehouse):
    assert adjust(staff_client, warehouse, "MUG-1", "12").status_code == 302
    assert adjust(staff_client, warehouse, "MUG-1", "-2", "Two broken in the stockroom")
    assert level("MUG-1", warehouse) == (10, 0, 10)
    page = staff_client.get("/settings/inventory?sku=MUG").get_data(as_text=True)
    assert "Two broken in the stockroom" in page and "staff@orderdesk.test" in page
    history = db.session.scalars(select(InventoryAdjustment).order_by(InventoryAdjustment.id))
    assert [(a.change, a.stocked_after) for a in history] == [(12, 12), (-2, 10)]


@pytest.mark.parametrize(("change", "reason", "message"), [
    ("-11", "Count", "MUG-1 at Leeds warehouse: 10 stocked, 0 held by orders; at most 10 can "
                     "be taken away."),
    ("0", "Count", "The change must add or take away units."),
    ("5", "", "Please check the highlighted fields."),
])  # fmt: skip
def test_an_adjustment_that_would_go_below_zero_or_says_nothing_is_refused(
    staff_client, warehouse, change, reason, message
):
    adjust(staff_client, warehouse, "MUG-1", "10")
    response = adjust(staff_client, warehouse, "MUG-1", change, reason)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert level("MUG-1", warehouse) == (10, 0, 10)


def sell(client, variant_id: int, quantity: int = 1):
    """A draft for ``quantity`` units of the variant, paid; returns (draft, convert response)."""
    draft = new_draft(client)
    post(client, draft, "/customer", {"email": "ada@example.com"})
    post(client, draft, "/items/variant", {"variant_id": variant_id})
    if quantity > 1:
        item = db.session.get(Order, draft.id).items[0]
        post(client, draft, f"/items/{item.id}", {"quantity": quantity,
                                                  "unit_price": str(item.unit_price)})
    post(client, draft, "/payment", {"mode": "now"})
    return draft, post(client, draft, "/convert", {})


@pytest.fixture
def mug(warehouse, staff_client):
    product = make_product(sku="MUG-1")
    adjust(staff_client, warehouse, "MUG-1", "3")
    return product.variants[0]


def test_placing_fulfilling_and_canceling_move_the_stock(staff_client, warehouse, mug):
    draft, response = sell(staff_client, mug.id, quantity=2)
    assert response.status_code == 200 and "HX-Redirect" in response.headers
    assert level("MUG-1", warehouse) == (3, 2, 1)

    order = db.session.get(Order, draft.id)
    item = order.items[0]
    staff_client.post(f"/orders/{order.id}/fulfillments", data={
        "lock_version": version_of(order.id), "location": warehouse.id, f"quantity-{item.id}": 2})
    assert level("MUG-1", warehouse) == (1, 0, 1)  # off the shelf, no longer held

    fulfillment = db.session.get(Order, draft.id).fulfillments[0]
    staff_client.post(f"/orders/{order.id}/fulfillments/{fulfillment.id}/cancel",
                      data={"lock_version": version_of(order.id)})  # fmt: skip
    assert level("MUG-1", warehouse) == (3, 2, 1)  # back on the shelf, held again

    response = staff_client.post(f"/orders/{order.id}/status/cancel",
                                 data={"lock_version": version_of(order.id)})  # fmt: skip
    assert response.status_code == 302
    assert level("MUG-1", warehouse) == (3, 0, 3)


def test_an_order_for_more_than_is_available_is_not_placed(staff_client, warehouse, mug):
    sell(staff_client, mug.id, quantity=3)
    draft = new_draft(staff_client)
    # the builder refuses the line before any payment is taken
    response = post(staff_client, draft, "/items/variant", {"variant_id": mug.id})
    assert response.status_code == 422
    assert "Stoneware Mug (MUG-1): 0 available, 1 ordered." in response.get_data(as_text=True)
    draft = db.session.get(Order, draft.id)
    assert (draft.status, draft.items, draft.payments) == (OrderStatus.DRAFT, [], [])
    assert level("MUG-1", warehouse) == (3, 3, 0)


def test_stock_taken_between_payment_and_conversion_refuses_the_conversion(
    staff_client, warehouse, mug
):
    draft = new_draft(staff_client)
    post(staff_client, draft, "/customer", {"email": "ada@example.com"})
    post(staff_client, draft, "/items/variant", {"variant_id": mug.id})
    assert post(staff_client, draft, "/payment", {"mode": "now"}).status_code == 200
    sell(staff_client, mug.id, quantity=3)  # another till sells the last three meanwhile

    response = post(staff_client, draft, "/convert", {})

    assert response.status_code == 422
    assert "Stoneware Mug (MUG-1): 0 available, 1 ordered." in response.get_data(as_text=True)
    assert db.session.get(Order, draft.id).status == OrderStatus.DRAFT
    assert level("MUG-1", warehouse) == (3, 3, 0)


def test_a_line_is_split_over_the_channels_locations_when_none_has_it_all(
    staff_client, warehouse, mug
):
    shop = StockLocation(name="Berlin shop")
    db.session.add(shop)
    db.session.commit()
    adjust(staff_client, shop, "MUG-1", "2")  # 3 in Leeds, 2 in Berlin

    draft, response = sell(staff_client, mug.id, quantity=4)

    assert "HX-Redirect" in response.headers
    # the most from the location with the most, the rest from the next
    assert level("MUG-1", warehouse) == (3, 3, 0)
    assert level("MUG-1", shop) == (2, 1, 1)
    held = db.session.scalars(select(Reservation).where(Reservation.order_id == draft.id))
    assert sorted((r.level.location.name, r.quantity) for r in held) == [
        ("Berlin shop", 1), ("Leeds warehouse", 3),
    ]  # fmt: skip


def test_a_variant_that_allows_backorders_can_be_sold_beyond_the_stock(
    staff_client, warehouse, mug
):
    db.session.get(ProductVariant, mug.id).allow_backorder = True
    db.session.commit()
    draft, response = sell(staff_client, mug.id, quantity=5)
    assert "HX-Redirect" in response.headers
    assert level("MUG-1", warehouse) == (3, 5, -2)


def test_an_import_holds_stock_and_refuses_an_order_it_cannot_serve(
    client, api_headers, warehouse, staff_client
):
    adjust(staff_client, warehouse, "SHIRT-M", "3")
    first = order_payload(external_id="a-1")  # 2 × SHIRT-M
    second = order_payload(external_id="a-2")
    response = client.post(IMPORT_URL, json={"orders": [first, second]}, headers=api_headers)
    assert response.status_code == 207
    results = response.get_json()["results"]
    assert results[0]["status"] == "created"
    assert results[1]["status"] == "invalid"
    assert results[1]["errors"] == [
        {"field": "items", "message": "Linen shirt (SHIRT-M): 1 available, 2 ordered."}
    ]
    assert db.session.scalar(select(func.count()).select_from(Order)) == 1
    assert level("SHIRT-M", warehouse) == (3, 2, 1)


def test_two_orders_for_the_last_unit_hold_it_once(app, staff_client, warehouse, mug):
    sell(staff_client, mug.id, quantity=2)  # one left
    drafts = []
    for _ in range(2):
        draft = new_draft(staff_client)
        post(staff_client, draft, "/customer", {"email": "ada@example.com"})
        post(staff_client, draft, "/items/variant", {"variant_id": mug.id})
        post(staff_client, draft, "/payment", {"mode": "now"})
        drafts.append((draft.id, version_of(draft.id)))
    start = threading.Barrier(2)
    statuses = []

    def convert(draft_id: int, version: int) -> None:
        start.wait()
        response = staff_client.post(f"/draft-orders/{draft_id}/convert",
                                     data={"lock_version": version})  # fmt: skip
        statuses.append(response.status_code)

    threads = [threading.Thread(target=convert, args=d) for d in drafts]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [302, 422]
    assert level("MUG-1", warehouse) == (3, 3, 0)


def test_an_order_draws_only_from_the_locations_of_its_sales_channel(
    staff_client, warehouse, mug
):
    shop = StockLocation(name="Berlin shop")
    db.session.add(shop)
    db.session.commit()
    channel = db.session.scalar(select(SalesChannel).where(SalesChannel.is_default))
    response = staff_client.post(f"/settings/sales-channels/{channel.id}/locations",
                                 data={"location": [str(shop.id)]})  # fmt: skip
    assert response.status_code == 302
    page = staff_client.get("/settings/inventory").get_data(as_text=True)
    assert re.search(rf'value="{shop.id}" checked> Berlin shop', page)

    draft = new_draft(staff_client)
    post(staff_client, draft, "/customer", {"email": "ada@example.com"})
    response = post(staff_client, draft, "/items/variant", {"variant_id": mug.id})
    assert response.status_code == 422
    assert "Stoneware Mug (MUG-1) is not stocked where this sales channel ships from." in (
        response.get_data(as_text=True))
    assert level("MUG-1", warehouse) == (3, 0, 3)  # Leeds has it, but the channel ships from Berlin

    adjust(staff_client, shop, "MUG-1", "1")
    post(staff_client, draft, "/items/variant", {"variant_id": mug.id})
    post(staff_client, draft, "/payment", {"mode": "now"})
    response = post(staff_client, draft, "/convert", {})
    assert "HX-Redirect" in response.headers
    assert level("MUG-1", shop) == (1, 1, 0)
    assert level("MUG-1", warehouse) == (3, 0, 3)
