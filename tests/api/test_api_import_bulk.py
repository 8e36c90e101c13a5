"""A batch is saved by multi-row inserts (``_insert_all``); an order saved alone, as a batch that
cannot go in at once is (``_save``, through the ORM), must come out the same: the same rows,
derived columns, stock holds, timeline and outbox events, and the same answer from the API."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from app.customers.models import Address
from app.events.models import OrderEvent
from app.events.outbox import SUBSCRIBERS, OutboxEvent, Subscriber
from app.extensions import db
from app.fulfillment.models import StockLocation
from app.inventory.models import InventoryLevel, Reservation
from app.orders import importing
from app.orders.actions import OrderActionError
from app.orders.models import (
    CreditLine,
    LineItem,
    LineItemAdjustment,
    LineItemTaxLine,
    Order,
    ShippingMethod,
    ShippingMethodAdjustment,
    ShippingMethodTaxLine,
)
from app.payments.models import Capture, Payment
from tests.api.helpers import order_payload
from tests.factories import make_region

#: Columns that differ between two imports of one order by nature: ids, and the moment of
#: the import where the payload gives none.
_UNLIKE = {"id", "display_id", "external_id", "updated_at", "created_at", "next_attempt_at",
           "delivered_at", "order_id", "item_id", "shipping_method_id", "payment_id",
           "shipping_address_id", "billing_address_id"}  # fmt: skip


def _payloads(prefix: str) -> list[dict]:
    """Orders of every shape the import takes, each external id starting with ``prefix``."""
    inclusive_item = {"title": "Rain jacket", "sku": "JACKET", "quantity": 3,
                      "unit_price": "119.99", "is_tax_inclusive": True,
                      "tax_lines": [{"code": "VAT", "name": "VAT", "rate": "19"},
                                    {"code": "ECO", "rate": "0.5"}],
                      "adjustments": [{"code": "SPRING", "amount": "20.005",
                                       "description": "Spring sale"}]}  # fmt: skip
    return [
        order_payload(external_id=f"{prefix}-plain", created_at="2024-03-01T10:00:00Z"),
        order_payload(
            external_id=f"{prefix}-full", email="grace@example.com", currency_code="eur",
            region="Germany", created_at="2024-03-02T11:00:00+01:00", no_notification=True,
            customer={"first_name": "Grace", "last_name": "Hopper"},
            billing_address={"first_name": "Grace", "address_1": "2 Side St", "city": "Berlin",
                             "country_code": "DE"},
            items=[inclusive_item, {"title": "Socks", "quantity": 2, "unit_price": 4}],
            shipping_methods=[{"name": "Express", "amount": "12.50", "is_tax_inclusive": True,
                               "tax_lines": [{"code": "VAT", "rate": "19"}],
                               "adjustments": [{"code": "FREESHIP", "amount": "2.50"}]}],
            credit_lines=[{"amount": "5.00", "reference": "goodwill"}],
            payments=[{"amount": "100.00", "status": "captured", "provider_id": "stripe"},
                      {"amount": "250.00", "status": "authorized"}],
            metadata={"channel": "pos", "tags": ["gift", 1, None]},
        ),  # fmt: skip
        order_payload(external_id=f"{prefix}-canceled", status="canceled",
                      created_at="2024-03-03T12:00:00Z", canceled_at="2024-03-04T08:00:00Z",
                      payments=[{"amount": "10.00", "status": "authorized"}]),  # fmt: skip
        order_payload(external_id=f"{prefix}-unpaid", status="completed", shipping_address=None,
                      payments=None, shipping_methods=None, created_at="2024-03-05T09:00:00Z",
                      items=[inclusive_item | {"sku": "SHIRT-M", "quantity": 5}]),  # fmt: skip
    ]


@pytest.fixture
def store(app, monkeypatch):
    """USD and EUR regions, two locations keeping the tracked SKUs, and a subscriber of
    ``order.placed`` so that the import writes its outbox rows; the levels' ``(id, reserved)``
    before any import."""
    make_region("United States", "USD", inclusive=False, rate="8")
    make_region("Germany", "EUR", inclusive=True, rate="19")
    east, west = StockLocation(name="East"), StockLocation(name="West")
    db.session.add_all([east, west])
    db.session.flush()
    db.session.add_all([InventoryLevel(sku="SHIRT-M", location=east, stocked=5),
                        InventoryLevel(sku="SHIRT-M", location=west, stocked=4, reserved=1),
                        InventoryLevel(sku="JACKET", location=west, stocked=100)])  # fmt: skip
    db.session.commit()
    monkeypatch.setitem(SUBSCRIBERS, "placed-listener",
                        Subscriber("placed-listener", frozenset({"order.placed"}),
                                   lambda row: None))  # fmt: skip
    return db.session.execute(select(InventoryLevel.id, InventoryLevel.reserved)).all()


def _rows(model, column, ids: list[int]) -> list[dict]:
    """The rows of ``model`` whose ``column`` is one of ``ids`` (in the order of ``ids``, then
    by id), without the columns that differ by nature; whether each JSON column holds SQL
    NULL or JSON ``null`` is kept too."""
    table = model.__table__
    json_nulls = [c.is_(None).label(f"{c.name} is NULL") for c in table.c
                  if c.type.__class__.__name__ == "JSON"]  # fmt: skip
    found = db.session.execute(select(table, *json_nulls).where(column.in_(ids))
                               .order_by(table.c.id)).mappings().all()  # fmt: skip
    by_parent = sorted(found, key=lambda row: ids.index(row[column.name]))
    return [{k: v for k, v in row.items() if k not in _UNLIKE} for row in by_parent]


def _stored(order_id: int) -> dict[str, list[dict]]:
    """Every row the import wrote for the order, by table."""
    order = db.session.get(Order, order_id)
    item_ids = [i.id for i in order.items]
    method_ids = [m.id for m in order.shipping_methods]
    payment_ids = [p.id for p in order.payments]
    address_ids = [a for a in (order.shipping_address_id, order.billing_address_id) if a]
    stored = {
        "order": _rows(Order, Order.__table__.c.id, [order_id]),
        "address": _rows(Address, Address.__table__.c.id, address_ids),
        "line_item": _rows(LineItem, LineItem.__table__.c.order_id, [order_id]),
        "line_item_tax_line": _rows(LineItemTaxLine, LineItemTaxLine.item_id, item_ids),
        "line_item_adjustment": _rows(LineItemAdjustment, LineItemAdjustment.item_id, item_ids),
        "shipping_method": _rows(ShippingMethod, ShippingMethod.order_id, [order_id]),
        "shipping_method_tax_line": _rows(ShippingMethodTaxLine,
                                          ShippingMethodTaxLine.shipping_method_id, method_ids),
        "shipping_method_adjustment": _rows(ShippingMethodAdjustment,
                                            ShippingMethodAdjustment.shipping_method_id,
                                            method_ids),
        "credit_line": _rows(CreditLine, CreditLine.order_id, [order_id]),
        "payment": _rows(Payment, Payment.order_id, [order_id]),
        "capture": _rows(Capture, Capture.payment_id, payment_ids),
        "order_event": _rows(OrderEvent, OrderEvent.order_id, [order_id]),
        "outbox_event": _rows(OutboxEvent, OutboxEvent.order_id, [order_id]),
        "reservation": [
            {"line": item_ids.index(r.item_id), "level_id": r.level_id, "quantity": r.quantity}
            for r in db.session.scalars(select(Reservation).where(Reservation.order_id == order_id)
                                        .order_by(Reservation.id))
        ],  # fmt: skip
    }
    for row in stored["outbox_event"]:
        row["payload"] = {k: v for k, v in row["payload"].items() if k != "display_id"}
    return stored


def _without_ids(detail: dict) -> dict:
    """The API's order, without what differs between two imports of it by nature."""
    if isinstance(detail, dict):
        return {k: _without_ids(v) for k, v in detail.items()
                if k not in _UNLIKE and not k.endswith("_id")}  # fmt: skip
    if isinstance(detail, list):
        return [_without_ids(v) for v in detail]
    return detail


