"""Bad orders are refused with every error and its field path, and nothing of them is saved."""

import pytest

from app.extensions import db
from tests.api.helpers import order_count, order_payload
from tests.factories import make_region


def _set(path: str, value):
    """A change to a valid order: set the value at a path like ``items.1.tax_lines.0.rate``;
    ``None`` removes the key."""

    def change(order: dict) -> None:
        *parents, last = path.split(".")
        target = order
        for part in parents:
            target = target[int(part)] if part.isdigit() else target[part]
        if value is None:
            del target[int(last) if last.isdigit() else last]
        else:
            target[int(last) if last.isdigit() else last] = value

    return change


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        (_set("email", None), "email", "is required"),
        (_set("email", "ada at example"), "email", "is not a valid email address"),
        (_set("currency_code", None), "currency_code", "is required"),
        (_set("currency_code", "XYZ"), "currency_code", "is not a known currency"),
        (_set("currency_code", "dollars"), "currency_code", "three-letter"),
        (_set("status", "shipped"), "status", "must be one of pending"),
        (_set("items", None), "items", "is required"),
        (_set("items", []), "items", "at least one"),
        (_set("items", "shirt"), "items", "must be a list"),
        (_set("items.1", "socks"), "items[1]", "must be an object"),
        (_set("items.0.title", None), "items[0].title", "is required"),
        (_set("items.0.title", "  "), "items[0].title", "must not be empty"),
        (_set("items.0.quantity", -1), "items[0].quantity", "at least 1"),
        (_set("items.0.quantity", 0), "items[0].quantity", "at least 1"),
        (_set("items.0.quantity", 1.5), "items[0].quantity", "whole number"),
        (_set("items.0.quantity", "2"), "items[0].quantity", "whole number"),
        (_set("items.0.quantity", None), "items[0].quantity", "is required"),
        (_set("items.0.unit_price", "-0.01"), "items[0].unit_price", "at least 0"),
        (_set("items.0.unit_price", "forty"), "items[0].unit_price", "is not a number"),
        (_set("items.0.unit_price", "NaN"), "items[0].unit_price", "not a finite number"),
        (_set("items.0.unit_price", True), "items[0].unit_price", "must be a number"),
        (_set("items.0.unit_price", "0.0000001"), "items[0].unit_price", "at most 6 decimals"),
        (_set("items.0.unit_price", "1e15"), "items[0].unit_price", "must be less than"),
        (_set("items.0.is_tax_inclusive", "yes"), "items[0].is_tax_inclusive", "true or false"),
        (_set("items.1.tax_lines.0.rate", "twenty"), "items[1].tax_lines[0].rate",
         "is not a number"),
        (_set("items.1.tax_lines.0.rate", -5), "items[1].tax_lines[0].rate", "at least 0"),
        (_set("items.1.tax_lines.0.code", None), "items[1].tax_lines[0].code", "is required"),
        (_set("items.1.adjustments.0.amount", 0), "items[1].adjustments[0].amount",
         "greater than 0"),
        (_set("items.1.adjustments.0.amount", "9.51"), "items[1].adjustments",
         "exceed the line's subtotal"),
        (_set("shipping_methods.0.amount", None), "shipping_methods[0].amount", "is required"),
        (_set("shipping_methods.0.name", 7), "shipping_methods[0].name", "must be a string"),
        (_set("shipping_methods.0.adjustments", [{"amount": "5.01"}]),
         "shipping_methods[0].adjustments", "exceed the line's subtotal"),
        (_set("credit_lines", [{"amount": "-5"}]), "credit_lines[0].amount", "greater than 0"),
        (_set("payments.0.status", "refunded"), "payments[0].status", "authorized, captured"),
        (_set("payments.0.status", None), "payments[0].status", "is required"),
        (_set("payments.0.amount", "10.001"), "payments[0].amount", "at most 2 decimals in USD"),
        (_set("customer", "Ada"), "customer", "must be an object"),
        (_set("shipping_address.country_code", "USA"), "shipping_address.country_code",
         "at most 2 characters"),
        (_set("metadata", ["a"]), "metadata", "must be an object"),
        (_set("no_notification", "no"), "no_notification", "true or false"),
        (_set("created_at", "last Tuesday"), "created_at", "ISO 8601"),
        (_set("external_id", ["x"]), "external_id", "must be a string"),
        (_set("region", "Atlantis"), "region", "no region has the name 'Atlantis'"),
        (_set("region", 999), "region", "no region has the id 999"),
        (_set("sales_channel", "Marketplace"), "sales_channel", "no sales channel"),
    ],
)  # fmt: skip
def test_an_invalid_order_is_refused_with_the_field_path(import_orders, change, field, message):
    order = order_payload()
    change(order)
    response = import_orders(order)
    assert response.status_code == 422
    body = response.get_json()
    assert body["message"]
    [result] = body["results"]
    assert (result["index"], result["status"]) == (0, "invalid")
    assert any(e["field"] == field and message in e["message"] for e in result["errors"]), (
        result["errors"]
    )
    assert order_count() == 0


def test_every_error_of_an_order_is_reported_not_just_the_first(import_orders):
    order = order_payload(email="nobody", currency_code="XXQ")
    order["items"][0]["quantity"] = -2
    order["items"][1]["tax_lines"][0]["rate"] = "eight"
    order["payments"][0]["status"] = "pending"
    response = import_orders(order)
    assert response.status_code == 422
    fields = [e["field"] for e in response.get_json()["results"][0]["errors"]]
    assert sorted(fields) == sorted([
        "email", "currency_code", "items[0].quantity", "items[1].tax_lines[0].rate",
        "payments[0].status",
    ])  # fmt: skip


def test_something_that_is_not_an_object_is_an_invalid_order(import_orders):
    response = import_orders("order 1")
    assert response.status_code == 422
    assert response.get_json()["results"][0]["errors"][0]["field"] == "order"


def test_a_tax_inclusive_line_may_be_discounted_to_its_net_price_but_no_further(import_orders):
    # 11.90 with 19 % tax included is 10.00 net: a 10.00 discount is allowed, 10.01 is not.
    line = {"title": "Pen", "quantity": 1, "unit_price": "11.90", "is_tax_inclusive": True,
            "tax_lines": [{"code": "VAT", "rate": 19}]}  # fmt: skip
    whole = order_payload(external_id="a", currency_code="EUR",
                          items=[line | {"adjustments": [{"amount": "10.00"}]}])  # fmt: skip
    too_much = order_payload(external_id="b", currency_code="EUR",
                             items=[line | {"adjustments": [{"amount": "10.01"}]}])  # fmt: skip
    results = import_orders(whole, too_much).get_json()["results"]
    assert [r["status"] for r in results] == ["created", "invalid"]
    assert results[1]["errors"][0]["field"] == "items[0].adjustments"


def test_a_region_in_another_currency_is_refused(import_orders):
    make_region("Germany", "EUR", inclusive=True, rate="19")
    db.session.commit()
    response = import_orders(order_payload(region="Germany"))
    assert response.status_code == 422
    [error] = response.get_json()["results"][0]["errors"]
    assert error["field"] == "region"
    assert "EUR" in error["message"] and "USD" in error["message"]
    assert order_count() == 0
