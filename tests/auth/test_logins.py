"""Logins end on the server: a copy of the session or remember-me cookie taken before a
logout or a password change logs nobody in afterwards."""

from datetime import timedelta

from sqlalchemy import select, update

from app.auth.models import StaffLogin
from app.db_types import utcnow
from app.extensions import db
from tests.conftest import STAFF_EMAIL, STAFF_PASSWORD


def log_in(client, remember=False, password=STAFF_PASSWORD):
    data = {"email": STAFF_EMAIL, "password": password}
    if remember:
        data["remember"] = "y"
    response = client.post("/login", data=data)
    assert response.status_code == 302
    return client


def logged_in(client) -> bool:
    return client.get("/orders").status_code == 200


def with_cookie(app, name, value):
    """A fresh client (another browser) holding only this cookie."""
    other = app.test_client()
    other.set_cookie(name, value)
    return other


def test_a_session_cookie_copied_before_logout_no_longer_logs_in(app, client, staff_user):
    log_in(client)
    copied = client.get_cookie("session").value
    assert logged_in(with_cookie(app, "session", copied))
    client.post("/logout")
    assert not logged_in(client)
    assert not logged_in(with_cookie(app, "session", copied))


def test_a_remember_me_cookie_copied_before_logout_no_longer_logs_in(app, client, staff_user):
    log_in(client, remember=True)
    remembered = client.get_cookie("remember_token").value
    assert logged_in(with_cookie(app, "remember_token", remembered))
    client.post("/logout")
    assert not logged_in(with_cookie(app, "remember_token", remembered))


def test_logging_out_ends_only_that_login(app, staff_user):
    till, office = log_in(app.test_client()), log_in(app.test_client())
    till.post("/logout")
    assert not logged_in(till)
    assert logged_in(office)


def test_a_password_change_ends_every_login_of_that_user(app, staff_user):
    till, office = log_in(app.test_client()), log_in(app.test_client(), remember=True)
    session = office.get_cookie("session").value
    remembered = office.get_cookie("remember_token").value
    result = app.test_cli_runner().invoke(
        args=["create-user", STAFF_EMAIL, "--password", "a new passphrase"]
    )
    assert result.exit_code == 0, result.output
    assert not logged_in(till)
    assert not logged_in(office)
    assert not logged_in(with_cookie(app, "session", session))
    assert not logged_in(with_cookie(app, "remember_token", remembered))
    assert logged_in(log_in(app.test_client(), password="a new passphrase"))


def test_a_login_ends_on_the_server_when_it_expires(app, client, staff_user):
    log_in(client)
    login = db.session.scalar(select(StaffLogin))
    assert login.expires_at - login.created_at == app.config["LOGIN_DURATION"]
    db.session.execute(update(StaffLogin).values(expires_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    assert not logged_in(client)


def test_a_remembered_login_lasts_as_long_as_its_cookie(app, client, staff_user):
    log_in(client, remember=True)
    login = db.session.scalar(select(StaffLogin))
    assert login.expires_at - login.created_at == app.config["REMEMBER_COOKIE_DURATION"]
