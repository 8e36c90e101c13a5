"""An order edit answered through the customer's link while something else happens to the order:
one of two answers wins, a change is applied once, stock is held once, and a change the order
no longer fits is refused with the reason. (On PostgreSQL the requests really overlap; SQLite
runs them one by one, and the outcome must be the same.)"""

import pytest
from sqlalchemy import func, select

from app.catalog.models import ProductVariant
from app.changes import actions as edits
from app.changes.models import ChangeStatus, OrderChange, OrderChangeLink, OrderVersion
from app.events.models import OrderEvent
from app.extensions import db
from app.fulfillment.actions import create_fulfillment
from app.fulfillment.models import StockLocation
from app.inventory.actions import adjust_stock
from app.inventory.models import InventoryLevel
from app.orders.actions import OrderActionError
from app.orders.queries import order_with_details
from tests.catalog.factories_catalog import make_product
from tests.changes.helpers import STAFF, shop_order
from tests.factories import make_order
from tests.order_pages import reload
from tests.payments.test_payment_races import at_once

MUG_SHORT = "Stoneware Mug (MUG-1): 0 available, 1 ordered."
SHIRT_FULFILLED = ("Linen shirt: 1 already fulfilled; a fulfilled line cannot be removed "
                   "(lower it to the fulfilled quantity instead).")  # fmt: skip


@pytest.fixture
def warehouse(app):
    location = StockLocation(name="Leeds warehouse")
    db.session.add(location)
    db.session.commit()
    return location


def mugs_in_stock(warehouse, units: int) -> ProductVariant:
    """A mug (MUG-1, tracked) with ``units`` on the warehouse's shelf."""
    product = make_product(sku="MUG-1")
    adjust_stock("MUG-1", warehouse, units, "Delivery from the supplier", STAFF)
    db.session.commit()
    return product.variants[0]


def mug_stock(warehouse) -> tuple[int, int]:
    """(stocked, held by orders) of the mug at the warehouse."""
    db.session.expire_all()
    level = db.session.scalar(select(InventoryLevel).where(
        InventoryLevel.sku == "MUG-1", InventoryLevel.location_id == warehouse.id))  # fmt: skip
    return level.stocked, level.reserved


def requested(order, stage) -> tuple[int, str]:
    """An edit of the order staged by ``stage(order, change_id)``, sent to the customer; the
    change's id and the path of the link the email carries (issued as the email's delivery
    issues it)."""
    change = edits.begin_edit(order, order.lock_version, STAFF)
    stage(order, change.id)
    edits.request_confirmation(order, order.lock_version, change.id, STAFF)
    token = edits.issue_link(change, change.requested_at.isoformat())
    db.session.commit()
    return change.id, f"/c/order-edits/{token}"


def add_mug(mug):
    return lambda order, change_id: edits.add_variant(order, order.lock_version, change_id,
                                                      mug.id, 1, STAFF)  # fmt: skip


def remove_shirts(order, change_id):
    edits.remove_item(order, order.lock_version, change_id, order.items[0].id, actor=STAFF)


def as_staff(app, order_id: int, act) -> str:
    """A member of staff's request: ``act(order)`` in an app context (and session) of its own,
    committed, or refused and rolled back."""
    with app.app_context():
        order = order_with_details(order_id)
        try:
            act(order)
        except OrderActionError:
            db.session.rollback()
            return "refused"
        db.session.commit()
        return "done"


def answer(client, path: str, step: str = "confirm", **data):
    """The customer's answer: its status and what the page says."""
    response = client.post(f"{path}/{step}", data=data)
    return response.status_code, response.get_data(as_text=True)


def lines(order_id: int) -> list[tuple[str, int]]:
    return [(i.title, i.quantity) for i in reload(order_id).items]


def change_status(change_id: int) -> ChangeStatus:
    db.session.expire_all()
    return db.session.get(OrderChange, change_id).status


def test_the_customer_confirming_while_staff_cancel_ends_with_one_of_them(app, client):
    order = shop_order()
    change_id, path = requested(order, remove_shirts)
    before = lines(order.id)
    version = reload(order.id).lock_version  # what the staff page's Cancel form carries

    (confirm, page), cancel = at_once(
        lambda: answer(client, path),
        lambda: as_staff(app, order.id, lambda o: edits.cancel_change(o, version, change_id,
                                                                       STAFF)),
    )  # fmt: skip

    order = reload(order.id)
    if change_status(change_id) == ChangeStatus.CONFIRMED:
        assert (confirm, cancel) == (302, "refused")
        assert (order.version, lines(order.id)) == (2, before[1:])
    else:
        assert (confirm, cancel) == (410, "done")
        assert "The store withdrew this proposal" in page
        assert change_status(change_id) == ChangeStatus.CANCELED
        assert (order.version, lines(order.id)) == (1, before)


