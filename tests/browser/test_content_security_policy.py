"""The Content-Security-Policy in force in a real browser: the login, the order list, an order,
the builder and the packing slip load without a single violation, and htmx, the builder's keys
and the packing slip's Print button still work."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from app.extensions import db
from app.fulfillment.actions import create_fulfillment
from app.fulfillment.models import StockLocation
from tests.browser.conftest import log_in, section
from tests.catalog.factories_catalog import make_product
from tests.conftest import STAFF_EMAIL, STAFF_PASSWORD
from tests.factories import make_order, make_region

pytestmark = pytest.mark.browser

# Runs in every document before its own scripts: note each violation the browser reports, and
# each print dialog asked for (headless Chromium has none to open).
WATCH = """
window.cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.cspViolations.push(`${event.effectiveDirective} blocked ${event.blockedURI || "inline"}`);
});
window.printed = 0;
window.print = () => { window.printed += 1; };
"""


class Violations:
    """CSP violations seen on a page: its events, and the console's "Refused to ..." errors."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.console: list[str] = []
        page.on("console", self._console)
        page.add_init_script(WATCH)

    def _console(self, message) -> None:
        if "Content Security Policy" in message.text:
            self.console.append(message.text)

    def on_this_page(self) -> list[str]:
        return self.page.evaluate("window.cspViolations") + self.console


@pytest.fixture
def shop(app):
    """A US region with a mug in the catalogue, an unpaid order and a paid one that has a
    parcel packed (so it has a packing slip)."""
    make_region("United States", "USD")
    make_product("Stoneware Mug", sku="MUG-1", prices={"USD": "22.00"})
    unpaid = make_order(email="ada@example.com", customer=("Ada", "Lovelace"))
    paid = make_order(email="grace@example.com", customer=("Grace", "Hopper"),
                      items=[{"title": "Teapot", "unit_price": "30.00"}], captured=["30.00"])
    location = StockLocation(name="Leeds warehouse")
    db.session.add(location)
    db.session.flush()
    fulfillment = create_fulfillment(paid, paid.lock_version, location.id,
                                      {paid.items[0].id: 1}, STAFF_EMAIL)
    db.session.commit()
    return unpaid, paid, fulfillment


def test_staff_pages_run_under_the_policy_without_a_violation(
    page: Page, live_server: str, staff_user, shop
):
    unpaid, paid, fulfillment = shop
    seen = Violations(page)
    log_in(page, STAFF_EMAIL, STAFF_PASSWORD)
    expect(page).to_have_url(f"{live_server}/orders")
    assert seen.on_this_page() == []

    # The order list: filtering swaps the table in place (htmx), no page load.
    page.goto("/orders")
    expect(page.get_by_role("link", name=f"#{unpaid.display_id}")).to_be_visible()
    page.evaluate("window.notReloaded = true")
    page.get_by_label("Payment", exact=True).select_option(label="Captured")
    expect(page.get_by_role("link", name=f"#{unpaid.display_id}")).to_have_count(0)
    expect(page.get_by_role("link", name=f"#{paid.display_id}")).to_be_visible()
    assert page.evaluate("window.notReloaded === true")
    assert seen.on_this_page() == []

    # An order: a note is added through htmx and shows in the timeline.
    page.get_by_role("link", name=f"#{paid.display_id}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Order #{paid.display_id}")
    page.get_by_label("Internal note").fill("Gift wrap, please")
    page.get_by_role("button", name="Add note").click()
    expect(section(page, "Timeline").get_by_role("listitem").filter(
        has_text="Gift wrap, please")).to_be_visible()  # fmt: skip
    assert seen.on_this_page() == []

    # The builder: the item search answers as one types and Enter adds the highlighted mug.
    page.goto("/draft-orders")
    page.get_by_role("button", name="New draft").click()
    expect(page).to_have_url(re.compile(r"/draft-orders/\d+$"))
    # Typed once the new page has loaded and htmx has wired its search box: keys typed before
    # then are never searched for (a flaky failure on a busy machine).
    page.wait_for_load_state()
    page.keyboard.type("mug", delay=15)
    expect(page.locator("#variant-results [role=option] .result-title")).to_have_text(
        ["Stoneware Mug"])  # fmt: skip
    page.keyboard.press("Enter")
    expect(page.get_by_label("Quantity of Stoneware Mug")).to_have_value("1")
    assert seen.on_this_page() == []

    # The packing slip: its own stylesheet, and Print works from the script file.
    page.goto(f"/orders/{paid.id}/fulfillments/{fulfillment.id}/packing-slip")
    expect(page.get_by_role("heading", name="Packing slip")).to_be_visible()
    assert page.locator("table").evaluate("t => getComputedStyle(t).borderCollapse") == \
        "collapse"  # fmt: skip
    page.get_by_role("button", name="Print").click()
    assert page.evaluate("window.printed") == 1
    assert seen.on_this_page() == []

    # The watch itself works: an inline style put in now is refused and reported.
    page.evaluate("document.body.insertAdjacentHTML('beforeend', '<p style=\"color: red\">x</p>')")
    page.wait_for_function("window.cspViolations.length > 0")
    assert [v.split()[0] for v in page.evaluate("window.cspViolations")] == ["style-src-attr"]
