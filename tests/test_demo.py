"""The demo store that ``flask --app app demo-data`` loads."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from html import escape

import pytest
from sqlalchemy import func, select

from app.catalog.models import Product
from app.db_types import utcnow
from app.demo import load_demo_data
from app.events.outbox import OutboxEvent
from app.extensions import db
from app.money import round_money
from app.orders.models import (
    CreditLine,
    GiftCard,
    GiftCardUsage,
    LineItemAdjustment,
    Order,
    ShippingMethodAdjustment,
)
from app.payments.models import Refund
from app.returns.models import ReturnReason
from app.store.models import Region, SalesChannel

ORDERS = 60


@pytest.fixture
def demo(app):
    """The demo store with a few orders; returns the progress messages it printed."""
    messages: list[str] = []
    load_demo_data(orders=ORDERS, progress=messages.append)
    return messages


def _orders() -> list[Order]:
    return list(db.session.scalars(select(Order).order_by(Order.display_id)))


def test_demo_has_three_regions_with_their_currency_and_tax_style(demo):
    regions = {r.name: r for r in db.session.scalars(select(Region))}

    assert {name: (r.currency_code, r.is_tax_inclusive) for name, r in regions.items()} == {
        "United States": ("USD", False),
        "Germany": ("EUR", True),
        "Japan": ("JPY", True),
    }
    assert {r.rate for r in regions["Germany"].tax_rates} == {19, 7}
    assert regions["Germany"].default_tax_rate.rate == 19
    assert regions["Japan"].default_tax_rate.rate == 10
    assert regions["United States"].default_tax_rate is not None


def test_demo_orders_come_from_two_named_sales_channels(demo):
    per_channel = Counter(order.sales_channel.name for order in _orders())

    assert per_channel["Web Store"] > 0
    assert per_channel["Point of Sale"] > 0
    assert sum(per_channel.values()) == ORDERS


def test_demo_orders_are_in_every_payment_and_order_status(demo):
    orders = _orders()
    payment_statuses = {o.payment_status.value for o in orders}
    statuses = {o.status.value for o in orders}

    assert {"not_paid", "authorized", "captured", "partially_refunded", "refunded"} <= (
        payment_statuses
    )
    assert statuses == {"pending", "completed", "archived", "canceled", "requires_action"}
    assert Counter(o.status.value for o in orders).most_common(1)[0][0] == "pending"
    assert len({o.fulfillment_status.value for o in orders}) >= 3


def test_refunded_demo_payments_have_a_capture_and_a_refund_with_a_reason(demo):
    refunded = [o for o in _orders() if o.payment_status.value == "refunded"]

    assert refunded
    for order in refunded:
        (payment,) = order.payments
        assert payment.captured_amount == payment.refunded_amount == order.total
        assert all(refund.reason for refund in payment.refunds)


def test_every_stored_total_equals_the_order_totals(demo):
    for order in _orders():
        assert order.total == order.totals.total
        assert order.total > 0


def test_demo_line_taxes_follow_the_region(demo):
    for order in _orders():
        region = order.region
        assert order.currency_code == region.currency_code
        assert order.shipping_address.country_code == region.countries
        rates = {(rate.code, rate.rate) for rate in region.tax_rates}
        for line in [*order.items, *order.shipping_methods]:
            assert line.is_tax_inclusive == region.is_tax_inclusive
            assert len(line.tax_lines) == 1
            assert {(t.code, t.rate) for t in line.tax_lines} <= rates


def test_demo_amounts_have_the_currency_precision(demo):
    for order in _orders():
        currency = order.currency_code
        amounts = [item.unit_price for item in order.items]
        amounts += [method.amount for method in order.shipping_methods]
        amounts += [a.amount for line in order.items for a in line.adjustments]
        amounts += [c.amount for p in order.payments for c in [*p.captures, *p.refunds]]
        assert all(amount == round_money(amount, currency) for amount in amounts)


def test_demo_uses_promotions_gift_cards_and_credit_lines(demo):
    def count(model) -> int:
        return db.session.scalar(select(func.count()).select_from(model))

    codes = set(db.session.scalars(select(LineItemAdjustment.code)))
    assert codes <= {"WELCOME10", "SUMMER5"} and codes
    assert count(ShippingMethodAdjustment) > 0
    assert count(GiftCardUsage) > 0
    assert count(CreditLine) > 0
    assert count(Refund) > 0


def test_gift_card_balances_are_reduced_by_what_orders_used(demo):
    for card in db.session.scalars(select(GiftCard)):
        used = db.session.scalars(
            select(GiftCardUsage.amount).where(GiftCardUsage.gift_card_id == card.id)
        )
        assert card.balance == card.value - sum(used)
        assert card.balance >= 0


def test_every_demo_product_has_a_picture_the_app_serves(demo, client):
    products = list(db.session.scalars(select(Product)))
    assert len(products) >= 30
    for product in products:
        assert product.thumbnail, product.title
        response = client.get(product.thumbnail)
        assert response.status_code == 200, product.thumbnail
        assert response.mimetype == "image/svg+xml"
        assert f'aria-label="{escape(product.title)}"' in response.get_data(as_text=True)
        response.close()


def test_demo_display_ids_start_at_1001_and_follow_the_order_dates(demo):
    orders = _orders()

    assert [o.display_id for o in orders] == list(range(1001, 1001 + ORDERS))
    dates = [o.created_at for o in orders]
    assert dates == sorted(dates)
    assert dates[0] >= utcnow() - timedelta(days=90)


def test_demo_orders_have_a_timeline_starting_with_the_placement(demo):
    for order in _orders():
        assert order.events[0].event_type == "order.placed"
        assert order.events[0].created_at == order.created_at
        assert [e.created_at for e in order.events] == sorted(e.created_at for e in order.events)


def test_demo_reports_progress_every_hundred_orders(app):
    messages: list[str] = []

    load_demo_data(orders=150, progress=messages.append)

    assert messages == ["Created 100 of 150 orders", "Created 150 of 150 orders"]


def test_loading_the_demo_twice_adds_orders_to_the_same_store(app):
    load_demo_data(orders=20, progress=lambda message: None)
    load_demo_data(orders=20, progress=lambda message: None)

    assert db.session.scalar(select(func.count()).select_from(Region)) == 3
    channels = set(db.session.scalars(select(SalesChannel.name)))
    assert channels == {"Default Sales Channel", "Web Store", "Point of Sale"}
    assert [o.display_id for o in _orders()] == list(range(1001, 1041))


def test_demo_data_command_loads_once_when_asked_if_empty(app):
    runner = app.test_cli_runner()

    first = runner.invoke(args=["demo-data", "--orders", "20", "--if-empty"])
    second = runner.invoke(args=["demo-data", "--orders", "20", "--if-empty"])

    assert "Created 20 of 20 orders" in first.output
    assert "Orders exist already" in second.output
    assert "Demo login: demo@orderdesk.test" in second.output
    assert db.session.scalar(select(func.count()).select_from(Order)) == 20


def test_demo_orders_can_be_fulfilled_from_a_demo_location(demo, staff_client):
    order = next(o for o in _orders() if o.status.value == "pending" and o.items
                 and o.fulfillment_status.value == "not_fulfilled")  # fmt: skip
    page = staff_client.get(f"/orders/{order.id}").get_data(as_text=True)
    assert "Create fulfillment" in page
    assert '<option value="' in page and "Main warehouse" in page and "Berlin shop" in page


def test_demo_return_reasons_are_created_once_with_their_children(app):
    load_demo_data(orders=1, progress=lambda message: None)
    load_demo_data(orders=1, progress=lambda message: None)

    reasons = db.session.scalars(select(ReturnReason).order_by(ReturnReason.id)).all()
    assert {r.value: (r.label, r.parent and r.parent.value, r.is_active) for r in reasons} == {
        "wrong_size": ("Wrong size", None, True),
        "too_small": ("Too small", "wrong_size", True),
        "too_large": ("Too large", "wrong_size", True),
        "damaged": ("Damaged or faulty", None, True),
        "not_as_described": ("Not as described", None, True),
        "changed_mind": ("Changed my mind", None, True),
        "other": ("Other", None, True),
    }
    assert len(reasons) == 7


def test_the_demo_stores_past_emails_nobody_and_leaves_the_outbox_healthy(demo, client):
    assert db.session.scalar(select(func.count()).select_from(OutboxEvent)) == 0
    assert client.get("/healthz").get_json()["outbox"]["due"] == 0
