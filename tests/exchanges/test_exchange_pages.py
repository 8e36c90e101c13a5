"""The staff pages of exchanges, as staff use them: start one from the order's page, preview
what it leaves to settle, create it, and read the exchange's page (the units coming back, the
new items going out, the difference and what to do about it); a refusal says why, keeps what
was typed and saves nothing."""

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.catalog.models import ShippingOption
from app.changes import actions as edits
from app.exchanges.models import Exchange
from app.extensions import db
from app.returns import actions as returns
from app.returns.models import Return
from tests.claims.test_claim_pages import claim_form
from tests.conftest import STAFF_EMAIL
from tests.exchanges.test_exchange_flow import levels
from tests.order_pages import refusal, reload
from tests.returns.test_return_flow import STAFF, reason
from tests.returns.test_return_pages import form_to, text

pytestmark = pytest.mark.usefixtures("app")


def exchanges_of(order_id: int) -> list[Exchange]:
    db.session.expire_all()
    return list(db.session.scalars(select(Exchange).where(Exchange.order_id == order_id)))


def a_shirt_for_a_mug(client, order, **typed: str) -> dict[str, list[str]]:
    """The form of the order's exchange, filled in as in the engine's test: one shirt too
    small back to the warehouse, a mug out by courier for 5.00, a 7.50 return label the
    customer pays; ``typed`` changes fields."""
    shirt = order.items[0]
    return form_to(client, f"/orders/{order.id}/exchanges/new", f"/orders/{order.id}/exchanges",
                   **{f"quantity-{shirt.id}": "1", f"reason-{shirt.id}": str(reason("too_small")),
                      "catalogue_items-0-sku": "MUG-1", "catalogue_items-0-quantity": "1",
                      "shipping_name": "Courier", "shipping_amount": "5.00",
                      "return_shipping_name": "Return label", "return_shipping_amount": "7.50",
                      "deduct_shipping": "y", "note": "Swapped at the counter"} | typed)


def test_staff_exchange_items_from_the_order_page(staff_client, shipped, mug):
    order, warehouse = shipped
    page = staff_client.get(f"/orders/{order.id}")
    assert "No exchanges." in text(page)
    assert f'href="/orders/{order.id}/exchanges/new"' in page.get_data(as_text=True)
    form = text(staff_client.get(f"/orders/{order.id}/exchanges/new"))
    assert "Linen shirt (SHIRT-1) 3 of 3" in form and "Wool socks (SOCK-1) 2 of 2" in form

    response = staff_client.post(f"/orders/{order.id}/exchanges",
                                 data=a_shirt_for_a_mug(staff_client, order))  # fmt: skip

    [exchange] = exchanges_of(order.id)
    assert response.status_code == 302
    assert response.location.endswith(f"/exchanges/{exchange.id}")
    assert (exchange.new_total, exchange.difference) == (Decimal("146.12"), Decimal("-2.38"))
    assert (exchange.note, exchange.created_by) == ("Swapped at the counter", STAFF_EMAIL)
    assert [(p.item_id, p.quantity) for p in exchange.return_.items] == [(order.items[0].id, 1)]
    assert (exchange.return_.location_id, exchange.return_.deduct_shipping) == (
        warehouse.id, True)  # fmt: skip
    order = reload(order.id)
    assert [(i.title, i.quantity) for i in order.items[2:]] == [("Stoneware mug", 1)]
    assert [m.name for m in order.shipping_methods][-2:] == ["Courier", "Return label"]
    assert levels("MUG-1") == (5, 1)

    shown = text(staff_client.get(f"/orders/{order.id}"))
    assert f"Exchange #{exchange.id}" in shown and "$2.38 to be refunded" in shown


def test_the_preview_shows_the_new_total_and_the_difference_and_saves_nothing(
    staff_client, shipped, mug
):
    order, _ = shipped
    data = a_shirt_for_a_mug(staff_client, order)
    response = staff_client.post(f"/orders/{order.id}/exchanges/preview", data=data)
    assert response.status_code == 200
    shown = text(response)
    assert ("Order total now $148.50 Once the units arrive $146.12 "
            "Difference $2.38 to be refunded") in shown  # fmt: skip
    html = response.get_data(as_text=True)
    # What was typed is there to send again.
    assert 'value="MUG-1"' in html and 'value="Courier"' in html and 'value="7.50"' in html
    assert exchanges_of(order.id) == [] and reload(order.id).version == 1

    # A dearer item leaves the customer to pay: a 60.00 scarf for one shirt (40.33 back).
    dearer = a_shirt_for_a_mug(staff_client, order, **{
        "catalogue_items-0-sku": "", "custom_items-0-title": "Silk scarf",
        "custom_items-0-unit_price": "60.00", "custom_items-0-quantity": "1",
        "shipping_name": "", "shipping_amount": "", "deduct_shipping": ""})  # fmt: skip
    del dearer["deduct_shipping"]
    shown = text(staff_client.post(f"/orders/{order.id}/exchanges/preview", data=dearer))
    new_total = Decimal("148.50") + Decimal("66.00") - Decimal("40.33")
    assert (f"Order total now $148.50 Once the units arrive ${new_total} "
            f"Difference ${new_total - Decimal('148.50')} to pay") in shown


