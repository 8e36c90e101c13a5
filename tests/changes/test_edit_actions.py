"""Order edits through the engine's actions, on the database: staged actions touch nothing
until confirmation, which applies exactly the preview, keeps both versions and tells the
outbox; decline and cancel leave the order as it was."""

from decimal import Decimal

import pytest
from sqlalchemy import select

from app.changes import actions as edits
from app.changes.models import ChangeStatus, OrderVersion
from app.extensions import db
from app.fulfillment.models import StockLocation
from app.inventory.actions import reserve_order
from app.inventory.models import InventoryLevel
from app.orders.actions import OrderActionError, StaleOrderError
from app.orders.models import OrderStatus
from tests.catalog.factories_catalog import make_product
from tests.changes.helpers import STAFF, shop_order
from tests.factories import make_order, make_region
from tests.order_pages import reload

pytestmark = pytest.mark.usefixtures("app")


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
    edits.add_custom_item(order, order.lock_version, change_id, title="Gift wrap",
                          unit_price=Decimal("0"), quantity=1, actor=STAFF)  # fmt: skip
    edits.remove_shipping(order, order.lock_version, change_id, order.shipping_methods[0].id,
                          actor=STAFF)  # fmt: skip
    db.session.commit()
    order = reload(order.id)
    expected = edits.preview(order, edits.open_change(order.id)).proposed.totals
    edits.confirm_change(order, order.lock_version, change_id, STAFF)
    db.session.commit()
    order = reload(order.id)
    assert order.version == 2
    assert [(i.title, i.quantity) for i in order.items] == [
        ("Linen shirt", 1), ("Wool socks", 2), ("Gift wrap", 1)]  # fmt: skip
    assert order.items[0].adjustments[0].amount == Decimal("2.00")
    assert order.shipping_methods == []
    assert order.totals == expected
    versions = db.session.scalars(select(OrderVersion).where(OrderVersion.order_id == order.id)
                                  .order_by(OrderVersion.version)).all()  # fmt: skip
    assert [v.version for v in versions] == [1, 2]
    assert versions[0].snapshot["totals"]["total"] == "158.40"
    assert [line["id"] for line in versions[1].snapshot["items"]] == [i.id for i in order.items]
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


# Stock and the catalogue: confirmation holds new units and gives back removed ones.


@pytest.fixture
def stocked(app):
    """A US region at 10 %, a warehouse holding 5 mugs, and an order of 2 of them (held)."""
    region = make_region("United States", "USD", inclusive=False, rate="10")
    warehouse = StockLocation(name="Leeds warehouse")
    db.session.add(warehouse)
    mug = make_product("Stoneware Mug", sku="MUG-1", prices={"USD": "18.00"})
    db.session.add(InventoryLevel(sku="MUG-1", location=warehouse, stocked=5, reserved=0))
    db.session.flush()
    order = make_order(region=region, items=[
        {"title": "Stoneware Mug", "sku": "MUG-1", "unit_price": "18.00", "quantity": 2,
         "tax": ["10"]}], captured=["39.60"], commit=False)  # fmt: skip
    reserve_order(order)
    db.session.commit()
    return reload(order.id), mug.variants[0], warehouse


def held(warehouse) -> tuple[int, int]:
    db.session.expire_all()
    level = db.session.scalar(select(InventoryLevel).where(
        InventoryLevel.location_id == warehouse.id))  # fmt: skip
    return level.stocked, level.reserved


def test_confirming_holds_added_units_and_releases_removed_ones(stocked):
    order, mug, warehouse = stocked
    assert held(warehouse) == (5, 2)
    order, change_id = begin(order)
    edits.add_variant(order, order.lock_version, change_id, mug.id, 2, STAFF)
    db.session.commit()
    order = reload(order.id)
    assert held(warehouse) == (5, 2)  # staged: nothing held yet
    edits.confirm_change(order, order.lock_version, change_id, STAFF)
    db.session.commit()
    assert held(warehouse) == (5, 4)
    order = reload(order.id)
    added = order.items[1]
    assert (added.title, added.sku, added.unit_price, added.quantity) == (
        "Stoneware Mug", "MUG-1", Decimal("18.00"), 2)  # fmt: skip
    assert [t.rate for t in added.tax_lines] == [Decimal("10")]

    order, change_id = begin(order)
    edits.update_item(order, order.lock_version, change_id, order.items[0].id, quantity=0,
                      unit_price=None, actor=STAFF)  # fmt: skip
    edits.confirm_change(order, order.lock_version, change_id, STAFF)
    db.session.commit()
    assert held(warehouse) == (5, 2)
    assert reload(order.id).version == 3


def test_short_stock_refuses_the_confirmation_and_applies_nothing(stocked):
    order, mug, warehouse = stocked
    order, change_id = begin(order)
    edits.update_item(order, order.lock_version, change_id, order.items[0].id, quantity=6,
                      unit_price=None, actor=STAFF)  # fmt: skip
    db.session.commit()
    order = reload(order.id)
    with pytest.raises(OrderActionError, match="MUG-1"):
        edits.confirm_change(order, order.lock_version, change_id, STAFF)
    db.session.rollback()
    order = reload(order.id)
    assert (order.version, order.items[0].quantity, held(warehouse)) == (1, 2, (5, 2))
    assert edits.open_change(order.id).status == ChangeStatus.PENDING


def test_an_added_line_changes_or_goes_by_its_own_step(stocked):
    order, mug, _ = stocked
    order, change_id = begin(order)
    change = edits.add_variant(order, order.lock_version, change_id, mug.id, 1, STAFF)
    # The same variant again adds to the staged line, as a scanner read twice would.
    change = edits.add_variant(order, order.lock_version, change_id, mug.id, 1, STAFF)
    [added] = change.actions
    assert added.quantity == 2
    edits.update_added(order, order.lock_version, change_id, added.id, quantity=3,
                       unit_price=Decimal("15.00"), actor=STAFF)  # fmt: skip
    assert (added.quantity, added.unit_price) == (3, Decimal("15.00"))
    edits.update_added(order, order.lock_version, change_id, added.id, quantity=0,
                       unit_price=None, actor=STAFF)  # fmt: skip
    db.session.commit()
    assert edits.open_change(order.id).actions == []


def test_a_requested_edit_is_not_changed_behind_the_customers_back(stocked):
    order, mug, _ = stocked
    order, change_id = begin(order)
    with pytest.raises(edits.ChangeError, match="Stage at least one change"):
        edits.request_confirmation(order, order.lock_version, change_id, STAFF)
    edits.add_variant(order, order.lock_version, change_id, mug.id, 1, STAFF)
    edits.request_confirmation(order, order.lock_version, change_id, STAFF)
    with pytest.raises(edits.ChangeError, match="sent to the customer"):
        edits.add_variant(order, order.lock_version, change_id, mug.id, 1, STAFF)


def test_a_stale_lock_version_is_refused(stocked):
    order, mug, _ = stocked
    order, change_id = begin(order)
    with pytest.raises(StaleOrderError):
        edits.add_variant(order, order.lock_version - 1, change_id, mug.id, 1, STAFF)
