"""What staff do in a real browser: log in, find an order, read its totals, leave a note."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from app.customers.models import Customer
from app.extensions import db
from app.money import ZERO, format_money, round_money
from app.orders.actions import refresh_derived, take_display_ids
from app.orders.models import (
    LineItem,
    LineItemAdjustment,
    LineItemTaxLine,
    Order,
    ShippingMethod,
    ShippingMethodTaxLine,
)
from app.payments.models import Capture, Payment
from app.store.models import SalesChannel
from tests.browser.conftest import log_in, open_breakdown, section, totals_figure, totals_rows
from tests.conftest import STAFF_EMAIL, STAFF_PASSWORD

pytestmark = pytest.mark.browser

HUNDRED = Decimal(100)
# Set on the page's window before an htmx action; a full page load would lose it.
MARK_WINDOW = "window.orderdeskNotReloaded = true"
READ_MARK = "window.orderdeskNotReloaded === true"


@dataclass(frozen=True)
class Purchase:
    """One order as a test writes it down: an item, a shipping method and what was captured."""

    currency: str
    title: str
    unit_price: Decimal
    quantity: int
    tax_rate: Decimal
    discount: Decimal = ZERO
    shipping: Decimal = ZERO
    tax_inclusive: bool = False
    captured: Decimal | None = None
    """``None``: no payment; otherwise an authorization of the whole total with this captured."""


def place_order(purchase: Purchase, email: str, first_name: str, last_name: str) -> Order:
    """Store ``purchase`` as an order the way the app keeps orders, and commit it."""
    (display_id,) = take_display_ids(1)
    currency = purchase.currency
    order = Order(
        display_id=display_id,
        email=email,
        currency_code=currency,
        customer=Customer(email=email, first_name=first_name, last_name=last_name),
        sales_channel=db.session.scalar(select(SalesChannel).where(SalesChannel.is_default)),
    )
    order.items.append(
        LineItem(
            title=purchase.title,
            sku=f"SKU-{display_id}",
            unit_price=purchase.unit_price,
            quantity=purchase.quantity,
            is_tax_inclusive=purchase.tax_inclusive,
            tax_lines=[LineItemTaxLine(code="TAX", rate=purchase.tax_rate)],
            adjustments=[LineItemAdjustment(code="SPRING", amount=purchase.discount)]
            if purchase.discount
            else [],
        )
    )
    if purchase.shipping:
        order.shipping_methods.append(
            ShippingMethod(
                name="Standard",
                amount=purchase.shipping,
                is_tax_inclusive=purchase.tax_inclusive,
                tax_lines=[ShippingMethodTaxLine(code="TAX", rate=purchase.tax_rate)],
            )
        )
    db.session.add(order)
    db.session.flush()
    if purchase.captured is not None:
        payment = Payment(currency_code=currency, amount=order.totals.total)
        payment.captures.append(Capture(amount=purchase.captured))
        order.payments.append(payment)
        db.session.flush()
    refresh_derived(order)
    db.session.commit()
    return order


@dataclass(frozen=True)
class LineFigures:
    subtotal: Decimal
    tax: Decimal
    original_tax: Decimal


def line_figures(price: Decimal, purchase: Purchase) -> LineFigures:
    """DESIGN.md section 3 by hand for one line: tax on the discounted net price, rounded half
    up once per tax line; a tax-inclusive price has its tax taken out of the gross."""
    rate, currency = purchase.tax_rate, purchase.currency
    if purchase.tax_inclusive:
        net = price * HUNDRED / (HUNDRED + rate)
        original_tax = round_money(net * rate / HUNDRED, currency)
        subtotal = price - original_tax
    else:
        net = subtotal = price
        original_tax = round_money(net * rate / HUNDRED, currency)
    return LineFigures(
        subtotal=subtotal,
        tax=round_money((net - purchase.discount) * rate / HUNDRED, currency),
        original_tax=original_tax,
    )


def expected_totals(purchase: Purchase) -> tuple[dict[str, str], dict[str, str]]:
    """The totals panel as staff should read it, worked out from the purchase's inputs: its
    rows, then the rows of its breakdown."""
    gross = purchase.unit_price * purchase.quantity
    item = line_figures(gross, purchase)
    shipping = line_figures(purchase.shipping, replace(purchase, discount=ZERO))
    item_total = item.subtotal - purchase.discount + item.tax
    shipping_total = shipping.subtotal + shipping.tax
    total = item_total + shipping_total
    paid = purchase.captured or ZERO
    # The discount with the tax it saved; shipping has no discount in these purchases.
    discount_total = purchase.discount + item.original_tax - item.tax

    def money(amount: Decimal) -> str:
        return format_money(amount, purchase.currency)

    def taken_off(amount: Decimal) -> str:
        return "−" + money(amount) if amount > ZERO else money(amount)

    if purchase.tax_inclusive:
        # As the customer saw the prices, tax in them named under the total, not added.
        rows = {"Items incl. tax": money(gross)}
        if purchase.discount:
            rows["Discounts"] = taken_off(discount_total)
        if purchase.shipping:
            rows["Shipping incl. tax"] = money(purchase.shipping)
        rows |= {"Total": money(total), "Tax included": money(item.tax + shipping.tax)}
    else:
        rows = {"Items": money(item.subtotal)}
        if purchase.discount:
            rows["Discounts"] = taken_off(purchase.discount)
        if purchase.shipping:
            rows["Shipping"] = money(shipping.subtotal)
        rows |= {"Tax": money(item.tax + shipping.tax), "Total": money(total)}
    rows |= {"Paid": money(paid), "Outstanding": money(total - paid)}
    breakdown = {
        "Items subtotal": money(item.subtotal),
        "Item discounts": taken_off(purchase.discount),
        "Item tax": money(item.tax),
        "Items total": money(item_total),
        "Shipping total": money(shipping_total),
        "Discount total": taken_off(discount_total),
        "Tax total": money(item.tax + shipping.tax),
    }
    return rows, breakdown


def mark_window(page: Page) -> None:
    page.evaluate(MARK_WINDOW)


def assert_not_reloaded(page: Page) -> None:
    assert page.evaluate(READ_MARK), "the page was reloaded; htmx should have swapped a part"


USD_MUGS = Purchase(
    currency="USD",
    title="Ceramic mug",
    unit_price=Decimal("12.50"),
    quantity=3,
    tax_rate=Decimal("8.25"),
    discount=Decimal("5.00"),
    shipping=Decimal("4.95"),
    captured=Decimal("20.00"),
)


def test_an_order_page_asks_for_a_login_first_and_opens_after_it(
    page: Page, live_server: str, staff_user
):
    order = place_order(USD_MUGS, "ada@example.com", "Ada", "Lovelace")
    page.goto(f"/orders/{order.id}")
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()

    page.get_by_label("Email").fill(STAFF_EMAIL)
    page.get_by_label("Password").fill(STAFF_PASSWORD)
    page.get_by_role("button", name="Log in").click()

    expect(page).to_have_url(f"{live_server}/orders/{order.id}")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Order #{order.display_id}")


def test_a_wrong_password_keeps_staff_on_the_login_page_with_a_message(
    page: Page, live_server: str, staff_user
):
    log_in(page, STAFF_EMAIL, "not the password")

    expect(page.get_by_role("alert")).to_have_text("Wrong email or password.")
    expect(page).to_have_url(f"{live_server}/login")


def test_staff_filter_the_list_and_search_it_without_reloading_the_page(staff_page: Page):
    unpaid = place_order(replace(USD_MUGS, captured=None), "ada@example.com", "Ada", "Lovelace")
    captured = place_order(
        Purchase(currency="USD", title="Teapot", unit_price=Decimal("30"), quantity=1,
                 tax_rate=Decimal("10"), captured=Decimal("33.00")),
        "grace@example.com", "Grace", "Hopper",
    )  # fmt: skip
    page = staff_page
    page.goto("/orders")
    expect(page.get_by_role("link", name=f"#{unpaid.display_id}")).to_be_visible()
    expect(page.get_by_role("link", name=f"#{captured.display_id}")).to_be_visible()
    mark_window(page)

    page.get_by_label("Payment", exact=True).select_option(label="Captured")

    expect(page.get_by_role("link", name=f"#{unpaid.display_id}")).to_have_count(0)
    expect(page.get_by_role("link", name=f"#{captured.display_id}")).to_be_visible()
    expect(page).to_have_url(re.compile(r"[?&]payment_status=captured(&|$)"))

    page.get_by_label("Payment", exact=True).select_option(label="Not paid")
    expect(page.get_by_role("link", name=f"#{captured.display_id}")).to_have_count(0)
    expect(page.get_by_role("link", name=f"#{unpaid.display_id}")).to_be_visible()

    page.get_by_label("Payment", exact=True).select_option(label="Any")
    page.get_by_label("Search").press_sequentially("Hopper")

    expect(page.get_by_role("link", name=f"#{unpaid.display_id}")).to_have_count(0)
    expect(page.get_by_role("link", name=f"#{captured.display_id}")).to_be_visible()
    expect(page).to_have_url(re.compile(r"[?&]q=Hopper(&|$)"))
    assert_not_reloaded(page)


def test_a_filter_that_matches_nothing_says_so(staff_page: Page):
    place_order(USD_MUGS, "ada@example.com", "Ada", "Lovelace")
    page = staff_page
    page.goto("/orders")

    page.get_by_label("Search").press_sequentially("nobody-like-this")

    expect(page.get_by_role("heading", name="No orders match these filters")).to_be_visible()


@pytest.mark.parametrize(
    "purchase",
    [
        pytest.param(USD_MUGS, id="USD-tax-on-top-discounted-partly-paid"),
        pytest.param(
            Purchase(currency="EUR", title="Kaffeebecher", unit_price=Decimal("19.99"),
                     quantity=2, tax_rate=Decimal("19"), shipping=Decimal("4.90"),
                     tax_inclusive=True, captured=Decimal("19.99") * 2 + Decimal("4.90")),
            id="EUR-tax-inclusive-paid",
        ),
        pytest.param(
            # Tax of ¥414.5 on the item and ¥60.5 on shipping: half up to ¥415 and ¥61.
            Purchase(currency="JPY", title="Teacup", unit_price=Decimal("1480"), quantity=3,
                     tax_rate=Decimal("10"), discount=Decimal("295"), shipping=Decimal("605")),
            id="JPY-discounted-unpaid",
        ),
    ],
)  # fmt: skip
def test_staff_open_an_order_from_the_list_and_read_its_totals_in_its_currency(
    staff_page: Page, purchase: Purchase
):
    order = place_order(purchase, "ada@example.com", "Ada", "Lovelace")
    page = staff_page
    page.goto("/orders")

    page.get_by_role("link", name=f"#{order.display_id}").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(f"Order #{order.display_id}")
    expect(section(page, "Customer")).to_contain_text("Ada Lovelace")
    rows, breakdown = expected_totals(purchase)
    expect(totals_rows(page)).to_have_count(len(rows))
    for label, figure in rows.items():
        expect(totals_figure(page, label), label).to_have_text(figure)
    expect(totals_figure(page, "Items total")).to_be_hidden()
    open_breakdown(page)
    expect(totals_figure(page, "Items total")).to_be_visible()
    for label, figure in breakdown.items():
        expect(totals_figure(page, label), label).to_have_text(figure)
    item_row = section(page, "Items").get_by_role("row").filter(has_text=purchase.title)
    expect(item_row.get_by_role("cell").last).to_have_text(breakdown["Items total"])


def test_staff_add_a_note_and_it_appears_in_the_timeline_without_a_page_reload(
    staff_page: Page,
):
    order = place_order(USD_MUGS, "ada@example.com", "Ada", "Lovelace")
    note = "Customer asked for gift wrapping."
    page = staff_page
    page.goto(f"/orders/{order.id}")
    mark_window(page)

    page.get_by_label("Internal note").fill(note)
    page.get_by_role("button", name="Add note").click()

    timeline = section(page, "Timeline")
    entry = timeline.get_by_role("listitem").filter(has_text=note)
    expect(entry).to_be_visible()
    expect(entry).to_contain_text(STAFF_EMAIL)
    expect(page.get_by_label("Internal note")).to_have_value("")
    assert_not_reloaded(page)

    page.reload()
    expect(section(page, "Timeline").get_by_role("listitem").filter(has_text=note)).to_be_visible()


def test_a_blank_note_is_refused_with_a_message_and_adds_nothing(staff_page: Page):
    order = place_order(USD_MUGS, "ada@example.com", "Ada", "Lovelace")
    page = staff_page
    page.goto(f"/orders/{order.id}")

    # Spaces get past the browser's own check of the required field; the server says no.
    page.get_by_label("Internal note").fill("   ")
    page.get_by_role("button", name="Add note").click()

    expect(section(page, "Timeline").get_by_role("alert")).to_have_text("Write something first.")
    expect(section(page, "Timeline").get_by_role("listitem")).to_have_text(
        ["Nothing has happened yet."]
    )
