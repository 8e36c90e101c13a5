"""Staff fulfil an order from its detail page: pack from a location, ship with tracking (the
customer is emailed), mark delivered, or cancel before it ships."""

import re

import pytest

from app.extensions import db
from app.fulfillment.models import StockLocation
from app.orders.models import FulfillmentStatus
from tests.factories import make_order
from tests.order_pages import refusal, reload


@pytest.fixture
def warehouse(app):
    location = StockLocation(name="Leeds warehouse", address="1 Dock Rd, Leeds")
    db.session.add(location)
    db.session.commit()
    return location


@pytest.fixture
def order(app):
    """Two lamps and a shade, paid."""
    return make_order(email="ada@example.com", captured=["150.00"], items=[
        {"title": "Desk lamp", "sku": "LAMP-1", "unit_price": "50.00", "quantity": 2},
        {"title": "Lamp shade", "sku": "SHADE-1", "unit_price": "50.00", "quantity": 1},
    ])  # fmt: skip


def fulfil(client, order, warehouse, units: dict[str, str], version=None):
    current = reload(order.id)
    lines = {i.title: i.id for i in current.items}
    data = {"lock_version": current.lock_version if version is None else version,
            "location": warehouse.id,
            **{f"quantity-{lines[title]}": n for title, n in units.items()}}  # fmt: skip
    return client.post(f"/orders/{order.id}/fulfillments", data=data)


def step(client, order, fulfillment_id, what, **data):
    return client.post(f"/orders/{order.id}/fulfillments/{fulfillment_id}/{what}",
                       data={"lock_version": reload(order.id).lock_version, **data})  # fmt: skip


def test_pack_ship_and_deliver_part_of_an_order(staff_client, order, warehouse, smtp_inbox):
    response = fulfil(staff_client, order, warehouse, {"Desk lamp": "2", "Lamp shade": "0"})
    assert response.status_code == 302 and response.headers["Location"].endswith("#fulfillments")
    current = reload(order.id)
    assert current.fulfillment_status == FulfillmentStatus.PARTIALLY_FULFILLED
    [fulfillment] = current.fulfillments
    assert [(p.item.title, p.quantity) for p in fulfillment.items] == [("Desk lamp", 2)]
    assert current.events[-1].message == "2 units packed at Leeds warehouse"
    page = staff_client.get(f"/orders/{order.id}").get_data(as_text=True)
    assert "1 of 1" in page and "Desk lamp</td>" not in page.split("Fulfil items")[1]

    response = step(staff_client, order, fulfillment.id, "ship", carrier="DHL",
                    tracking_numbers="JD0001, JD0002")  # fmt: skip
    assert response.status_code == 302
    current = reload(order.id)
    assert current.fulfillment_status == FulfillmentStatus.PARTIALLY_SHIPPED
    assert current.fulfillments[0].tracking_numbers == ["JD0001", "JD0002"]
    [mail] = smtp_inbox
    assert mail["To"] == "ada@example.com"
    assert f"#{order.display_id} is on its way" in mail["Subject"]
    assert "Tracking: JD0001, JD0002" in mail.get_content()

    step(staff_client, order, fulfillment.id, "deliver")
    current = reload(order.id)
    assert current.fulfillment_status == FulfillmentStatus.PARTIALLY_DELIVERED
    assert [i.delivered_quantity for i in current.items] == [2, 0]

    fulfil(staff_client, order, warehouse, {"Lamp shade": "1"})
    second = reload(order.id).fulfillments[1]
    step(staff_client, order, second.id, "ship", carrier="DHL", tracking_numbers="JD0003")
    step(staff_client, order, second.id, "deliver")
    assert reload(order.id).fulfillment_status == FulfillmentStatus.DELIVERED
    assert len(smtp_inbox) == 2


