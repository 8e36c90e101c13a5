"""Security headers on every answer, and pages that need nothing the Content-Security-Policy
forbids (no inline script, event handler or style)."""

from html.parser import HTMLParser

import pytest

from app import config
from app.extensions import db
from app.fulfillment.models import StockLocation
from tests.conftest import STAFF_EMAIL, STAFF_PASSWORD
from tests.factories import make_order
from tests.order_pages import reload

EVERY_ANSWER = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


def policy(response) -> dict[str, str]:
    """The Content-Security-Policy's directives by name."""
    directives = response.headers["Content-Security-Policy"].split(";")
    return {d.split()[0]: d.strip() for d in directives if d.strip()}


@pytest.fixture
def order(app):
    return make_order(captured=["50.00"])


@pytest.fixture
def packing_slip(staff_client, order) -> str:
    """The path of a packing slip for one unit of the order."""
    location = StockLocation(name="Leeds warehouse")
    db.session.add(location)
    db.session.commit()
    staff_client.post(f"/orders/{order.id}/fulfillments", data={
        "lock_version": order.lock_version, "location": location.id,
        f"quantity-{order.items[0].id}": "1"})  # fmt: skip
    fulfillment = reload(order.id).fulfillments[0]
    return f"/orders/{order.id}/fulfillments/{fulfillment.id}/packing-slip"


@pytest.mark.parametrize("path", [
    "/login", "/orders", "/orders/{id}", "/draft-orders", "/settings",
    "/api/v1/orders", "/api/v1/orders/{id}", "/healthz", "/orders/999999", "/no-such-page",
])  # fmt: skip
def test_pages_and_api_answers_carry_the_security_headers_and_are_not_stored(
    staff_client, api_headers, order, path
):
    response = staff_client.get(path.format(id=order.id), headers=api_headers)
    for name, value in EVERY_ANSWER.items():
        assert response.headers[name] == value
    directives = policy(response)
    assert directives["script-src"] == "script-src 'self'"
    assert directives["style-src"] == "style-src 'self'"
    assert directives["frame-ancestors"] == "frame-ancestors 'none'"
    assert response.headers["Cache-Control"] == "no-store"


def test_static_files_keep_their_caching(client):
    response = client.get("/static/vendor/htmx/htmx.min.js")
    assert response.status_code == 200
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "no-store" not in response.headers.get("Cache-Control", "")
    response.close()


class _InlineCode(HTMLParser):
    """What a page has that a policy of ``script-src 'self'; style-src 'self'`` blocks."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "script" and not attributes.get("src"):
            self.found.append("<script> without src")
        if tag == "style":
            self.found.append("<style>")
        for name, value in attrs:
            if name.startswith("on") or name == "style":
                self.found.append(f'<{tag} {name}="{value}">')
            if (value or "").strip().lower().startswith("javascript:"):
                self.found.append(f'<{tag} {name}="{value}">')


def inline_code(html: str) -> list[str]:
    parser = _InlineCode()
    parser.feed(html)
    return parser.found


def test_no_page_needs_inline_script_or_style(client, staff_client, order, packing_slip):
    pages = {
        "order list": "/orders",
        "order": f"/orders/{order.id}",
        "packing slip": packing_slip,
        "drafts": "/draft-orders",
        "builder": staff_client.post("/draft-orders").headers["Location"],
        "settings": "/settings/",
    }
    for name, path in pages.items():
        response = staff_client.get(path)
        assert response.status_code == 200, name
        assert inline_code(response.get_data(as_text=True)) == [], name
    assert inline_code(client.get("/login").get_data(as_text=True)) == []


def test_the_packing_slip_prints_from_a_script_file(staff_client, packing_slip):
    page = staff_client.get(packing_slip).get_data(as_text=True)
    assert '<script src="/static/js/print.js" defer></script>' in page
    assert '<button type="button" data-print>Print</button>' in page
    script = staff_client.get("/static/js/print.js")
    assert "[data-print]" in script.get_data(as_text=True)
    script.close()


def test_the_remember_me_cookie_follows_session_cookie_secure(
    app, client, staff_user, monkeypatch, tmp_path
):
    monkeypatch.setenv("SESSION_COOKIE_SECURE", "1")
    https = config.from_environment(str(tmp_path))
    for name in ("SESSION_COOKIE_SECURE", "REMEMBER_COOKIE_SECURE", "REMEMBER_COOKIE_SAMESITE",
                 "REMEMBER_COOKIE_HTTPONLY"):  # fmt: skip
        monkeypatch.setitem(app.config, name, https[name])
    response = client.post("/login", data={"email": STAFF_EMAIL, "password": STAFF_PASSWORD,
                                           "remember": "y"})  # fmt: skip
    [remember] = [c for c in response.headers.getlist("Set-Cookie")
                  if c.startswith("remember_token=")]  # fmt: skip
    flags = {part.strip().lower() for part in remember.split(";")[1:]}
    assert {"secure", "httponly", "samesite=lax"} <= flags
