"""Claims through the JSON API: shipped units that arrived missing, wrong or faulty are refunded
(written off, their share recomputed here from the order's inputs, refunded exactly once) or
replaced at no charge (the same units, or new items, with their shipping; sent back or not);
written-off units are reinstated; refusals name the field or say why, and save nothing; a
retried request answers as the first."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.changes import actions as edits
from app.claims.models import Claim
from app.extensions import db
from app.inventory.models import InventoryLevel
from app.orders.models import Order
from tests.api.test_api_returns import (
    ACTOR,
    CENT,
    SHIRTS,
    SOCKS,
    STAFF,
    order_json,
    share,
    shipped,  # noqa: F401  (a fixture, found by its name)
    stocked,
)
from tests.bad_amounts import BAD_AMOUNT_TEXTS, BAD_JSON_NUMBERS, said
from tests.catalog.factories_catalog import make_product
from tests.order_pages import reload

TOTAL = SHIRTS + SOCKS


def ask(order, **changes) -> dict:
    """One pair of socks missing from the parcel, refunded; ``changes`` replace top-level
    fields."""
    socks = order.items[1]
    body = {
        "type": "refund",
        "items": [{"item_id": socks.id, "quantity": 1, "reason": "missing_item",
                   "note": "Empty parcel"}],
        "note": "Customer called",
    }  # fmt: skip
    return body | changes


def create(api, order, **changes) -> dict:
    response = api("post", f"/api/v1/orders/{order.id}/claims", ask(order, **changes))
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def claim_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Claim))


def _nothing_saved(order_id: int, lock_version: int, count: int = 0) -> None:
    db.session.expire_all()
    assert claim_count() == count
    assert db.session.get(Order, order_id).lock_version == lock_version


def written_off(api, order_id: int) -> list[tuple[int, int]]:
    """Each line's units written off and credited, as the order's JSON says."""
    return [(i["written_off_quantity"], i["credited_quantity"])
            for i in order_json(api, order_id)["items"]]  # fmt: skip


@pytest.fixture
def sent(shipped):  # noqa: F811  (the returns API tests' fixture)
    """The order of 3 shirts and 2 pairs of socks, paid and all shipped from the Leeds
    warehouse; the warehouse's id."""
    return shipped


@pytest.fixture
def grey_socks(sent):
    """Grey wool socks at 14.00 in the catalogue, 4 in the Leeds warehouse."""
    _, leeds = sent
    make_product("Wool socks", variant="Grey", sku="SOCK-2", prices={"USD": "14.00"})
    db.session.add(InventoryLevel(sku="SOCK-2", location_id=leeds, stocked=4, reserved=0))
    db.session.commit()


def test_a_refund_claim_writes_the_units_off_and_refunds_their_share_once(api, sent):
    order, _ = sent
    socks = order.items[1]

    answer = create(api, order)

    pair = share(SOCKS, 1, 2)
    assert (answer["order_id"], answer["type"], answer["note"], answer["created_by"]) == (
        order.id, "refund", "Customer called", ACTOR)  # fmt: skip
    assert answer["created_at"] is not None and answer["change_id"] is not None
    assert [{k: v for k, v in item.items() if k != "id"} for item in answer["items"]] == [
        {"item_id": socks.id, "title": "Wool socks", "quantity": 1, "reason": "missing_item",
         "note": "Empty parcel", "written_off_quantity": 1, "replacement_item_id": None}]
    assert (answer["return"], answer["replacement_item_ids"]) == (None, [])
    assert (answer["refund_due"], answer["refunded"], answer["refund_to_offer"]) == (
        str(pair), "0.00", str(pair))  # fmt: skip
    detail = order_json(api, order.id)
    assert (detail["version"], detail["total"]) == (2, str(TOTAL - pair))
    assert written_off(api, order.id) == [(0, 0), (1, 1)]
    assert api("get", f"/api/v1/claims/{answer['id']}").get_json() == answer

    url = f"/api/v1/claims/{answer['id']}/refund"
    wrong = api("post", url, {"amount": str(pair + CENT)})
    message = f"Claim #{answer['id']} leaves exactly ${pair} to refund, not ${pair + CENT}."
    assert (wrong.status_code, wrong.get_json()) == (
        422, {"message": message, "errors": [{"field": "amount", "message": message}]})
    for bad in ("NaN", "0.001", "-1"):
        assert [e["field"] for e in api("post", url, {"amount": bad}).get_json()["errors"]] == [
            "amount"]  # fmt: skip

    made = api("post", url, {"amount": str(pair)})
    assert made.status_code == 200, made.get_json()
    refunded = made.get_json()
    assert (refunded["refunded"], refunded["refund_to_offer"]) == (str(pair), "0.00")
    payment = order_json(api, order.id)["payments"][0]
    assert [(r["payment_id"], r["amount"]) for r in refunded["refunds"]] == [
        (payment["id"], str(pair))]  # fmt: skip
    assert payment["refunded_amount"] == str(pair)
    twice = api("post", url, {"amount": str(pair)})
    assert (twice.status_code, twice.get_json()["message"]) == (
        409, f"Nothing is left to refund for claim #{answer['id']}.")  # fmt: skip


