"""Bad orders are refused with every error and its field path, and nothing of them is saved."""

import json
from decimal import Decimal

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


# The tests of a table send every row in one test: the client and token set up per row cost more
# than the requests. A refused order stores nothing; each row counts the orders it stored (not
# the orders there are), so a row wrongly taken fails alone instead of every row after it. Each
# row's answer goes in a dict compared in one assert, so a failure names each wrong row.


def _row(path: str, value) -> str:
    return f"without {path}" if value is None else f"{path} = {value!r}"


def _answer(response, field: str, message: str, orders_before: int) -> tuple:
    """What a refused order's row got: the status, the one result's index and status, the error
    at ``field`` saying ``message`` (else every error, to show what it was told instead), and
    the orders it stored (there were ``orders_before``)."""
    body = response.get_json(silent=True) or {}
    results = body.get("results") or [{}]
    errors = results[0].get("errors", [])
    told = any(e["field"] == field and message in e["message"] for e in errors)
    return (response.status_code, len(results), results[0].get("index"),
            results[0].get("status"), (field, message) if told else errors,
            order_count() - orders_before)  # fmt: skip


def _refusal(field: str, message: str) -> tuple:
    """What every row of a refused order must get (as ``_answer`` reads it)."""
    return 422, 1, 0, "invalid", (field, message), 0


#: A change to a valid order (the path of the value it sets, ``None`` removing the key), the
#: field its error names and what the error says.
INVALID_ORDERS = [
    ("email", None, "email", "is required"),
    ("email", "ada at example", "email", "is not a valid email address"),
    ("currency_code", None, "currency_code", "is required"),
    ("currency_code", "XYZ", "currency_code", "is not a known currency"),
    ("currency_code", "dollars", "currency_code", "three-letter"),
    ("status", "shipped", "status", "must be one of pending"),
    ("items", None, "items", "is required"),
    ("items", [], "items", "at least one"),
    ("items", "shirt", "items", "must be a list"),
    ("items.1", "socks", "items[1]", "must be an object"),
    ("items.0.title", None, "items[0].title", "is required"),
    ("items.0.title", "  ", "items[0].title", "must not be empty"),
    ("items.0.quantity", -1, "items[0].quantity", "at least 1"),
    ("items.0.quantity", 0, "items[0].quantity", "at least 1"),
    ("items.0.quantity", 1.5, "items[0].quantity", "whole number"),
    ("items.0.quantity", "2", "items[0].quantity", "whole number"),
    ("items.0.quantity", None, "items[0].quantity", "is required"),
    ("items.0.unit_price", "-0.01", "items[0].unit_price", "Must be zero or more."),
    ("items.0.unit_price", "forty", "items[0].unit_price", "Must be a number"),
    ("items.0.unit_price", True, "items[0].unit_price", "Must be a number."),
    ("items.0.unit_price", "0.0000001", "items[0].unit_price",
     "USD amounts have at most 2 decimals."),
    ("items.0.unit_price", "1000000000000000", "items[0].unit_price",
     "Must be less than 1,000,000,000."),
    ("items.0.is_tax_inclusive", "yes", "items[0].is_tax_inclusive", "true or false"),
    ("items.1.tax_lines.0.rate", "twenty", "items[1].tax_lines[0].rate", "Must be a number"),
    ("items.1.tax_lines.0.rate", -5, "items[1].tax_lines[0].rate", "Must be zero or more."),
    ("items.1.tax_lines.0.rate", "0.0000001", "items[1].tax_lines[0].rate",
     "Must have at most 6 decimals."),
    ("items.1.tax_lines.0.code", None, "items[1].tax_lines[0].code", "is required"),
    ("items.1.adjustments.0.amount", 0, "items[1].adjustments[0].amount",
     "Must be more than zero."),
    ("items.1.adjustments.0.amount", "9.51", "items[1].adjustments", "exceed the line's subtotal"),
    ("shipping_methods.0.amount", None, "shipping_methods[0].amount", "is required"),
    ("shipping_methods.0.name", 7, "shipping_methods[0].name", "must be a string"),
    ("shipping_methods.0.adjustments", [{"amount": "5.01"}],
     "shipping_methods[0].adjustments", "exceed the line's subtotal"),
    ("credit_lines", [{"amount": "-5"}], "credit_lines[0].amount", "Must be more than zero."),
    ("payments.0.status", "refunded", "payments[0].status", "authorized, captured"),
    ("payments.0.status", None, "payments[0].status", "is required"),
    ("payments.0.amount", "10.001", "payments[0].amount", "USD amounts have at most 2 decimals."),
    ("customer", "Ada", "customer", "must be an object"),
    ("shipping_address.country_code", "USA", "shipping_address.country_code",
     "at most 2 characters"),
    ("metadata", ["a"], "metadata", "must be an object"),
    ("no_notification", "no", "no_notification", "true or false"),
    ("created_at", "last Tuesday", "created_at", "ISO 8601"),
    ("external_id", ["x"], "external_id", "must be a string"),
    ("region", "Atlantis", "region", "no region has the name 'Atlantis'"),
    ("region", 999, "region", "no region has the id 999"),
    ("sales_channel", "Marketplace", "sales_channel", "no sales channel"),
]  # fmt: skip


