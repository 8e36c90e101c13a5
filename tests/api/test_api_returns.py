"""Returns through the JSON API: shipped units are asked back with a reason and answer with what
they would refund (recomputed here from the order's inputs), received (restocked or damaged),
refunded exactly once and canceled; refusals name the field or say why, and save nothing; the
order's JSON follows the units; a retried request answers as the first."""

from __future__ import annotations

import json
from decimal import ROUND_HALF_UP, Decimal

import pytest
from sqlalchemy import func, select

from app.changes import actions as edits
from app.extensions import db
from app.fulfillment.actions import create_fulfillment, ship_fulfillment
from app.fulfillment.models import StockLocation
from app.inventory.actions import reserve_order
from app.inventory.models import InventoryLevel
from app.orders.models import Order
from app.returns.models import Return, ReturnReason
from tests.bad_amounts import BAD_AMOUNT_TEXTS, BAD_JSON_NUMBERS, said
from tests.factories import make_order, make_region
from tests.order_pages import reload
from tests.payments.test_payment_races import at_once

ACTOR = "api:test-system"
STAFF = "staff@example.com"
CENT = Decimal("0.01")


def cents(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def taxed(amount: Decimal) -> Decimal:
    """An amount with the region's 10 % tax added."""
    return amount + cents(amount * Decimal("0.10"))


# What the customer paid for each line, from the inputs: 3 shirts at 40.00 less 10.00 off the
# three, 2 pairs of socks at 12.50, each taxed at 10 %.
SHIRTS = taxed(Decimal("40.00") * 3 - Decimal("10.00"))
SOCKS = taxed(Decimal("12.50") * 2)
# The return label the customer pays, charged on the order as shipping is: taxed too.
LABEL = taxed(Decimal("7.50"))


def share(line_total: Decimal, units: int, quantity: int) -> Decimal:
    """What the first ``units`` of a line are worth: the last unit takes what rounding left."""
    return line_total if units == quantity else cents(line_total * units / quantity)


@pytest.fixture
def shipped(app):
    """The shirts and socks, paid (both lines' totals captured) and all shipped from the Leeds
    warehouse that stocks them; the reasons to pick from, one of them retired."""
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
    order = make_order(region=region, captured=[str(SHIRTS + SOCKS)], commit=False, items=[
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
    return reload(order.id), warehouse.id


def ask(order, leeds: int, **changes) -> dict:
    """The issue's request: 2 shirts too small, 1 pair of socks damaged, back to Leeds, the
    customer paying 7.50 for the label; ``changes`` replace top-level fields."""
    shirt, socks = order.items
    body = {
        "items": [{"item_id": shirt.id, "quantity": 2, "reason": "too_small"},
                  {"item_id": socks.id, "quantity": 1, "reason": "damaged",
                   "note": "Hole in the heel"}],
        "location_id": leeds,
        "return_shipping": {"name": "Return label", "amount": "7.50", "customer_pays": True},
        "note": "Customer called",
    }  # fmt: skip
    return body | changes


def create(api, order, leeds: int, **changes) -> dict:
    response = api("post", f"/api/v1/orders/{order.id}/returns", ask(order, leeds, **changes))
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def order_json(api, order_id: int) -> dict:
    return api("get", f"/api/v1/orders/{order_id}").get_json()


def line_quantities(api, order_id: int) -> list[tuple[int, int, int]]:
    """Each line's units asked back, returned and credited, as the order's JSON says."""
    return [(i["return_requested_quantity"], i["returned_quantity"], i["credited_quantity"])
            for i in order_json(api, order_id)["items"]]  # fmt: skip


def stocked(sku: str) -> int:
    db.session.expire_all()
    return db.session.scalar(select(InventoryLevel.stocked).where(InventoryLevel.sku == sku))


def return_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Return))


def _nothing_saved(order_id: int, lock_version: int, count: int = 0) -> None:
    db.session.expire_all()
    assert return_count() == count
    assert db.session.get(Order, order_id).lock_version == lock_version


def test_a_return_answers_with_its_lines_and_what_they_would_refund(api, shipped):
    order, leeds = shipped
    shirt, socks = order.items

    answer = create(api, order, leeds)

    assert (answer["status"], answer["order_id"], answer["location_id"]) == (
        "requested", order.id, leeds)  # fmt: skip
    assert (answer["note"], answer["created_by"]) == ("Customer called", ACTOR)
    assert answer["created_at"] is not None and answer["canceled_at"] is None
    assert [{k: v for k, v in item.items() if k != "id"} for item in answer["items"]] == [
        {"item_id": shirt.id, "title": "Linen shirt", "quantity": 2,
         "reason": {"value": "too_small", "label": "Too small"}, "note": "",
         "restocked_quantity": 0, "damaged_quantity": 0, "refundable_total": str(SHIRTS)},
        {"item_id": socks.id, "title": "Wool socks", "quantity": 1,
         "reason": {"value": "damaged", "label": "Damaged or faulty"},
         "note": "Hole in the heel", "restocked_quantity": 0, "damaged_quantity": 0,
         "refundable_total": str(SOCKS)},
    ]  # fmt: skip
    assert answer["return_shipping"] == {"name": "Return label", "amount": "7.50",
                                         "customer_pays": True}  # fmt: skip
    assert (answer["refund_due"], answer["refunded"], answer["refund_to_offer"]) == (
        "0.00", "0.00", "0.00")  # fmt: skip
    # Once received, 2 of 3 shirts and 1 of 2 pairs refund their shares, less the label.
    shirts, pair = share(SHIRTS, 2, 3), share(SOCKS, 1, 2)
    assert answer["refund_preview"] == {
        "items": [{"item_id": shirt.id, "quantity": 2, "amount": str(shirts)},
                  {"item_id": socks.id, "quantity": 1, "amount": str(pair)}],
        "return_shipping": str(LABEL),
        "total": str(shirts + pair - LABEL),
    }  # fmt: skip
    assert line_quantities(api, order.id) == [(2, 0, 0), (1, 0, 0)]
    detail = order_json(api, order.id)
    assert detail["version"] == 2
    # Units asked back refund nothing until they arrive.
    assert [i["refundable_total"] for i in detail["items"]] == [str(SHIRTS), str(SOCKS)]
    assert api("get", f"/api/v1/returns/{answer['id']}").get_json() == answer


def test_return_shipping_the_shop_pays_is_not_taken_off(api, shipped):
    order, leeds = shipped
    answer = create(api, order, leeds, items=[
        {"item_id": order.items[1].id, "quantity": 2, "reason": "too_small"}],
        return_shipping={"name": "Free returns", "amount": 4})  # fmt: skip
    assert answer["return_shipping"] == {"name": "Free returns", "amount": "4.00",
                                         "customer_pays": False}  # fmt: skip
    assert answer["refund_preview"]["return_shipping"] == "0.00"
    assert answer["refund_preview"]["total"] == str(SOCKS)
    plain = create(api, reload(order.id), leeds, return_shipping=None, note=None,
                   items=[{"item_id": order.items[0].id, "quantity": 1, "reason": "too_small"}])
    assert (plain["return_shipping"], plain["note"]) == (None, "")
    assert plain["refund_preview"]["total"] == str(share(SHIRTS, 1, 3))


def _refusals(api, order, cases: list[tuple[object, str, str]]) -> tuple[list, list]:
    """Post each body: what each was told (status, each error's field and message), and what
    each must be told."""
    got, wanted = [], []
    for body, field, message in cases:
        response = api("post", f"/api/v1/orders/{order.id}/returns", body)
        errors = response.get_json().get("errors") or []
        got.append((response.status_code, [(e["field"], said(e["message"], message))
                                           for e in errors]))  # fmt: skip
        wanted.append((422, [(field, message)]))
    return got, wanted


def test_bad_requests_are_refused_naming_the_field_and_nothing_is_saved(api, shipped):
    order, leeds = shipped
    shirt, socks = (item.id for item in order.items)

    def item(**changes) -> dict:
        return ask(order, leeds, items=[{"item_id": shirt, "quantity": 1, "reason": "too_small"}
                                        | changes])  # fmt: skip

    def shipping(**changes) -> dict:
        return ask(order, leeds, return_shipping={"name": "Label", "amount": "1.00"} | changes)

    cases = [
        (item(item_id=999_999), "items[0].item_id", "is not a line of this order"),
        (item(item_id=str(shirt)), "items[0].item_id",
         "must be an id: a whole number from 1 to 2,147,483,647"),
        (item(quantity=4), "items[0].quantity", "Linen shirt: 3 can be returned, not 4"),
        (item(quantity=0), "items[0].quantity", "must be a whole number of at least 1"),
        (item(quantity=1.5), "items[0].quantity", "must be a whole number of at least 1"),
        (item(reason="too_big"), "items[0].reason", "too_big is not a return reason"),
        (item(reason="old"), "items[0].reason",
         "“Old reason” is retired; pick a reason still offered"),
        (item(reason=None), "items[0].reason", "is required"),
        (item(reason=7), "items[0].reason", "must be a string"),
        (item(reason_id=1), "items[0].reason_id", "is not a field of a returned item"),
        (item(note="x" * 1001), "items[0].note", "must be at most 1000 characters"),
        (ask(order, leeds, items=[{"item_id": socks, "quantity": 1, "reason": "too_small"},
                                  {"item_id": socks, "quantity": 1, "reason": "damaged"}]),
         "items[1].item_id", "items[0] already asks this line back: send one entry per line"),
        (ask(order, leeds, items=[]), "items", "must have at least one entry"),
        (ask(order, leeds, items=None), "items", "is required"),
        (ask(order, leeds, items=[7]), "items[0]", "must be an object"),
        (ask(order, leeds, location_id=999_999), "location_id", "is not a stock location"),
        (ask(order, leeds, location_id=None), "location_id", "is required"),
        (ask(order, leeds, note="\x00"), "note", "must not contain a NUL character"),
        (ask(order, leeds, return_shipping="7.50"), "return_shipping", "must be an object"),
        (ask(order, leeds, refund=True), "refund", "is not a field of a return"),
        (shipping(amount=None), "return_shipping.amount", "is required"),
        (shipping(amount="-1"), "return_shipping.amount", "Must be zero or more."),
        (shipping(customer_pays="yes"), "return_shipping.customer_pays",
         "must be true or false"),
        (shipping(name="x" * 201), "return_shipping.name", "must be at most 200 characters"),
        (shipping(carrier="DHL"), "return_shipping.carrier",
         "is not a field of return_shipping"),
    ]  # fmt: skip
    # Amounts: as strings (NaN, Infinity, too fine, ...), then as JSON numbers.
    for text, message in BAD_AMOUNT_TEXTS:
        cases.append((shipping(amount=text), "return_shipping.amount", message))
    for number, message in BAD_JSON_NUMBERS:
        body = json.dumps(shipping(amount="AMOUNT")).replace('"AMOUNT"', number)
        cases.append((body, "return_shipping.amount", message))

    got, wanted = _refusals(api, order, cases)

    assert got == wanted
    _nothing_saved(order.id, order.lock_version)
    assert line_quantities(api, order.id) == [(0, 0, 0), (0, 0, 0)]


def test_every_bad_field_is_reported_at_once(api, shipped):
    order, leeds = shipped
    response = api("post", f"/api/v1/orders/{order.id}/returns", ask(order, leeds, items=[
        {"item_id": order.items[0].id, "quantity": 9, "reason": "too_small"},
        {"item_id": order.items[1].id, "quantity": 1, "reason": "nope"}],
        return_shipping={"amount": "NaN"}))  # fmt: skip
    assert response.status_code == 422
    assert response.get_json()["message"] == "Some fields are not valid; nothing was saved."
    assert [e["field"] for e in response.get_json()["errors"]] == [
        "items[0].quantity", "items[1].reason", "return_shipping.amount"]  # fmt: skip


def test_units_already_asked_back_cannot_be_asked_again(api, shipped):
    order, leeds = shipped
    create(api, order, leeds)
    order = reload(order.id)
    response = api("post", f"/api/v1/orders/{order.id}/returns", ask(order, leeds))
    assert response.status_code == 422
    # One shirt of three is left to ask back; the other pair of socks still is.
    assert response.get_json()["errors"] == [
        {"field": "items[0].quantity", "message": "Linen shirt: 1 can be returned, not 2"}]
    _nothing_saved(order.id, order.lock_version, count=1)


def test_a_return_is_refused_while_an_edit_is_open(api, shipped):
    order, leeds = shipped
    edit = edits.begin_edit(order, order.lock_version, STAFF)
    db.session.commit()
    order = reload(order.id)
    response = api("post", f"/api/v1/orders/{order.id}/returns", ask(order, leeds))
    assert response.status_code == 409
    assert response.get_json() == {
        "message": "This order has an open edit (pending); finish or cancel it before a return.",
        "change_id": edit.id}  # fmt: skip
    _nothing_saved(order.id, order.lock_version)


def test_units_not_shipped_cannot_be_asked_back(api, app):
    region = make_region("United States", "USD", inclusive=False, rate="10")
    order = make_order(region=region, items=[{"title": "Linen shirt", "unit_price": "40.00"}])
    leeds = StockLocation(name="Leeds warehouse")
    db.session.add_all([leeds, ReturnReason(value="too_small", label="Too small")])
    db.session.commit()
    response = api("post", f"/api/v1/orders/{order.id}/returns", {
        "items": [{"item_id": order.items[0].id, "quantity": 1, "reason": "too_small"}],
        "location_id": leeds.id})  # fmt: skip
    assert response.status_code == 422
    assert response.get_json()["errors"] == [
        {"field": "items[0].quantity", "message": "Linen shirt: 0 can be returned, not 1"}]


@pytest.mark.parametrize(("body", "status", "message"), [
    ("[1, 2]", 400, 'The body must be a JSON object with an "items" list.'),
    ("{", 400, "The body is not valid JSON."),
])  # fmt: skip
def test_a_body_that_is_no_return_is_refused(api, shipped, body, status, message):
    order, _ = shipped
    response = api("post", f"/api/v1/orders/{order.id}/returns", body)
    assert (response.status_code, response.get_json()["message"]) == (status, message)


def test_unknown_orders_and_returns_are_404(api, shipped):
    order, leeds = shipped
    assert api("post", "/api/v1/orders/999999/returns", ask(order, leeds)).status_code == 404
    assert api("get", "/api/v1/returns/999999").get_json() == {
        "message": "No return has the id 999999."}  # fmt: skip
    for step in ("receive", "refund", "cancel"):
        assert api("post", f"/api/v1/returns/999999/{step}", {}).status_code == 404


# Receiving


def receive(api, return_id: int, *items: dict, headers: dict | None = None):
    return api("post", f"/api/v1/returns/{return_id}/receive", {"items": list(items)}, headers)


def test_received_units_go_back_on_the_shelf_or_are_written_off(api, shipped):
    order, leeds = shipped
    shirt, socks = (item.id for item in order.items)
    return_id = create(api, order, leeds)["id"]
    shirts_stocked, socks_stocked = stocked("SHIRT-1"), stocked("SOCK-1")

    first = receive(api, return_id, {"item_id": shirt, "quantity": 1})
    assert first.status_code == 200, first.get_json()
    answer = first.get_json()
    assert answer["status"] == "partially_received"
    assert answer["refund_due"] == str(share(SHIRTS, 1, 3))
    assert answer["refund_preview"] is None
    # The label (7.50 and its tax) comes off what the units refund.
    assert answer["refund_to_offer"] == str(share(SHIRTS, 1, 3) - LABEL)
    assert line_quantities(api, order.id) == [(1, 1, 1), (1, 0, 0)]

    second = receive(api, return_id, {"item_id": shirt, "quantity": 0, "damaged_quantity": 1},
                     {"item_id": socks, "quantity": 0, "damaged_quantity": 1}).get_json()
    assert second["status"] == "received" and second["received_at"] is not None
    assert [(i["restocked_quantity"], i["damaged_quantity"]) for i in second["items"]] == [
        (1, 1), (0, 1)]  # fmt: skip
    due = share(SHIRTS, 2, 3) + share(SOCKS, 1, 2)
    assert (second["refund_due"], second["refund_to_offer"]) == (
        str(due), str(due - LABEL))  # fmt: skip
    # Each line can still refund what its units not returned are worth.
    assert [i["refundable_total"] for i in second["items"]] == [
        str(SHIRTS - share(SHIRTS, 2, 3)), str(SOCKS - share(SOCKS, 1, 2))]  # fmt: skip
    assert line_quantities(api, order.id) == [(0, 2, 2), (0, 1, 1)]
    detail = order_json(api, order.id)
    assert [i["refundable_total"] for i in detail["items"]] == [
        i["refundable_total"] for i in second["items"]]  # fmt: skip
    assert (detail["version"], detail["fulfillment_status"]) == (4, "partially_returned")
    assert (stocked("SHIRT-1"), stocked("SOCK-1")) == (shirts_stocked + 1, socks_stocked)


def test_receipts_that_do_not_fit_the_return_are_refused_and_change_nothing(api, shipped):
    order, leeds = shipped
    shirt, socks = (item.id for item in order.items)
    return_id = create(api, order, leeds, items=[
        {"item_id": shirt, "quantity": 2, "reason": "too_small"}])["id"]  # fmt: skip
    version = reload(order.id).lock_version
    cases = [
        ([{"item_id": socks, "quantity": 1}], "items[0].item_id",
         "is not a line of this return"),
        ([{"item_id": shirt, "quantity": 2, "damaged_quantity": 1}], "items[0].quantity",
         "Linen shirt: 2 still expected, not 3"),
        ([{"item_id": shirt, "quantity": -1}], "items[0].quantity",
         "must be a whole number of at least 0"),
        ([{"item_id": shirt}], "items[0].quantity", "is required"),
        ([{"item_id": shirt, "quantity": 1}, {"item_id": shirt, "quantity": 1}],
         "items[1].item_id", "items[0] already receives this line: send one entry per line"),
        ([{"item_id": shirt, "quantity": 0}], "items", "say how many units arrived"),
        ([{"item_id": shirt, "quantity": 1, "restock": True}], "items[0].restock",
         "is not a field of a received item"),
    ]  # fmt: skip
    got = []
    for items, _, _ in cases:
        response = receive(api, return_id, *items)
        got.append((response.status_code, [(e["field"], e["message"])
                                           for e in response.get_json().get("errors", [])]))
    assert got == [(422, [(field, message)]) for _, field, message in cases]
    assert reload(order.id).lock_version == version
    assert api("get", f"/api/v1/returns/{return_id}").get_json()["status"] == "requested"
    assert line_quantities(api, order.id) == [(2, 0, 0), (0, 0, 0)]


def test_a_received_return_takes_no_more_units(api, shipped):
    order, leeds = shipped
    shirt = order.items[0].id
    return_id = create(api, order, leeds, items=[
        {"item_id": shirt, "quantity": 1, "reason": "too_small"}])["id"]  # fmt: skip
    assert receive(api, return_id, {"item_id": shirt, "quantity": 1}).status_code == 200
    again = receive(api, return_id, {"item_id": shirt, "quantity": 1})
    assert again.status_code == 409
    assert again.get_json()["message"] == (
        f"Return #{return_id} is received; nothing more can be received.")  # fmt: skip


# Refunding


def refund(api, return_id: int, amount: object, headers: dict | None = None):
    return api("post", f"/api/v1/returns/{return_id}/refund", {"amount": amount}, headers)


def test_the_received_units_are_refunded_exactly_once(api, shipped):
    order, leeds = shipped
    shirt, socks = (item.id for item in order.items)
    return_id = create(api, order, leeds)["id"]
    assert refund(api, return_id, "1.00").status_code == 409  # nothing received yet
    receive(api, return_id, {"item_id": shirt, "quantity": 2},
            {"item_id": socks, "quantity": 1})
    due = share(SHIRTS, 2, 3) + share(SOCKS, 1, 2) - LABEL

    wrong = refund(api, return_id, str(due + CENT))
    assert wrong.status_code == 422
    message = f"Return #{return_id} leaves exactly ${due} to refund, not ${due + CENT}."
    assert wrong.get_json() == {"message": message,
                                "errors": [{"field": "amount", "message": message}]}
    for bad in ("NaN", "0.001", "-1"):
        assert [e["field"] for e in refund(api, return_id, bad).get_json()["errors"]] == [
            "amount"]  # fmt: skip
    assert order_json(api, order.id)["payments"][0]["refunded_amount"] == "0.00"

    made = refund(api, return_id, str(due))
    assert made.status_code == 200, made.get_json()
    answer = made.get_json()
    assert (answer["refunded"], answer["refund_to_offer"]) == (str(due), "0.00")
    payment = order_json(api, order.id)["payments"][0]
    assert [(r["payment_id"], r["amount"]) for r in answer["refunds"]] == [
        (payment["id"], str(due))]  # fmt: skip
    assert payment["refunded_amount"] == str(due)

    twice = refund(api, return_id, str(due))
    assert twice.status_code == 409
    assert twice.get_json()["message"] == f"Nothing is left to refund for return #{return_id}."
    assert order_json(api, order.id)["payments"][0]["refunded_amount"] == str(due)


# Canceling


def test_a_return_with_nothing_received_is_canceled_once(api, shipped):
    order, leeds = shipped
    return_id = create(api, order, leeds)["id"]

    canceled = api("post", f"/api/v1/returns/{return_id}/cancel")
    assert canceled.status_code == 200
    answer = canceled.get_json()
    assert (answer["status"], answer["canceled_by"]) == ("canceled", ACTOR)
    assert answer["refund_preview"] is None
    assert line_quantities(api, order.id) == [(0, 0, 0), (0, 0, 0)]
    assert order_json(api, order.id)["version"] == 3

    again = api("post", f"/api/v1/returns/{return_id}/cancel")
    assert again.status_code == 409
    assert again.get_json()["message"] == (f"Return #{return_id} is canceled: only a return "
                                           "with nothing received yet can be canceled.")
    late = receive(api, return_id, {"item_id": order.items[0].id, "quantity": 1})
    assert late.status_code == 409


def test_a_return_with_units_received_cannot_be_canceled(api, shipped):
    order, leeds = shipped
    return_id = create(api, order, leeds)["id"]
    receive(api, return_id, {"item_id": order.items[0].id, "quantity": 1})
    response = api("post", f"/api/v1/returns/{return_id}/cancel")
    assert response.status_code == 409
    assert line_quantities(api, order.id) == [(1, 1, 1), (1, 0, 0)]


def test_steps_wait_while_an_edit_is_open(api, shipped):
    order, leeds = shipped
    return_id = create(api, order, leeds)["id"]
    order = reload(order.id)
    edit = edits.begin_edit(order, order.lock_version, STAFF)
    db.session.commit()
    for response in (receive(api, return_id, {"item_id": order.items[0].id, "quantity": 1}),
                     api("post", f"/api/v1/returns/{return_id}/cancel")):  # fmt: skip
        assert response.status_code == 409
        assert response.get_json()["change_id"] == edit.id
    assert api("get", f"/api/v1/returns/{return_id}").get_json()["status"] == "requested"


# Retries and races


def test_a_retried_request_answers_as_the_first_and_acts_once(api, shipped):
    order, leeds = shipped
    url, body = f"/api/v1/orders/{order.id}/returns", ask(order, leeds)
    first = api("post", url, body, {"Idempotency-Key": "return-1"})
    retry = api("post", url, body, {"Idempotency-Key": "return-1"})
    assert first.status_code == retry.status_code == 201
    assert retry.get_json() == first.get_json()
    assert retry.headers["Idempotent-Replayed"] == "true"
    assert return_count() == 1

    return_id = first.get_json()["id"]
    shirts_stocked = stocked("SHIRT-1")
    key = {"Idempotency-Key": "receive-1"}
    item = {"item_id": order.items[0].id, "quantity": 1}
    assert receive(api, return_id, item, headers=key).status_code == 200
    again = receive(api, return_id, item, headers=key)
    assert (again.status_code, again.headers["Idempotent-Replayed"]) == (200, "true")
    assert stocked("SHIRT-1") == shirts_stocked + 1
    assert line_quantities(api, order.id)[0] == (1, 1, 1)


def test_a_refused_request_with_a_key_keeps_nothing_of_it(api, shipped):
    order, leeds = shipped
    body = ask(order, leeds, location_id=999_999)
    response = api("post", f"/api/v1/orders/{order.id}/returns", body, {"Idempotency-Key": "k"})
    assert response.status_code == 422
    _nothing_saved(order.id, order.lock_version)


def test_two_returns_of_the_last_units_at_once_one_wins(api, shipped):
    order, leeds = shipped
    url = f"/api/v1/orders/{order.id}/returns"
    body = ask(order, leeds, items=[
        {"item_id": order.items[1].id, "quantity": 2, "reason": "too_small"}])  # fmt: skip

    def send():
        return api("post", url, body).status_code

    assert sorted(at_once(send, send)) == [201, 422]
    assert return_count() == 1
    assert line_quantities(api, order.id)[1] == (2, 0, 0)


def test_receiving_the_same_units_twice_at_once_receives_them_once(api, shipped):
    order, leeds = shipped
    return_id = create(api, order, leeds)["id"]
    shirts_stocked = stocked("SHIRT-1")
    item = {"item_id": order.items[0].id, "quantity": 2}

    def send():
        return receive(api, return_id, item).status_code

    assert sorted(at_once(send, send)) == [200, 422]
    assert stocked("SHIRT-1") == shirts_stocked + 2
    assert line_quantities(api, order.id)[0] == (0, 2, 2)
