"""Production (a PostgreSQL DATABASE_URL, or ORDERDESK_ENV=production) refuses to start
without SECRET_KEY, and serves nothing until a staff user other than the demo login exists;
the commands that set a database up still run. ``demo-data`` never adds the demo login beside
real staff unless asked."""

import pytest
from sqlalchemy import select

from app import config, create_app
from app.auth.models import User
from app.cli import DEMO_EMAIL, DEMO_PASSWORD
from app.extensions import db
from tests.conftest import STAFF_EMAIL
from tests.factories import make_order


@pytest.mark.parametrize(("database_url", "orderdesk_env", "production"), [
    (None, None, False),
    ("sqlite:////tmp/orderdesk.db", None, False),
    (None, "production", True),
    ("postgresql://orderdesk@db.example.com/orderdesk", None, True),
    ("postgres://orderdesk@db.example.com/orderdesk", None, True),
    ("postgresql+psycopg://orderdesk@db.example.com/orderdesk", "production", True),
    ("postgresql://postgres@127.0.0.1/orderdesk_bench", "development", False),
])  # fmt: skip
def test_production_is_a_postgresql_database_or_orderdesk_env(
    monkeypatch, tmp_path, database_url, orderdesk_env, production
):
    for name, value in (("DATABASE_URL", database_url), ("ORDERDESK_ENV", orderdesk_env)):
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)
    monkeypatch.setenv("SECRET_KEY", "shared by every process")
    assert config.from_environment(str(tmp_path))["PRODUCTION"] is production


def test_production_refuses_to_start_without_secret_key(monkeypatch, tmp_path):
    monkeypatch.setenv("ORDERDESK_ENV", "production")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'orderdesk.db'}")
    with pytest.raises(config.ConfigurationError, match="Set SECRET_KEY in the environment"):
        create_app()
    assert config.from_environment(str(tmp_path))["SECRET_KEY"] is None
    assert not (tmp_path / "secret_key").exists()


def test_outside_production_a_key_is_generated_once_into_the_instance_folder(
    monkeypatch, tmp_path
):
    monkeypatch.delenv("ORDERDESK_ENV", raising=False)
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'orderdesk.db'}")
    first = config.from_environment(str(tmp_path))["SECRET_KEY"]
    assert first == (tmp_path / "secret_key").read_text()
    assert config.from_environment(str(tmp_path))["SECRET_KEY"] == first


@pytest.fixture
def production_app(make_app):
    """A production app (not in testing mode) on the test database, which has no users."""
    return make_app(PRODUCTION=True, TESTING=False)


def test_production_serves_nothing_until_a_staff_user_other_than_the_demo_login_exists(
    production_app,
):
    client = production_app.test_client()
    for path in ("/healthz", "/login"):
        response = client.get(path)
        assert response.status_code == 503
        assert "no member of staff can log in yet" in response.get_data(as_text=True)

    runner = production_app.test_cli_runner()
    result = runner.invoke(args=["create-user", DEMO_EMAIL, "--password", DEMO_PASSWORD])
    assert result.exit_code == 0, result.output
    assert client.get("/healthz").status_code == 503

    result = runner.invoke(args=["create-user", STAFF_EMAIL, "--password", "a long passphrase"])
    assert result.exit_code == 0, result.output
    assert client.get("/healthz").status_code == 200
    assert client.get("/login").status_code == 200


def test_the_schema_upgrade_runs_in_production_on_a_database_without_users(production_app):
    result = production_app.test_cli_runner().invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output


def demo_login_exists() -> bool:
    db.session.expire_all()
    return db.session.scalar(select(User).where(User.email == DEMO_EMAIL)) is not None


def test_demo_data_adds_no_demo_login_beside_real_staff(app, staff_user):
    make_order()
    result = app.test_cli_runner().invoke(args=["demo-data", "--if-empty"])
    assert result.exit_code == 0, result.output
    assert "Staff users exist, so no demo login was created" in result.output
    assert DEMO_PASSWORD not in result.output
    assert not demo_login_exists()


def test_demo_data_adds_the_demo_login_when_asked(app, staff_user):
    make_order()
    result = app.test_cli_runner().invoke(args=["demo-data", "--if-empty", "--demo-login"])
    assert result.exit_code == 0, result.output
    assert f"Demo login: {DEMO_EMAIL} / {DEMO_PASSWORD}" in result.output
    assert demo_login_exists()


def test_demo_data_adds_the_demo_login_to_a_database_without_staff(app):
    make_order()
    result = app.test_cli_runner().invoke(args=["demo-data", "--if-empty"])
    assert f"Demo login: {DEMO_EMAIL} / {DEMO_PASSWORD}" in result.output
    assert demo_login_exists()