def test_two_confirms_at_once_apply_the_change_once(client, warehouse):
    mug = mugs_in_stock(warehouse, 5)
    order = make_order(items=[{"title": "Linen shirt", "unit_price": "40.00"}])
    change_id, path = requested(order, add_mug(mug))

    answers = at_once(lambda: answer(client, path), lambda: answer(client, path))

    assert sorted(status for status, _ in answers) == [302, 410]
    assert any("You have already answered this proposal." in page for _, page in answers)
    assert reload(order.id).version == 2
    assert lines(order.id) == [("Linen shirt", 1), ("Stoneware Mug", 1)]
    assert mug_stock(warehouse) == (5, 1)
    assert db.session.scalars(select(OrderVersion.version).where(
        OrderVersion.order_id == order.id).order_by(OrderVersion.version)).all() == [1, 2]
    assert db.session.scalar(select(func.count()).select_from(OrderEvent).where(
        OrderEvent.order_id == order.id,
        OrderEvent.event_type == "order-edit.confirmed")) == 1  # fmt: skip


def test_a_fulfillment_after_the_request_refuses_the_removal_but_not_a_decline(
    client, warehouse
):
    order = shop_order()
    change_id, path = requested(order, remove_shirts)
    order = reload(order.id)
    create_fulfillment(order, order.lock_version, warehouse.id, {order.items[0].id: 1}, STAFF)
    db.session.commit()
    before = (reload(order.id).version, lines(order.id))

    page = client.get(path).get_data(as_text=True)
    assert SHIRT_FULFILLED in page
    assert "Confirm the change" not in page and "Decline the change" in page

    status, page = answer(client, path)
    assert status == 422 and SHIRT_FULFILLED in page
    assert (reload(order.id).version, lines(order.id)) == before
    assert change_status(change_id) == ChangeStatus.REQUESTED
    assert db.session.scalar(select(OrderChangeLink.used_at)) is None

    status, _ = answer(client, path, "decline", reason="Then keep it all.")
    assert status == 302
    assert change_status(change_id) == ChangeStatus.DECLINED
    assert (reload(order.id).version, lines(order.id)) == before


def test_a_fulfillment_and_a_confirmation_at_once_end_with_one_of_them(app, client, warehouse):
    order = shop_order()
    change_id, path = requested(order, remove_shirts)
    order = reload(order.id)
    version, shirts, before = order.lock_version, order.items[0].id, lines(order.id)

    (confirm, page), fulfil = at_once(
        lambda: answer(client, path),
        lambda: as_staff(app, order.id, lambda o: create_fulfillment(
            o, version, warehouse.id, {shirts: 1}, STAFF)),
    )  # fmt: skip

    order = reload(order.id)
    if change_status(change_id) == ChangeStatus.CONFIRMED:
        assert (confirm, fulfil) == (302, "refused")
        assert (order.version, lines(order.id), order.fulfillments) == (2, before[1:], [])
    else:
        assert (confirm, fulfil) == (422, "done")
        assert SHIRT_FULFILLED in page
        assert (order.version, lines(order.id)) == (1, before)
        assert [f.items[0].quantity for f in order.fulfillments] == [1]


def test_two_edits_adding_the_last_unit_in_stock_get_it_once(client, warehouse):
    mug = mugs_in_stock(warehouse, 1)
    orders = [make_order(items=[{"title": "Linen shirt", "unit_price": "40.00"}])
              for _ in range(2)]  # fmt: skip
    edits_sent = [requested(order, add_mug(mug)) for order in orders]

    answers = at_once(*[lambda path=path: answer(client, path) for _, path in edits_sent])

    assert sorted(status for status, _ in answers) == [302, 422]
    [(winner, _)] = [(o, e) for o, e, (s, _) in zip(orders, edits_sent, answers, strict=True)
                     if s == 302]  # fmt: skip
    [(loser, (lost_change, _), page)] = [
        (o, e, p) for o, e, (s, p) in zip(orders, edits_sent, answers, strict=True) if s == 422]
    assert MUG_SHORT in page
    assert mug_stock(warehouse) == (1, 1)
    assert (reload(winner.id).version, lines(winner.id)) == (
        2, [("Linen shirt", 1), ("Stoneware Mug", 1)])
    assert (reload(loser.id).version, lines(loser.id)) == (1, [("Linen shirt", 1)])
    assert change_status(lost_change) == ChangeStatus.REQUESTED
