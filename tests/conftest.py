"""Shared fixtures: the app on SQLite (default) or PostgreSQL (``DATABASE_URL``), a clean
database per test, a test client, a logged-in member of staff and an API token."""

from __future__ import annotations

import contextvars
import os
import socket
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller
from flask.testing import FlaskClient
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, delete, event, inspect, make_url, text

from app import create_app
from app.auth.logins import begin_login
from app.auth.models import ApiToken, User
from app.extensions import db
from app.orders.actions import DISPLAY_ID_COUNTER
from app.orders.models import FIRST_DISPLAY_ID, Counter
from app.store.models import SalesChannel

STAFF_EMAIL = "staff@orderdesk.test"
STAFF_PASSWORD = "correct horse battery"


class IsolatedClient(FlaskClient):
    """A test client whose every request runs in its own app context, with its own database
    session and ``g``, as a real request does, even though the test holds a context open."""

    def open(self, *args, **kwargs):
        return contextvars.Context().run(super().open, *args, **kwargs)


@pytest.fixture(scope="session")
def _app(tmp_path_factory):
    overrides = {
        "TESTING": True,
        "SECRET_KEY": "tests",
        "WTF_CSRF_ENABLED": False,
        # scrypt costs 150 ms a login; production's hash is tested once, in tests/auth.
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1",
    }
    if os.environ.get("DATABASE_URL"):
        overrides["SQLALCHEMY_DATABASE_URI"] = _postgresql_database(os.environ["DATABASE_URL"])
    else:
        path = tmp_path_factory.mktemp("db") / "orderdesk.db"
        overrides["SQLALCHEMY_DATABASE_URI"] = f"sqlite:///{path}"
    app = create_app(overrides)
    app.test_client_class = IsolatedClient
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            # A throwaway file: waiting for the disk at every commit (thousands of them) buys
            # nothing a test needs.
            event.listen(db.engine, "connect", _sqlite_without_sync)
        # Start from nothing, whatever an earlier run left, then build the schema the way
        # production does: through the migrations.
        if inspect(db.engine).has_table("alembic_version"):
            downgrade(revision="base")
        db.session.remove()
        upgrade()
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _postgresql_database(url: str) -> str:
    """The database of ``DATABASE_URL`` for this test process. pytest-xdist runs the suite in
    several processes; each gets a database of its own beside the named one (``_gw0``, ...),
    created when missing, since every process empties its database between tests."""
    url = make_url(url).set(drivername="postgresql+psycopg")
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker:
        return url.render_as_string(hide_password=False)
    name = f"{url.database}_{worker}"
    server = create_engine(url, isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        exists = connection.scalar(text("SELECT 1 FROM pg_database WHERE datname = :name"),
                                   {"name": name})  # fmt: skip
        if not exists:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    server.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


def _sqlite_without_sync(dbapi_connection, connection_record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA synchronous=OFF")
    cursor.close()


def _empty_database() -> None:
    """Delete every row, then restore what the migrations seed (the display id counter, the
    default sales channel)."""
    db.session.remove()
    tables = [t for t in reversed(db.metadata.sorted_tables)]
    if db.engine.dialect.name == "postgresql":
        names = ", ".join(f'"{t.name}"' for t in tables)
        db.session.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    else:
        for table in tables:
            db.session.execute(delete(table))
    db.session.add(Counter(name=DISPLAY_ID_COUNTER, value=FIRST_DISPLAY_ID - 1))
    db.session.add(
        SalesChannel(name="Default Sales Channel", description="Orders that name no other "
                     "channel", is_default=True)  # fmt: skip
    )
    db.session.commit()


@pytest.fixture
def app(_app):
    """The app, inside an app context, on a database emptied after the test."""
    with _app.app_context():
        yield _app
        _empty_database()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def staff_user(app):
    user = User(email=STAFF_EMAIL, name="Sam Staff")
    user.set_password(STAFF_PASSWORD)
    db.session.add(user)
    db.session.commit()
    return user


@pytest.fixture
def staff_client(client, staff_user):
    """A test client logged in as a member of staff: a login row and its token in the session,
    as the login form leaves them (tests/auth sends the form itself; going through it here
    would cost every test the throttle's and the login's round trips)."""
    begin_login(staff_user, remember=False)
    db.session.commit()
    with client.session_transaction() as session:
        session["_user_id"] = staff_user.get_id()
        session["_fresh"] = True
    return client


@pytest.fixture
def api_headers(app):
    """Authorization headers with a fresh API token."""
    token_row, token = ApiToken.issue("test-system")
    db.session.add(token_row)
    db.session.commit()
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def csrf_enabled(app):
    """Turn CSRF protection on for one test (it is off for the others' convenience)."""
    app.config["WTF_CSRF_ENABLED"] = True
    yield
    app.config["WTF_CSRF_ENABLED"] = False


@pytest.fixture
def count_queries(app):
    """The SQL statements sent while the test runs (clear it to start counting afresh)."""
    statements: list[str] = []

    def record(conn, cursor, statement, *args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    yield statements
    event.remove(db.engine, "before_cursor_execute", record)


class _Inbox:
    """What a real SMTP server on loopback received (aiosmtpd)."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802  (aiosmtpd's name)
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_inbox(app):
    """An SMTP server on a free loopback port, with the app pointed at it; yields the list of
    messages it received."""
    inbox = _Inbox()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings = {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": port}
    saved = {key: app.config[key] for key in settings}
    app.config.update(settings)
    yield inbox.messages
    app.config.update(saved)
    controller.stop()
