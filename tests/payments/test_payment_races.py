"""Money actions fired at the same moment: the limits hold, nothing is done twice, and the
order ends consistent. (On PostgreSQL the requests really overlap; SQLite runs them one by
one, and the outcome must be the same.)"""

import threading
from decimal import Decimal

from app.orders.models import OrderStatus
from tests.bad_amounts import NOT_A_NUMBER
from tests.factories import make_order
from tests.order_pages import reload


def at_once(*calls) -> list:
    """Run the calls in threads released together; their results in call order."""
    start = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(index, call):
        start.wait()
        results[index] = call()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_twenty_refunds_of_ten_against_a_hundred_refund_exactly_a_hundred(client, api_headers):
    order = make_order(items=[{"title": "Bike light", "unit_price": "100.00"}],
                       captured=["100.00"])  # fmt: skip
    url = f"/api/v1/orders/{order.id}/payments/{order.payments[0].id}/refunds"

    def refund():
        return client.post(url, json={"amount": "10.00", "reason": "goodwill"},
                           headers=api_headers).status_code  # fmt: skip

    statuses = at_once(*[refund] * 20)
    assert sorted(statuses) == [201] * 10 + [422] * 10
    order = reload(order.id)
    assert order.totals.refunded_total == Decimal("100.00")
    assert len(order.payments[0].refunds) == 10
    assert order.payment_status == "refunded"


def test_a_capture_and_a_cancel_at_once_leave_a_consistent_order(
    client, api_headers, staff_client
):
    order = make_order(items=[{"title": "Bike light", "unit_price": "100.00"}],
                       authorized=["100.00"])  # fmt: skip
    payment_id, version = order.payments[0].id, order.lock_version
    capture, cancel = at_once(
        lambda: client.post(f"/api/v1/orders/{order.id}/payments/{payment_id}/captures",
                            json={"amount": "100.00"}, headers=api_headers).status_code,
        lambda: staff_client.post(f"/orders/{order.id}/status/cancel",
                                  data={"lock_version": version}).status_code,
    )  # fmt: skip
    order = reload(order.id)
    payment = order.payments[0]
    if order.status == OrderStatus.CANCELED:
        assert (capture, cancel) == (422, 302)
        assert payment.canceled_at is not None and payment.captures == []
    else:
        assert (capture, cancel) == (201, 409)
        assert payment.canceled_at is None and payment.captured_amount == Decimal("100.00")
        assert order.payment_status == "captured"


def test_a_double_clicked_refund_button_refunds_once(staff_client):
    order = make_order(items=[{"title": "Bike light", "unit_price": "100.00"}],
                       captured=["100.00"])  # fmt: skip
    form = {"lock_version": order.lock_version, "amount": "30.00", "reason": "damaged", "note": ""}
    url = f"/orders/{order.id}/payments/{order.payments[0].id}/refund"
    statuses = at_once(*[lambda: staff_client.post(url, data=form).status_code] * 2)
    assert sorted(statuses) == [302, 409]
    assert reload(order.id).totals.refunded_total == Decimal("30.00")


def test_the_api_refuses_a_refund_beyond_what_was_captured_with_the_reason(
    client, api_headers
):
    order = make_order(captured=["40.00"])
    response = client.post(f"/api/v1/orders/{order.id}/payments/{order.payments[0].id}/refunds",
                           json={"amount": "40.01"}, headers=api_headers)  # fmt: skip
    assert response.status_code == 422
    assert response.get_json()["message"] == "Only $40.00 of this payment can be refunded."
    response = client.post(f"/api/v1/orders/{order.id}/payments/{order.payments[0].id}/refunds",
                           json={"amount": "lots"}, headers=api_headers)  # fmt: skip
    assert response.status_code == 422
    [error] = response.get_json()["errors"]
    assert error == {"field": "amount", "message": NOT_A_NUMBER}
    response = client.post("/api/v1/orders/999999/payments/1/refunds", json={"amount": "1"},
                           headers=api_headers)  # fmt: skip
    assert response.status_code == 404
    assert reload(order.id).totals.refunded_total == Decimal("0")
