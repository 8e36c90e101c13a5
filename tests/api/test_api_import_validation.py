"""Bad orders are refused with every error and its field path, and nothing of them is saved."""

import json
from decimal import Decimal

import pytest

from app.extensions import db
from app.orders.models import Order
from tests.api.helpers import IMPORT_URL, order_count, order_payload
from tests.bad_amounts import BAD_AMOUNT_TEXTS, BAD_JSON_NUMBERS
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
        (_set("items.0.unit_price", "-0.01"), "items[0].unit_price", "Must be zero or more."),
        (_set("items.0.unit_price", "forty"), "items[0].unit_price", "Must be a number"),
        (_set("items.0.unit_price", True), "items[0].unit_price", "Must be a number."),
        (_set("items.0.unit_price", "0.0000001"), "items[0].unit_price",
         "USD amounts have at most 2 decimals."),
        (_set("items.0.unit_price", "1000000000000000"), "items[0].unit_price",
         "Must be less than 1,000,000,000."),
        (_set("items.0.is_tax_inclusive", "yes"), "items[0].is_tax_inclusive", "true or false"),
        (_set("items.1.tax_lines.0.rate", "twenty"), "items[1].tax_lines[0].rate",
         "Must be a number"),
        (_set("items.1.tax_lines.0.rate", -5), "items[1].tax_lines[0].rate",
         "Must be zero or more."),
        (_set("items.1.tax_lines.0.rate", "0.0000001"), "items[1].tax_lines[0].rate",
         "Must have at most 6 decimals."),
        (_set("items.1.tax_lines.0.code", None), "items[1].tax_lines[0].code", "is required"),
        (_set("items.1.adjustments.0.amount", 0), "items[1].adjustments[0].amount",
         "Must be more than zero."),
        (_set("items.1.adjustments.0.amount", "9.51"), "items[1].adjustments",
         "exceed the line's subtotal"),
        (_set("shipping_methods.0.amount", None), "shipping_methods[0].amount", "is required"),
        (_set("shipping_methods.0.name", 7), "shipping_methods[0].name", "must be a string"),
        (_set("shipping_methods.0.adjustments", [{"amount": "5.01"}]),
         "shipping_methods[0].adjustments", "exceed the line's subtotal"),
        (_set("credit_lines", [{"amount": "-5"}]), "credit_lines[0].amount",
         "Must be more than zero."),
        (_set("payments.0.status", "refunded"), "payments[0].status", "authorized, captured"),
        (_set("payments.0.status", None), "payments[0].status", "is required"),
        (_set("payments.0.amount", "10.001"), "payments[0].amount",
         "USD amounts have at most 2 decimals."),
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


def _post_raw(client, api_headers, order: dict, raw: str):
    """Import ``order`` with every ``"__RAW__"`` in it written as ``raw``, as JSON text (a
    number such as NaN or 1e309 that no Python value serializes to)."""
    body = json.dumps({"orders": [order]}).replace('"__RAW__"', raw)
    return client.post(IMPORT_URL, data=body,
                       headers=api_headers | {"Content-Type": "application/json"})  # fmt: skip


def _refused(response, field: str, message: str) -> None:
    assert response.status_code == 422
    [result] = response.get_json()["results"]
    assert any(e["field"] == field and message in e["message"] for e in result["errors"]), (
        result["errors"]
    )
    assert order_count() == 0


IMPORT_BAD_AMOUNTS = [
    *[(json.dumps(text), message) for text, message in BAD_AMOUNT_TEXTS],
    *BAD_JSON_NUMBERS,
    ('"-1"', "Must be zero or more."),
]


@pytest.mark.parametrize(("raw", "message"), IMPORT_BAD_AMOUNTS)
@pytest.mark.parametrize(
    ("path", "field"),
    [("items.0.unit_price", "items[0].unit_price"),
     ("shipping_methods.0.amount", "shipping_methods[0].amount")],
)  # fmt: skip
def test_an_import_refuses_a_bad_unit_price_or_shipping_amount(
    client, api_headers, path, field, raw, message
):
    order = order_payload()
    _set(path, "__RAW__")(order)
    _refused(_post_raw(client, api_headers, order, raw), field, message)


@pytest.mark.parametrize(
    ("path", "field"),
    [("items.0.unit_price", "items[0].unit_price"),
     ("shipping_methods.0.amount", "shipping_methods[0].amount")],
)  # fmt: skip
def test_a_jpy_import_refuses_prices_with_decimals(import_orders, path, field):
    order = order_payload(currency_code="JPY", payments=[])
    _set(path, "0.5")(order)
    _refused(import_orders(order), field, "JPY amounts have no decimals.")


