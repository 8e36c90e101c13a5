"""Every amount a capture or a refund is given, by staff or through the API, is read the one
way (``app.money.parse_amount``): a bad one is a 422 with the reason, and nothing is saved."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from app.extensions import db
from app.payments.models import Capture
from tests.bad_amounts import BAD_AMOUNT_TEXTS, BAD_JSON_NUMBERS, BAD_WHOLE_NUMBERS
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


def _unchanged(order, version: int) -> None:
    saved = reload(order.id)
    assert saved.version == version
    payment = saved.payments[0]
    assert [c.amount for c in payment.captures] == [Decimal("40.00")]
    assert payment.refunds == []


@pytest.mark.parametrize("what", ["capture", "refund"])
@pytest.mark.parametrize(("amount", "message"), STAFF_BAD_AMOUNTS)
def test_staff_capture_and_refund_forms_refuse_a_bad_amount(
    staff_client, order, what, amount, message
):
    version = reload(order.id).version
    response = staff_client.post(
        f"/orders/{order.id}/payments/{order.payments[0].id}/{what}",
        data={"version": version, "amount": amount, "reason": "other"},
    )
    assert response.status_code == 422
    assert message in refusal(response)
    _unchanged(order, version)


@pytest.mark.parametrize("version", BAD_WHOLE_NUMBERS)
def test_a_form_whose_version_is_not_a_version_is_refused_as_stale(staff_client, order, version):
    before = reload(order.id).version
    response = staff_client.post(
        f"/orders/{order.id}/payments/{order.payments[0].id}/capture",
        data={"version": version, "amount": "1.00"},
    )
    assert response.status_code == 409
    assert refusal(response).startswith("Someone else changed this order")
    _unchanged(order, before)


def _api(client, api_headers, order, what: str, body: str):
    return client.post(
        f"/api/v1/orders/{order.id}/payments/{order.payments[0].id}/{what}s",
        data=body, headers=api_headers | {"Content-Type": "application/json"},
    )  # fmt: skip


API_BAD_AMOUNTS = [
    *[(json.dumps(text), message) for text, message in STAFF_BAD_AMOUNTS],
    *BAD_JSON_NUMBERS,
    ("-1", "Must be more than zero."),
    ("null", "Must be a number."),
]


@pytest.mark.parametrize("what", ["capture", "refund"])
@pytest.mark.parametrize(("amount", "message"), API_BAD_AMOUNTS)
def test_the_api_refuses_a_bad_amount_with_the_field(
    client, api_headers, order, what, amount, message
):
    version = reload(order.id).version
    response = _api(client, api_headers, order, what, f'{{"amount": {amount}}}')
    assert response.status_code == 422
    body = response.get_json()
    assert body["message"] == "The amount is not valid."
    [error] = body["errors"]
    assert error["field"] == "amount" and message in error["message"]
    _unchanged(order, version)


def test_the_api_refuses_a_jpy_amount_with_decimals(client, api_headers, app):
    order = make_order(currency="JPY", items=[{"title": "Tea set", "unit_price": "4800"}],
                       authorized=["4800"])  # fmt: skip
    response = _api(client, api_headers, order, "capture", '{"amount": "0.5"}')
    assert response.status_code == 422
    assert response.get_json()["errors"] == [
        {"field": "amount", "message": "JPY amounts have no decimals."}
    ]
    assert reload(order.id).payments[0].captures == []


@pytest.mark.parametrize("field", ["note", "reason"])
@pytest.mark.parametrize(
    ("value", "message"),
    [
        ('"\\ud800"', "lone surrogate"),
        ('"half a pair \\udfff"', "lone surrogate"),
        ('"nul \\u0000 byte"', "NUL character"),
        ("12", "must be a string"),
    ],
)
def test_the_api_refuses_refund_text_that_cannot_be_stored_with_the_field(
    client, api_headers, order, field, value, message
):
    version = reload(order.id).version
    body = f'{{"amount": "1.00", "{field}": {value}}}'
    response = _api(client, api_headers, order, "refund", body)
    assert response.status_code == 422
    [error] = response.get_json()["errors"]
    assert error["field"] == field and message in error["message"]
    _unchanged(order, version)


def test_the_api_refund_keeps_a_note_in_any_script(client, api_headers, order):
    response = _api(client, api_headers, order, "refund",
                    '{"amount": "1.00", "note": "返品 \\ud83d\\ude00"}')  # fmt: skip
    assert response.status_code == 201
    assert reload(order.id).payments[0].refunds[0].note == "返品 😀"
