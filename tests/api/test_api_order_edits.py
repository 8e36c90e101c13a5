"""Order edits through the JSON API: an edit is created with all its actions or none, answers
with the order as it would be and the difference to settle (figures recomputed here from the
inputs), and is sent to the customer, confirmed or canceled; refusals name the field or say
why; the order's JSON carries its version and the open edit's difference; versions read back
as JSON."""

from __future__ import annotations

import json
from decimal import ROUND_HALF_UP, Decimal

import pytest
from sqlalchemy import func, select, update

from app.changes.models import ChangeStatus, OrderChange
from app.events.models import OrderEvent
from app.events.outbox import SUBSCRIBERS, OutboxEvent, Subscriber
from app.extensions import db
from app.orders.models import LineItem, Order, OrderStatus
from tests.bad_amounts import BAD_AMOUNT_TEXTS, BAD_JSON_NUMBERS, NOT_A_NUMBER, said
from tests.catalog.factories_catalog import make_product, make_shipping_option
from tests.factories import make_order, make_region
from tests.order_pages import reload
from tests.payments.test_payment_races import at_once

ACTOR = "api:test-system"
CENT = Decimal("0.01")


def cents(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def taxed(amount: Decimal, rate: str = "10") -> Decimal:
    """An amount with its tax added, rounded per tax line."""
    return amount + cents(amount * Decimal(rate) / 100)


@pytest.fixture
def shop(app):
    """An order in a region taxing at 10 %: a shirt (3 × 40.00 less 6.00), socks (2 × 12.50)
    and a scarf (30.00), each taxed at 10 %, Standard shipping 5.00 taxed at 10 %; 100.00
    captured. The catalogue has Earl Grey (TEA-EGR) at 8.50 USD."""
    region = make_region()
    order = make_order(items=[
        {"title": "Linen shirt", "unit_price": "40.00", "quantity": 3, "tax": ["10"],
         "discounts": ["6.00"]},
        {"title": "Wool socks", "unit_price": "12.50", "quantity": 2, "tax": ["10"]},
        {"title": "Scarf", "unit_price": "30.00", "quantity": 1, "tax": ["10"]},
    ], shipping=[{"name": "Standard", "amount": "5.00", "tax": ["10"]}], captured=["100.00"],
        region=region)  # fmt: skip
    make_product("Earl Grey", sku="TEA-EGR", prices={"USD": "8.50", "EUR": "7.90"})
    return order


def issue_example(order) -> dict:
    """The request of the issue, against the shop's order."""
    shirt, socks, scarf = (item.id for item in order.items)
    return {"actions": [
        {"action": "ITEM_UPDATE", "item_id": shirt, "quantity": 0},
        {"action": "ITEM_ADD", "sku": "TEA-EGR", "quantity": 2},
        {"action": "ITEM_ADD", "title": "Gift wrap", "unit_price": "3.00", "quantity": 1},
        {"action": "ITEM_UPDATE", "item_id": socks, "unit_price": "0"},
        {"action": "ITEM_REMOVE", "item_id": scarf},
        {"action": "SHIPPING_ADD", "name": "Express", "amount": "9.90"},
    ], "internal_note": "Customer called"}  # fmt: skip


# The issue's example applied to the shop's order, from the inputs: the shirt and the scarf go,
# the socks cost nothing now, the tea and the gift wrap come with the region's 10 % tax.
TEA = taxed(Decimal("8.50") * 2)
WRAP = taxed(Decimal("3.00"))
STANDARD, EXPRESS = taxed(Decimal("5.00")), taxed(Decimal("9.90"))
PROPOSED_TOTAL = Decimal("0.00") + TEA + WRAP + STANDARD + EXPRESS
CURRENT_TOTAL = (taxed(Decimal("40.00") * 3 - 6) + taxed(Decimal("12.50") * 2)
                 + taxed(Decimal("30.00")) + STANDARD)  # fmt: skip


def change_count() -> int:
    return db.session.scalar(select(func.count()).select_from(OrderChange))


def test_an_edit_is_created_with_its_actions_and_answers_with_the_order_it_would_make(api, shop):
    response = api("post", f"/api/v1/orders/{shop.id}/edits", issue_example(shop))

    assert response.status_code == 201, response.get_json()
    edit = response.get_json()
    assert (edit["status"], edit["order_id"], edit["change_type"]) == ("pending", shop.id, "edit")
    assert (edit["created_by"], edit["internal_note"]) == (ACTOR, "Customer called")
    shirt, socks, scarf = (item.id for item in shop.items)
    assert [{k: v for k, v in a.items() if k not in ("id", "ordering")}
            for a in edit["actions"]] == [
        {"action": "ITEM_UPDATE", "item_id": shirt, "quantity": 0, "unit_price": None},
        {"action": "ITEM_ADD", "sku": "TEA-EGR", "variant_id": edit["actions"][1]["variant_id"],
         "title": "Earl Grey", "subtitle": "", "quantity": 2, "unit_price": "8.50"},
        {"action": "ITEM_ADD", "sku": "", "variant_id": None, "title": "Gift wrap",
         "subtitle": "", "quantity": 1, "unit_price": "3.00"},
        {"action": "ITEM_UPDATE", "item_id": socks, "quantity": None, "unit_price": "0.00"},
        {"action": "ITEM_REMOVE", "item_id": scarf},
        {"action": "SHIPPING_ADD", "name": "Express", "amount": "9.90",
         "shipping_option_id": None},
    ]  # fmt: skip
    assert edit["actions"][1]["variant_id"] is not None
    assert [a["ordering"] for a in edit["actions"]] == sorted(a["ordering"]
                                                              for a in edit["actions"])

    preview = edit["preview"]
    assert preview["id"] == shop.id and preview["version"] == 1
    assert [(i["id"], i["title"], i["quantity"], i["unit_price"], i["total"])
            for i in preview["items"]] == [
        (socks, "Wool socks", 2, "0.00", "0.00"),
        (None, "Earl Grey", 2, "8.50", str(TEA)),
        (None, "Gift wrap", 1, "3.00", str(WRAP)),
    ]  # fmt: skip
    assert [t["rate"] for t in preview["items"][1]["tax_lines"]] == ["10"]
    assert [(s["name"], s["total"]) for s in preview["shipping_methods"]] == [
        ("Standard", str(STANDARD)), ("Express", str(EXPRESS))]  # fmt: skip
    assert preview["total"] == str(PROPOSED_TOTAL)
    assert preview["paid_total"] == "100.00"
    difference = PROPOSED_TOTAL - Decimal("100.00")
    assert edit["pending_difference"] == preview["pending_difference"] == str(difference)
    assert preview["outstanding_amount"] == str(difference)
    assert edit["problem"] is None

    # Nothing touches the order until the edit is confirmed.
    order = api("get", f"/api/v1/orders/{shop.id}").get_json()
    assert [(i["title"], i["quantity"]) for i in order["items"]] == [
        ("Linen shirt", 3), ("Wool socks", 2), ("Scarf", 1)]  # fmt: skip
    assert order["total"] == str(CURRENT_TOTAL)
    assert order["version"] == 1
    assert order["pending_difference"] == str(difference)
    assert api("get", f"/api/v1/order-edits/{edit['id']}").get_json() == edit


def test_catalogue_items_are_priced_in_the_orders_currency(api, app):
    region = make_region("Germany", "EUR", rate="19")
    order = make_order(currency="EUR", region=region,
                       items=[{"title": "Mug", "unit_price": "10.00", "tax": ["19"]}])
    make_product("Earl Grey", sku="TEA-EGR", prices={"USD": "8.50", "EUR": "7.90"})

    response = api("post", f"/api/v1/orders/{order.id}/edits",
                   {"actions": [{"action": "ITEM_ADD", "sku": "TEA-EGR", "quantity": 3}]})

    assert response.status_code == 201, response.get_json()
    tea = response.get_json()["preview"]["items"][1]
    assert (tea["unit_price"], tea["total"]) == ("7.90", str(taxed(Decimal("7.90") * 3, "19")))


def test_shipping_is_added_from_the_regions_options_and_removed(api, shop):
    express = make_shipping_option(shop.region, "Express", "12.00")
    standard = shop.shipping_methods[0].id

    response = api("post", f"/api/v1/orders/{shop.id}/edits", {"actions": [
        {"action": "SHIPPING_REMOVE", "shipping_method_id": standard},
        {"action": "SHIPPING_ADD", "shipping_option_id": express.id},
    ]})  # fmt: skip

    assert response.status_code == 201, response.get_json()
    edit = response.get_json()
    assert [(s["name"], s["shipping_option_id"], s["total"])
            for s in edit["preview"]["shipping_methods"]] == [
        ("Express", express.id, str(taxed(Decimal("12.00"))))]  # fmt: skip
    assert edit["actions"][1] | {"id": None, "ordering": None} == {
        "id": None, "ordering": None, "action": "SHIPPING_ADD", "name": "Express",
        "amount": "12.00", "shipping_option_id": express.id}  # fmt: skip


def _refusals(api, order, cases: list[tuple[object, str, str]]) -> tuple[list, list]:
    """Post each body: what each was told (status, then each error's field and message), and
    what each must be told."""
    got, wanted = [], []
    for body, field, message in cases:
        response = api("post", f"/api/v1/orders/{order.id}/edits", body)
        errors = response.get_json().get("errors") or []
        got.append((response.status_code, [(e["field"], said(e["message"], message))
                                           for e in errors]))  # fmt: skip
        wanted.append((422, [(field, message)]))
    return got, wanted


def _nothing_saved(order_id: int, lock_version: int) -> None:
    db.session.expire_all()
    assert change_count() == 0
    assert db.session.get(Order, order_id).lock_version == lock_version
    assert db.session.scalar(select(func.count()).select_from(OrderEvent).where(
        OrderEvent.event_type.like("order-edit.%"))) == 0  # fmt: skip


def test_bad_actions_are_refused_naming_the_field_and_nothing_is_saved(api, shop):
    shirt, socks, scarf = (item.id for item in shop.items)
    make_product("Matcha", sku="TEA-MAT", prices={"EUR": "12.00"})
    valid = [{"action": "ITEM_UPDATE", "item_id": shirt, "quantity": 2},
             {"action": "ITEM_ADD", "title": "Gift wrap", "unit_price": "3.00", "quantity": 1}]

    def third(action: dict) -> dict:
        return {"actions": [*valid, action]}

    update = {"action": "ITEM_UPDATE", "item_id": socks}
    custom = {"action": "ITEM_ADD", "title": "Card", "unit_price": "1.00", "quantity": 1}
    cases = [
        (third(update | {"quantity": -1}), "actions[2].quantity",
         "must be a whole number of at least 0"),
        (third(update | {"quantity": "2"}), "actions[2].quantity",
         "must be a whole number of at least 0"),
        (third(update | {"quantity": 2.5}), "actions[2].quantity",
         "must be a whole number of at least 0"),
        (third(update | {"quantity": True}), "actions[2].quantity",
         "must be a whole number of at least 0"),
        (third(update | {"quantity": 1_000_001}), "actions[2].quantity",
         "must be at most 1,000,000"),
        (third(update), "actions[2]", "needs a quantity, a unit_price or both"),
        (third({"action": "ITEM_UPDATE", "item_id": 999_999, "quantity": 1}),
         "actions[2].item_id", "is not a line of this order"),
        (third({"action": "ITEM_REMOVE", "item_id": str(scarf)}), "actions[2].item_id",
         "must be an id: a whole number from 1 to 2,147,483,647"),
        (third({"action": "ITEM_REMOVE", "item_id": 2**31}), "actions[2].item_id",
         "must be an id: a whole number from 1 to 2,147,483,647"),
        (third({"action": "ITEM_REMOVE", "item_id": shirt}), "actions[2].item_id",
         "actions[0] already changes this line: send one action per line"),
        (third({"action": "ITEM_REMOVE", "item_id": scarf, "quantity": 1}),
         "actions[2].quantity", "is not a field of ITEM_REMOVE"),
        (third({"action": "ITEM_EXPLODE", "item_id": scarf}), "actions[2].action",
         "must be one of ITEM_ADD, ITEM_UPDATE, ITEM_REMOVE, SHIPPING_ADD, SHIPPING_REMOVE"),
        (third({"item_id": scarf}), "actions[2].action", "is required"),
        (third({"action": "ITEM_ADD", "sku": "TEA-XXX", "quantity": 1}), "actions[2].sku",
         "is not a SKU of the catalogue"),
        (third({"action": "ITEM_ADD", "sku": "TEA-MAT", "quantity": 1}), "actions[2].sku",
         "Matcha has no price in USD"),
        (third({"action": "ITEM_ADD", "sku": "TEA-EGR", "quantity": 0}),
         "actions[2].quantity", "must be a whole number of at least 1"),
        (third({"action": "ITEM_ADD", "sku": "TEA-EGR", "quantity": 1, "unit_price": "1"}),
         "actions[2].unit_price", "is for an item not in the catalogue: give it or a sku"),
        (third({"action": "ITEM_ADD", "unit_price": "1.00", "quantity": 1}),
         "actions[2].title", "is required"),
        (third(custom | {"title": "  "}), "actions[2].title", "must not be empty"),
        (third(custom | {"title": "Card\x00"}), "actions[2].title",
         "must not contain a NUL character"),
        (third(custom | {"title": "x" * 301}), "actions[2].title",
         "must be at most 300 characters"),
        (third({"action": "ITEM_ADD", "title": "Card", "quantity": 1}),
         "actions[2].unit_price", "is required"),
        (third({"action": "SHIPPING_ADD", "name": "", "amount": "1"}), "actions[2].name",
         "must not be empty"),
        (third({"action": "SHIPPING_ADD", "shipping_option_id": 1, "amount": "1"}),
         "actions[2].amount", "comes from the shipping option: give it or the option"),
        (third({"action": "SHIPPING_REMOVE", "shipping_method_id": 999_999}),
         "actions[2].shipping_method_id", "is not a shipping method of this order"),
        (third(7), "actions[2]", "must be an object"),
        ({"actions": "ITEM_REMOVE"}, "actions", "must be a list"),
        ({"actions": []}, "actions", "must have at least one entry"),
        ({"internal_note": "no actions"}, "actions", "is required"),
        ({"actions": valid, "internal_note": 7}, "internal_note", "must be a string"),
        ({"actions": valid, "internal_note": "x" * 2001}, "internal_note",
         "must be at most 2000 characters"),
    ]  # fmt: skip
    # Amounts: as strings (the table every entry point shares), then as JSON numbers.
    for text, message in BAD_AMOUNT_TEXTS:
        cases.append((third(update | {"unit_price": text}), "actions[2].unit_price", message))
        cases.append((third(custom | {"unit_price": text}), "actions[2].unit_price", message))
        cases.append((third({"action": "SHIPPING_ADD", "name": "Express", "amount": text}),
                      "actions[2].amount", message))  # fmt: skip
    for number, message in BAD_JSON_NUMBERS:
        body = json.dumps(third(update | {"unit_price": "PRICE"})).replace('"PRICE"', number)
        cases.append((body, "actions[2].unit_price", message))
    cases.append((third(update | {"unit_price": "-1"}), "actions[2].unit_price",
                  "Must be zero or more."))  # fmt: skip
    cases.append((third(update | {"unit_price": "1e3"}), "actions[2].unit_price", NOT_A_NUMBER))

    got, wanted = _refusals(api, shop, cases)

    assert got == wanted
    _nothing_saved(shop.id, shop.lock_version)


def test_every_bad_field_is_reported_at_once(api, shop):
    response = api("post", f"/api/v1/orders/{shop.id}/edits", {"actions": [
        {"action": "ITEM_UPDATE", "item_id": shop.items[0].id, "quantity": -2},
        {"action": "SHIPPING_ADD", "name": "Express", "amount": "NaN"},
    ]})  # fmt: skip
    assert response.status_code == 422
    assert response.get_json()["message"] == "Some actions are not valid; nothing was saved."
    assert [e["field"] for e in response.get_json()["errors"]] == [
        "actions[0].quantity", "actions[1].amount"]  # fmt: skip


def _fulfil(item_id: int, units: int) -> None:
    db.session.execute(update(LineItem).where(LineItem.id == item_id)
                       .values(fulfilled_quantity=units))  # fmt: skip
    db.session.commit()


def test_actions_the_orders_rules_refuse_are_named_with_the_reason(api, shop):
    shirt, socks, scarf = (item.id for item in shop.items)
    _fulfil(shirt, 2)
    _fulfil(scarf, 1)
    elsewhere = make_shipping_option(make_region("Canada", "USD"), "Courier", "4.00")
    start = [{"action": "ITEM_UPDATE", "item_id": socks, "quantity": 1}]
    cases = [
        ({"actions": [*start, {"action": "ITEM_UPDATE", "item_id": shirt, "quantity": 1}]},
         "actions[1].quantity",
         "Linen shirt: 2 already fulfilled; the quantity cannot go below that (asked for 1)."),
        ({"actions": [*start, {"action": "ITEM_REMOVE", "item_id": scarf}]},
         "actions[1].item_id", "Scarf: 1 already fulfilled; a fulfilled line cannot be removed "
         "(lower it to the fulfilled quantity instead)."),
        ({"actions": [*start, {"action": "ITEM_ADD", "title": "Gold bar",
                               "unit_price": "999999999.99", "quantity": 11}]},
         "actions[1].quantity",
         "A line must come to less than 10,000,000,000 (unit price × quantity)."),
        ({"actions": [*start, {"action": "SHIPPING_ADD", "shipping_option_id": elsewhere.id}]},
         "actions[1].shipping_option_id",
         "That shipping option is not offered in this order's region."),
    ]  # fmt: skip

    got, wanted = _refusals(api, shop, cases)

    assert got == wanted
    _nothing_saved(shop.id, shop.lock_version)


def test_a_second_edit_while_one_is_open_is_409(api, shop):
    first = api("post", f"/api/v1/orders/{shop.id}/edits", issue_example(shop)).get_json()

    response = api("post", f"/api/v1/orders/{shop.id}/edits", {"actions": [
        {"action": "ITEM_REMOVE", "item_id": shop.items[0].id}]})  # fmt: skip

    assert response.status_code == 409
    assert response.get_json()["change_id"] == first["id"]
    assert "already has an open edit (pending)" in response.get_json()["message"]
    assert change_count() == 1
    assert api("get", f"/api/v1/order-edits/{first['id']}").get_json()["actions"] == \
        first["actions"]  # fmt: skip


def test_two_edits_sent_at_once_open_one(api, shop):
    url, body = f"/api/v1/orders/{shop.id}/edits", issue_example(shop)

    def create():
        return api("post", url, body).status_code

    assert sorted(at_once(create, create)) == [201, 409]
    assert change_count() == 1


@pytest.mark.parametrize("body, status, message", [
    ("[1, 2]", 400, 'The body must be a JSON object with an "actions" list.'),
    ("{", 400, "The body is not valid JSON."),
    (json.dumps({"actions": [{"action": "ITEM_REMOVE", "item_id": 1}] * 101}), 413,
     "At most 100 actions per edit; this one has 101."),
])  # fmt: skip
def test_a_body_that_is_no_edit_is_refused(api, shop, body, status, message):
    response = api("post", f"/api/v1/orders/{shop.id}/edits", body)
    assert (response.status_code, response.get_json()["message"]) == (status, message)
    assert change_count() == 0


def test_edits_of_unknown_drafts_and_closed_orders_are_refused(api, shop):
    draft = make_order(status=OrderStatus.DRAFT)
    canceled = make_order(status=OrderStatus.CANCELED)
    body = {"actions": [{"action": "ITEM_ADD", "title": "Card", "unit_price": "1",
                         "quantity": 1}]}  # fmt: skip
    for order_id, status in ((999_999, 404), (draft.id, 404), (canceled.id, 422)):
        assert api("post", f"/api/v1/orders/{order_id}/edits", body).status_code == status
    response = api("post", f"/api/v1/orders/{canceled.id}/edits", body)
    assert response.get_json()["message"] == "A canceled order cannot be edited."
    assert change_count() == 0
    assert api("post", f"/api/v1/orders/{shop.id}/edits", body,
               headers={"Authorization": "Bearer nope"}).status_code == 401  # fmt: skip


@pytest.fixture
def requests_heard(monkeypatch):
    """The ``order-edit.requested`` events the outbox delivers, to a subscriber of the test's."""
    heard: list[dict] = []
    monkeypatch.setitem(SUBSCRIBERS, "test-edit-requests", Subscriber(
        "test-edit-requests", frozenset({"order-edit.requested"}),
        lambda row: heard.append(row.payload)))  # fmt: skip
    return heard


def test_requesting_confirmation_goes_to_the_customer_through_the_outbox(api, shop,
                                                                         requests_heard):
    edit = api("post", f"/api/v1/orders/{shop.id}/edits", issue_example(shop)).get_json()

    response = api("post", f"/api/v1/order-edits/{edit['id']}/request")

    assert response.status_code == 200, response.get_json()
    requested = response.get_json()
    assert (requested["status"], requested["requested_by"]) == ("requested", ACTOR)
    assert requested["requested_at"] is not None
    assert requested["pending_difference"] == edit["pending_difference"]
    row = db.session.scalar(select(OutboxEvent).where(
        OutboxEvent.subscriber == "test-edit-requests"))  # fmt: skip
    assert row.order_id == shop.id and row.delivered_at is not None
    assert [p["data"]["change_id"] for p in requests_heard] == [edit["id"]]
    assert requests_heard[0]["data"]["pending_difference"] == edit["pending_difference"]
    assert requests_heard[0]["data"]["total"] == str(PROPOSED_TOTAL)


def test_an_order_without_an_email_cannot_be_sent_an_edit(api, app):
    order = make_order(email="", customer=None)
    edit = api("post", f"/api/v1/orders/{order.id}/edits", {"actions": [
        {"action": "ITEM_UPDATE", "item_id": order.items[0].id, "quantity": 2}]}).get_json()

    response = api("post", f"/api/v1/order-edits/{edit['id']}/request")

    assert response.status_code == 422
    assert response.get_json()["message"] == "The order has no email to send the request to."
    assert db.session.get(OrderChange, edit["id"]).status == ChangeStatus.PENDING


def test_confirming_applies_the_edit_and_keeps_both_versions(api, shop):
    edit = api("post", f"/api/v1/orders/{shop.id}/edits", issue_example(shop)).get_json()

    response = api("post", f"/api/v1/order-edits/{edit['id']}/confirm")

    assert response.status_code == 200, response.get_json()
    confirmed = response.get_json()
    assert (confirmed["status"], confirmed["confirmed_by"], confirmed["confirmed_version"]) == (
        "confirmed", ACTOR, 2)
    assert (confirmed["preview"], confirmed["pending_difference"]) == (None, None)
    order = api("get", f"/api/v1/orders/{shop.id}").get_json()
    assert order["version"] == 2
    assert order["pending_difference"] is None
    assert [(i["title"], i["quantity"], i["total"]) for i in order["items"]] == [
        (i["title"], i["quantity"], i["total"]) for i in edit["preview"]["items"]]
    assert order["total"] == str(PROPOSED_TOTAL)
    # What the edit said was left to settle is what the order now says.
    assert order["outstanding_amount"] == edit["pending_difference"]

    first = api("get", f"/api/v1/orders/{shop.id}/versions/1").get_json()
    second = api("get", f"/api/v1/orders/{shop.id}/versions/2").get_json()
    assert (first["version"], first["change_id"], first["total"]) == (1, None,
                                                                      str(CURRENT_TOTAL))
    assert [(i["title"], i["quantity"]) for i in first["items"]] == [
        ("Linen shirt", 3), ("Wool socks", 2), ("Scarf", 1)]  # fmt: skip
    assert (second["version"], second["change_id"], second["total"]) == (
        2, edit["id"], str(PROPOSED_TOTAL))
    assert [(i["title"], i["unit_price"], i["total"]) for i in second["items"]] == [
        (i["title"], i["unit_price"], i["total"]) for i in edit["preview"]["items"]]
    assert second["created_at"] == confirmed["confirmed_at"]
    assert api("get", f"/api/v1/orders/{shop.id}/versions/3").status_code == 404


def test_a_confirmation_the_order_no_longer_allows_is_refused_and_changes_nothing(api, shop):
    scarf = shop.items[2].id
    edit = api("post", f"/api/v1/orders/{shop.id}/edits", {"actions": [
        {"action": "ITEM_REMOVE", "item_id": scarf}]}).get_json()  # fmt: skip
    _fulfil(scarf, 1)  # packed since the edit was made

    response = api("post", f"/api/v1/order-edits/{edit['id']}/confirm")

    assert response.status_code == 422
    assert response.get_json()["message"].startswith("Scarf: 1 already fulfilled")
    order = api("get", f"/api/v1/orders/{shop.id}").get_json()
    assert (order["version"], len(order["items"]), order["total"]) == (1, 3, str(CURRENT_TOTAL))
    assert order["pending_difference"] is None  # the edit no longer applies
    still = api("get", f"/api/v1/order-edits/{edit['id']}").get_json()
    assert (still["status"], still["preview"]) == ("pending", None)
    assert still["problem"].startswith("Scarf: 1 already fulfilled")


def test_a_canceled_edit_leaves_the_order_and_cannot_be_confirmed(api, shop):
    edit = api("post", f"/api/v1/orders/{shop.id}/edits", issue_example(shop)).get_json()

    response = api("post", f"/api/v1/order-edits/{edit['id']}/cancel")

    assert response.status_code == 200
    assert (response.get_json()["status"], response.get_json()["canceled_by"]) == (
        "canceled", ACTOR)
    for step in ("confirm", "request", "cancel"):
        refused = api("post", f"/api/v1/order-edits/{edit['id']}/{step}")
        assert (refused.status_code, refused.get_json()["message"]) == (
            409, "This edit is canceled; it can no longer change."), step
    order = api("get", f"/api/v1/orders/{shop.id}").get_json()
    assert (order["version"], order["total"], order["pending_difference"]) == (
        1, str(CURRENT_TOTAL), None)
    # Another edit may be opened now.
    assert api("post", f"/api/v1/orders/{shop.id}/edits",
               issue_example(shop)).status_code == 201  # fmt: skip


def test_a_confirm_and_a_cancel_at_once_one_wins(api, shop):
    edit = api("post", f"/api/v1/orders/{shop.id}/edits", issue_example(shop)).get_json()

    def step(name):
        return lambda: api("post", f"/api/v1/order-edits/{edit['id']}/{name}").status_code

    statuses = at_once(step("confirm"), step("cancel"))

    assert sorted(statuses) == [200, 409]
    change = db.session.get(OrderChange, edit["id"])
    order = reload(shop.id)
    if statuses[0] == 200:
        assert (change.status, order.version) == (ChangeStatus.CONFIRMED, 2)
    else:
        assert (change.status, order.version) == (ChangeStatus.CANCELED, 1)


def test_unknown_edits_are_404(api, shop):
    for method, path in (("get", ""), ("post", "/request"), ("post", "/confirm"),
                         ("post", "/cancel")):  # fmt: skip
        response = api(method, f"/api/v1/order-edits/999999{path}")
        assert (response.status_code, response.get_json()["message"]) == (
            404, "No order edit has the id 999999.")


def test_version_1_of_an_order_never_edited_is_the_order_as_it_is(api, shop):
    response = api("get", f"/api/v1/orders/{shop.id}/versions/1")

    assert response.status_code == 200
    version = response.get_json()
    order = api("get", f"/api/v1/orders/{shop.id}").get_json()
    assert (version["order_id"], version["version"], version["change_id"]) == (shop.id, 1, None)
    assert version["created_at"] == order["created_at"]
    assert version["total"] == order["total"] == str(CURRENT_TOTAL)
    assert version["items"][0]["tax_lines"] == order["items"][0]["tax_lines"]
    assert version["shipping_methods"] == order["shipping_methods"]
    for missing in ("2", "0"):
        assert api("get", f"/api/v1/orders/{shop.id}/versions/{missing}").status_code == 404
    assert api("get", "/api/v1/orders/999999/versions/1").status_code == 404


def test_a_retried_edit_request_answers_as_the_first_and_opens_one_edit(api, shop):
    key = {"Idempotency-Key": "edit-1"}
    first = api("post", f"/api/v1/orders/{shop.id}/edits", issue_example(shop), key)
    retry = api("post", f"/api/v1/orders/{shop.id}/edits", issue_example(shop), key)
    assert first.status_code == retry.status_code == 201
    assert retry.get_json() == first.get_json()
    assert retry.headers["Idempotent-Replayed"] == "true"
    assert change_count() == 1
    edit_id = first.get_json()["id"]
    confirm = api("post", f"/api/v1/order-edits/{edit_id}/confirm", None, {"Idempotency-Key":
                                                                          "confirm-1"})
    again = api("post", f"/api/v1/order-edits/{edit_id}/confirm", None, {"Idempotency-Key":
                                                                        "confirm-1"})
    assert confirm.status_code == again.status_code == 200
    assert again.headers["Idempotent-Replayed"] == "true"
    assert reload(shop.id).version == 2


def test_a_refused_edit_with_a_key_keeps_nothing_of_it(api, shop):
    body = {"actions": [{"action": "ITEM_UPDATE", "item_id": shop.items[0].id, "quantity": 2},
                        {"action": "ITEM_REMOVE", "item_id": 999_999}]}
    response = api("post", f"/api/v1/orders/{shop.id}/edits", body, {"Idempotency-Key": "k"})
    assert response.status_code == 422
    # The key's answer is kept (committed) after the view: the view's work must not be.
    _nothing_saved(shop.id, shop.lock_version)


def test_reading_an_order_and_its_edit_takes_the_same_queries_for_3_lines_as_for_40(
        api, app, count_queries):  # fmt: skip
    region = make_region()
    counts = []
    for lines in (3, 40):
        order = make_order(region=region, captured=["10.00"], items=[
            {"title": f"Item {n}", "unit_price": "2.00", "tax": ["10"], "discounts": ["0.50"]}
            for n in range(lines)])  # fmt: skip
        edit = api("post", f"/api/v1/orders/{order.id}/edits", {"actions": [
            {"action": "ITEM_UPDATE", "item_id": order.items[0].id, "quantity": 2},
            {"action": "ITEM_ADD", "title": "Card", "unit_price": "1.00", "quantity": 1}]})
        assert edit.status_code == 201
        read = []
        for path in (f"/api/v1/orders/{order.id}", f"/api/v1/order-edits/{edit.get_json()['id']}"):
            count_queries.clear()
            assert api("get", path).status_code == 200
            read.append(len(count_queries))
        counts.append(read)
    assert counts[0] == counts[1]
