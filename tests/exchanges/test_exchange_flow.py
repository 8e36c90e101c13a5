"""Exchanges on the order-change engine: shipped units asked back and new items sent in their
place in one order version; the new items hold stock and the returned units come off the total
when they arrive, so the refund (or the payment) settles the order exactly."""

from decimal import Decimal

import pytest
from sqlalchemy import select

from app.changes import actions as edits
from app.events.models import OrderEvent
from app.exchanges import actions as exchanges
from app.exchanges.actions import NewItem, ShippingChoice
from app.extensions import db
from app.inventory.models import InventoryLevel
from app.orders.actions import OrderActionError
from app.payments.actions import collect_difference, settlement
from app.returns import actions as returns
from app.returns.actions import ReturnRequestLine
from tests.catalog.factories_catalog import make_product
from tests.order_pages import reload
from tests.returns.test_return_flow import STAFF, reason

pytestmark = pytest.mark.usefixtures("app")


@pytest.fixture
def mug(shipped):
    """A stoneware mug at 22.00, 5 in stock at the order's warehouse."""
    _, warehouse = shipped
    make_product("Stoneware mug", sku="MUG-1", prices={"USD": "22.00"})
    db.session.add(InventoryLevel(sku="MUG-1", location=warehouse, stocked=5, reserved=0))
    db.session.commit()


def levels(sku: str) -> tuple[int, int]:
    db.session.expire_all()
    level = db.session.scalar(select(InventoryLevel).where(InventoryLevel.sku == sku))
    return level.stocked, level.reserved


def exchange_a_shirt_for_a_mug(order, warehouse):
    exchange = exchanges.create_exchange(
        order, order.lock_version, [ReturnRequestLine(order.items[0].id, 1, reason("too_small"))],
        [NewItem(1, sku="MUG-1")], location_id=warehouse.id,
        shipping=ShippingChoice(name="Courier", amount=Decimal("5.00")),
        return_shipping_amount=Decimal("7.50"), customer_pays_return_shipping=True, actor=STAFF,
    )  # fmt: skip
    db.session.commit()
    return reload(order.id), exchange.id


def test_an_exchange_settles_the_order_exactly_once_the_unit_arrives(shipped, mug):
    order, warehouse = shipped
    assert order.total == Decimal("148.50")
    order, exchange_id = exchange_a_shirt_for_a_mug(order, warehouse)
    exchange = db.session.get(exchanges.Exchange, exchange_id)

    # The mug (22.00 + 10 % tax), the courier (5.00 + tax) and the return label the customer
    # pays (7.50 + tax) are on the order at once; the shirt still counts until it arrives.
    assert order.total == Decimal("148.50") + Decimal("24.20") + Decimal("5.50") + Decimal("8.25")
    mug_line = order.items[-1]
    assert (mug_line.title, mug_line.unit_price, mug_line.quantity) == (
        "Stoneware mug", Decimal("22.00"), 1)
    assert levels("MUG-1") == (5, 1)
    assert (order.version, order.items[0].return_requested_quantity) == (2, 1)
    # Once the shirt (40.33 of the 121.00 paid for three) comes back, the customer is owed 2.38.
    assert exchange.new_total == order.total - Decimal("40.33") == Decimal("146.12")
    assert exchange.difference == Decimal("-2.38")
    event = db.session.scalar(select(OrderEvent).where(
        OrderEvent.order_id == order.id, OrderEvent.event_type == "order.exchange_created"))
    assert event.data["new_total"] == "146.12" and event.actor == STAFF
    assert "1 × Linen shirt for 1 × Stoneware mug" in event.message

    return_ = exchange.return_
    [part] = return_.items
    returns.receive_return(order, order.lock_version, return_.id, {part.id: (1, 0)}, STAFF)
    db.session.commit()
    order = reload(order.id)
    assert order.total == Decimal("146.12")
    due = returns.refund_to_offer(order, return_)
    assert due == Decimal("2.38")
    returns.refund_return(order, order.lock_version, return_.id, due, STAFF)
    db.session.commit()
    assert reload(order.id).totals.outstanding_amount == Decimal("0.00")


def test_a_dearer_new_item_leaves_the_customer_to_pay_and_nothing_to_refund(shipped):
    order, warehouse = shipped
    exchange = exchanges.create_exchange(
        order, order.lock_version, [ReturnRequestLine(order.items[1].id, 1, reason("too_small"))],
        [NewItem(1, title="Cashmere socks", unit_price=Decimal("30.00"))],
        location_id=warehouse.id, actor=STAFF,
    )  # fmt: skip
    db.session.commit()
    # 33.00 out, 13.75 back: 19.25 to pay, offered as the change's difference.
    assert exchange.difference == Decimal("19.25")
    order = reload(order.id)
    assert settlement(order).to_collect == Decimal("19.25")
    # Until the pair arrives the order counts it too: 33.00 is outstanding, 19.25 collected.
    assert order.totals.outstanding_amount == Decimal("33.00")
    collect_difference(order, order.lock_version, Decimal("19.25"), STAFF)
    db.session.commit()
    order = reload(order.id)
    assert order.events[-1].message.startswith("Collected $19.25 for the exchange")
    assert settlement(order).to_collect == Decimal("0")

    [part] = exchange.return_.items
    returns.receive_return(order, order.lock_version, exchange.return_.id, {part.id: (1, 0)},
                           STAFF)  # fmt: skip
    db.session.commit()
    order = reload(order.id)
    assert returns.refund_to_offer(order, exchange.return_) == Decimal("0")
    assert order.totals.outstanding_amount == Decimal("0.00")


def test_an_exchange_waits_for_an_open_edit(shipped):
    order, warehouse = shipped
    edits.begin_edit(order, order.lock_version, STAFF)
    db.session.commit()
    order = reload(order.id)
    with pytest.raises(OrderActionError, match="open edit .pending.; finish or cancel it before "
                                               "an exchange"):
        exchanges.create_exchange(
            order, order.lock_version, [ReturnRequestLine(order.items[0].id, 1,
                                                          reason("too_small"))],
            [NewItem(1, title="Scarf", unit_price=Decimal("9.00"))], location_id=warehouse.id,
            actor=STAFF,
        )  # fmt: skip


@pytest.mark.parametrize(("new_items", "message"), [
    ([], "Add at least one new item to send in exchange."),
    ([NewItem(1, sku="NOPE")], "That product is no longer in the catalogue."),
    ([NewItem(1, title="Scarf")], "Give the new item a SKU, or a title and a unit price."),
    ([NewItem(1, title="Scarf", unit_price=Decimal("0.001"))], "decimal"),
])  # fmt: skip
def test_a_bad_exchange_is_refused_and_changes_nothing(shipped, new_items, message):
    order, warehouse = shipped
    with pytest.raises(OrderActionError, match=message):
        exchanges.create_exchange(
            order, order.lock_version, [ReturnRequestLine(order.items[0].id, 1,
                                                          reason("too_small"))],
            new_items, location_id=warehouse.id, actor=STAFF,
        )  # fmt: skip
    db.session.rollback()
    order = reload(order.id)
    assert (order.version, len(order.items), order.items[0].return_requested_quantity) == (
        1, 2, 0)
