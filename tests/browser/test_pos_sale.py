"""A sale at the counter without the mouse: the draft builder used as a till.

Staff open a new draft, find the customer, add two catalogue items and a custom one, change a
quantity, apply a promotion code, choose shipping, take the payment and convert, with the
keyboard and the builder's function keys only, reading the totals after every change.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from decimal import Decimal

import pytest
from playwright.sync_api import Locator, Page, expect

from app.customers.models import Customer
from app.extensions import db
from app.money import ZERO, format_money, round_money
from app.orders.models import Order, OrderStatus
from tests.browser.conftest import section, totals_figure, totals_rows
from tests.catalog.factories_catalog import make_product, make_promotion, make_shipping_option
from tests.factories import make_region

pytestmark = pytest.mark.browser

CURRENCY = "USD"
TAX_RATE = Decimal("8.25")
HUNDRED = Decimal(100)
CODE = "SAVE10"
PERCENT_OFF = Decimal(10)
CUSTOM_ITEM = "Add a custom item (not in the catalogue)"


@dataclass(frozen=True)
class Line:
    title: str
    unit_price: Decimal
    quantity: int = 1
    note: str = ""
    """What the builder says under the title (``Custom item`` for a line not in the catalogue)."""


@dataclass(frozen=True)
class Sale:
    """The draft as the test writes it down: its lines, oldest first, the percentage a code
    takes off the items, the shipping price and whether the total has been paid."""

    lines: tuple[Line, ...] = ()
    percent_off: Decimal = ZERO
    shipping: Decimal = ZERO
    paid: bool = False


@dataclass(frozen=True)
class Figures:
    subtotal: Decimal
    discount: Decimal
    tax: Decimal
    original_tax: Decimal

    @property
    def total(self) -> Decimal:
        return self.subtotal - self.discount + self.tax


def figures(amount: Decimal, percent_off: Decimal) -> Figures:
    """DESIGN.md section 3 by hand for one tax-exclusive line: the percentage taken off and
    rounded half up on the line, the tax on what is left, rounded half up once."""
    subtotal = round_money(amount, CURRENCY)
    discount = round_money(subtotal * percent_off / HUNDRED, CURRENCY)
    return Figures(
        subtotal=subtotal,
        discount=discount,
        tax=round_money((subtotal - discount) * TAX_RATE / HUNDRED, CURRENCY),
        original_tax=round_money(subtotal * TAX_RATE / HUNDRED, CURRENCY),
    )


def line_figures(sale: Sale, line: Line) -> Figures:
    return figures(line.unit_price * line.quantity, sale.percent_off)


def money(amount: Decimal) -> str:
    return format_money(amount, CURRENCY)


def taken_off(amount: Decimal) -> str:
    return "−" + money(amount) if amount > ZERO else money(amount)


def expected_totals(sale: Sale) -> dict[str, str]:
    """The totals panel as the person at the till should read it, worked out from the sale:
    the rows it shows, top to bottom, then those of its breakdown."""
    items = [line_figures(sale, line) for line in sale.lines]
    shipping = figures(sale.shipping, ZERO)
    subtotal = sum((f.subtotal for f in items), ZERO)
    discounts = sum((f.discount for f in items), ZERO)
    item_tax = sum((f.tax for f in items), ZERO)
    items_total = sum((f.total for f in items), ZERO)
    total = items_total + shipping.total
    paid = total if sale.paid else ZERO
    shown = {"Items": money(subtotal)}
    if discounts:
        shown["Discounts"] = taken_off(discounts)
    if sale.shipping:
        shown["Shipping"] = money(shipping.subtotal)
    if sale.lines or sale.shipping:  # tax added on top of prices that exclude it
        shown["Tax"] = money(item_tax + shipping.tax)
    shown |= {"Total": money(total), "Paid": money(paid), "Outstanding": money(total - paid)}
    return shown | {
        "Items subtotal": money(subtotal),
        "Item discounts": taken_off(discounts),
        "Item tax": money(item_tax),
        "Items total": money(items_total),
        "Shipping subtotal": money(shipping.subtotal),
        "Shipping tax": money(shipping.tax),
        "Shipping total": money(shipping.total),
        # The discount with the tax it saved.
        "Discount total": taken_off(discounts + sum((f.original_tax - f.tax for f in items), ZERO)),
        "Tax total": money(item_tax + shipping.tax),
    }


#: Every label the panel shows outside its breakdown.
SHOWN = ("Items", "Discounts", "Shipping", "Tax", "Total", "Paid", "Outstanding")


def shown_labels(sale: Sale) -> list[str]:
    """The labels of the panel's rows a person sees without opening its breakdown."""
    return [label for label in expected_totals(sale) if label in SHOWN]


