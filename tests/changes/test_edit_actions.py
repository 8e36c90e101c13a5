"""Order edits through the engine's actions, on the database: staged actions touch nothing
until confirmation, which applies exactly the preview, keeps both versions and tells the
outbox; decline and cancel leave the order as it was."""

from decimal import Decimal

import pytest
from sqlalchemy import select

from app.changes import actions as edits
from app.changes.models import ChangeStatus, OrderVersion
from app.extensions import db
from app.orders.models import OrderStatus
from tests.factories import make_order
from tests.order_pages import reload

STAFF = "staff@example.com"

pytestmark = pytest.mark.usefixtures("app")


def shop_order(**overrides):
    return make_order(items=[
        {"title": "Linen shirt", "unit_price": "40.00", "quantity": 3, "tax": ["10"],
         "discounts": ["6.00"]},
        {"title": "Wool socks", "unit_price": "12.50", "quantity": 2, "tax": ["10"]},
    ], shipping=[{"name": "Standard", "amount": "5.00", "tax": ["10"]}],
        captured=["158.40"], **overrides)  # fmt: skip


def begin(order):
    change = edits.begin_edit(order, order.lock_version, STAFF)
    db.session.commit()
    return reload(order.id), change.id


def test_staged_actions_touch_nothing_and_the_preview_shows_what_they_would_do():
    order, change_id = begin(shop_order())
    shirt, socks = order.items
    before = (order.total, order.lock_version, [(i.title, i.quantity) for i in order.items])
    assert order.total == Decimal("158.40")  # 114 + 11.40 tax, 25 + 2.50 tax, 5 + 0.50 tax
    edits.update_item(order, order.lock_version, change_id, shirt.id, quantity=2,
                      unit_price=None, actor=STAFF)  # fmt: skip
    edits.remove_item(order, order.lock_version, change_id, socks.id, actor=STAFF)
    edits.add_custom_item(order, order.lock_version, change_id, title="Gift wrap",
                          unit_price=Decimal("3.00"), quantity=1, actor=STAFF)  # fmt: skip
    db.session.commit()
    order = reload(order.id)
    assert [(i.title, i.quantity) for i in order.items] == before[2]
    assert order.total == before[0]
    change = edits.open_change(order.id)
    result = edits.preview(order, change)
    assert [(line.title, line.quantity) for line in result.proposed.items] == [
        ("Linen shirt", 2), ("Gift wrap", 1)]  # fmt: skip
    # The shirt's 6.00 discount on 3 units is 4.00 on 2: 80 - 4 + 7.60 tax = 83.60; the wrap is
    # taxed at the region's rate (none here: the factory order has no region); shipping 5.50.
    assert result.proposed.totals.total == Decimal("83.60") + Decimal("3.00") + Decimal("5.50")
    assert result.difference == result.proposed.totals.total - Decimal("158.40")
    assert [pair.kind for pair in result.lines] == ["changed", "removed", "added"]


def test_confirming_applies_the_preview_and_keeps_both_versions():
    order, change_id = begin(shop_order())
    shirt, socks = order.items
    edits.update_item(order, order.lock_version, change_id, shirt.id, quantity=1,
                      unit_price=None, actor=STAFF)  # fmt: skip
    edits.remove_shipping(order, order.lock_version, change_id, order.shipping_methods[0].id,
                          actor=STAFF)  # fmt: skip
    db.session.commit()
    order = reload(order.id)
    expected = edits.preview(order, edits.open_change(order.id)).proposed.totals
    edits.confirm_change(order, order.lock_version, change_id, STAFF)
    db.session.commit()
    order = reload(order.id)
    assert order.version == 2
    assert [(i.title, i.quantity) for i in order.items] == [("Linen shirt", 1), ("Wool socks", 2)]
    assert order.items[0].adjustments[0].amount == Decimal("2.00")
    assert order.shipping_methods == []
    assert order.totals == expected
    versions = db.session.scalars(select(OrderVersion).where(OrderVersion.order_id == order.id)
                                  .order_by(OrderVersion.version)).all()  # fmt: skip
    assert [v.version for v in versions] == [1, 2]
    assert versions[0].snapshot["totals"]["total"] == "158.40"
    assert Decimal(versions[1].snapshot["totals"]["total"]) == order.total == Decimal("69.30")
    assert [(e.event_type, e.data["version"]) for e in order.events
            if e.event_type == "order-edit.confirmed"] == [("order-edit.confirmed", 2)]
    # Outstanding: what was paid beyond the new total is to be refunded.
    assert order.totals.outstanding_amount == order.total - Decimal("158.40")


def test_a_second_open_change_is_refused_with_the_reason():
    order, _ = begin(shop_order())
    with pytest.raises(edits.ChangeError, match="already has an open edit"):
        edits.begin_edit(order, order.lock_version, STAFF)


@pytest.mark.parametrize("status", [OrderStatus.CANCELED, OrderStatus.ARCHIVED])
def test_closed_orders_take_no_edits(status):
    order = shop_order(status=status)
    with pytest.raises(edits.ChangeError, match=f"A {status.value} order cannot be edited"):
        edits.begin_edit(order, order.lock_version, STAFF)


def test_declining_leaves_the_order_as_it_was():
    order, change_id = begin(shop_order())
    edits.remove_item(order, order.lock_version, change_id, order.items[1].id, actor=STAFF)
    edits.request_confirmation(order, order.lock_version, change_id, STAFF)
    db.session.commit()
    order = reload(order.id)
    edits.decline_change(order, order.lock_version, change_id, "Keep the socks", "customer")
    db.session.commit()
    order = reload(order.id)
    assert (order.version, len(order.items), order.total) == (1, 2, Decimal("158.40"))
    change = db.session.get(edits.OrderChange, change_id)
    assert (change.status, change.declined_reason) == (ChangeStatus.DECLINED, "Keep the socks")
