"""Login throttling: five wrong passwords for an account, or from an address, within fifteen
minutes, and the next login there is refused with 429 and when to try again."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from app.auth import models as auth_models
from app.auth.models import LoginAttempt, User
from app.auth.throttle import MAX_FAILURES, WINDOW
from app.db_types import utcnow
from app.extensions import db
from tests.conftest import STAFF_EMAIL, STAFF_PASSWORD
from tests.payments.test_payment_races import at_once

HERE, THERE = "10.0.0.1", "10.0.0.2"


def log_in(client, password, email=STAFF_EMAIL, address=HERE):
    return client.post("/login", data={"email": email, "password": password},
                       environ_base={"REMOTE_ADDR": address})  # fmt: skip


def fail(client, times, email=STAFF_EMAIL, address=HERE):
    for _ in range(times):
        assert log_in(client, "wrong guess", email, address).status_code == 401


def test_after_five_wrong_passwords_the_account_is_refused_with_when_to_try_again(
    client, staff_user
):
    fail(client, MAX_FAILURES)
    response = log_in(client, STAFF_PASSWORD, address=THERE)
    assert response.status_code == 429
    assert 0 < int(response.headers["Retry-After"]) <= WINDOW.total_seconds()
    assert "Too many failed logins for this account or from this address. Try again in 15 " \
           "minutes." in response.get_data(as_text=True)  # fmt: skip
    assert client.get("/orders").status_code == 302


def test_after_five_wrong_passwords_from_an_address_it_is_refused_for_every_account(
    client, staff_user
):
    for n in range(MAX_FAILURES):
        fail(client, 1, email=f"guess{n}@orderdesk.test")
    assert log_in(client, STAFF_PASSWORD).status_code == 429
    assert log_in(client, STAFF_PASSWORD, address=THERE).status_code == 302


def test_four_wrong_passwords_still_let_the_right_one_in(client, staff_user):
    fail(client, MAX_FAILURES - 1)
    assert log_in(client, STAFF_PASSWORD).status_code == 302


def test_a_login_does_not_clear_the_accounts_failures_from_another_address(
    app, client, staff_user
):
    fail(client, MAX_FAILURES - 1, address=THERE)
    assert log_in(app.test_client(), STAFF_PASSWORD).status_code == 302
    fail(client, 1, address=THERE)
    assert log_in(app.test_client(), STAFF_PASSWORD).status_code == 429


def test_a_login_clears_its_own_failures_from_its_address(app, client, staff_user):
    fail(client, MAX_FAILURES - 1)
    assert log_in(app.test_client(), STAFF_PASSWORD).status_code == 302
    fail(client, MAX_FAILURES - 1)
    assert log_in(app.test_client(), STAFF_PASSWORD).status_code == 302


def test_refused_attempts_do_not_prolong_the_wait(client, staff_user):
    fail(client, MAX_FAILURES)
    for _ in range(3):
        assert log_in(client, "wrong guess").status_code == 429
    assert db.session.scalar(select(func.count()).select_from(LoginAttempt)) == MAX_FAILURES


def test_the_wait_ends_when_the_oldest_failure_is_fifteen_minutes_old(client, staff_user):
    fail(client, MAX_FAILURES)
    first, *_ = db.session.scalars(select(LoginAttempt).order_by(LoginAttempt.id))
    # The first failure was almost 15 minutes ago: a minute to wait.
    db.session.execute(update(LoginAttempt).where(LoginAttempt.id == first.id)
                       .values(created_at=utcnow() - WINDOW + timedelta(seconds=59)))  # fmt: skip
    db.session.commit()
    response = log_in(client, STAFF_PASSWORD)
    assert response.status_code == 429
    assert 0 < int(response.headers["Retry-After"]) <= 59
    assert "Try again in 1 minute." in response.get_data(as_text=True)
    db.session.execute(update(LoginAttempt).where(LoginAttempt.id == first.id)
                       .values(created_at=utcnow() - WINDOW))  # fmt: skip
    db.session.commit()
    assert log_in(client, STAFF_PASSWORD).status_code == 302


def test_wrong_passwords_sent_at_once_get_at_most_five_checked(client, staff_user):
    # On PostgreSQL the attempts overlap; each counts those committed before it.
    statuses = at_once(*[lambda: log_in(client, "wrong guess").status_code] * 12)
    assert set(statuses) <= {401, 429}
    assert statuses.count(401) <= MAX_FAILURES
    assert log_in(client, STAFF_PASSWORD).status_code == (
        429 if statuses.count(401) == MAX_FAILURES else 302
    )


@pytest.fixture
def hash_checks(monkeypatch):
    """The stored hashes that login checks a password against."""
    checked = []
    real = auth_models.check_password_hash

    def spy(stored, password):
        checked.append(stored)
        return real(stored, password)

    monkeypatch.setattr(auth_models, "check_password_hash", spy)
    return checked


def _method(password_hash: str) -> str:
    return password_hash.split("$", 1)[0]


@pytest.mark.parametrize("case", ["unknown email", "wrong password", "deactivated user"])
def test_every_refused_login_checks_one_hash_of_the_configured_method(
    app, client, staff_user, hash_checks, case
):
    # The same work whether or not the email has a login: timing does not tell them apart.
    email = "nobody@orderdesk.test" if case == "unknown email" else STAFF_EMAIL
    password = "wrong guess" if case == "wrong password" else STAFF_PASSWORD
    if case == "deactivated user":
        db.session.execute(update(User).values(is_active=False))
        db.session.commit()
    assert log_in(client, password, email=email).status_code == 401
    assert [_method(h) for h in hash_checks] == [app.config["PASSWORD_HASH_METHOD"]]
    assert _method(staff_user.password_hash) == app.config["PASSWORD_HASH_METHOD"]


def test_behind_a_trusted_proxy_the_address_counted_is_the_clients(make_app, staff_user):
    proxied = make_app(TRUSTED_PROXIES=1).test_client()
    response = proxied.post("/login", data={"email": STAFF_EMAIL, "password": "wrong guess"},
                            headers={"X-Forwarded-For": "203.0.113.9"},
                            environ_base={"REMOTE_ADDR": "10.0.0.254"})  # fmt: skip
    assert response.status_code == 401
    assert [a.address for a in db.session.scalars(select(LoginAttempt))] == ["203.0.113.9"]