def builder_lines(page: Page) -> Locator:
    return page.locator("#draft-items table.lines tbody tr")


def expect_sale(page: Page, sale: Sale) -> None:
    """The builder shows the sale: the totals panel with every figure, then its lines, newest
    first, each with its quantity, price, discount, tax and total. The totals come first: once
    they read right, the answer to the last key press has been swapped in (all its parts at
    once), so the lines are checked on the new page and the next key can follow."""
    for label, figure in expected_totals(sale).items():
        expect(totals_figure(page, label), label).to_have_text(figure)
    expect(totals_rows(page).get_by_role("rowheader")).to_have_text(shown_labels(sale))
    rows = builder_lines(page)
    expect(rows).to_have_count(len(sale.lines))
    expect(rows.locator("td:nth-child(2) strong")).to_have_text(
        [line.title for line in reversed(sale.lines)]
    )
    for line in sale.lines:
        row = rows.filter(has_text=line.title)
        line_total = line_figures(sale, line)
        expect(row.get_by_label(f"Quantity of {line.title}")).to_have_value(str(line.quantity))
        expect(row.get_by_label(f"Unit price of {line.title}")).to_have_value(str(line.unit_price))
        cells = row.get_by_role("cell")
        if line.note:
            expect(cells.nth(1)).to_contain_text(line.note)
        expect(cells.nth(4)).to_have_text(
            f"{CODE} {taken_off(line_total.discount)}" if line_total.discount else "—"
        )
        expect(cells.nth(5)).to_contain_text(f"%: {money(line_total.tax)}")
        expect(cells.nth(6)).to_have_text(money(line_total.total))


def expect_change(page: Page, before: Sale, after: Sale) -> Sale:
    """The step turned ``before`` into ``after``, which the builder shows; a step that leaves
    the Total as it was would prove nothing about the swap, so the test refuses it."""
    assert expected_totals(after)["Total"] != expected_totals(before)["Total"]
    expect_sale(page, after)
    return after


def search_results(page: Page, listbox: str) -> Locator:
    return page.locator(f"#{listbox} [role=option]")


def expect_highlighted(page: Page, listbox: str, title: str) -> None:
    """Exactly one result is highlighted, the one showing ``title``, and its radio (what Enter
    sends) is the checked one."""
    highlighted = page.locator(f"#{listbox} [role=option][aria-selected=true]")
    expect(highlighted).to_have_count(1)
    expect(highlighted.locator(".result-title")).to_have_text(title)
    expect(highlighted.get_by_role("radio")).to_be_checked()


