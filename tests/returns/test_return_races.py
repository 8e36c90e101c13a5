"""Returns at the same moment, and several returns with refunds between them: the last unit is
asked back once, a return is received once, a return waits for an open edit, and the order's
summary stays exact to the cent. (On PostgreSQL the requests really overlap; SQLite runs them
one by one, and the outcome must be the same.)"""

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.changes import actions as edits
from app.claims import actions as claims
from app.claims.actions import ClaimLine
from app.extensions import db
from app.orders.actions import OrderActionError, lock_order
from app.orders.queries import order_with_details
from app.orders.summary import summarize_totals
from app.returns import actions as returns
from app.returns.actions import ReturnRequestLine
from app.returns.models import Return, ReturnStatus
from tests.order_pages import reload
from tests.payments.test_payment_races import at_once
from tests.returns.test_return_flow import STAFF, _return, ask_back, reason, stocked

pytestmark = pytest.mark.usefixtures("app")


def as_staff(app, order_id: int, act) -> str:
    """One member of staff's request, in an app context (and session) of its own: the order
    locked as a form's request does, ``act(order, lock)``, committed or refused."""
    with app.app_context():
        lock = lock_order(order_id)
        order = order_with_details(order_id)
        try:
            act(order, lock)
        except OrderActionError:
            db.session.rollback()
            return "refused"
        db.session.commit()
        return "done"


def test_two_returns_of_the_last_returnable_units_at_once_one_wins(app, shipped):
    order, warehouse = shipped
    order_id, shirt_id, reason_id = order.id, order.items[0].id, reason("too_small")

    def ask(order, lock):
        returns.request_return(order, lock, [ReturnRequestLine(shirt_id, 3, reason_id)],
                               location_id=warehouse.id, actor=STAFF)  # fmt: skip

    outcomes = at_once(lambda: as_staff(app, order_id, ask), lambda: as_staff(app, order_id, ask))
    assert sorted(outcomes) == ["done", "refused"]
    assert reload(order.id).items[0].return_requested_quantity == 3
    assert db.session.scalar(select(func.count()).select_from(Return)) == 1


def test_a_claim_and_a_return_of_the_last_units_at_once_one_wins(app, shipped):
    order, warehouse = shipped
    order_id, socks_id, reason_id = order.id, order.items[1].id, reason("too_small")

    def ask(order, lock):
        returns.request_return(order, lock, [ReturnRequestLine(socks_id, 2, reason_id)],
                               location_id=warehouse.id, actor=STAFF)  # fmt: skip

    def claim(order, lock):
        claims.create_claim(order, lock, "refund", [ClaimLine(socks_id, 2, "missing_item")],
                            actor=STAFF)  # fmt: skip

    outcomes = at_once(lambda: as_staff(app, order_id, ask),
                       lambda: as_staff(app, order_id, claim))  # fmt: skip
    assert sorted(outcomes) == ["done", "refused"]
    socks = reload(order.id).items[1]
    # Asked back or written off, never both: no more than the two pairs shipped.
    assert socks.return_requested_quantity + socks.written_off_quantity == 2
    assert returns.returnable(socks) == 0


def test_receiving_the_same_return_twice_at_once_receives_it_once(app, shipped):
    order, warehouse = shipped
    order, return_id = ask_back(order, warehouse,
                                ReturnRequestLine(order.items[0].id, 2, reason("too_small")))
    order_id = order.id
    [part_id] = [part.id for part in _return(return_id).items]

    def receive(order, lock):
        returns.receive_return(order, lock, return_id, {part_id: (2, 0)}, STAFF)

    outcomes = at_once(lambda: as_staff(app, order_id, receive),
                       lambda: as_staff(app, order_id, receive))  # fmt: skip
    assert sorted(outcomes) == ["done", "refused"]
    order = reload(order.id)
    assert (order.items[0].returned_quantity, order.items[0].return_requested_quantity) == (2, 0)
    assert stocked("SHIRT-1") == 9  # 7 left after shipping, 2 back once
    assert _return(return_id).status == ReturnStatus.RECEIVED


def test_a_return_and_an_edit_at_once_one_waits_for_the_other(app, shipped):
    order, warehouse = shipped
    order_id, shirt_id, reason_id = order.id, order.items[0].id, reason("too_small")

    def ask(order, lock):
        returns.request_return(order, lock, [ReturnRequestLine(shirt_id, 1, reason_id)],
                               location_id=warehouse.id, actor=STAFF)  # fmt: skip

    def edit(order, lock):
        edits.begin_edit(order, lock, STAFF)

    outcomes = at_once(lambda: as_staff(app, order_id, ask), lambda: as_staff(app, order_id, edit))
    # Whichever came first holds: a return asked first is a confirmed change, so the edit
    # opens after it; an edit opened first refuses the return with the reason.
    returned = reload(order.id).items[0].return_requested_quantity
    assert (outcomes, returned) in ((["done", "done"], 1), (["refused", "done"], 0))
    if outcomes[0] == "refused":
        order = reload(order.id)
        try:
            ask(order, order.lock_version)
        except returns.ReturnError as error:
            assert "open edit" in str(error)
        else:
            raise AssertionError("a return was accepted while an edit was open")


def test_several_returns_with_refunds_between_keep_the_summary_exact(shipped):
    """Medusa #13433: after two returns refunded one after the other, and a third asked but
    not received, every total still adds up and nothing is refunded twice."""
    order, warehouse = shipped
    shirt, socks = order.items
    paid = order.totals.paid_total
    refunded = Decimal(0)
    for line_id, units in ((shirt.id, 1), (socks.id, 1), (shirt.id, 1)):
        order, return_id = ask_back(order, warehouse,
                                    ReturnRequestLine(line_id, units, reason("too_small")))
        [part] = _return(return_id).items
        returns.receive_return(order, order.lock_version, return_id, {part.id: (units, 0)},
                               STAFF)  # fmt: skip
        db.session.commit()
        order = reload(order.id)
        due = returns.refund_to_offer(order, _return(return_id))
        returns.refund_return(order, order.lock_version, return_id, due, STAFF)
        db.session.commit()
        order = reload(order.id)
        refunded += due
        totals = order.totals
        assert totals.refunded_total == refunded
        assert totals.paid_total == paid
        assert totals.refundable_amount == paid - refunded
        assert totals.outstanding_amount == totals.total - (paid - refunded)
        # The returned units came off the total by what was refunded for them: the order is
        # settled, and the panel calls no refund one without a return.
        assert totals.total == paid - refunded and totals.outstanding_amount == 0
        summary = summarize_totals(totals, [i.charge for i in order.items],
                                   [s.charge for s in order.shipping_methods])  # fmt: skip
        assert (summary.credited, summary.outstanding, summary.refunded_without_return,
                summary.refund_due) == (refunded, 0, 0, 0)
    # Two of three shirts (121.00 → 40.33 + 40.34) and one of two pairs of socks (13.75).
    assert refunded == Decimal("40.33") + Decimal("40.34") + Decimal("13.75")
    order, _ = ask_back(order, warehouse, ReturnRequestLine(shirt.id, 1, reason("too_small")))
    assert order.totals.refunded_total == refunded
    assert order.version == 1 + 3 * 2 + 1
