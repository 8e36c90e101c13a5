"""Importing orders: what is saved, idempotency by external id, and mixed batches."""

from datetime import UTC, datetime
from decimal import Decimal

from sqlalchemy import func, select

from app.customers.models import Customer
from app.extensions import db
from app.orders import importing
from app.orders.models import Order, OrderStatus, PaymentStatus
from app.store.models import SalesChannel
from tests.api.helpers import order_count, order_payload
from tests.factories import make_channel, make_region


def _order(order_id: int) -> Order:
    db.session.expire_all()
    return db.session.get(Order, order_id)


def test_an_imported_order_is_saved_whole(import_orders):
    response = import_orders(order_payload())
    assert response.status_code == 201
    [result] = response.get_json()["results"]
    assert (result["index"], result["status"], result["display_id"]) == (0, "created", 1001)

    order = _order(result["id"])
    assert (order.email, order.currency_code, order.external_id) == (
        "ada@example.com", "USD", "shop-1001",
    )  # fmt: skip
    assert order.status is OrderStatus.PENDING
    assert order.sales_channel.is_default
    assert [(i.title, i.sku, i.quantity, i.unit_price) for i in order.items] == [
        ("Linen shirt", "SHIRT-M", 2, Decimal("40.00")),
        ("Socks", "", 1, Decimal("9.5")),
    ]
    assert [t.rate for t in order.items[1].tax_lines] == [Decimal(8)]
    assert [(a.code, a.amount) for a in order.items[1].adjustments] == [
        ("SOCKS1", Decimal("1.50"))
    ]
    assert [(s.name, s.amount) for s in order.shipping_methods] == [("Ground", Decimal(5))]
    assert order.shipping_address.lines == [
        "Ada Lovelace", "1 Main St", "12345 Springfield", "US"
    ]  # fmt: skip
    assert order.billing_address is None
    assert (order.customer.email, order.customer.full_name) == ("ada@example.com", "Ada Lovelace")
    [payment] = order.payments
    assert payment.captured_amount == Decimal("100.04")
    # Derived figures are stored for the list: 2 × 40 + 9.50 − 1.50 items, 8 % tax, 5 shipping.
    items_net = Decimal("40.00") * 2 + Decimal("9.50") - Decimal("1.50")
    assert order.total == items_net + items_net * Decimal("0.08") + Decimal("5.00")
    assert order.payment_status is PaymentStatus.CAPTURED
    assert [e.event_type for e in order.events] == ["order.placed"]


def test_history_keeps_its_dates_and_status(import_orders):
    placed = datetime(2024, 11, 5, 9, 30, tzinfo=UTC)
    response = import_orders(
        order_payload(status="canceled", created_at="2024-11-05T09:30:00Z", no_notification=True,
                      metadata={"source": "legacy"})  # fmt: skip
    )
    order = _order(response.get_json()["results"][0]["id"])
    assert order.status is OrderStatus.CANCELED
    assert order.created_at == placed
    assert order.canceled_at == placed
    assert order.no_notification is True
    assert order.metadata_ == {"source": "legacy"}


def test_created_at_is_kept_in_utc_and_without_an_offset_taken_as_utc(import_orders):
    results = import_orders(
        order_payload(external_id="offset", created_at="2024-11-05T11:30:00+02:00"),
        order_payload(external_id="naive", created_at="2024-11-05T09:30:00"),
    ).get_json()["results"]
    placed = datetime(2024, 11, 5, 9, 30, tzinfo=UTC)
    assert [_order(r["id"]).created_at for r in results] == [placed, placed]


def test_display_ids_follow_each_other_across_a_batch(import_orders):
    response = import_orders(*(order_payload(external_id=f"shop-{n}") for n in range(3)))
    assert [r["display_id"] for r in response.get_json()["results"]] == [1001, 1002, 1003]


def test_sending_the_same_external_id_again_returns_the_existing_order(import_orders):
    first = import_orders(order_payload()).get_json()["results"][0]
    again = import_orders(order_payload(email="someone.else@example.com"))
    assert again.status_code == 201
    [result] = again.get_json()["results"]
    assert result == {"index": 0, "status": "existing", "id": first["id"],
                      "display_id": first["display_id"]}  # fmt: skip
    assert order_count() == 1
    assert _order(first["id"]).email == "ada@example.com"


def test_the_same_external_id_twice_in_one_batch_creates_one_order(import_orders):
    response = import_orders(order_payload(), order_payload(), order_payload(external_id="x"))
    results = response.get_json()["results"]
    assert [r["status"] for r in results] == ["created", "existing", "created"]
    assert results[1]["id"] == results[0]["id"]
    assert order_count() == 2


def test_orders_without_external_id_are_always_created(import_orders):
    import_orders(order_payload(external_id=None))
    import_orders(order_payload(external_id=None))
    assert order_count() == 2