def tab_to(page: Page, target: Locator, limit: int = 20) -> None:
    """Press Tab until ``target`` has the focus, as a person would, at most ``limit`` times."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if target.evaluate("element => element === document.activeElement"):
            return
    raise AssertionError(f"{limit} presses of Tab never reached {target}")


def retype(page: Page, text: str) -> None:
    """Replace what the focused field holds with ``text``."""
    page.keyboard.press("ControlOrMeta+A")
    page.keyboard.type(text)


@pytest.fixture
def till(app):
    """A US store taxing 8.25 %, three products, two shipping options, a 10 % code and three
    customers, two of whom a search for “ada” finds."""
    region = make_region("United States", CURRENCY, inclusive=False, rate=str(TAX_RATE))
    db.session.add_all([
        Customer(email="ada@example.com", first_name="Ada", last_name="Lovelace"),
        Customer(email="adam@example.com", first_name="Adam", last_name="Smith"),
        Customer(email="grace@example.com", first_name="Grace", last_name="Hopper"),
    ])  # fmt: skip
    db.session.commit()
    make_product("Stoneware Mug", sku="MUG-1", prices={CURRENCY: "22.00"})
    make_product("Espresso Mug", sku="MUG-10", prices={CURRENCY: "12.00"})
    make_product("Linen Tote", sku="TOTE-1", prices={CURRENCY: "30.00"})
    standard = make_shipping_option(region, "Standard", "5.99")
    make_shipping_option(region, "Express", "14.50")
    make_promotion(CODE, value=str(PERCENT_OFF))
    db.session.commit()
    return standard


def test_a_sale_at_the_till_from_new_draft_to_order_without_the_mouse(
    staff_page: Page, live_server: str, till
):
    page = staff_page
    standard = till
    page.goto("/draft-orders")

    # A new draft: Tab to the button and press Enter; the item search has the focus.
    tab_to(page, page.get_by_role("button", name="New draft"))
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(rf"^{re.escape(live_server)}/draft-orders/\d+$"))
    draft_id = int(page.url.rsplit("/", 1)[1])
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_have_text(re.compile(r"^Draft #\d+$"))
    display_id = heading.inner_text().removeprefix("Draft #")
    item_search = page.locator("#item-search")
    expect(item_search).to_be_focused()
    sale = Sale()
    expect_sale(page, sale)
    message = page.locator("#builder-message")

    # F3: the customer search; the first match is highlighted and Enter picks it.
    page.keyboard.press("F3")
    expect(page.locator("#customer-q")).to_be_focused()
    page.keyboard.type("ada")
    customers = search_results(page, "customer-results")
    expect(customers).to_have_count(2)
    expect(customers.locator(".result-title")).to_have_text(["Ada Lovelace", "Adam Smith"])
    expect_highlighted(page, "customer-results", "Ada Lovelace")
    page.keyboard.press("Enter")
    expect(message).to_have_text("Customer saved.")
    expect(section(page, "Customer")).to_contain_text("Ada Lovelace ada@example.com")
    expect_sale(page, sale)

    # F2: the item search; ArrowDown moves the highlight to the second mug, Enter adds it.
    page.keyboard.press("F2")
    expect(item_search).to_be_focused()
    page.keyboard.type("mug")
    products = search_results(page, "variant-results")
    expect(products.locator(".result-title")).to_have_text(["Espresso Mug", "Stoneware Mug"])
    expect(products.locator(".result-price")).to_have_text(["$12.00", "$22.00"])
    expect_highlighted(page, "variant-results", "Espresso Mug")
    page.keyboard.press("ArrowDown")
    expect_highlighted(page, "variant-results", "Stoneware Mug")
    page.keyboard.press("Enter")
    stoneware = Line("Stoneware Mug", Decimal("22.00"))
    sale = expect_change(page, sale, replace(sale, lines=(stoneware,)))
    # The search is empty again and keeps the focus, ready for the next item.
    expect(item_search).to_be_focused()
    expect(item_search).to_have_value("")
    expect(products).to_have_count(0)

    # The second mug: down and back up again, then Enter.
    page.keyboard.type("mug")
    expect(products.locator(".result-title")).to_have_text(["Espresso Mug", "Stoneware Mug"])
    page.keyboard.press("ArrowDown")
    expect_highlighted(page, "variant-results", "Stoneware Mug")
    page.keyboard.press("ArrowUp")
    expect_highlighted(page, "variant-results", "Espresso Mug")
    page.keyboard.press("Enter")
    espresso = Line("Espresso Mug", Decimal("12.00"))
    sale = expect_change(page, sale, replace(sale, lines=(stoneware, espresso)))

    # One Tab from the search: the newest line's quantity. Three espressos, and Enter.
    expect(item_search).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_label("Quantity of Espresso Mug")).to_be_focused()
    retype(page, "3")
    page.keyboard.press("Enter")
    espresso = replace(espresso, quantity=3)
    sale = expect_change(page, sale, replace(sale, lines=(stoneware, espresso)))

    # A custom item: from the promotion code (F4) one Shift+Tab back is the custom item's
    # summary; Enter opens it, Tab walks its fields, Enter adds the item.
    page.keyboard.press("F4")
    expect(page.locator("#promotion-code")).to_be_focused()
    page.keyboard.press("Shift+Tab")
    summary = page.locator("summary", has_text=CUSTOM_ITEM)
    expect(summary).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("details", has=summary)).to_have_js_property("open", True)
    page.keyboard.press("Tab")
    expect(page.get_by_label("Item", exact=True)).to_be_focused()
    page.keyboard.type("Gift wrapping")
    page.keyboard.press("Tab")
    expect(page.get_by_label(f"Price ({CURRENCY})", exact=True)).to_be_focused()
    page.keyboard.type("4.50")
    page.keyboard.press("Tab")
    expect(page.get_by_label("Qty", exact=True)).to_be_focused()
    retype(page, "2")
    page.keyboard.press("Enter")
    wrapping = Line("Gift wrapping", Decimal("4.50"), 2, note="Custom item")
    sale = expect_change(page, sale, replace(sale, lines=(stoneware, espresso, wrapping)))

    # F4: the promotion code, typed as the customer says it; every line shows its discount.
    page.keyboard.press("F4")
    expect(page.locator("#promotion-code")).to_be_focused()
    page.keyboard.type(CODE.lower())
    page.keyboard.press("Enter")
    expect(message).to_have_text(f"Code {CODE} applied.")
    sale = expect_change(page, sale, replace(sale, percent_off=PERCENT_OFF))
    expect(page.locator("ul.promotions")).to_contain_text(CODE)

    # F6: the shipping options; ArrowDown picks the cheapest, which is saved at once.
    page.keyboard.press("F6")
    shipping_select = page.locator("#shipping-option")
    expect(shipping_select).to_be_focused()
    page.keyboard.press("ArrowDown")
    sale = expect_change(page, sale, replace(sale, shipping=Decimal("5.99")))
    expect(shipping_select).to_have_value(str(standard.id))
    shipping = figures(sale.shipping, ZERO)
    expect(section(page, "Items")).to_contain_text(
        f"Standard: $5.99 TAX {TAX_RATE} %: {money(shipping.tax)} → {money(shipping.total)}"
    )

    # F8: paid now. The total is captured and the contents are fixed.
    page.keyboard.press("F8")
    expect(page.get_by_role("button", name="Paid now")).to_be_focused()
    page.keyboard.press("Enter")
    expect(message).to_have_text("Payment registered.")
    sale = replace(sale, paid=True)
    expected = expected_totals(sale)
    assert expected["Paid"] == expected["Total"] and expected["Outstanding"] == "$0.00"
    for label, figure in expected.items():
        expect(totals_figure(page, label), label).to_have_text(figure)
    expect(section(page, "Payment")).to_contain_text(
        f"{expected['Total']} with the manual provider: paid."
    )
    expect(item_search).to_have_count(0)
    expect(builder_lines(page).locator("input")).to_have_count(0)
    panel = section(page, "Totals").get_by_role("row")
    builder_panel = [" ".join(text.split()) for text in panel.all_text_contents()]

    # F9: convert; the order's page opens with the same totals.
    page.keyboard.press("F9")
    expect(page.get_by_role("button", name="Convert to order")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{live_server}/orders/{draft_id}")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Order #{display_id}")
    expect(page.get_by_role("status").filter(has_text="is now an order")).to_have_text(
        f"Draft #{display_id} is now an order."
    )
    statuses = page.locator(".page-head .statuses")
    expect(statuses).to_contain_text("Status pending")
    expect(statuses).to_contain_text("Payment captured")
    expect(section(page, "Customer")).to_contain_text("Ada Lovelace")
    order_rows = section(page, "Items").locator("tbody tr")
    expect(order_rows.locator("td:nth-child(2) strong")).to_have_text(
        [line.title for line in sale.lines]
    )
    expect(section(page, "Totals").get_by_role("row")).to_have_text(builder_panel)
    for label, figure in expected.items():
        expect(totals_figure(page, label), label).to_have_text(figure)

    db.session.expire_all()
    order = db.session.get(Order, draft_id)
    assert order.status == OrderStatus.PENDING
    assert money(order.totals.total) == expected["Total"]
    assert money(order.totals.paid_total) == expected["Total"]
