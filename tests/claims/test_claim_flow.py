"""Claims on the order-change engine: a refund claim credits the claimed units (written off at
once, or on arrival when they come back) and refunds exactly their share; a replace claim sends
the same units again, or new items in their place, at no charge and credits nothing;
written-off units can be reinstated."""

from decimal import Decimal

import pytest
from sqlalchemy import select

from app.claims import actions as claims
from app.claims.actions import ClaimLine
from app.claims.models import Claim
from app.claims.queries import replacement_lines
from app.events.models import OrderEvent
from app.exchanges.actions import NewItem, ShippingChoice
from app.extensions import db
from app.inventory.models import InventoryLevel
from app.orders.actions import OrderActionError
from app.returns import actions as returns
from tests.catalog.factories_catalog import make_product
from tests.order_pages import reload
from tests.returns.test_return_flow import STAFF, stocked

pytestmark = pytest.mark.usefixtures("app")


def claim(order, claim_type, *lines, **options):
    made = claims.create_claim(order, order.lock_version, claim_type, list(lines), actor=STAFF,
                               **options)  # fmt: skip
    db.session.commit()
    return reload(order.id), db.session.get(Claim, made.id)


def test_a_missing_pair_is_written_off_refunded_and_reinstated_when_it_turns_up(shipped):
    order, _ = shipped
    socks = order.items[1]
    order, made = claim(order, "refund", ClaimLine(socks.id, 1, "missing_item", "Empty parcel"))
    socks = order.items[1]
    assert (socks.written_off_quantity, socks.credited_quantity) == (1, 1)
    assert returns.returnable(socks) == 1
    # One of two pairs (27.50 paid): 13.75 off the total, and owed back.
    assert order.total == Decimal("148.50") - Decimal("13.75")
    assert order.version == 2
    due = claims.claim_refund_to_offer(order, made)
    assert due == Decimal("13.75") == made.refund_due
    claims.refund_claim(order, order.lock_version, made.id, due, STAFF)
    db.session.commit()
    order = reload(order.id)
    assert order.totals.outstanding_amount == Decimal("0.00")
    with pytest.raises(OrderActionError, match=f"Nothing is left to refund for claim #{made.id}"):
        claims.refund_claim(order, order.lock_version, made.id, due, STAFF)
    db.session.rollback()

    order = reload(order.id)
    claims.reinstate(order, order.lock_version, made.id, made.items[0].id, 1, STAFF)
    db.session.commit()
    order = reload(order.id)
    assert (order.items[1].written_off_quantity, order.items[1].credited_quantity) == (0, 0)
    assert order.total == Decimal("148.50") and order.version == 3
    # The customer has the pair after all, and was refunded for it: they owe it again.
    assert order.totals.outstanding_amount == Decimal("13.75")


def test_a_faulty_shirt_sent_back_is_replaced_at_no_charge(shipped):
    order, warehouse = shipped
    shirt = order.items[0]
    order, made = claim(order, "replace", ClaimLine(shirt.id, 1, "production_failure"),
                        return_units=True, location_id=warehouse.id)
    replacement = order.items[-1]
    assert (replacement.title, replacement.quantity, replacement.unit_price) == (
        "Linen shirt", 1, Decimal("0"))
    assert made.items[0].replacement_item_id == replacement.id
    assert order.total == Decimal("148.50")
    assert stocked("SHIRT-1") == 7  # held for the replacement, not yet shipped
    assert order.items[0].return_requested_quantity == 1
    event = db.session.scalar(select(OrderEvent).where(
        OrderEvent.order_id == order.id, OrderEvent.event_type == "order.claim_created"))
    assert "1 × Linen shirt (Production failure); sent back; replaced at no charge" in (
        event.message)

    [part] = made.return_.items
    returns.receive_return(order, order.lock_version, made.return_.id, {part.id: (0, 1)}, STAFF)
    db.session.commit()
    order = reload(order.id)
    # Back, but not credited: the replacement is what the customer gets.
    assert (order.items[0].returned_quantity, order.items[0].credited_quantity) == (1, 0)
    assert order.total == Decimal("148.50")
    assert returns.refund_to_offer(order, made.return_) == Decimal("0")


