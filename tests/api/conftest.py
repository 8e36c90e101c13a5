"""Fixtures of the API tests."""

from __future__ import annotations

import pytest

from tests.api.helpers import IMPORT_URL


@pytest.fixture
def import_orders(client, api_headers):
    """Post orders to the import endpoint with a valid token; returns the response."""

    def post(*orders: dict):
        return client.post(IMPORT_URL, json={"orders": list(orders)}, headers=api_headers)

    return post


@pytest.fixture
def api_get(client, api_headers):
    """GET an API path with a valid token; returns the response."""

    def get(path: str, **query):
        return client.get(path, query_string=query, headers=api_headers)

    return get


@pytest.fixture
def api(client, api_headers):
    """Send an API request with a valid token: ``api("post", path, body)``; a ``str`` body is
    sent as it is (for JSON that Python's encoder would not write, such as NaN)."""

    def send(method: str, path: str, body: object = None, headers: dict | None = None):
        headers = api_headers | (headers or {})
        if isinstance(body, str):
            return client.open(path, method=method.upper(), data=body,
                               headers=headers | {"Content-Type": "application/json"})
        return client.open(path, method=method.upper(), json=body, headers=headers)

    return send