def test_faulty_units_sent_back_are_replaced_by_new_items_at_no_charge(api, sent, grey_socks):
    order, leeds = sent
    shirt = order.items[0]

    answer = create(api, order, type="replace", items=[
        {"item_id": shirt.id, "quantity": 1, "reason": "production_failure"}],
        new_items=[{"sku": "SOCK-2", "quantity": 2},
                   {"title": "Apology card", "unit_price": "3.00", "quantity": 1}],
        **{"return": {"location_id": leeds}}, shipping={"name": "Courier", "amount": "0"})

    returned = answer["return"]
    assert (returned["status"], returned["location_id"], returned["change_id"]) == (
        "requested", leeds, answer["change_id"])  # fmt: skip
    assert [(i["item_id"], i["quantity"]) for i in returned["items"]] == [(shirt.id, 1)]
    # A replacement credits nothing: the shirt refunds nothing when it arrives.
    assert returned["refund_preview"]["items"] == [
        {"item_id": shirt.id, "quantity": 1, "amount": "0.00"}]
    assert returned["refund_preview"]["total"] == "0.00"
    assert api("get", f"/api/v1/returns/{returned['id']}").get_json() == returned
    assert answer["items"][0]["written_off_quantity"] == 0
    assert answer["items"][0]["replacement_item_id"] is None
    detail = order_json(api, order.id)
    sent = [i for i in detail["items"] if i["id"] in answer["replacement_item_ids"]]
    assert [(i["title"], i["sku"], i["quantity"], i["unit_price"], i["total"]) for i in sent] == [
        ("Wool socks", "SOCK-2", 2, "0.00", "0.00"), ("Apology card", "", 1, "0.00", "0.00")]
    assert detail["shipping_methods"][-1]["name"] == "Courier"
    assert detail["total"] == str(TOTAL)
    assert [i["return_requested_quantity"] for i in detail["items"][:2]] == [1, 0]
    db.session.expire_all()
    level = db.session.scalar(select(InventoryLevel).where(InventoryLevel.sku == "SOCK-2"))
    assert (level.stocked, level.reserved) == (4, 2)  # held until the replacement ships


def test_a_wrong_item_kept_is_replaced_by_the_same_units(api, sent):
    order, _ = sent
    socks = order.items[1]
    answer = create(api, order, type="replace", items=[
        {"item_id": socks.id, "quantity": 2, "reason": "wrong_item"}])  # fmt: skip
    [replacement_id] = answer["replacement_item_ids"]
    assert answer["items"][0]["replacement_item_id"] == replacement_id
    assert answer["items"][0]["written_off_quantity"] == 2
    assert answer["refund_due"] == answer["refund_to_offer"] == "0.00"
    detail = order_json(api, order.id)
    assert [(i["title"], i["quantity"], i["unit_price"]) for i in detail["items"]
            if i["id"] == replacement_id] == [("Wool socks", 2, "0.00")]
    assert detail["total"] == str(TOTAL)
    assert written_off(api, order.id)[1] == (2, 0)


def _refusals(api, order, cases: list[tuple[object, str, str]]) -> tuple[list, list]:
    got, wanted = [], []
    for body, field, message in cases:
        response = api("post", f"/api/v1/orders/{order.id}/claims", body)
        errors = response.get_json().get("errors") or []
        got.append((response.status_code, [(e["field"], said(e["message"], message))
                                           for e in errors]))  # fmt: skip
        wanted.append((422, [(field, message)]))
    return got, wanted