def test_the_same_external_id_in_another_sales_channel_is_another_order(import_orders):
    make_channel("Marketplace")
    db.session.commit()
    response = import_orders(order_payload(), order_payload(sales_channel="marketplace"))
    assert [r["status"] for r in response.get_json()["results"]] == ["created", "created"]


def test_an_order_imported_meanwhile_by_another_request_counts_as_existing(
    import_orders, monkeypatch
):
    """Two requests can both see an external id as new; the database's unique constraint
    stops the second, which then answers with the first one's order."""
    first = import_orders(order_payload()).get_json()["results"][0]
    look_up = importing._existing_orders
    looks = []

    def blind_first_look(keys):
        looks.append(keys)
        return {} if len(looks) == 1 else look_up(keys)

    monkeypatch.setattr(importing, "_existing_orders", blind_first_look)
    response = import_orders(order_payload(external_id="new-one"), order_payload())
    assert response.status_code == 201
    results = response.get_json()["results"]
    assert [r["status"] for r in results] == ["created", "existing"]
    assert results[1]["id"] == first["id"]
    assert order_count() == 2


def test_a_mixed_batch_saves_the_valid_orders_and_reports_the_rest(import_orders):
    bad = order_payload(external_id="bad")
    bad["items"][0]["quantity"] = -1
    response = import_orders(order_payload(external_id="good-1"), bad,
                             order_payload(external_id="good-2"))  # fmt: skip
    assert response.status_code == 207
    results = response.get_json()["results"]
    assert [(r["index"], r["status"]) for r in results] == [
        (0, "created"), (1, "invalid"), (2, "created"),
    ]  # fmt: skip
    assert results[1]["errors"] == [
        {"field": "items[0].quantity", "message": "must be a whole number of at least 1"}
    ]
    assert "id" not in results[1]
    assert db.session.scalars(select(Order.external_id).order_by(Order.id)).all() == [
        "good-1", "good-2",
    ]  # fmt: skip


def test_customers_are_matched_by_email_and_created_once(import_orders):
    known = Customer(email="grace@example.com", first_name="Grace", last_name="Hopper")
    db.session.add(known)
    db.session.commit()
    import_orders(
        order_payload(external_id="1", email="GRACE@example.com",
                      customer={"first_name": "G.", "last_name": "H."}),
        order_payload(external_id="2", email="new@example.com",
                      customer={"first_name": "Nina"}),
        order_payload(external_id="3", email="New@Example.com", customer=None),
    )  # fmt: skip
    orders = db.session.scalars(select(Order).order_by(Order.id)).all()
    assert orders[0].customer_id == known.id
    assert orders[1].customer_id == orders[2].customer_id
    assert db.session.scalar(select(func.count()).select_from(Customer)) == 2
    db.session.expire_all()
    assert known.full_name == "Grace Hopper"  # an import does not rename a customer
    assert orders[1].customer.first_name == "Nina"


def test_the_region_is_named_or_found_by_the_currency(import_orders):
    us = make_region("United States", "USD")
    de = make_region("Germany", "EUR", inclusive=True, rate="19")
    make_region("Austria", "EUR", inclusive=True, rate="20")
    db.session.commit()
    results = import_orders(
        order_payload(external_id="by-currency"),
        order_payload(external_id="by-name", currency_code="EUR", region="germany"),
        order_payload(external_id="by-id", currency_code="EUR", region=de.id),
        order_payload(external_id="ambiguous", currency_code="EUR"),
    ).get_json()["results"]
    regions = [_order(r["id"]).region_id for r in results]
    assert regions == [us.id, de.id, de.id, None]


def test_the_sales_channel_is_named_or_the_default(import_orders):
    market = make_channel("Marketplace")
    db.session.commit()
    default = db.session.scalar(select(SalesChannel).where(SalesChannel.is_default))
    results = import_orders(
        order_payload(external_id="1"),
        order_payload(external_id="2", sales_channel="Marketplace"),
        order_payload(external_id="3", sales_channel=market.id),
    ).get_json()["results"]
    assert [_order(r["id"]).sales_channel_id for r in results] == [
        default.id, market.id, market.id,
    ]  # fmt: skip


def test_amounts_sent_as_json_numbers_stay_exact(import_orders):
    order = order_payload(items=[{"title": "Tea", "quantity": 3, "unit_price": 0.1}],
                          payments=[{"amount": 0.3, "status": "authorized"}])  # fmt: skip
    result = import_orders(order).get_json()["results"][0]
    saved = _order(result["id"])
    assert saved.items[0].unit_price == Decimal("0.1")
    assert saved.payments[0].amount == Decimal("0.3")
    assert saved.payment_status is PaymentStatus.AUTHORIZED
