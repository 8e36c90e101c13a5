"""Browser fixtures: the test app served over real HTTP on loopback, and Debian's Chromium
driven by Playwright (never a browser that Playwright downloads)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Locator, Page, Playwright, expect, sync_playwright
from werkzeug.serving import make_server

from tests.conftest import STAFF_EMAIL, STAFF_PASSWORD

CHROMIUM = "/usr/bin/chromium"
# Headless as root on a machine with no network: no sandbox, no GPU, and none of the
# background calls home that the closed network would refuse.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# Long enough for a slow CI machine, short enough that a missing element fails quickly.
TIMEOUT_MS = 10_000


@pytest.fixture(scope="session")
def live_server(_app) -> Iterator[str]:
    """The session's app served by werkzeug on a free loopback port; yields its base URL."""
    server = make_server("127.0.0.1", 0, _app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as instance:
        yield instance


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture
def page(app, browser: Browser, live_server: str, csrf_enabled) -> Iterator[Page]:
    """A fresh browser context and page per test, against the live server with CSRF on.

    It depends on ``app`` so that the page is closed before the database is emptied.
    """
    context = browser.new_context(base_url=live_server, locale="en-US")
    context.set_default_timeout(TIMEOUT_MS)
    expect.set_options(timeout=TIMEOUT_MS)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def staff_page(page: Page, live_server: str, staff_user) -> Page:
    """A page logged in as a member of staff, through the login form."""
    log_in(page, STAFF_EMAIL, STAFF_PASSWORD)
    expect(page).to_have_url(f"{live_server}/orders")
    return page


def log_in(page: Page, email: str, password: str) -> None:
    """Fill in and send the login form as a person would."""
    page.goto("/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()


def section(page: Page, heading: str) -> Locator:
    """The card of the page under ``heading``."""
    return page.locator("section").filter(has=page.get_by_role("heading", name=heading, exact=True))


def totals_rows(page: Page) -> Locator:
    """The rows of the totals panel that a person sees (the breakdown's only once opened)."""
    return section(page, "Totals").get_by_role("row")


def totals_figure(page: Page, label: str) -> Locator:
    """The figure beside ``label`` in the totals panel, its breakdown's too (open or not)."""
    row = (
        section(page, "Totals")
        .get_by_role("row", include_hidden=True)
        .filter(has=page.get_by_role("rowheader", name=label, exact=True, include_hidden=True))
    )
    return row.get_by_role("cell", include_hidden=True)


def open_breakdown(page: Page) -> None:
    """Open the totals panel's disclosure of every total."""
    section(page, "Totals").get_by_text("Every total", exact=True).click()


#: What sticks out past the right edge of the screen, for the message of a page too wide.
_STICKING_OUT = """() => [...document.querySelectorAll('body *')]
    .filter(el => el.getBoundingClientRect().right > window.innerWidth
                  && !el.closest('.table-scroll'))
    .slice(0, 5)
    .map(el => `${el.tagName.toLowerCase()}.${el.className} "${el.textContent.trim().slice(0, 40)}"`
               + ` to ${Math.round(el.getBoundingClientRect().right)} px`)"""


def expect_no_sideways_scroll(page: Page) -> None:
    """The page fits the screen's width (a wide table scrolls inside its own box). Waits up to
    3 s for the page to settle, as Playwright's own expectations do (asked from here: the
    page's Content-Security-Policy refuses the evaluated predicate ``wait_for_function``
    polls with); says what sticks out if it never fits."""
    deadline = time.monotonic() + 3
    while True:
        width, screen = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        if width <= screen:
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"the page is {width} px wide on a {screen} px screen: "
                                 f"{page.evaluate(_STICKING_OUT)}")  # fmt: skip
        time.sleep(0.1)
