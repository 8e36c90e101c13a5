"""Fixtures of the order-change tests: the builder tests' store (regions with tax rates, a
catalogue, shipping options), and emails that link under PUBLIC_URL."""

import pytest

from tests.changes.helpers import PUBLIC_URL
from tests.draft_orders.conftest import shop  # noqa: F401  (a fixture, found by its name)


@pytest.fixture
def public_url(app):
    """Emails link under PUBLIC_URL, as the outbox worker's do."""
    app.config["PUBLIC_URL"] = PUBLIC_URL
    yield PUBLIC_URL
    app.config["PUBLIC_URL"] = ""
