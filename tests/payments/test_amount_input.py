"""Every amount a capture or a refund is given, by staff or through the API, is read the one
way (``app.money.parse_amount``): a bad one is a 422 with the reason, and nothing is saved."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from app.extensions import db
from app.payments.models import Capture
from tests.bad_amounts import (
    BAD_AMOUNT_TEXTS,
    BAD_JSON_NUMBERS,
    BAD_WHOLE_NUMBERS,
    opens_with,
    said,
)
from tests.factories import make_order
from tests.order_pages import refusal, reload

STAFF_BAD_AMOUNTS = [*BAD_AMOUNT_TEXTS, ("-1", "Must be more than zero.")]


@pytest.fixture
def order(app):
    """$100.00 authorized, of which $40.00 is captured: room to capture and to refund."""
    order = make_order(items=[{"title": "Desk lamp", "unit_price": "100.00"}],
                       authorized=["100.00"], commit=False)  # fmt: skip
    order.payments[0].captures.append(Capture(amount=Decimal("40.00")))
    db.session.commit()
    return order


def _state(order_id: int) -> tuple:
    """What a refusal leaves as it was: the order's version, its captures and its refunds."""
    saved = reload(order_id)
    payment = saved.payments[0]
    return (saved.lock_version, [c.amount for c in payment.captures],
            [r.amount for r in payment.refunds])


# The tests of a table send every row in one test, to one order: setting an order up per row
# cost far more than the requests. A refusal saves nothing, so every row meets the order the
# first did; each row compares the order with how it found it (not with the fixture), so a row
# wrongly taken fails alone instead of every row after it. Each row's answer goes in a dict
# compared in one assert, so a failure names each wrong row.


def test_staff_capture_and_refund_forms_refuse_every_bad_amount(staff_client, order):
    payment_url = f"/orders/{order.id}/payments/{order.payments[0].id}"
    answers, expected = {}, {}
    for what in ("capture", "refund"):
        for amount, message in STAFF_BAD_AMOUNTS:
            before = _state(order.id)
            response = staff_client.post(f"{payment_url}/{what}", data={
                "lock_version": before[0], "amount": amount, "reason": "other"})  # fmt: skip
            row = f"{what} {amount}"
            answers[row] = (response.status_code, said(refusal(response), message),
                            _state(order.id))  # fmt: skip
            expected[row] = (422, message, before)
    assert answers == expected


def test_the_capture_form_refuses_every_version_that_is_not_one_as_stale(staff_client, order):
    stale = "Someone else changed this order"
    answers, expected = {}, {}
    for version in BAD_WHOLE_NUMBERS:
        before = _state(order.id)
        response = staff_client.post(
            f"/orders/{order.id}/payments/{order.payments[0].id}/capture",
            data={"lock_version": version, "amount": "1.00"},
        )
        answers[version] = (response.status_code, opens_with(refusal(response), stale),
                            _state(order.id))  # fmt: skip
        expected[version] = (409, stale, before)
    assert answers == expected


def _api(client, api_headers, order, what: str, body: str):
    return client.post(
        f"/api/v1/orders/{order.id}/payments/{order.payments[0].id}/{what}s",
        data=body, headers=api_headers | {"Content-Type": "application/json"},
    )  # fmt: skip


def _errors(response, messages: dict[str, str]) -> list[tuple[str, str]]:
    """The API's errors as (field, message), a message cut to ``messages[field]`` when it says
    it (``said``); a body that is not JSON has none."""
    body = response.get_json(silent=True) or {}
    return [(e["field"], said(e["message"], messages.get(e["field"], e["message"])))
            for e in body.get("errors", [])]  # fmt: skip


API_BAD_AMOUNTS = [
    *[(json.dumps(text), message) for text, message in STAFF_BAD_AMOUNTS],
    *BAD_JSON_NUMBERS,
    ("-1", "Must be more than zero."),
    ("null", "Must be a number."),
]


def test_the_api_refuses_every_bad_amount_with_the_field(client, api_headers, order):
    answers, expected = {}, {}
    for what in ("capture", "refund"):
        for amount, message in API_BAD_AMOUNTS:
            before = _state(order.id)
            response = _api(client, api_headers, order, what, f'{{"amount": {amount}}}')
            body = response.get_json(silent=True) or {}
            row = f"{what} {amount}"
            answers[row] = (response.status_code, body.get("message"),
                            _errors(response, {"amount": message}), _state(order.id))  # fmt: skip
            expected[row] = (422, "The amount is not valid.", [("amount", message)], before)
    assert answers == expected


def test_the_api_refuses_a_jpy_amount_with_decimals(client, api_headers, app):
    order = make_order(currency="JPY", items=[{"title": "Tea set", "unit_price": "4800"}],
                       authorized=["4800"])  # fmt: skip
    response = _api(client, api_headers, order, "capture", '{"amount": "0.5"}')
    assert response.status_code == 422
    assert response.get_json()["errors"] == [
        {"field": "amount", "message": "JPY amounts have no decimals."}
    ]
    assert reload(order.id).payments[0].captures == []


REFUND_TEXT_THAT_CANNOT_BE_STORED = [
    ('"\\ud800"', "lone surrogate"),
    ('"half a pair \\udfff"', "lone surrogate"),
    ('"nul \\u0000 byte"', "NUL character"),
    ("12", "must be a string"),
]


def test_the_api_refuses_every_refund_text_that_cannot_be_stored_with_the_field(
    client, api_headers, order
):
    answers, expected = {}, {}
    for field in ("note", "reason"):
        for value, message in REFUND_TEXT_THAT_CANNOT_BE_STORED:
            before = _state(order.id)
            body = f'{{"amount": "1.00", "{field}": {value}}}'
            response = _api(client, api_headers, order, "refund", body)
            row = f"{field} {value}"
            answers[row] = (response.status_code, _errors(response, {field: message}),
                            _state(order.id))  # fmt: skip
            expected[row] = (422, [(field, message)], before)
    assert answers == expected


def test_the_api_refund_keeps_a_note_in_any_script(client, api_headers, order):
    response = _api(client, api_headers, order, "refund",
                    '{"amount": "1.00", "note": "返品 \\ud83d\\ude00"}')  # fmt: skip
    assert response.status_code == 201
    assert reload(order.id).payments[0].refunds[0].note == "返品 😀"
