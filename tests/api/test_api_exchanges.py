"""Exchanges through the JSON API: a shipped unit swapped for a new item answers with its return,
the order line the new item became, the order's total once the unit arrives and the difference
(recomputed here from the order's inputs); the unit is then received and refunded through the
returns API and the order is settled exactly. Refusals name the field or say why, and save
nothing; a retried request answers as the first."""

from __future__ import annotations

import json
from decimal import ROUND_HALF_UP, Decimal

import pytest
from sqlalchemy import func, select

from app.catalog.models import ProductVariant, ShippingOption
from app.changes import actions as edits
from app.exchanges.models import Exchange
from app.extensions import db
from app.orders.models import Order
from app.returns.models import Return
from tests.bad_amounts import BAD_AMOUNT_TEXTS, BAD_JSON_NUMBERS, said
from tests.catalog.factories_catalog import make_product
from tests.exchanges.test_exchange_flow import levels, mug  # noqa: F401  (a fixture)
from tests.order_pages import reload
from tests.returns.test_return_flow import STAFF, shipped  # noqa: F401  (a fixture)

ACTOR = "api:test-system"
CENT = Decimal("0.01")


def taxed(amount: str) -> Decimal:
    """An amount with the region's 10 % tax added."""
    amount = Decimal(amount)
    return amount + (amount * Decimal("0.10")).quantize(CENT, rounding=ROUND_HALF_UP)


# The order as the fixture ships it: 3 shirts at 40.00 less 10.00 off the three and 2 pairs of
# socks at 12.50, taxed at 10 %, paid in full.
PAID = taxed("110.00") + taxed("25.00")
# One shirt of three: its share of what the customer paid for the line.
ONE_SHIRT = (taxed("110.00") / 3).quantize(CENT, rounding=ROUND_HALF_UP)
# Out: the mug, the courier for it, and the return label the customer pays; all taxed.
OUT = taxed("22.00") + taxed("5.00") + taxed("7.50")
NEW_TOTAL = PAID + OUT - ONE_SHIRT
DIFFERENCE = NEW_TOTAL - PAID


@pytest.fixture
def order(shipped, mug):  # noqa: F811  (the return flow's fixture)
    """The shipped order, the warehouse that receives, and a mug in the catalogue."""
    order, warehouse = shipped
    return order, warehouse.id


def swap(order, leeds: int, **changes) -> dict:
    """The engine test's exchange: one shirt too small for a mug, a courier at 5.00, a 7.50
    return label the customer pays; ``changes`` replace top-level fields."""
    body = {
        "return_items": [{"item_id": order.items[0].id, "quantity": 1, "reason": "too_small",
                          "note": "Too tight"}],
        "new_items": [{"sku": "MUG-1", "quantity": 1}],
        "shipping": {"name": "Courier", "amount": "5.00"},
        "return_shipping": {"name": "Return label", "amount": "7.50", "customer_pays": True},
        "location_id": leeds,
        "note": "Swapped by phone",
    }  # fmt: skip
    return body | changes


def create(api, order, leeds: int, **changes) -> dict:
    response = api("post", f"/api/v1/orders/{order.id}/exchanges", swap(order, leeds, **changes))
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def order_json(api, order_id: int) -> dict:
    return api("get", f"/api/v1/orders/{order_id}").get_json()


def exchange_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Exchange))


def _nothing_saved(order_id: int, lock_version: int) -> None:
    db.session.expire_all()
    assert exchange_count() == 0
    assert db.session.scalar(select(func.count()).select_from(Return)) == 0
    order = db.session.get(Order, order_id)
    assert (order.lock_version, len(order.items)) == (lock_version, 2)
    assert levels("MUG-1") == (5, 0)


