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
