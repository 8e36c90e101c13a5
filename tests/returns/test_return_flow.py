"""Returns on the order-change engine: staff ask for shipped units back with a reason, receive
them (back on the shelf, or damaged and written off), and refund exactly what the received
units were paid; each step is the order's next version, refused with the reason when it cannot
be, and leaves nothing half done."""

from decimal import Decimal

import pytest
from sqlalchemy import select

from app.changes import actions as edits
from app.changes.models import ChangeType, OrderChange
from app.events.outbox import deliver_pending
from app.extensions import db
from app.fulfillment.actions import create_fulfillment, ship_fulfillment
from app.fulfillment.models import StockLocation
from app.inventory.actions import reserve_order
from app.inventory.models import InventoryLevel
from app.orders.actions import OrderActionError, StaleOrderError
from app.returns import actions as returns
from app.returns.actions import ReturnRequestLine
from app.returns.models import ReturnReason, ReturnStatus
from tests.factories import make_order, make_region
from tests.order_pages import reload

STAFF = "staff@example.com"
pytestmark = pytest.mark.usefixtures("app")


@pytest.fixture
def shipped():
    """3 shirts (10.00 off the three) and 2 pairs of socks at 10 % tax, paid, all shipped from
    the warehouse that stocks them; the reasons staff pick from."""
    region = make_region("United States", "USD", inclusive=False, rate="10")
    warehouse = StockLocation(name="Leeds warehouse")
    db.session.add(warehouse)
    db.session.add_all([
        InventoryLevel(sku="SHIRT-1", location=warehouse, stocked=10, reserved=0),
        InventoryLevel(sku="SOCK-1", location=warehouse, stocked=10, reserved=0),
        ReturnReason(value="too_small", label="Too small"),
        ReturnReason(value="damaged", label="Damaged or faulty"),
        ReturnReason(value="old", label="Old reason", is_active=False),
    ])  # fmt: skip
    db.session.flush()
    order = make_order(region=region, captured=["148.50"], commit=False, items=[
        {"title": "Linen shirt", "sku": "SHIRT-1", "unit_price": "40.00", "quantity": 3,
         "tax": ["10"], "discounts": ["10.00"]},
        {"title": "Wool socks", "sku": "SOCK-1", "unit_price": "12.50", "quantity": 2,
         "tax": ["10"]},
    ])  # fmt: skip
    reserve_order(order)
    db.session.flush()
    fulfillment = create_fulfillment(order, order.lock_version, warehouse.id,
                                     {i.id: i.quantity for i in order.items}, STAFF)  # fmt: skip
    ship_fulfillment(order, order.lock_version, fulfillment.id, carrier="DHL",
                     tracking_numbers=["JD1"], actor=STAFF)  # fmt: skip
    db.session.commit()
    return reload(order.id), warehouse


def reason(value: str) -> int:
    return db.session.scalar(select(ReturnReason.id).where(ReturnReason.value == value))


def stocked(sku: str) -> int:
    db.session.expire_all()
    return db.session.scalar(select(InventoryLevel.stocked).where(InventoryLevel.sku == sku))


def ask_back(order, warehouse, *lines, **options):
    return_ = returns.request_return(order, order.lock_version, list(lines),
                                     location_id=warehouse.id, actor=STAFF, **options)
    db.session.commit()
    return reload(order.id), return_.id


def test_a_return_is_asked_received_and_refunded_exactly(shipped):
    order, warehouse = shipped
    assert order.total == Decimal("148.50")  # shirts 110 + 11 tax; socks 25 + 2.50
    shirt, socks = order.items
    assert stocked("SHIRT-1") == 7
    order, return_id = ask_back(order, warehouse,
                                ReturnRequestLine(shirt.id, 2, reason("too_small")),
                                ReturnRequestLine(socks.id, 1, reason("damaged")))
    assert (order.version, order.items[0].return_requested_quantity) == (2, 2)

    returns.receive_return(order, order.lock_version, return_id,
                           {part.id: (part.quantity, 0) if part.item_id == shirt.id else (0, 1)
                            for part in _return(return_id).items}, STAFF)  # fmt: skip
    db.session.commit()
    order = reload(order.id)
    shirt, socks = order.items
    assert (shirt.returned_quantity, shirt.return_requested_quantity) == (2, 0)
    # Damaged units count on the return's line; a line's written-off units are a claim's.
    assert (socks.returned_quantity, socks.credited_quantity, socks.written_off_quantity) == (
        1, 1, 0)
    assert [part.damaged_quantity for part in _return(return_id).items] == [0, 1]
    assert (order.version, order.fulfillment_status.value) == (3, "partially_returned")
    assert (stocked("SHIRT-1"), stocked("SOCK-1")) == (9, 8)  # damaged socks stay off

    # Two of three shirts: 121.00 × 2/3 = 80.67; one of two pairs: 13.75.
    return_ = _return(return_id)
    assert return_.status == ReturnStatus.RECEIVED
    due = returns.refund_to_offer(order, return_)
    assert due == Decimal("80.67") + Decimal("13.75")
    returns.refund_return(order, order.lock_version, return_id, due, STAFF)
    db.session.commit()
    order = reload(order.id)
    assert [(r.amount, r.reason) for r in order.payments[0].refunds] == [(due, "return")]
    assert returns.refund_to_offer(order, _return(return_id)) == Decimal("0.00")
    refunded_already = f"Nothing is left to refund for return #{return_id}"
    with pytest.raises(OrderActionError, match=refunded_already):
        returns.refund_return(order, order.lock_version, return_id, due, STAFF)