def test_the_region_s_shipping_options_are_offered(staff_client, shipped, mug):
    order, _ = shipped
    courier = ShippingOption(region_id=order.region_id, name="Courier", amount=Decimal("5.00"))
    db.session.add(courier)
    db.session.commit()
    form = staff_client.get(f"/orders/{order.id}/exchanges/new").get_data(as_text=True)
    assert f'<option value="{courier.id}">Courier · $5.00</option>' in form
    data = a_shirt_for_a_mug(staff_client, order, shipping_option=str(courier.id),
                             shipping_name="", shipping_amount="")  # fmt: skip
    assert staff_client.post(f"/orders/{order.id}/exchanges", data=data).status_code == 302
    [exchange] = exchanges_of(order.id)
    assert exchange.difference == Decimal("-2.38")  # the same 5.00 as the courier named above
    assert reload(order.id).shipping_methods[-2].shipping_option_id == courier.id


@pytest.mark.parametrize(("typed", "message"), [
    ({"catalogue_items-0-sku": "NOPE"}, "That product is no longer in the catalogue."),
    ({"catalogue_items-0-sku": ""}, "Add at least one new item to send in exchange."),
    ({"catalogue_items-0-quantity": ""}, "New item 1, Qty: Give a quantity."),
    ({"custom_items-0-title": "Scarf"},
     "Give the new item a SKU, or a title and a unit price."),
    ({"custom_items-1-title": "Scarf", "custom_items-1-unit_price": "NaN"},
     "Custom item 2, Unit price: Must be a number"),
    ({"custom_items-0-title": "Scarf", "custom_items-0-unit_price": "9.999"},
     "USD amounts have at most 2 decimals."),
    ({"shipping_amount": "-5"}, "Shipping cost: Must be zero or more."),
    ({"shipping_name": ""}, "Give the shipping method a name and an amount."),
    ({"quantity-{shirt}": "4"}, "Linen shirt: 3 can be returned, not 4."),
    ({"reason-{shirt}": ""}, "Linen shirt: pick a reason for the return."),
    ({"return_shipping_amount": "Infinity"}, "Return shipping cost: Must be a number"),
])  # fmt: skip
def test_a_refused_exchange_says_why_keeps_what_was_typed_and_saves_nothing(
    staff_client, shipped, mug, typed, message
):
    order, _ = shipped
    shirt = order.items[0].id
    data = a_shirt_for_a_mug(staff_client, order, **{
        name.format(shirt=shirt): value for name, value in typed.items()})  # fmt: skip
    response = staff_client.post(f"/orders/{order.id}/exchanges", data=data)
    assert response.status_code == 422
    assert refusal(response).startswith(message)
    assert "Swapped at the counter</textarea>" in response.get_data(as_text=True)
    assert exchanges_of(order.id) == []
    assert db.session.scalar(select(func.count()).select_from(Return)) == 0
    order = reload(order.id)
    assert (order.version, len(order.items), order.items[0].return_requested_quantity) == (
        1, 2, 0)  # fmt: skip
    assert levels("MUG-1") == (5, 0)


def test_a_form_from_an_older_version_is_refused_as_stale(staff_client, shipped, mug):
    order, warehouse = shipped
    data = a_shirt_for_a_mug(staff_client, order)
    returns.request_return(order, order.lock_version,
                           [returns.ReturnRequestLine(order.items[1].id, 1, reason("too_small"))],
                           location_id=warehouse.id, actor=STAFF)  # fmt: skip
    db.session.commit()
    response = staff_client.post(f"/orders/{order.id}/exchanges", data=data)
    assert response.status_code == 409
    assert refusal(response)
    assert exchanges_of(order.id) == []