@pytest.mark.parametrize(
    ("raw", "message"),
    [(str(10**30), "must be at most 1,000,000"), (str(2**64), "must be at most 1,000,000"),
     ("1000001", "must be at most 1,000,000"), ('"١٢"', "whole number"), ('"１２"', "whole number"),
     ("1e309", "whole number"), ("NaN", "whole number"), ("2.5", "whole number")],
)  # fmt: skip
def test_an_import_refuses_a_quantity_beyond_the_maximum_or_not_whole(
    client, api_headers, raw, message
):
    order = order_payload()
    order["items"][0]["quantity"] = "__RAW__"
    _refused(_post_raw(client, api_headers, order, raw), "items[0].quantity", message)


def _yen_order(items: list[dict], **changes) -> dict:
    return order_payload(currency_code="JPY", items=items, shipping_methods=[], payments=[],
                         **changes)  # fmt: skip


def test_a_yen_price_beyond_the_maximum_is_refused_not_overflowed(import_orders):
    # 10 × ¥999,999,999,999 would have overflowed SQLite's 64-bit millionths.
    order = _yen_order([{"title": "Vase", "quantity": 10, "unit_price": "999999999999"}])
    _refused(import_orders(order), "items[0].unit_price", "Must be less than 1,000,000,000.")


def test_a_line_of_price_times_quantity_beyond_the_maximum_is_refused(import_orders):
    order = _yen_order([{"title": "Vase", "quantity": 11, "unit_price": "999999999"}])
    _refused(import_orders(order), "items[0].quantity",
             "A line must come to less than 10,000,000,000 (unit price × quantity).")  # fmt: skip


def test_an_order_total_beyond_the_maximum_is_refused_and_a_full_one_is_stored_exactly(
    import_orders,
):
    line = {"title": "Vase", "quantity": 10, "unit_price": "999999999"}
    full = _yen_order([line] * 100, external_id="full")
    over = _yen_order([line] * 101, external_id="over")
    response = import_orders(full, over)
    assert response.status_code == 207
    created, refused = response.get_json()["results"]
    assert refused["errors"] == [
        {"field": "items", "message": "An order's total must be less than 1,000,000,000,000."}
    ]
    assert order_count() == 1
    db.session.expire_all()
    stored = db.session.get(Order, created["id"])
    assert stored.total == Decimal(line["unit_price"]) * line["quantity"] * 100


@pytest.mark.parametrize(
    ("path", "field"),
    [("items.0.title", "items[0].title"), ("items.0.sku", "items[0].sku"),
     ("email", "email"), ("external_id", "external_id"),
     ("customer.first_name", "customer.first_name"),
     ("shipping_address.city", "shipping_address.city"),
     ("items.1.tax_lines.0.code", "items[1].tax_lines[0].code"),
     ("shipping_methods.0.name", "shipping_methods[0].name")],
)  # fmt: skip
@pytest.mark.parametrize(
    ("text", "message"),
    [("\ud800", "lone surrogate"), ("Tea \udc00 pot", "lone surrogate"),
     ("Tea\x00pot", "NUL character")],
)  # fmt: skip
def test_text_that_cannot_be_stored_is_refused_with_the_field(
    import_orders, path, field, text, message
):
    order = order_payload()
    _set(path, text)(order)
    _refused(import_orders(order), field, message)


@pytest.mark.parametrize(
    ("raw", "message"),
    [(str(10**30), "Must be less than 1,000,000,000,000."), ('"NaN"', "Must be a number")],
)
@pytest.mark.parametrize(
    ("path", "field"),
    [("payments.0.amount", "payments[0].amount"),
     ("credit_lines", "credit_lines[0].amount")],
)  # fmt: skip
def test_payments_and_credit_lines_are_refused_beyond_an_orders_maximum(
    client, api_headers, path, field, raw, message
):
    order = order_payload()
    _set(path, [{"amount": "__RAW__"}] if path == "credit_lines" else "__RAW__")(order)
    _refused(_post_raw(client, api_headers, order, raw), field, message)


@pytest.mark.parametrize("moment", ["9999-12-31T23:00:00-05:00", "0001-01-01T00:30:00+01:00"])
def test_a_date_that_leaves_the_calendar_in_utc_is_refused(import_orders, moment):
    _refused(import_orders(order_payload(created_at=moment)), "created_at", "ISO 8601")


def test_a_numeric_external_id_longer_than_the_column_is_refused(client, api_headers):
    order = order_payload(external_id="__RAW__")
    _refused(_post_raw(client, api_headers, order, "9" * 201), "external_id",
             "at most 200 characters")  # fmt: skip
