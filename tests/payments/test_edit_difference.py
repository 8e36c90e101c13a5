"""What a confirmed order edit leaves to settle, on the order page: the amount to collect (the
outstanding amount less what payments hold authorized and not captured) or to refund, each
offered in a form prefilled with exactly that amount. Staff settle it once; the figures are
exact to the minor unit, in a currency with decimals and in one without, also for an order
partly captured and partly refunded before its edits (Medusa #13068 and #13091)."""

import re
from decimal import Decimal

import pytest
from sqlalchemy import select

from app.changes import actions as edits
from app.events.models import OrderEvent
from app.events.outbox import SUBSCRIBERS, OutboxEvent, Subscriber
from app.extensions import db
from app.money import ZERO, round_money
from app.payments.actions import capture_payment, refund_payment
from tests.factories import make_order, make_region
from tests.order_pages import refusal, reload

STAFF = "staff@orderdesk.test"
LISTENER = "edit-difference-listener"


@pytest.fixture(autouse=True)
def listener(monkeypatch):
    """A subscriber to the payment events, so that what reaches the outbox can be read."""
    monkeypatch.setitem(SUBSCRIBERS, LISTENER, Subscriber(
        LISTENER, frozenset({"order.payment_captured", "order.refund_created"}),
        lambda row: None))  # fmt: skip


def confirm_edit(order, *steps) -> None:
    """Stage ``steps`` (functions of the order, its lock version and the change id) and confirm
    them, as staff would with "Confirm now"."""
    order = reload(order.id)
    change = edits.begin_edit(order, order.lock_version, STAFF)
    for step in steps:
        step(order, order.lock_version, change.id)
    edits.confirm_change(order, order.lock_version, change.id, STAFF)
    db.session.commit()


def set_quantity(line: int, quantity: int):
    def step(order, version, change_id):
        edits.update_item(order, version, change_id, order.items[line].id, quantity=quantity,
                          unit_price=None, actor=STAFF)  # fmt: skip

    return step


def add_item(title: str, price: str):
    def step(order, version, change_id):
        edits.add_custom_item(order, version, change_id, title=title, unit_price=Decimal(price),
                              quantity=1, actor=STAFF)  # fmt: skip

    return step


def remove_line(line: int):
    def step(order, version, change_id):
        edits.remove_item(order, version, change_id, order.items[line].id, STAFF)

    return step


def difference_form(page: str) -> tuple[str, str] | None:
    """The edit's settling form on the order page: (what it does, the prefilled amount)."""
    found = re.search(r'<div class="edit-difference">.*?action="/orders/\d+/difference/(\w+)"'
                      r'.*?name="amount"[^>]*value="([^"]*)"', page, re.S)  # fmt: skip
    return (found.group(1), found.group(2)) if found else None


def settle(client, order, what: str, amount, version: int | None = None):
    version = reload(order.id).lock_version if version is None else version
    return client.post(f"/orders/{order.id}/difference/{what}",
                       data={"lock_version": version, "amount": str(amount)})  # fmt: skip


def outbox(order, event_type: str) -> list[str]:
    return [row.payload["data"]["amount"] for row in db.session.scalars(
        select(OutboxEvent).where(OutboxEvent.order_id == order.id,
                                  OutboxEvent.subscriber == LISTENER,
                                  OutboxEvent.event_type == event_type)
        .order_by(OutboxEvent.id))]  # fmt: skip


def page_of(client, order) -> str:
    return client.get(f"/orders/{order.id}").get_data(as_text=True)


#: A partly captured, partly refunded order in each currency: three shirts with a discount on
#: the three and two pairs of socks, taxed 10 %; what was captured and refunded; and the price
#: of the custom item the second edit adds.
CASES = {
    "USD": {"shirt": "40.00", "discount": "10.00", "socks": "12.50", "captured": "100.00",
            "refunded": "15.25", "added": "99.99"},
    "JPY": {"shirt": "4000", "discount": "1000", "socks": "1250", "captured": "10000",
            "refunded": "1525", "added": "9999"},
}  # fmt: skip


def _taxed(net: Decimal, currency: str) -> Decimal:
    return net + round_money(net * Decimal("0.10"), currency)