def test_a_batch_inserted_at_once_saves_what_orders_saved_one_by_one_save(
    store, import_orders, api_get, monkeypatch
):
    at_once = import_orders(*_payloads("bulk"))
    assert at_once.status_code == 201, at_once.get_json()
    # Both imports start from the same stock, so that they hold it at the same levels.
    db.session.expire_all()
    for level_id, reserved in store:
        db.session.get(InventoryLevel, level_id).reserved = reserved
    db.session.commit()

    def refuse(*args):
        raise OrderActionError("a batch that cannot go in at once")

    monkeypatch.setattr(importing, "_insert_all", refuse)
    one_by_one = import_orders(*_payloads("single"))
    assert one_by_one.status_code == 201, one_by_one.get_json()

    pairs = list(zip(at_once.get_json()["results"], one_by_one.get_json()["results"],
                     strict=True))  # fmt: skip
    assert [(bulk["status"], single["status"]) for bulk, single in pairs] == [
        ("created", "created")
    ] * 4
    db.session.expire_all()
    for bulk, single in pairs:
        assert _stored(bulk["id"]) == _stored(single["id"])
        bulk_detail = api_get(f"/api/v1/orders/{bulk['id']}").get_json()
        single_detail = api_get(f"/api/v1/orders/{single['id']}").get_json()
        assert _without_ids(bulk_detail) == _without_ids(single_detail)
    assert [bulk["display_id"] for bulk, _ in pairs] == [1001, 1002, 1003, 1004]
    assert db.session.get(Order, pairs[1][0]["id"]).created_at == datetime(2024, 3, 2, 10,
                                                                            tzinfo=UTC)
    assert len(_stored(pairs[3][0]["id"])["reservation"]) == 2  # split over both locations


def test_stock_is_held_as_orders_placed_one_by_one_hold_it(store, import_orders):
    """7 of SHIRT-M: East has 5 and West 3 available, so 5 are held at East and 2 at West;
    then 1 more, left at West only."""
    response = import_orders(
        order_payload(external_id="a", items=[{"title": "Shirt", "sku": "SHIRT-M",
                                               "quantity": 7, "unit_price": "10"}]),
        order_payload(external_id="b", items=[{"title": "Shirt", "sku": "SHIRT-M",
                                               "quantity": 1, "unit_price": "10"}]),
    )  # fmt: skip
    assert response.status_code == 201
    counts = db.session.execute(select(InventoryLevel.sku, InventoryLevel.stocked,
                                       InventoryLevel.reserved).order_by(InventoryLevel.id))
    assert counts.all() == [("SHIRT-M", 5, 5), ("SHIRT-M", 4, 4), ("JACKET", 100, 0)]
    held = db.session.execute(select(Reservation.order_id, Reservation.quantity)
                              .order_by(Reservation.id)).all()  # fmt: skip
    [first, second] = [r["id"] for r in response.get_json()["results"]]
    assert held == [(first, 5), (first, 2), (second, 1)]