def test_an_invalid_order_is_refused_with_the_field_path(import_orders):
    answers, expected = {}, {}
    for path, value, field, message in INVALID_ORDERS:
        order = order_payload()
        _set(path, value)(order)
        before = order_count()
        response = import_orders(order)
        body = response.get_json(silent=True) or {}
        answers[_row(path, value)] = (bool(body.get("message")),
                                      _answer(response, field, message, before))  # fmt: skip
        expected[_row(path, value)] = (True, _refusal(field, message))
    assert answers == expected


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


def test_an_import_refuses_every_bad_unit_price_and_shipping_amount(client, api_headers):
    answers, expected = {}, {}
    for path, field in [("items.0.unit_price", "items[0].unit_price"),
                        ("shipping_methods.0.amount", "shipping_methods[0].amount")]:  # fmt: skip
        for raw, message in IMPORT_BAD_AMOUNTS:
            order = order_payload()
            _set(path, "__RAW__")(order)
            before = order_count()
            response = _post_raw(client, api_headers, order, raw)
            answers[f"{path} = {raw}"] = _answer(response, field, message, before)
            expected[f"{path} = {raw}"] = _refusal(field, message)
    assert answers == expected


def test_a_jpy_import_refuses_prices_with_decimals(import_orders):
    answers, expected = {}, {}
    for path, field in [("items.0.unit_price", "items[0].unit_price"),
                        ("shipping_methods.0.amount", "shipping_methods[0].amount")]:  # fmt: skip
        order = order_payload(currency_code="JPY", payments=[])
        _set(path, "0.5")(order)
        before = order_count()
        response = import_orders(order)
        answers[path] = _answer(response, field, "JPY amounts have no decimals.", before)
        expected[path] = _refusal(field, "JPY amounts have no decimals.")
    assert answers == expected


def test_an_import_refuses_every_quantity_beyond_the_maximum_or_not_whole(client, api_headers):
    answers, expected = {}, {}
    for raw, message in [
        (str(10**30), "must be at most 1,000,000"), (str(2**64), "must be at most 1,000,000"),
        ("1000001", "must be at most 1,000,000"), ('"١٢"', "whole number"),
        ('"１２"', "whole number"), ("1e309", "whole number"), ("NaN", "whole number"),
        ("2.5", "whole number"),
    ]:  # fmt: skip
        order = order_payload()
        order["items"][0]["quantity"] = "__RAW__"
        before = order_count()
        response = _post_raw(client, api_headers, order, raw)
        answers[raw] = _answer(response, "items[0].quantity", message, before)
        expected[raw] = _refusal("items[0].quantity", message)
    assert answers == expected


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


def test_every_text_that_cannot_be_stored_is_refused_with_the_field(import_orders):
    answers, expected = {}, {}
    for path, field in [
        ("items.0.title", "items[0].title"), ("items.0.sku", "items[0].sku"),
        ("email", "email"), ("external_id", "external_id"),
        ("customer.first_name", "customer.first_name"),
        ("shipping_address.city", "shipping_address.city"),
        ("items.1.tax_lines.0.code", "items[1].tax_lines[0].code"),
        ("shipping_methods.0.name", "shipping_methods[0].name"),
    ]:  # fmt: skip
        for text, message in [("\ud800", "lone surrogate"), ("Tea \udc00 pot", "lone surrogate"),
                              ("Tea\x00pot", "NUL character")]:  # fmt: skip
            order = order_payload()
            _set(path, text)(order)
            before = order_count()
            response = import_orders(order)
            answers[_row(path, text)] = _answer(response, field, message, before)
            expected[_row(path, text)] = _refusal(field, message)
    assert answers == expected


def test_payments_and_credit_lines_are_refused_beyond_an_orders_maximum(client, api_headers):
    answers, expected = {}, {}
    for path, field in [("payments.0.amount", "payments[0].amount"),
                        ("credit_lines", "credit_lines[0].amount")]:  # fmt: skip
        for raw, message in [(str(10**30), "Must be less than 1,000,000,000,000."),
                             ('"NaN"', "Must be a number")]:  # fmt: skip
            order = order_payload()
            _set(path, [{"amount": "__RAW__"}] if path == "credit_lines" else "__RAW__")(order)
            before = order_count()
            response = _post_raw(client, api_headers, order, raw)
            answers[f"{path} = {raw}"] = _answer(response, field, message, before)
            expected[f"{path} = {raw}"] = _refusal(field, message)
    assert answers == expected


def test_a_date_that_leaves_the_calendar_in_utc_is_refused(import_orders):
    answers, expected = {}, {}
    for moment in ["9999-12-31T23:00:00-05:00", "0001-01-01T00:30:00+01:00"]:
        before = order_count()
        response = import_orders(order_payload(created_at=moment))
        answers[moment] = _answer(response, "created_at", "ISO 8601", before)
        expected[moment] = _refusal("created_at", "ISO 8601")
    assert answers == expected


def test_a_numeric_external_id_longer_than_the_column_is_refused(client, api_headers):
    order = order_payload(external_id="__RAW__")
    _refused(_post_raw(client, api_headers, order, "9" * 201), "external_id",
             "at most 200 characters")  # fmt: skip
