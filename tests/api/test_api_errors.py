import pytest

from tests.api.helpers import IMPORT_URL, order_count, order_payload


def test_an_unknown_api_route_is_a_json_404(api_get):
    response = api_get("/api/v1/customers")
    assert response.status_code == 404
    assert response.is_json
    assert "/api/v1/customers" in response.get_json()["message"]


def test_a_method_an_endpoint_does_not_take_is_a_json_405(client, api_headers):
    response = client.delete("/api/v1/orders/1", headers=api_headers)
    assert response.status_code == 405
    assert response.get_json()["message"]
    assert "GET" in response.headers["Allow"]


def test_an_unknown_order_is_a_json_404(api_get):
    response = api_get("/api/v1/orders/4242")
    assert response.status_code == 404
    assert response.get_json() == {"message": "No order has the id 4242."}


def test_pages_outside_the_api_keep_their_own_404(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert not response.is_json


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b'{"orders": [', "application/json"),
        (b"orders=1", "application/x-www-form-urlencoded"),
        (b"\xff\xfe", "application/json"),
        (b"", "application/json"),
        (b"[1, 2]", "application/json"),
        (b'{"orders": {"email": "a@b.co"}}', "application/json"),
        (b'{"order": []}', "application/json"),
        (b'{"orders": []}', "application/json"),
        (b"[" * 100_000 + b"]" * 100_000, "application/json"),
    ],
    ids=["truncated", "form", "not utf-8", "empty", "a list", "orders not a list",
         "no orders key", "no orders", "nested too deep"],
)  # fmt: skip
def test_a_body_that_is_not_an_object_with_an_orders_list_is_a_400(
    client, api_headers, body, content_type
):
    response = client.post(
        IMPORT_URL, data=body, headers=api_headers | {"Content-Type": content_type}
    )
    assert response.status_code == 400
    assert response.get_json()["message"]
    assert order_count() == 0


def test_more_orders_than_allowed_is_a_413_and_saves_nothing(import_orders, app):
    assert app.config["IMPORT_MAX_ORDERS"] == 1000
    orders = [order_payload(external_id=f"shop-{n}") for n in range(1001)]
    response = import_orders(*orders)
    assert response.status_code == 413
    assert "1,000" in response.get_json()["message"]
    assert order_count() == 0


def test_a_body_larger_than_allowed_is_a_json_413(app, import_orders, monkeypatch):
    monkeypatch.setitem(app.config, "IMPORT_MAX_BYTES", 2_000)
    response = import_orders(*(order_payload(external_id=f"shop-{n}") for n in range(3)))
    assert response.status_code == 413
    assert response.get_json()["message"]
    assert order_count() == 0
