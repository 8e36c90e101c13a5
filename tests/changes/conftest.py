"""Fixtures of the order-edit tests."""

import pytest

from tests.changes.helpers import PUBLIC_URL


@pytest.fixture
def public_url(app):
    """Emails link under PUBLIC_URL, as the outbox worker's do."""
    app.config["PUBLIC_URL"] = PUBLIC_URL
    yield PUBLIC_URL
    app.config["PUBLIC_URL"] = ""