def test_a_wrong_item_kept_by_the_customer_is_written_off_uncredited_and_replaced(shipped):
    order, _ = shipped
    order, made = claim(order, "replace", ClaimLine(order.items[1].id, 2, "wrong_item"))
    socks = order.items[1]
    assert (socks.written_off_quantity, socks.credited_quantity) == (2, 0)
    assert returns.returnable(socks) == 0
    assert order.total == Decimal("148.50") and made.refund_due == Decimal("0")
    assert order.items[-1].quantity == 2


def test_a_wrong_item_is_replaced_by_new_items_at_no_charge(shipped):
    order, warehouse = shipped
    make_product("Wool socks", variant="Grey", sku="SOCK-2", prices={"USD": "14.00"})
    db.session.add(InventoryLevel(sku="SOCK-2", location=warehouse, stocked=4, reserved=0))
    db.session.commit()
    socks = order.items[1]
    order, made = claim(order, "replace", ClaimLine(socks.id, 1, "wrong_item", "Sent black"),
                        new_items=[NewItem(1, sku="SOCK-2"),
                                   NewItem(1, title="Apology card", unit_price=Decimal("3.00"))],
                        shipping=ShippingChoice(name="Courier", amount=Decimal("0")))
    grey, card = order.items[2:]
    assert [(i.title, i.subtitle, i.sku, i.quantity, i.unit_price) for i in (grey, card)] == [
        ("Wool socks", "Grey", "SOCK-2", 1, Decimal("0")),
        ("Apology card", "", "", 1, Decimal("0"))]  # fmt: skip
    # The black pair is the customer's to keep, uncredited: the grey one replaces it.
    assert (order.items[1].written_off_quantity, order.items[1].credited_quantity) == (1, 0)
    assert order.total == Decimal("148.50") and order.version == 2
    assert [m.name for m in order.shipping_methods][-1] == "Courier"
    level = db.session.scalar(select(InventoryLevel).where(InventoryLevel.sku == "SOCK-2"))
    assert (level.stocked, level.reserved) == (4, 1)
    assert made.items[0].replacement_item_id is None
    assert replacement_lines(order, made) == [grey, card]
    event = db.session.scalar(select(OrderEvent).where(
        OrderEvent.order_id == order.id, OrderEvent.event_type == "order.claim_created"))
    assert event.message.endswith(
        "written off; replaced at no charge by 1 × Wool socks, 1 × Apology card")


def test_the_same_units_replaced_are_the_claims_replacement_lines(shipped):
    order, _ = shipped
    order, made = claim(order, "replace", ClaimLine(order.items[0].id, 1, "production_failure"))
    assert replacement_lines(order, made) == [order.items[2]] == [made.items[0].replacement]
    refund_order, refunded = claim(order, "refund", ClaimLine(order.items[1].id, 1, "other"))
    assert replacement_lines(refund_order, refunded) == []


@pytest.mark.parametrize("options", [
    {"new_items": [NewItem(1, title="Card", unit_price=Decimal("1.00"))]},
    {"shipping": ShippingChoice(name="Courier", amount=Decimal("5.00"))},
])  # fmt: skip
def test_a_refund_claim_sends_nothing_out(shipped, options):
    order, _ = shipped
    with pytest.raises(OrderActionError, match="A refund claim sends nothing out"):
        claims.create_claim(order, order.lock_version, "refund",
                            [ClaimLine(order.items[0].id, 1, "wrong_item")], actor=STAFF,
                            **options)  # fmt: skip
    db.session.rollback()
    assert reload(order.id).version == 1


@pytest.mark.parametrize(("claim_type", "line", "message"), [
    ("swap", (0, 1, "wrong_item"), "A claim is a refund or a replacement."),
    ("refund", (0, 4, "wrong_item"), "Linen shirt: 3 can be claimed, not 4."),
    ("refund", (0, 1, "too_small"), "Linen shirt: pick a reason"),
    ("refund", (0, 0, "wrong_item"), "Pick at least one unit to claim."),
])  # fmt: skip
def test_a_bad_claim_is_refused_and_changes_nothing(shipped, claim_type, line, message):
    order, _ = shipped
    index, quantity, reason = line
    with pytest.raises(OrderActionError, match=message):
        claims.create_claim(order, order.lock_version, claim_type,
                            [ClaimLine(order.items[index].id, quantity, reason)], actor=STAFF)
    db.session.rollback()
    order = reload(order.id)
    assert (order.version, order.items[0].written_off_quantity) == (1, 0)