@pytest.mark.parametrize("currency", CASES)
def test_a_partly_captured_partly_refunded_order_edited_down_then_up_settles_exactly(
    staff_client, currency
):
    # given an order authorized in full, partly captured, then partly refunded
    case = {k: Decimal(v) for k, v in CASES[currency].items()}
    placed_total = (_taxed(3 * case["shirt"] - case["discount"], currency)
                    + _taxed(2 * case["socks"], currency))  # fmt: skip
    order = make_order(currency=currency, region=make_region("Here", currency, rate="10"),
                       items=[{"title": "Linen shirt", "unit_price": CASES[currency]["shirt"],
                               "quantity": 3, "tax": ["10"],
                               "discounts": [CASES[currency]["discount"]]},
                              {"title": "Wool socks", "unit_price": CASES[currency]["socks"],
                               "quantity": 2, "tax": ["10"]}],
                       authorized=[str(placed_total)])  # fmt: skip
    assert order.total == placed_total
    capture_payment(order, order.lock_version, order.payments[0].id, case["captured"], STAFF)
    refund_payment(order, order.lock_version, order.payments[0].id, case["refunded"],
                   reason="goodwill", note="", actor=STAFF)  # fmt: skip
    db.session.commit()
    assert difference_form(page_of(staff_client, order)) is None  # version 1: nothing to settle

    # when an edit takes the order down to one shirt (its discount shrinks to a third)
    confirm_edit(order, set_quantity(0, 1), remove_line(1))
    down_total = _taxed(case["shirt"] - round_money(case["discount"] / 3, currency), currency)
    paid = case["captured"] - case["refunded"]
    order = reload(order.id)
    assert order.total == down_total and order.version == 2

    # then the page offers to refund exactly what was paid beyond the new total
    assert difference_form(page_of(staff_client, order)) == (
        "refund", str(paid - down_total))  # fmt: skip
    response = settle(staff_client, order, "refund", paid - down_total)
    assert response.status_code == 302
    order = reload(order.id)
    assert [(r.amount, r.reason) for r in order.payments[0].refunds] == [
        (case["refunded"], "goodwill"), (paid - down_total, "order_edit")]  # fmt: skip
    assert order.totals.outstanding_amount == ZERO
    assert difference_form(page_of(staff_client, order)) is None

    # when a second edit adds an item
    confirm_edit(order, add_item("Gift box", CASES[currency]["added"]))
    up_total = down_total + _taxed(case["added"], currency)
    order = reload(order.id)
    assert (order.total, order.version) == (up_total, 3)

    # then what the authorization still covers is left to capture, and the rest to collect
    uncaptured = placed_total - case["captured"]
    to_collect = up_total - down_total - uncaptured
    assert difference_form(page_of(staff_client, order)) == ("collect", str(to_collect))
    response = settle(staff_client, order, "collect", to_collect)
    assert response.status_code == 302
    order = reload(order.id)
    collected = order.payments[1]
    assert (collected.provider_id, collected.amount, collected.captured_amount) == (
        "manual", to_collect, to_collect)  # fmt: skip
    assert order.totals.outstanding_amount == uncaptured
    assert difference_form(page_of(staff_client, order)) is None

    capture_payment(order, order.lock_version, order.payments[0].id, uncaptured, STAFF)
    db.session.commit()
    order = reload(order.id)
    assert order.totals.outstanding_amount == ZERO
    assert order.totals.paid_total - order.totals.refunded_total == up_total


def test_an_order_never_edited_offers_nothing_to_settle(staff_client):
    order = make_order(items=[{"title": "Desk lamp", "unit_price": "100.00"}],
                       captured=["60.00"])  # fmt: skip
    assert order.totals.outstanding_amount == Decimal("40.00")
    assert difference_form(page_of(staff_client, order)) is None
    response = settle(staff_client, order, "collect", "40.00")
    assert response.status_code == 422
    assert refusal(response) == "Nothing is left to collect for the order edit."
    assert reload(order.id).payments[0].captured_amount == Decimal("60.00")


@pytest.fixture
def edited_up(app):
    """A $50.00 lamp paid in full, then edited to two lamps: $50.00 to collect."""
    order = make_order(items=[{"title": "Desk lamp", "unit_price": "50.00"}], captured=["50.00"])
    confirm_edit(order, set_quantity(0, 2))
    return reload(order.id)


def test_what_is_offered_is_the_edits_difference_not_whatever_is_outstanding(staff_client):
    # An edit that changes no money (one lamp for another at the same price) leaves nothing;
    # a goodwill refund afterwards is no order edit's to collect back.
    order = make_order(items=[{"title": "Desk lamp", "unit_price": "50.00"}], captured=["50.00"])
    confirm_edit(order, remove_line(0), add_item("Floor lamp", "50.00"))
    order = reload(order.id)
    refund_payment(order, order.lock_version, order.payments[0].id, Decimal("5.00"),
                   reason="goodwill", note="", actor=STAFF)  # fmt: skip
    db.session.commit()
    assert reload(order.id).totals.outstanding_amount == Decimal("5.00")
    assert difference_form(page_of(staff_client, order)) is None

    # The next edit's difference is what its preview showed the customer: the new total less
    # what they have kept paid (the goodwill refund included); offered once, then no more.
    order = reload(order.id)
    change = edits.begin_edit(order, order.lock_version, STAFF)
    add_item("Lamp shade", "50.00")(order, order.lock_version, change.id)
    shown = edits.preview(order, change).difference
    edits.confirm_change(order, order.lock_version, change.id, STAFF)
    db.session.commit()
    assert shown == Decimal("55.00")
    order = reload(order.id)
    assert difference_form(page_of(staff_client, order)) == ("collect", "55.00")
    assert settle(staff_client, order, "collect", "55.00").status_code == 302
    order = reload(order.id)
    assert order.totals.outstanding_amount == ZERO
    assert difference_form(page_of(staff_client, order)) is None