def test_an_exchange_answers_with_its_return_new_items_and_what_it_leaves(api, order):
    order, leeds = order
    answer = create(api, order, leeds)

    # The engine test's figures, from the inputs: 146.12, and 2.38 to refund.
    assert (answer["new_total"], answer["difference"]) == (str(NEW_TOTAL), str(DIFFERENCE))
    assert (answer["new_total"], answer["difference"]) == ("146.12", "-2.38")
    assert (answer["order_id"], answer["note"], answer["created_by"]) == (
        order.id, "Swapped by phone", ACTOR)  # fmt: skip
    assert answer["created_at"] is not None
    detail = order_json(api, order.id)
    assert detail["total"] == str(PAID + OUT)  # the shirt counts until it arrives
    [mug_line] = answer["new_items"]
    assert mug_line == detail["items"][-1]
    assert (mug_line["title"], mug_line["sku"], mug_line["unit_price"], mug_line["quantity"],
            mug_line["fulfilled_quantity"], mug_line["total"]) == (
        "Stoneware mug", "MUG-1", "22.00", 1, 0, str(taxed("22.00")))  # fmt: skip
    return_ = answer["return"]
    assert return_ == api("get", f"/api/v1/returns/{return_['id']}").get_json()
    assert (return_["status"], return_["change_id"]) == ("requested", answer["change_id"])
    assert [(i["item_id"], i["quantity"], i["reason"]["value"], i["note"])
            for i in return_["items"]] == [(order.items[0].id, 1, "too_small", "Too tight")]
    assert return_["return_shipping"] == {"name": "Return label", "amount": "7.50",
                                          "customer_pays": True}  # fmt: skip
    assert levels("MUG-1") == (5, 1)
    assert api("get", f"/api/v1/exchanges/{answer['id']}").get_json() == answer

    # The shirt comes back through the returns API; the refund it offers settles the order.
    received = api("post", f"/api/v1/returns/{return_['id']}/receive",
                   {"items": [{"item_id": order.items[0].id, "quantity": 1}]})  # fmt: skip
    assert received.get_json()["refund_to_offer"] == str(-DIFFERENCE)
    refund = api("post", f"/api/v1/returns/{return_['id']}/refund", {"amount": str(-DIFFERENCE)})
    assert refund.status_code == 200, refund.get_json()
    detail = order_json(api, order.id)
    assert (detail["total"], detail["outstanding_amount"]) == (str(NEW_TOTAL), "0.00")
    after = api("get", f"/api/v1/exchanges/{answer['id']}").get_json()
    assert (after["return"]["status"], after["return"]["refunded"]) == (
        "received", str(-DIFFERENCE))  # fmt: skip


def test_new_items_by_variant_or_custom_with_a_region_s_shipping_option(api, order):
    order, leeds = order
    courier = ShippingOption(region_id=order.region_id, name="Courier", amount=Decimal("5.00"))
    db.session.add(courier)
    db.session.commit()
    mug_variant = db.session.scalar(select(ProductVariant.id).where(ProductVariant.sku == "MUG-1"))
    answer = create(api, order, leeds, new_items=[
        {"variant_id": mug_variant, "quantity": 2},
        {"title": "Gift wrap", "unit_price": "3.00", "quantity": 1}],
        shipping={"option_id": courier.id}, return_shipping=None)  # fmt: skip
    assert [(i["title"], i["variant_id"], i["quantity"], i["total"])
            for i in answer["new_items"]] == [
        ("Stoneware mug", mug_variant, 2, str(taxed("44.00"))),
        ("Gift wrap", None, 1, str(taxed("3.00")))]  # fmt: skip
    out = taxed("44.00") + taxed("3.00") + taxed("5.00")
    assert answer["difference"] == str(out - ONE_SHIRT)  # the customer pays
    assert answer["return"]["return_shipping"] is None
    methods = order_json(api, order.id)["shipping_methods"]
    assert (methods[-1]["name"], methods[-1]["shipping_option_id"]) == ("Courier", courier.id)
    assert levels("MUG-1") == (5, 2)