def test_bad_requests_are_refused_naming_the_field_and_nothing_is_saved(
    api, sent, grey_socks
):
    order, leeds = sent
    shirt, socks = (item.id for item in order.items)

    def item(**changes) -> dict:
        return ask(order, items=[{"item_id": shirt, "quantity": 1, "reason": "wrong_item"}
                                 | changes])  # fmt: skip

    def new_item(**changes) -> dict:
        return ask(order, type="replace", new_items=[
            {"title": "Card", "unit_price": "1.00", "quantity": 1} | changes])  # fmt: skip

    def shipping(**changes) -> dict:
        return ask(order, type="replace", shipping={"name": "Courier", "amount": "1.00"}
                   | changes)  # fmt: skip

    cases = [
        (ask(order, type="swap"), "type", "must be one of refund, replace"),
        (ask(order, type=None), "type", "is required"),
        (item(item_id=999_999), "items[0].item_id", "is not a line of this order"),
        (item(quantity=4), "items[0].quantity", "Linen shirt: 3 can be claimed, not 4"),
        (item(quantity=0), "items[0].quantity", "must be a whole number of at least 1"),
        (item(reason="too_small"), "items[0].reason",
         "must be one of missing_item, wrong_item, production_failure, other"),
        (item(reason=None), "items[0].reason", "is required"),
        (item(note="x" * 1001), "items[0].note", "must be at most 1000 characters"),
        (item(reason_id=1), "items[0].reason_id", "is not a field of a claimed item"),
        (ask(order, items=[{"item_id": socks, "quantity": 1, "reason": "other"},
                           {"item_id": socks, "quantity": 1, "reason": "other"}]),
         "items[1].item_id", "items[0] already claims this line: send one entry per line"),
        (ask(order, items=[]), "items", "must have at least one entry"),
        (ask(order, **{"return": {"location_id": 999_999}}), "return.location_id",
         "is not a stock location"),
        (ask(order, **{"return": {}}), "return.location_id", "is required"),
        (ask(order, refund=True), "refund", "is not a field of a claim"),
        (new_item(unit_price=None), "new_items[0].unit_price", "is required"),
        (new_item(title=None), "new_items[0].title", "is required"),
        (new_item(quantity=0), "new_items[0].quantity", "must be a whole number of at least 1"),
        (ask(order, type="replace", new_items=[{"sku": "SOCK-2", "title": "Card",
                                                "quantity": 1}]),
         "new_items[0].title", "is for an item not in the catalogue: give it or a sku"),
        (ask(order, type="replace", new_items=[{"variant_id": 1, "sku": "SOCK-2",
                                                "quantity": 1}]),
         "new_items[0].variant_id", "give a sku or a variant_id, not both"),
        (ask(order, type="replace", new_items=[{"sku": "NOPE", "quantity": 1}]),
         "new_items[0].sku", "That product is no longer in the catalogue."),
        (ask(order, type="replace", new_items=[{"variant_id": 999_999, "quantity": 1}]),
         "new_items[0].variant_id", "That product is no longer in the catalogue."),
        (new_item(colour="red"), "new_items[0].colour", "is not a field of a new item"),
        (shipping(amount=None), "shipping.amount", "is required"),
        (shipping(name=None), "shipping.name", "is required"),
        (shipping(carrier="DHL"), "shipping.carrier", "is not a field of shipping"),
    ]  # fmt: skip
    # Amounts: as strings (NaN, Infinity, too fine, ...), then as JSON numbers.
    for text, message in BAD_AMOUNT_TEXTS:
        cases.append((new_item(unit_price=text), "new_items[0].unit_price", message))
        cases.append((shipping(amount=text), "shipping.amount", message))
    for number, message in BAD_JSON_NUMBERS:
        body = json.dumps(shipping(amount="AMOUNT")).replace('"AMOUNT"', number)
        cases.append((body, "shipping.amount", message))
        body = json.dumps(new_item(unit_price="AMOUNT")).replace('"AMOUNT"', number)
        cases.append((body, "new_items[0].unit_price", message))

    got, wanted = _refusals(api, order, cases)

    assert got == wanted
    _nothing_saved(order.id, order.lock_version)
    assert written_off(api, order.id) == [(0, 0), (0, 0)]