@pytest.mark.parametrize(("units", "message"), [
    ({"Desk lamp": "3"}, "Desk lamp: 2 of 2 left to fulfil."),
    ({"Desk lamp": "-1"}, "Desk lamp: 2 of 2 left to fulfil."),
    ({"Desk lamp": "0", "Lamp shade": "0"}, "Choose at least one unit to fulfil."),
    ({"Desk lamp": "two"}, "“two” is not a number of units."),
    ({"Desk lamp": "٢"}, "“٢” is not a number of units."),
    ({"Desk lamp": "２"}, "“２” is not a number of units."),
    ({"Desk lamp": str(2**64)}, "Desk lamp: 2 of 2 left to fulfil."),
])  # fmt: skip
def test_a_fulfillment_beyond_what_is_left_or_malformed_is_refused(
    staff_client, order, warehouse, units, message
):
    response = fulfil(staff_client, order, warehouse, units)
    assert response.status_code == 422
    assert refusal(response) == message
    current = reload(order.id)
    assert current.fulfillments == [] and current.fulfillment_status == "not_fulfilled"


def test_a_packed_fulfillment_can_be_canceled_and_its_units_packed_again(
    staff_client, order, warehouse
):
    fulfil(staff_client, order, warehouse, {"Desk lamp": "2", "Lamp shade": "1"})
    fulfillment = reload(order.id).fulfillments[0]
    assert reload(order.id).fulfillment_status == FulfillmentStatus.FULFILLED
    # An order whose items are packed cannot be canceled until the fulfillment is.
    cancel = staff_client.post(f"/orders/{order.id}/status/cancel",
                               data={"lock_version": reload(order.id).lock_version})
    assert cancel.status_code == 422
    assert step(staff_client, order, fulfillment.id, "cancel").status_code == 302
    current = reload(order.id)
    assert current.fulfillments[0].state == "canceled"
    assert [i.fulfilled_quantity for i in current.items] == [0, 0]
    assert current.fulfillment_status == FulfillmentStatus.NOT_FULFILLED
    assert current.events[-1].event_type == "order.fulfillment_canceled"
    assert fulfil(staff_client, order, warehouse, {"Desk lamp": "2"}).status_code == 302


def test_a_shipped_fulfillment_cannot_be_canceled_or_shipped_again(
    staff_client, order, warehouse, smtp_inbox
):
    fulfil(staff_client, order, warehouse, {"Desk lamp": "1"})
    fulfillment = reload(order.id).fulfillments[0]
    step(staff_client, order, fulfillment.id, "ship", carrier="UPS", tracking_numbers="1Z9")
    response = step(staff_client, order, fulfillment.id, "cancel")
    assert response.status_code == 422
    assert refusal(response) == (
        "This fulfillment is shipped; only one that has not shipped can be canceled."
    )
    response = step(staff_client, order, fulfillment.id, "ship", carrier="UPS")
    assert refusal(response) == "This fulfillment is shipped; it cannot ship again."
    assert len(smtp_inbox) == 1


def test_a_fulfillment_form_from_before_another_change_is_refused(
    staff_client, order, warehouse
):
    old = reload(order.id).lock_version
    fulfil(staff_client, order, warehouse, {"Desk lamp": "1"})
    response = fulfil(staff_client, order, warehouse, {"Desk lamp": "1"}, version=old)
    assert response.status_code == 409
    assert [i.fulfilled_quantity for i in reload(order.id).items] == [1, 0]


def test_the_packing_slip_lists_the_parcel_and_where_it_goes(staff_client, order, warehouse):
    fulfil(staff_client, order, warehouse, {"Desk lamp": "2"})
    fulfillment = reload(order.id).fulfillments[0]
    slip = staff_client.get(f"/orders/{order.id}/fulfillments/{fulfillment.id}/packing-slip")
    text = slip.get_data(as_text=True)
    assert slip.status_code == 200
    assert "Leeds warehouse" in text and "1 Dock Rd" in text and "Springfield" in text
    assert re.search(r"Desk lamp</td><td>LAMP-1</td><td class=\"num\">2</td>", text)
    assert "Lamp shade" not in text
