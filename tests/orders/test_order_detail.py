from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import select

from app.events.models import OrderEvent
from app.extensions import db
from tests.factories import make_order


def cents(amount: Decimal) -> Decimal:
    return amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def test_the_detail_page_shows_every_total_in_the_orders_currency(staff_client):
    # given 2 × $40.00 with 10 % tax and a $5.00 discount, $10.00 shipping with 10 % tax,
    # and $50.00 captured
    order = make_order(
        items=[{"title": "Linen shirt", "sku": "SHIRT-L", "unit_price": "40.00", "quantity": 2,
                "tax": ["10"], "discounts": ["5.00"]}],
        shipping=[{"name": "Express", "amount": "10.00", "tax": ["10"]}],
        captured=["50.00"],
    )  # fmt: skip
    item_subtotal = Decimal("40.00") * 2
    item_tax = cents((item_subtotal - Decimal("5.00")) * Decimal("0.10"))
    item_total = item_subtotal - Decimal("5.00") + item_tax
    shipping_total = Decimal("10.00") + cents(Decimal("10.00") * Decimal("0.10"))
    total = item_total + shipping_total
    # when
    page = staff_client.get(f"/orders/{order.id}").get_data(as_text=True)
    # then
    assert f"Order #{order.display_id}" in page
    assert "SHIRT-L" in page and "Express" in page
    for label, amount in [
        ("Items subtotal", item_subtotal),
        ("Item tax", item_tax),
        ("Items total", item_total),
        ("Shipping total", shipping_total),
        ("Total", total),
        ("Paid", Decimal("50.00")),
        ("Refundable", Decimal("50.00")),
        ("Outstanding", total - Decimal("50.00")),
    ]:
        assert f'<th scope="row">{label}</th><td>${amount:,.2f}</td>' in page, label


def test_a_yen_order_shows_no_decimals(staff_client):
    order = make_order(currency="JPY", items=[{"title": "Tea", "unit_price": "1500",
                                               "quantity": 3}])  # fmt: skip
    page = staff_client.get(f"/orders/{order.id}").get_data(as_text=True)
    assert '<th scope="row">Total</th><td>¥4,500</td>' in page


def test_an_unknown_order_is_404(staff_client):
    assert staff_client.get("/orders/999999").status_code == 404


def test_staff_add_a_note_with_htmx_and_it_appears_in_the_timeline(staff_client):
    order = make_order()
    response = staff_client.post(
        f"/orders/{order.id}/notes",
        data={"text": "Customer called: gift wrap please"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    fragment = response.get_data(as_text=True)
    assert "<html" not in fragment
    assert "Customer called: gift wrap please" in fragment
    assert "staff@orderdesk.test" in fragment
    notes = db.session.scalars(select(OrderEvent).where(OrderEvent.event_type == "note")).all()
    assert [n.message for n in notes] == ["Customer called: gift wrap please"]


def test_an_empty_note_is_refused_with_a_message_and_nothing_saved(staff_client):
    order = make_order()
    response = staff_client.post(
        f"/orders/{order.id}/notes", data={"text": "   "}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 422
    assert "Write something first." in response.get_data(as_text=True)
    assert db.session.scalar(select(OrderEvent).where(OrderEvent.event_type == "note")) is None


def test_without_javascript_a_note_redirects_back_to_the_order(staff_client):
    order = make_order()
    response = staff_client.post(f"/orders/{order.id}/notes", data={"text": "Packed twice"},
                                 follow_redirects=True)  # fmt: skip
    assert "Note added to the timeline." in response.get_data(as_text=True)
    assert "Packed twice" in response.get_data(as_text=True)


def test_a_note_needs_the_csrf_token(staff_client, csrf_enabled):
    order = make_order()
    response = staff_client.post(f"/orders/{order.id}/notes", data={"text": "sneaky"},
                                 headers={"HX-Request": "true"})  # fmt: skip
    assert response.status_code == 400
    assert db.session.scalar(select(OrderEvent).where(OrderEvent.event_type == "note")) is None


def test_the_detail_page_costs_the_same_queries_for_small_or_large_orders(
    staff_client, count_queries
):
    small = make_order(shipping=[{"amount": "4.00"}], captured=["1.00"])
    large = make_order(
        items=[{"title": f"Item {i}", "unit_price": "3.00", "tax": ["5", "2"],
                "discounts": ["1.00"]} for i in range(15)],
        shipping=[{"amount": "4.00", "tax": ["5"]}, {"amount": "2.00"}],
        captured=["10.00", "5.00"],
    )  # fmt: skip
    counts = []
    for order_id in (small.id, large.id):
        count_queries.clear()
        staff_client.get(f"/orders/{order_id}")
        counts.append(len(count_queries))
    assert counts[0] == counts[1]
    # The login, the order, its collections in three groups, the stock locations.
    assert counts[0] <= 6
