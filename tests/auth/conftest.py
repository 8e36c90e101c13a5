"""Fixtures of the auth tests: an app of their own with other settings."""

import pytest

from app import create_app
from app.extensions import db


@pytest.fixture
def make_app(app):
    """Build another app on the test database, with the suite's settings but ``overrides``;
    its connections are closed after the test."""
    made = []

    def make(**overrides):
        settings = {key: app.config[key] for key in (
            "TESTING", "SECRET_KEY", "WTF_CSRF_ENABLED", "PASSWORD_HASH_METHOD",
            "SQLALCHEMY_DATABASE_URI")}  # fmt: skip
        other = create_app(settings | overrides)
        made.append(other)
        return other

    yield make
    for other in made:
        with other.app_context():
            db.engine.dispose()