def _refusals(api, order, cases: list[tuple[object, str, str]]) -> tuple[list, list]:
    """Post each body: what each was told (status, each error's field and message), and what
    each must be told."""
    got, wanted = [], []
    for body, field, message in cases:
        response = api("post", f"/api/v1/orders/{order.id}/exchanges", body)
        errors = response.get_json().get("errors") or []
        got.append((response.status_code, [(e["field"], said(e["message"], message))
                                           for e in errors]))  # fmt: skip
        wanted.append((422, [(field, message)]))
    return got, wanted


def test_bad_requests_are_refused_naming_the_field_and_nothing_is_saved(api, order):
    order, leeds = order

    def custom(**changes) -> dict:
        return swap(order, leeds, new_items=[
            {"title": "Gift wrap", "unit_price": "3.00", "quantity": 1} | changes])

    def catalogue(**changes) -> dict:
        return swap(order, leeds, new_items=[{"sku": "MUG-1", "quantity": 1} | changes])

    def shipping(**changes) -> dict:
        return swap(order, leeds, shipping={"name": "Courier", "amount": "5.00"} | changes)

    cases = [
        (custom(unit_price="-1"), "new_items[0].unit_price", "Must be zero or more."),
        (custom(unit_price=None), "new_items[0].unit_price", "is required"),
        (custom(title=None), "new_items[0].title", "is required"),
        (custom(quantity=0), "new_items[0].quantity", "must be a whole number of at least 1"),
        (custom(colour="red"), "new_items[0].colour", "is not a field of a new item"),
        (catalogue(sku="NOPE"), "new_items[0].sku", "That product is no longer in the catalogue."),
        (catalogue(sku=None, variant_id=999_999), "new_items[0].variant_id",
         "That product is no longer in the catalogue."),
        (catalogue(variant_id=1), "new_items[0].variant_id",
         "give a sku or a variant_id, not both"),
        (catalogue(title="Mug"), "new_items[0].title",
         "is for an item not in the catalogue: give it or a sku"),
        (catalogue(quantity=None), "new_items[0].quantity", "is required"),
        (swap(order, leeds, new_items=[]), "new_items", "must have at least one entry"),
        (swap(order, leeds, new_items=None), "new_items", "is required"),
        (shipping(amount=None), "shipping.amount", "is required"),
        (shipping(name=None), "shipping.name", "is required"),
        (swap(order, leeds, shipping={"option_id": 999_999}), "shipping.option_id",
         "That shipping option is not offered in this order's region."),
        (swap(order, leeds, shipping={"option_id": 1, "name": "Courier"}), "shipping.name",
         "comes from the shipping option: give it or the option"),
        (swap(order, leeds, return_items=[{"item_id": order.items[0].id, "quantity": 4,
                                           "reason": "too_small"}]),
         "return_items[0].quantity", "Linen shirt: 3 can be returned, not 4"),
        (swap(order, leeds, return_items=[{"item_id": order.items[0].id, "quantity": 1}]),
         "return_items[0].reason", "is required"),
        (swap(order, leeds, return_items=None), "return_items", "is required"),
        (json.dumps(swap(order, leeds, return_items=[{"item_id": order.items[0].id,
                                                      "quantity": 1, "reason": "\ud800"}])),
         "return_items[0].reason",
         "must be valid Unicode: it has a lone surrogate (such as \\ud800)"),
        (swap(order, leeds, location_id=None), "location_id", "is required"),
        (swap(order, leeds, location_id=999_999), "location_id", "is not a stock location"),
        (swap(order, leeds, return_shipping={"amount": "-1"}), "return_shipping.amount",
         "Must be zero or more."),
        (swap(order, leeds, note="\x00"), "note", "must not contain a NUL character"),
        (swap(order, leeds, refund=True), "refund", "is not a field of an exchange"),
    ]  # fmt: skip
    # A unit price, the new items' shipping and the return's: strings (NaN, Infinity, too many
    # decimals, ...), then JSON numbers; all read by the one money parser.
    for text, message in BAD_AMOUNT_TEXTS:
        cases.append((custom(unit_price=text), "new_items[0].unit_price", message))
        cases.append((shipping(amount=text), "shipping.amount", message))
    for number, message in BAD_JSON_NUMBERS:
        body = json.dumps(custom(unit_price="AMOUNT")).replace('"AMOUNT"', number)
        cases.append((body, "new_items[0].unit_price", message))
        body = json.dumps(swap(order, leeds, return_shipping={"amount": "AMOUNT"}))
        cases.append((body.replace('"AMOUNT"', number), "return_shipping.amount", message))

    got, wanted = _refusals(api, order, cases)

    assert got == wanted
    _nothing_saved(order.id, order.lock_version)