def test_collecting_records_a_manual_payment_with_its_events(staff_client, edited_up):
    response = settle(staff_client, edited_up, "collect", "50.00")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/orders/{edited_up.id}#payments")
    order = reload(edited_up.id)
    payment = order.payments[-1]
    assert [c.amount for c in payment.captures] == [Decimal("50.00")]
    events = [e for e in order.events if e.event_type == "order.payment_captured"]
    assert [(e.actor, e.message) for e in events] == [
        (STAFF, f"Collected $50.00 for the order edit (payment #{payment.id})")]  # fmt: skip
    assert outbox(order, "order.payment_captured") == ["50.00"]
    assert "Payment recorded: the difference is settled." in page_of(staff_client, order)


@pytest.mark.parametrize(("amount", "message"), [
    ("49.99", "The order edit leaves exactly $50.00 to collect, not $49.99."),
    ("50.01", "The order edit leaves exactly $50.00 to collect, not $50.01."),
    ("50.001", "USD amounts have at most 2 decimals."),
    ("0", "Amount: Must be more than zero."),
    ("", "Amount: Give an amount."),
])  # fmt: skip
def test_only_the_exact_amount_is_collected(staff_client, edited_up, amount, message):
    version = reload(edited_up.id).lock_version
    response = settle(staff_client, edited_up, "collect", amount)
    assert response.status_code == 422
    assert refusal(response) == message
    order = reload(edited_up.id)
    assert (len(order.payments), order.lock_version) == (1, version)


@pytest.mark.parametrize("what", ["collect", "refund"])
def test_the_same_form_sent_twice_settles_once(staff_client, what):
    order = make_order(items=[{"title": "Desk lamp", "unit_price": "50.00", "quantity": 2}],
                       captured=["100.00"] if what == "refund" else ["50.00", "50.00"])  # fmt: skip
    confirm_edit(order, set_quantity(0, 1 if what == "refund" else 3))
    order = reload(order.id)
    seen, amount = order.lock_version, Decimal("50.00")
    assert settle(staff_client, order, what, amount, seen).status_code == 302
    response = settle(staff_client, order, what, amount, seen)
    assert response.status_code == 409
    assert refusal(response).startswith("Someone else changed this order")
    order = reload(order.id)
    assert order.totals.outstanding_amount == ZERO
    assert len(order.payments) == (1 if what == "refund" else 3)
    assert sum(len(p.refunds) for p in order.payments) == (1 if what == "refund" else 0)


def test_a_refund_is_split_over_captured_payments_newest_first(staff_client):
    # given two captured payments, the older one partly refunded already
    order = make_order(items=[{"title": "Desk lamp", "unit_price": "20.00", "quantity": 4}],
                       captured=["50.00", "30.00"])  # fmt: skip
    older, newer = order.payments
    refund_payment(order, order.lock_version, older.id, Decimal("10.00"), reason="goodwill",
                   note="", actor=STAFF)  # fmt: skip
    db.session.commit()
    # when an edit leaves one lamp of four
    confirm_edit(order, set_quantity(0, 1))
    order = reload(order.id)
    to_refund = Decimal("80.00") - Decimal("10.00") - Decimal("20.00")
    assert difference_form(page_of(staff_client, order)) == ("refund", str(to_refund))
    # then the newer payment gives back all it can, the older the rest
    assert settle(staff_client, order, "refund", to_refund).status_code == 302
    order = reload(order.id)
    older, newer = order.payments
    assert [(r.amount, r.reason) for r in newer.refunds] == [(Decimal("30.00"), "order_edit")]
    assert [(r.amount, r.reason) for r in older.refunds] == [
        (Decimal("10.00"), "goodwill"), (to_refund - Decimal("30.00"), "order_edit")]  # fmt: skip
    events = db.session.scalars(select(OrderEvent).where(
        OrderEvent.order_id == order.id, OrderEvent.event_type == "order.refund_created")
        .order_by(OrderEvent.id)).all()  # fmt: skip
    assert [e.message for e in events[1:]] == [
        f"Refunded $30.00 of payment #{newer.id} (order edit)",
        f"Refunded $20.00 of payment #{older.id} (order edit)",
    ]
    assert outbox(order, "order.refund_created") == ["10.00", "30.00", "20.00"]
    assert order.totals.outstanding_amount == ZERO


def test_a_refund_of_another_amount_is_refused_and_saves_nothing(staff_client):
    order = make_order(items=[{"title": "Desk lamp", "unit_price": "50.00", "quantity": 2}],
                       captured=["100.00"])  # fmt: skip
    confirm_edit(order, set_quantity(0, 1))
    order = reload(order.id)
    response = settle(staff_client, order, "refund", "100.00")
    assert response.status_code == 422
    assert refusal(response) == "The order edit leaves exactly $50.00 to refund, not $100.00."
    assert reload(order.id).payments[0].refunds == []


def test_refunding_by_hand_under_payments_can_say_it_was_an_order_edit(staff_client):
    order = make_order(items=[{"title": "Desk lamp", "unit_price": "50.00"}], captured=["50.00"])
    page = page_of(staff_client, order)
    assert '<option value="order_edit">Order edit</option>' in page