def test_returning_every_unit_refunds_the_lines_total_exactly(shipped):
    order, warehouse = shipped
    shirt = order.items[0]
    total = order.totals.items[0].total
    refunded = Decimal(0)
    for _ in range(3):  # one shirt at a time
        order, return_id = ask_back(order, warehouse,
                                    ReturnRequestLine(shirt.id, 1, reason("too_small")))
        [part] = _return(return_id).items
        returns.receive_return(order, order.lock_version, return_id, {part.id: (1, 0)}, STAFF)
        db.session.commit()
        order = reload(order.id)
        due = returns.refund_to_offer(order, _return(return_id))
        returns.refund_return(order, order.lock_version, return_id, due, STAFF)
        db.session.commit()
        order = reload(order.id)
        refunded += due
    assert refunded == total == Decimal("121.00")


def test_return_shipping_paid_by_the_customer_is_charged_and_kept_back(shipped):
    order, warehouse = shipped
    order, return_id = ask_back(order, warehouse,
                                ReturnRequestLine(order.items[1].id, 2, reason("too_small")),
                                return_shipping_amount=Decimal("7.50"), deduct_shipping=True)
    # Charged on the order as shipping is, with the region's 10 % tax: 8.25.
    assert (order.total, order.totals.outstanding_amount) == (Decimal("156.75"), Decimal("8.25"))
    [part] = _return(return_id).items
    returns.receive_return(order, order.lock_version, return_id, {part.id: (2, 0)}, STAFF)
    db.session.commit()
    order = reload(order.id)
    # Both pairs of socks (27.50) come off the total; the refund is what they were worth less
    # the return shipping, and leaves nothing outstanding.
    assert order.total == Decimal("148.50") + Decimal("8.25") - Decimal("27.50")
    due = returns.refund_to_offer(order, _return(return_id))
    assert due == Decimal("19.25") == -order.totals.outstanding_amount
    returns.refund_return(order, order.lock_version, return_id, due, STAFF)
    db.session.commit()
    assert reload(order.id).totals.outstanding_amount == Decimal("0.00")


def test_a_canceled_return_no_longer_charges_its_shipping(shipped):
    order, warehouse = shipped
    order, return_id = ask_back(order, warehouse,
                                ReturnRequestLine(order.items[1].id, 1, reason("too_small")),
                                return_shipping_amount=Decimal("7.50"), deduct_shipping=True)
    assert len(order.shipping_methods) == 1
    returns.cancel_return(order, order.lock_version, return_id, STAFF)
    db.session.commit()
    order = reload(order.id)
    assert (order.total, order.shipping_methods) == (Decimal("148.50"), [])


@pytest.mark.parametrize(("quantity", "reason_value", "message"), [
    (4, "too_small", "Linen shirt: 3 can be returned, not 4."),
    (1, None, "Linen shirt: pick a reason for the return."),
    (1, "old", "Linen shirt: pick a reason for the return."),
])  # fmt: skip
def test_a_bad_request_is_refused_and_saves_nothing(shipped, quantity, reason_value, message):
    order, warehouse = shipped
    reason_id = reason(reason_value) if reason_value else None
    with pytest.raises(returns.ReturnError, match=message):
        returns.request_return(order, order.lock_version,
                               [ReturnRequestLine(order.items[0].id, quantity, reason_id)],
                               location_id=warehouse.id, actor=STAFF)  # fmt: skip
    db.session.rollback()
    order = reload(order.id)
    assert (order.version, order.items[0].return_requested_quantity) == (1, 0)


