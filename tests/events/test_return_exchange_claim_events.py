"""Returns, exchanges and claims tell other systems through the outbox: a subscriber of
``order.return_requested``, ``order.return_received``, ``order.exchange_created`` and
``order.claim_created`` hears each, once, with who did it and the order version it made."""

from decimal import Decimal

import pytest

from app.claims import actions as claims
from app.claims.actions import ClaimLine
from app.events.outbox import SUBSCRIBERS, Subscriber, deliver_pending
from app.exchanges import actions as exchanges
from app.exchanges.actions import NewItem
from app.extensions import db
from app.returns import actions as returns
from app.returns.actions import ReturnRequestLine
from tests.order_pages import reload
from tests.returns.test_return_flow import STAFF, _return, ask_back, reason, shipped  # noqa: F401

pytestmark = pytest.mark.usefixtures("app")
EVENTS = ("order.return_requested", "order.return_received", "order.exchange_created",
          "order.claim_created")  # fmt: skip


@pytest.fixture
def heard(app, monkeypatch):
    """What a subscriber of the test's hears, as (event type, payload)."""
    events: list[tuple[str, dict]] = []
    monkeypatch.setitem(SUBSCRIBERS, "test-returns", Subscriber(
        "test-returns", frozenset(EVENTS),
        lambda row: events.append((row.event_type, row.payload))))  # fmt: skip
    return events


def test_each_step_is_heard_once_with_its_actor_and_version(shipped, heard):  # noqa: F811
    order, warehouse = shipped
    shirt, socks = order.items
    order, return_id = ask_back(order, warehouse,
                                ReturnRequestLine(shirt.id, 1, reason("too_small")))
    [part] = _return(return_id).items
    returns.receive_return(order, order.lock_version, return_id, {part.id: (1, 0)}, STAFF)
    db.session.commit()
    order = reload(order.id)
    exchanges.create_exchange(order, order.lock_version,
                              [ReturnRequestLine(shirt.id, 1, reason("too_small"))],
                              [NewItem(1, title="Scarf", unit_price=Decimal("9.00"))],
                              location_id=warehouse.id, actor=STAFF)  # fmt: skip
    db.session.commit()
    order = reload(order.id)
    # The second shirt comes off at its share: 80.67 for two of three, less 40.33 for one.
    new_total = order.total - Decimal("40.34")
    claims.create_claim(order, order.lock_version, "refund",
                        [ClaimLine(socks.id, 1, "missing_item")], actor=STAFF)  # fmt: skip
    db.session.commit()
    deliver_pending()

    assert [event for event, _ in heard] == list(EVENTS)
    assert [payload["data"]["version"] for _, payload in heard] == [2, 3, 4, 5]
    assert {payload["actor"] for _, payload in heard} == {STAFF}
    assert heard[2][1]["data"]["new_total"] == str(new_total)
    assert heard[3][1]["data"]["items"] == [
        {"item_id": socks.id, "quantity": 1, "reason": "missing_item"}]
    assert deliver_pending() == 0