def test_a_refund_claim_sending_new_items_is_refused_with_why(api, sent):
    order, _ = sent
    response = api("post", f"/api/v1/orders/{order.id}/claims", ask(order, new_items=[
        {"title": "Card", "unit_price": "1.00", "quantity": 1}]))  # fmt: skip
    assert response.status_code == 422
    assert response.get_json()["message"] == (
        "A refund claim sends nothing out: new items and shipping are for a replacement.")
    _nothing_saved(order.id, order.lock_version)


def test_a_claim_is_refused_while_an_edit_is_open(api, sent):
    order, _ = sent
    edit = edits.begin_edit(order, order.lock_version, STAFF)
    db.session.commit()
    order = reload(order.id)
    response = api("post", f"/api/v1/orders/{order.id}/claims", ask(order))
    assert response.status_code == 409
    assert response.get_json() == {
        "message": "This order has an open edit (pending); finish or cancel it before a claim.",
        "change_id": edit.id}  # fmt: skip
    _nothing_saved(order.id, order.lock_version)


def test_unknown_orders_and_claims_are_404(api, sent):
    order, _ = sent
    assert api("post", "/api/v1/orders/999999/claims", ask(order)).status_code == 404
    assert api("get", "/api/v1/claims/999999").get_json() == {
        "message": "No claim has the id 999999."}  # fmt: skip
    for step in ("refund", "reinstate"):
        assert api("post", f"/api/v1/claims/999999/{step}", {}).status_code == 404


def test_written_off_units_that_turn_up_are_reinstated(api, sent):
    order, _ = sent
    answer = create(api, order, items=[
        {"item_id": order.items[1].id, "quantity": 2, "reason": "missing_item"}])  # fmt: skip
    url = f"/api/v1/claims/{answer['id']}/reinstate"
    part = answer["items"][0]["id"]
    version = reload(order.id).lock_version
    cases = [
        ({"claim_item_id": part, "quantity": 3}, "quantity",
         "Wool socks: 2 written off can be reinstated, not 3."),
        ({"claim_item_id": part + 1, "quantity": 1}, "claim_item_id",
         "is not a line of this claim"),
        ({"claim_item_id": part}, "quantity", "is required"),
        ({"claim_item_id": part, "quantity": 1, "restock": True}, "restock",
         "is not a field of a reinstatement"),
    ]  # fmt: skip
    got = [(r.status_code, [(e["field"], e["message"]) for e in r.get_json()["errors"]])
           for r in (api("post", url, body) for body, _, _ in cases)]  # fmt: skip
    assert got == [(422, [(field, message)]) for _, field, message in cases]
    assert reload(order.id).lock_version == version

    response = api("post", url, {"claim_item_id": part, "quantity": 1})
    assert response.status_code == 200, response.get_json()
    reinstated = response.get_json()
    one_pair = share(SOCKS, 1, 2)
    assert reinstated["items"][0]["written_off_quantity"] == 1
    assert reinstated["refund_due"] == reinstated["refund_to_offer"] == str(SOCKS - one_pair)
    assert written_off(api, order.id) == [(0, 0), (1, 1)]
    assert order_json(api, order.id)["total"] == str(TOTAL - (SOCKS - one_pair))


def test_a_retried_claim_answers_as_the_first_and_acts_once(api, sent):
    order, _ = sent
    url, body = f"/api/v1/orders/{order.id}/claims", ask(order)
    first = api("post", url, body, {"Idempotency-Key": "claim-1"})
    retry = api("post", url, body, {"Idempotency-Key": "claim-1"})
    assert first.status_code == retry.status_code == 201
    assert retry.get_json() == first.get_json()
    assert retry.headers["Idempotent-Replayed"] == "true"
    assert claim_count() == 1
    assert written_off(api, order.id)[1] == (1, 1)
    assert stocked("SOCK-1") == 8  # written off where they are: nothing comes back


def test_steps_wait_while_an_edit_is_open(api, sent):
    order, _ = sent
    answer = create(api, order)
    order = reload(order.id)
    edit = edits.begin_edit(order, order.lock_version, STAFF)
    db.session.commit()
    response = api("post", f"/api/v1/claims/{answer['id']}/reinstate",
                   {"claim_item_id": answer["items"][0]["id"], "quantity": 1})
    assert (response.status_code, response.get_json()["change_id"]) == (409, edit.id)
    assert written_off(api, order.id)[1] == (1, 1)
    assert Decimal(answer["refund_to_offer"]) == share(SOCKS, 1, 2)