def test_units_asked_back_cannot_be_asked_twice(shipped):
    order, warehouse = shipped
    shirt = order.items[0]
    order, _ = ask_back(order, warehouse, ReturnRequestLine(shirt.id, 2, reason("too_small")))
    with pytest.raises(returns.ReturnError, match="Linen shirt: 1 can be returned, not 2"):
        ask_back(order, warehouse, ReturnRequestLine(shirt.id, 2, reason("too_small")))


def test_a_return_is_refused_while_an_edit_is_open(shipped):
    order, warehouse = shipped
    edits.begin_edit(order, order.lock_version, STAFF)
    db.session.commit()
    order = reload(order.id)
    with pytest.raises(returns.ReturnError, match="open edit"):
        ask_back(order, warehouse, ReturnRequestLine(order.items[0].id, 1, reason("too_small")))


def test_receiving_more_than_expected_is_refused(shipped):
    order, warehouse = shipped
    order, return_id = ask_back(order, warehouse,
                                ReturnRequestLine(order.items[0].id, 1, reason("too_small")))
    [part] = _return(return_id).items
    with pytest.raises(returns.ReturnError, match="1 still expected, not 2"):
        returns.receive_return(order, order.lock_version, return_id, {part.id: (1, 1)}, STAFF)


def test_a_return_with_nothing_received_can_be_canceled(shipped):
    order, warehouse = shipped
    order, return_id = ask_back(order, warehouse,
                                ReturnRequestLine(order.items[0].id, 2, reason("too_small")))
    returns.cancel_return(order, order.lock_version, return_id, STAFF)
    db.session.commit()
    order = reload(order.id)
    assert (_return(return_id).status, order.items[0].return_requested_quantity) == (
        ReturnStatus.CANCELED, 0)  # fmt: skip
    assert order.version == 3
    kinds = db.session.scalars(select(OrderChange.change_type).where(
        OrderChange.order_id == order.id)).all()  # fmt: skip
    assert kinds == [ChangeType.RETURN, ChangeType.RETURN]


def test_a_stale_lock_version_is_refused(shipped):
    order, warehouse = shipped
    with pytest.raises(StaleOrderError):
        returns.request_return(order, order.lock_version - 1,
                               [ReturnRequestLine(order.items[0].id, 1, reason("too_small"))],
                               location_id=warehouse.id, actor=STAFF)  # fmt: skip


def _return(return_id: int):
    db.session.expire_all()
    return db.session.get(returns.Return, return_id)


def test_each_step_is_a_version_whose_diff_shows_the_units_coming_back(shipped, staff_client):
    order, warehouse = shipped
    shirt = order.items[0]
    order, return_id = ask_back(order, warehouse,
                                ReturnRequestLine(shirt.id, 2, reason("too_small")))
    [part] = _return(return_id).items
    returns.receive_return(order, order.lock_version, return_id, {part.id: (1, 1)}, STAFF)
    db.session.commit()
    page = staff_client.get(f"/orders/{order.id}/versions/compare?from=1&to=3")
    text = " ".join(page.get_data(as_text=True).split())
    assert page.status_code == 200
    assert "returned 0 → 2" in text and "credited 0 → 2" in text
    asked = staff_client.get(f"/orders/{order.id}/versions/compare?from=1&to=2")
    assert "asked back 0 → 2" in " ".join(asked.get_data(as_text=True).split())


def test_the_customer_is_emailed_when_a_return_is_asked_and_received(shipped, smtp_inbox):
    order, warehouse = shipped
    order, return_id = ask_back(order, warehouse,
                                ReturnRequestLine(order.items[0].id, 1, reason("too_small")))
    [part] = _return(return_id).items
    returns.receive_return(order, order.lock_version, return_id, {part.id: (1, 0)}, STAFF)
    db.session.commit()
    deliver_pending()
    subjects = [m["Subject"] for m in smtp_inbox if "return" in m["Subject"]]
    number = f"#{order.display_id}"
    assert subjects == [f"Your return for order {number}",
                        f"We received your return for order {number}"]
    assert "1 × Linen shirt" in smtp_inbox[-1].get_content()


def test_an_order_without_notifications_gets_no_return_email(shipped, smtp_inbox):
    order, warehouse = shipped
    order.no_notification = True
    db.session.commit()
    order = reload(order.id)
    ask_back(order, warehouse, ReturnRequestLine(order.items[0].id, 1, reason("too_small")))
    deliver_pending()
    assert [m["Subject"] for m in smtp_inbox if "return" in m["Subject"]] == []
