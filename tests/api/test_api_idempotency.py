"""``Idempotency-Key`` on the API's writes: a retried import, capture or refund returns the
first answer and creates nothing; the same key with another body is refused; two requests
with one key at once act once."""

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import update

from app.api.idempotency import KEPT_FOR
from app.api.models import IdempotencyKey
from app.auth.models import ApiToken
from app.db_types import utcnow
from app.extensions import db
from app.orders import importing
from tests.api.helpers import IMPORT_URL, order_count, order_payload
from tests.factories import make_order
from tests.order_pages import reload
from tests.payments.test_payment_races import at_once

# Without an external id, nothing but the key tells a retry from a second order.
NO_EXTERNAL_ID = order_payload(external_id=None)


def post(client, headers, url, body, key=None):
    if key is not None:
        headers = headers | {"Idempotency-Key": key}
    return client.post(url, json=body, headers=headers)


def test_a_retried_import_returns_the_first_answer_and_creates_nothing(client, api_headers):
    first = post(client, api_headers, IMPORT_URL, {"orders": [NO_EXTERNAL_ID]}, "import-7")
    retry = post(client, api_headers, IMPORT_URL, {"orders": [NO_EXTERNAL_ID]}, "import-7")
    assert first.status_code == retry.status_code == 201
    assert retry.get_json() == first.get_json()
    assert retry.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert order_count() == 1


def test_imports_without_a_key_are_each_imported(client, api_headers):
    for _ in range(2):
        assert post(client, api_headers, IMPORT_URL, {"orders": [NO_EXTERNAL_ID]}).status_code \
            == 201  # fmt: skip
    assert order_count() == 2


def test_another_import_with_the_same_key_is_refused(client, api_headers):
    post(client, api_headers, IMPORT_URL, {"orders": [NO_EXTERNAL_ID]}, "import-7")
    other = order_payload(external_id=None, email="grace@example.com")
    response = post(client, api_headers, IMPORT_URL, {"orders": [other]}, "import-7")
    assert response.status_code == 422
    assert response.get_json()["message"] == (
        "This Idempotency-Key was sent with another request; use a new key for a new request."
    )
    assert order_count() == 1


def test_keys_belong_to_the_token_that_sent_them(client, api_headers):
    token_row, token = ApiToken.issue("another-system")
    db.session.add(token_row)
    db.session.commit()
    other_system = {"Authorization": f"Bearer {token}"}
    for headers in (api_headers, other_system):
        response = post(client, headers, IMPORT_URL, {"orders": [NO_EXTERNAL_ID]}, "import-7")
        assert response.status_code == 201 and "Idempotent-Replayed" not in response.headers
    assert order_count() == 2


def test_a_key_is_kept_for_a_day(client, api_headers):
    post(client, api_headers, IMPORT_URL, {"orders": [NO_EXTERNAL_ID]}, "import-7")
    db.session.execute(update(IdempotencyKey).values(
        created_at=utcnow() - KEPT_FOR + timedelta(minutes=1)))  # fmt: skip
    db.session.commit()
    retry = post(client, api_headers, IMPORT_URL, {"orders": [NO_EXTERNAL_ID]}, "import-7")
    assert retry.headers["Idempotent-Replayed"] == "true"
    assert order_count() == 1
    db.session.execute(update(IdempotencyKey).values(created_at=utcnow() - KEPT_FOR))
    db.session.commit()
    later = post(client, api_headers, IMPORT_URL, {"orders": [NO_EXTERNAL_ID]}, "import-7")
    assert later.status_code == 201 and "Idempotent-Replayed" not in later.headers
    assert order_count() == 2


@pytest.mark.parametrize("key", ["", "   ", "k" * 256])
def test_a_key_must_hold_1_to_255_characters(client, api_headers, key):
    response = post(client, api_headers, IMPORT_URL, {"orders": [NO_EXTERNAL_ID]}, key)
    assert response.status_code == 400
    assert response.get_json()["message"] == (
        "The Idempotency-Key header must hold 1 to 255 characters."
    )
    assert order_count() == 0


def test_a_request_that_failed_releases_its_key(client, api_headers, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr("app.api.views.import_orders", broken)
    with pytest.raises(RuntimeError):
        post(client, api_headers, IMPORT_URL, {"orders": [NO_EXTERNAL_ID]}, "import-7")
    monkeypatch.setattr("app.api.views.import_orders", importing.import_orders)
    retry = post(client, api_headers, IMPORT_URL, {"orders": [NO_EXTERNAL_ID]}, "import-7")
    assert retry.status_code == 201 and "Idempotent-Replayed" not in retry.headers
    assert order_count() == 1


def payment_url(order, what):
    return f"/api/v1/orders/{order.id}/payments/{order.payments[0].id}/{what}"


def test_a_retried_capture_captures_once(client, api_headers):
    order = make_order(items=[{"title": "Bike light", "unit_price": "100.00"}],
                       authorized=["100.00"])  # fmt: skip
    url = payment_url(order, "captures")
    first = post(client, api_headers, url, {"amount": "40.00"}, "capture-1")
    retry = post(client, api_headers, url, {"amount": "40.00"}, "capture-1")
    assert first.status_code == retry.status_code == 201
    assert retry.get_json() == first.get_json()
    payment = reload(order.id).payments[0]
    assert [c.amount for c in payment.captures] == [Decimal("40.00")]
    refused = post(client, api_headers, url, {"amount": "60.00"}, "capture-1")
    assert refused.status_code == 422
    assert len(reload(order.id).payments[0].captures) == 1


def test_a_retried_refund_refunds_once_and_a_refused_one_stays_refused(client, api_headers):
    order = make_order(items=[{"title": "Bike light", "unit_price": "100.00"}],
                       captured=["100.00"])  # fmt: skip
    url = payment_url(order, "refunds")
    body = {"amount": "30.00", "reason": "damaged"}
    first = post(client, api_headers, url, body, "refund-1")
    retry = post(client, api_headers, url, body, "refund-1")
    assert first.status_code == retry.status_code == 201
    assert retry.get_json() == first.get_json()
    assert reload(order.id).totals.refunded_total == Decimal("30.00")

    too_much = {"amount": "70.01", "reason": "damaged"}
    refused = post(client, api_headers, url, too_much, "refund-2")
    again = post(client, api_headers, url, too_much, "refund-2")
    assert refused.status_code == again.status_code == 422
    assert again.get_json() == refused.get_json()
    assert reload(order.id).totals.refunded_total == Decimal("30.00")


def test_two_refunds_with_one_key_at_once_refund_once(client, api_headers):
    # On PostgreSQL the two overlap: one acts; the other waits for the claim and answers 409
    # while the first is being answered, or the first answer once it is kept.
    order = make_order(items=[{"title": "Bike light", "unit_price": "100.00"}],
                       captured=["100.00"])  # fmt: skip
    url = payment_url(order, "refunds")

    def refund():
        return post(client, api_headers, url, {"amount": "10.00"}, "refund-1")

    responses = at_once(refund, refund)
    statuses = sorted(r.status_code for r in responses)
    assert statuses in ([201, 201], [201, 409])
    replayed = [r for r in responses if r.headers.get("Idempotent-Replayed")]
    assert len(replayed) == statuses.count(201) - 1
    assert len(reload(order.id).payments[0].refunds) == 1
    assert reload(order.id).totals.refunded_total == Decimal("10.00")