def test_an_exchange_waits_for_an_open_edit(staff_client, shipped, mug):
    order, _ = shipped
    edits.begin_edit(order, order.lock_version, STAFF)
    db.session.commit()
    response = staff_client.post(f"/orders/{order.id}/exchanges",
                                 data=a_shirt_for_a_mug(staff_client, reload(order.id)))
    assert response.status_code == 422
    assert refusal(response) == ("This order has an open edit (pending); finish or cancel it "
                                 "before an exchange.")  # fmt: skip


def create(staff_client, order, **typed) -> Exchange:
    response = staff_client.post(f"/orders/{order.id}/exchanges",
                                 data=a_shirt_for_a_mug(staff_client, order, **typed))
    assert response.status_code == 302, refusal(response)
    [exchange] = exchanges_of(order.id)
    return exchange


def test_the_exchange_page_shows_what_comes_back_what_goes_out_and_the_refund(
    staff_client, shipped, mug
):
    order, _ = shipped
    exchange = create(staff_client, order)
    page = f"/exchanges/{exchange.id}"
    return_id = exchange.return_id
    shown = text(staff_client.get(page))
    assert f"Return #{return_id} Requested".lower() in shown.lower()
    assert f"Order #{order.display_id}" in shown
    assert "Once the units arrive $146.12 Difference $2.38 to be refunded" in shown
    assert f"Refunded from return #{return_id} once its units are received." in shown
    assert "Linen shirt (SHIRT-1) 1 0 Too small" in shown
    # The mug's line: 1 unit, none fulfilled or shipped yet, 22.00 with 10 % tax.
    assert "Stoneware mug (MUG-1) 1 0 0 $24.20" in shown
    assert "Exchange created" in shown and "Swapped at the counter" in shown
    html = staff_client.get(page).get_data(as_text=True)
    assert f'href="/returns/{return_id}"' in html

    order = reload(order.id)
    [part] = exchange.return_.items
    returns.receive_return(order, order.lock_version, return_id, {part.id: (1, 0)}, STAFF)
    db.session.commit()
    shown = text(staff_client.get(page))
    assert f"Refund $2.38 on return #{return_id}" in shown
    assert "Linen shirt (SHIRT-1) 1 1 Too small" in shown
    assert "Return received" in shown
    # The return's page says what it belongs to.
    assert f"Part of exchange #{exchange.id}" in text(staff_client.get(f"/returns/{return_id}"))


def test_an_exchange_the_customer_pays_for_points_to_the_payments(staff_client, shipped):
    order, _ = shipped
    exchange = create(staff_client, order, **{
        "catalogue_items-0-sku": "", "custom_items-0-title": "Silk scarf",
        "custom_items-0-unit_price": "60.00", "shipping_name": "", "shipping_amount": "",
        "return_shipping_amount": ""})  # fmt: skip
    # 66.00 out (with tax), 40.33 back.
    assert exchange.difference == Decimal("25.67")
    shown = text(staff_client.get(f"/exchanges/{exchange.id}"))
    assert "$25.67 to pay" in shown
    assert "the order offers $25.67 to collect under its payments" in shown
    assert "Silk scarf 1 0 0 $66.00" in shown


def test_unknown_exchanges_are_404(staff_client):
    assert staff_client.get("/exchanges/999999").status_code == 404
    assert staff_client.get("/orders/999999/exchanges/new").status_code == 404


@pytest.mark.parametrize("path", ["/exchanges/1", "/orders/1/exchanges/new"])
def test_the_exchange_pages_are_for_staff_only(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert "/login" in response.location


def test_the_order_page_costs_six_queries_with_every_kind_of_change(
    staff_client, shipped, mug, count_queries
):
    # given a shipped order with an exchange (its return), a claim and an edit in progress
    order, _ = shipped
    exchange = create(staff_client, order)
    socks = reload(order.id).items[1]
    claimed = staff_client.post(f"/orders/{order.id}/claims", data=claim_form(
        staff_client, reload(order.id), claim_type="refund", **{
            f"quantity-{socks.id}": "1", f"reason-{socks.id}": "missing_item"}))  # fmt: skip
    assert claimed.status_code == 302
    order = reload(order.id)
    edits.begin_edit(order, order.lock_version, STAFF)
    page = f"/orders/{order.id}"
    db.session.commit()
    # when
    count_queries.clear()
    shown = text(staff_client.get(page))
    # then the login, the order, its collections in three groups, the stock locations
    assert len(count_queries) <= 6
    assert f"Exchange #{exchange.id}" in shown and f"Return #{exchange.return_id}" in shown
    assert "Claim #" in shown and "Missing item" in shown
    assert "Fulfillment #" in shown and "Edit in progress" in shown
