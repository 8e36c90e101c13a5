from tests.conftest import STAFF_EMAIL, STAFF_PASSWORD


def test_order_pages_send_anonymous_visitors_to_the_login(client):
    response = client.get("/orders")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


def test_staff_log_in_and_land_on_the_order_list(client, staff_user):
    response = client.post(
        "/login", data={"email": STAFF_EMAIL.upper(), "password": STAFF_PASSWORD},
        follow_redirects=True,
    )
    assert response.status_code == 200
    assert b"<h1>Orders</h1>" in response.data


def test_a_wrong_password_is_refused_with_a_message(client, staff_user):
    response = client.post("/login", data={"email": STAFF_EMAIL, "password": "nope"})
    assert response.status_code == 401
    assert b"Wrong email or password." in response.data
    assert client.get("/orders").status_code == 302


def test_login_never_redirects_to_another_site(client, staff_user):
    response = client.post(
        "/login?next=https://evil.example/",
        data={"email": STAFF_EMAIL, "password": STAFF_PASSWORD},
    )
    assert response.headers["Location"] == "/orders"


def test_login_form_without_csrf_token_is_refused(client, staff_user, csrf_enabled):
    response = client.post("/login", data={"email": STAFF_EMAIL, "password": STAFF_PASSWORD})
    assert response.status_code == 400
    assert client.get("/orders").status_code == 302


def test_logout_ends_the_session(staff_client):
    staff_client.post("/logout")
    assert staff_client.get("/orders").status_code == 302


def test_create_user_command_makes_a_login(app, client):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["create-user", "Lee@Shop.test", "--password", "s3cret-pass"])
    assert result.exit_code == 0, result.output
    response = client.post("/login", data={"email": "lee@shop.test", "password": "s3cret-pass"})
    assert response.status_code == 302


def test_create_user_refuses_a_short_password(app):
    result = app.test_cli_runner().invoke(args=["create-user", "x@y.test", "--password", "short"])
    assert result.exit_code != 0
    assert "at least 8 characters" in result.output


def test_production_stores_passwords_with_scrypt(app, tmp_path):
    # The suite runs with a one-round hash for speed; the settings a deployment gets keep
    # werkzeug's scrypt, and a login checks against it.
    from app import config
    from app.auth.models import User

    production = config.from_environment(str(tmp_path))
    assert production["PASSWORD_HASH_METHOD"] == "scrypt"
    saved = app.config["PASSWORD_HASH_METHOD"]
    app.config["PASSWORD_HASH_METHOD"] = production["PASSWORD_HASH_METHOD"]
    try:
        user = User(email="scrypt@orderdesk.test")
        user.set_password("a long passphrase")
    finally:
        app.config["PASSWORD_HASH_METHOD"] = saved
    assert user.password_hash.startswith("scrypt:")
    assert user.check_password("a long passphrase")
    assert not user.check_password("a long passphrase!")