def test_a_variant_without_a_price_in_the_order_s_currency_is_refused(api, order):
    order, leeds = order
    make_product("Travel mug", sku="MUG-EUR", prices={"EUR": "20.00"})
    response = api("post", f"/api/v1/orders/{order.id}/exchanges",
                   swap(order, leeds, new_items=[{"sku": "MUG-EUR", "quantity": 1}]))
    assert response.status_code == 422
    assert response.get_json()["errors"] == [
        {"field": "new_items[0].sku", "message": "Travel mug has no price in USD."}]
    _nothing_saved(order.id, order.lock_version)


def test_every_bad_field_is_reported_at_once(api, order):
    order, leeds = order
    response = api("post", f"/api/v1/orders/{order.id}/exchanges", swap(
        order, leeds, return_items=[{"item_id": order.items[0].id, "quantity": 9,
                                     "reason": "too_small"}],
        new_items=[{"sku": "MUG-1", "quantity": 1}, {"title": "Wrap", "unit_price": "NaN",
                                                     "quantity": 1}],
        shipping={"name": "Courier", "amount": "1.001"}))  # fmt: skip
    assert response.status_code == 422
    assert response.get_json()["message"] == "Some fields are not valid; nothing was saved."
    assert [e["field"] for e in response.get_json()["errors"]] == [
        "return_items[0].quantity", "new_items[1].unit_price", "shipping.amount"]  # fmt: skip


def test_an_exchange_is_refused_while_an_edit_is_open(api, order):
    order, leeds = order
    edit = edits.begin_edit(order, order.lock_version, STAFF)
    db.session.commit()
    order = reload(order.id)
    response = api("post", f"/api/v1/orders/{order.id}/exchanges", swap(order, leeds))
    assert response.status_code == 409
    assert response.get_json() == {
        "message": "This order has an open edit (pending); finish or cancel it before an "
                   "exchange.",
        "change_id": edit.id}  # fmt: skip
    _nothing_saved(order.id, order.lock_version)


@pytest.mark.parametrize(("body", "status", "message"), [
    ("[1, 2]", 400,
     'The body must be a JSON object with "return_items" and "new_items" lists.'),
    ("{", 400, "The body is not valid JSON."),
])  # fmt: skip
def test_a_body_that_is_no_exchange_is_refused(api, order, body, status, message):
    order, _ = order
    response = api("post", f"/api/v1/orders/{order.id}/exchanges", body)
    assert (response.status_code, response.get_json()["message"]) == (status, message)


def test_unknown_orders_and_exchanges_are_404(api, order):
    order, leeds = order
    assert api("post", "/api/v1/orders/999999/exchanges", swap(order, leeds)).get_json() == {
        "message": "No order has the id 999999."}  # fmt: skip
    response = api("get", "/api/v1/exchanges/999999")
    assert (response.status_code, response.get_json()) == (
        404, {"message": "No exchange has the id 999999."})  # fmt: skip


def test_a_retried_request_answers_as_the_first_and_acts_once(api, order):
    order, leeds = order
    url, body = f"/api/v1/orders/{order.id}/exchanges", swap(order, leeds)
    first = api("post", url, body, {"Idempotency-Key": "exchange-1"})
    retry = api("post", url, body, {"Idempotency-Key": "exchange-1"})
    assert first.status_code == retry.status_code == 201
    assert retry.get_json() == first.get_json()
    assert retry.headers["Idempotent-Replayed"] == "true"
    assert exchange_count() == 1
    assert levels("MUG-1") == (5, 1)
