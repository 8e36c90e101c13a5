"""The staff pages of an order's versions: any version read-only (version 1 of an order never
edited too, built from the order itself), two versions compared line by line and total by
total, linked from the timeline, in a fixed number of queries whatever the order's size."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal
from html.parser import HTMLParser

import pytest
from sqlalchemy import select

from app.changes import actions as edits
from app.changes.models import OrderVersion
from app.changes.snapshots import SNAPSHOT_TOTALS
from app.changes.version_views import TOTAL_LABELS
from app.extensions import db
from app.orders.models import OrderStatus
from tests.factories import make_order
from tests.order_pages import reload

STAFF = "staff@orderdesk.test"
CENT = Decimal("0.01")


def cents(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def usd(amount: Decimal) -> str:
    return f"-${-amount:,.2f}" if amount < 0 else f"${amount:,.2f}"


class _Tables(HTMLParser):
    """Every table row of a page as the cells' text, as a person reads them."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self._cell = []
        elif tag in ("br", "div") and self._cell is not None:
            self._cell.append(" ")

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self.rows[-1].append(" ".join("".join(self._cell).split()))
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def table_rows(html: str) -> list[list[str]]:
    reader = _Tables()
    reader.feed(html)
    return reader.rows


def row_of(rows: list[list[str]], first_cell: str) -> list[str]:
    """The one row whose first cell is ``first_cell``."""
    found = [row for row in rows if row and row[0] == first_cell]
    assert len(found) == 1, (first_cell, found)
    return found[0]


def shop_order(lines: int = 2, **overrides):
    """A shirt (3 × 40.00 less 6.00, 10 % tax), and ``lines - 1`` more lines of socks
    (2 × 12.50, 10 % tax); shipping 5.00 with 10 % tax; 100.00 captured."""
    items = [{"title": "Linen shirt", "sku": "SHIRT-L", "unit_price": "40.00", "quantity": 3,
              "tax": ["10"], "discounts": ["6.00"]}]  # fmt: skip
    items += [{"title": f"Wool socks {n}", "unit_price": "12.50", "quantity": 2, "tax": ["10"]}
              for n in range(1, lines)]  # fmt: skip
    return make_order(items=items, shipping=[{"name": "Standard", "amount": "5.00",
                                              "tax": ["10"]}],
                      captured=["100.00"], **overrides)  # fmt: skip


def confirmed_edit(order):
    """Staff lower the shirt to 2, take the first socks off, add gift wrap at 3.00 and confirm:
    the order's version 2."""
    change = edits.begin_edit(order, order.lock_version, STAFF, "Customer phoned")
    shirt, socks = order.items[:2]
    edits.update_item(order, order.lock_version, change.id, shirt.id, quantity=2,
                      unit_price=None, actor=STAFF)  # fmt: skip
    edits.remove_item(order, order.lock_version, change.id, socks.id, actor=STAFF)
    edits.add_custom_item(order, order.lock_version, change.id, title="Gift wrap",
                          unit_price=Decimal("3.00"), quantity=1, actor=STAFF)  # fmt: skip
    edits.confirm_change(order, order.lock_version, change.id, STAFF)
    db.session.commit()
    return reload(order.id), change.id


# The figures of shop_order(2) before and after confirmed_edit, from the inputs.
SHIRT_BEFORE = Decimal("40.00") * 3 - Decimal("6.00") + cents((Decimal("120") - 6) / 10)
SOCKS = Decimal("12.50") * 2 + cents(Decimal("25.00") / 10)
SHIPPING = Decimal("5.00") + cents(Decimal("5.00") / 10)
# The 6.00 discount on 3 shirts is 4.00 on 2; the gift wrap is untaxed (the order has no region).
SHIRT_AFTER = Decimal("40.00") * 2 - Decimal("4.00") + cents((Decimal("80") - 4) / 10)
WRAP = Decimal("3.00")
TOTAL_BEFORE = SHIRT_BEFORE + SOCKS + SHIPPING
TOTAL_AFTER = SHIRT_AFTER + WRAP + SHIPPING


def test_version_1_of_an_order_never_edited_is_the_order_as_it_is(staff_client):
    order = shop_order()
    assert db.session.scalar(select(OrderVersion.id)) is None  # nothing stored yet

    response = staff_client.get(f"/orders/{order.id}/versions/1")

    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "Order #1001 · version 1" in page and "As placed" in page
    rows = table_rows(page)
    assert row_of(rows, "Linen shirt SKU SHIRT-L") == [
        "Linen shirt SKU SHIRT-L", "$40.00", "3", "PROMO −$6.00",
        f"T0 10 %: {usd(cents(Decimal('114') / 10))}", usd(SHIRT_BEFORE)]  # fmt: skip
    assert row_of(rows, "Wool socks 1")[1:3] == ["$12.50", "2"]
    assert row_of(rows, "Wool socks 1")[-1] == usd(SOCKS)
    assert row_of(rows, "Standard") == ["Standard", "$5.00", "—", "T0 10 %: $0.50",
                                        usd(SHIPPING)]  # fmt: skip
    assert row_of(rows, "Total") == ["Total", usd(TOTAL_BEFORE)]
    assert row_of(rows, "Paid") == ["Paid", "$100.00"]
    assert row_of(rows, "Outstanding") == ["Outstanding", usd(TOTAL_BEFORE - 100)]


def test_every_version_shows_what_the_order_was_then_and_the_change_that_made_it(staff_client):
    order, change_id = confirmed_edit(shop_order())

    first = staff_client.get(f"/orders/{order.id}/versions/1").get_data(as_text=True)
    second = staff_client.get(f"/orders/{order.id}/versions/2").get_data(as_text=True)

    # Version 1 is the stored snapshot now: the lines as they were before the edit.
    first_rows = table_rows(first)
    assert row_of(first_rows, "Linen shirt SKU SHIRT-L")[2] == "3"
    assert row_of(first_rows, "Wool socks 1")[2] == "2"
    assert row_of(first_rows, "Total") == ["Total", usd(TOTAL_BEFORE)]
    second_rows = table_rows(second)
    # The items table's rows have six cells: item, unit price, quantity, discounts, taxes, total.
    assert [row[0] for row in second_rows if len(row) == 6] == [
        "Item", "Linen shirt SKU SHIRT-L", "Gift wrap"]  # fmt: skip
    assert row_of(second_rows, "Linen shirt SKU SHIRT-L")[2:] == [
        "2", "PROMO −$4.00", f"T0 10 %: {usd(cents(Decimal('76') / 10))}", usd(SHIRT_AFTER)]
    assert row_of(second_rows, "Gift wrap")[1:] == ["$3.00", "1", "—", "—", "$3.00"]
    assert row_of(second_rows, "Total") == ["Total", usd(TOTAL_AFTER)]
    assert f"Made by edit #{change_id}, started by {STAFF}" in second
    assert f"confirmed by {STAFF}" in second
    assert "Customer phoned" in second
    assert "The current version" in second and "The order is at version 2" in first


@pytest.mark.parametrize("number", ["3", "0", "99", str(2**31)])
def test_a_version_that_never_existed_is_404(staff_client, number):
    order, _ = confirmed_edit(shop_order())
    assert staff_client.get(f"/orders/{order.id}/versions/{number}").status_code == 404


def test_a_later_version_of_an_order_never_edited_is_404(staff_client):
    order = shop_order()
    assert staff_client.get(f"/orders/{order.id}/versions/2").status_code == 404


def test_drafts_and_unknown_orders_have_no_versions(staff_client):
    draft = shop_order(status=OrderStatus.DRAFT)
    assert staff_client.get(f"/orders/{draft.id}/versions/1").status_code == 404
    assert staff_client.get("/orders/999/versions/1").status_code == 404
    compare = f"/orders/{draft.id}/versions/compare?from=1&to=2"
    assert staff_client.get(compare).status_code == 404


def test_the_pages_are_for_staff_only(client):
    order = shop_order()
    for path in (f"/orders/{order.id}/versions/1",
                 f"/orders/{order.id}/versions/compare?from=1&to=2"):  # fmt: skip
        response = client.get(path)
        assert response.status_code == 302
        assert "/login" in response.headers["Location"]


def test_comparing_shows_lines_added_removed_and_changed_and_every_total(staff_client):
    order, _ = confirmed_edit(shop_order(lines=3))

    response = staff_client.get(f"/orders/{order.id}/versions/compare?from=1&to=2")

    assert response.status_code == 200
    rows = table_rows(response.get_data(as_text=True))
    assert row_of(rows, "Linen shirt SKU SHIRT-L") == [
        "Linen shirt SKU SHIRT-L", "changed", "3 → 2", "$40.00 → $40.00",
        f"{usd(SHIRT_BEFORE)} → {usd(SHIRT_AFTER)}"]  # fmt: skip
    assert row_of(rows, "Wool socks 1") == ["Wool socks 1", "removed", "2 → —", "$12.50 → —",
                                            f"{usd(SOCKS)} → —"]  # fmt: skip
    assert row_of(rows, "Gift wrap") == ["Gift wrap", "added", "— → 1", "— → $3.00",
                                         "— → $3.00"]  # fmt: skip
    assert not [row for row in rows if row and row[0] == "Wool socks 2"]
    assert "1 line unchanged." in response.get_data(as_text=True)
    total_before, total_after = TOTAL_BEFORE + SOCKS, TOTAL_AFTER + SOCKS
    assert row_of(rows, "Total") == ["Total", usd(total_before), usd(total_after),
                                     usd(total_after - total_before)]  # fmt: skip
    assert row_of(rows, "Paid") == ["Paid", "$100.00", "$100.00", "$0.00"]
    assert row_of(rows, "Outstanding")[1:] == [usd(total_before - 100), usd(total_after - 100),
                                               usd(total_after - total_before)]  # fmt: skip


def test_compared_shipping_shows_what_was_added_and_removed(staff_client):
    order = shop_order()
    change = edits.begin_edit(order, order.lock_version, STAFF)
    edits.remove_shipping(order, order.lock_version, change.id, order.shipping_methods[0].id,
                          actor=STAFF)  # fmt: skip
    edits.add_shipping(order, order.lock_version, change.id, actor=STAFF, name="Express",
                       amount=Decimal("9.90"))  # fmt: skip
    edits.confirm_change(order, order.lock_version, change.id, STAFF)
    db.session.commit()

    page = staff_client.get(f"/orders/{order.id}/versions/compare?from=1&to=2").get_data(
        as_text=True)  # fmt: skip

    assert "Removed: Standard ($5.00)" in page and "Added: Express ($9.90)" in page
    assert "No line was added, removed or changed." in page
    assert row_of(table_rows(page), "Shipping subtotal") == [
        "Shipping subtotal", "$5.00", "$9.90", "+$4.90"]  # fmt: skip


@pytest.mark.parametrize("query", [
    "", "from=1", "to=2", "from=&to=2", "from=one&to=2", "from=1&to=two", "from=0&to=2",
    "from=-1&to=2", "from=2&to=1", "from=1&to=1", "from=1&to=3", "from=1.0&to=2",
    "from=١&to=2", f"from=1&to={2**64}", "from=1e0&to=2",
])  # fmt: skip
def test_versions_to_compare_that_are_not_two_of_the_orders_are_refused_with_400(
        staff_client, query):  # fmt: skip
    order, _ = confirmed_edit(shop_order())

    response = staff_client.get(f"/orders/{order.id}/versions/compare?{query}")

    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Choose two versions from 1 to 2, the earlier one first" in page
    assert '<input type="number" name="from"' in page  # the form to choose again


def test_every_total_is_shown():
    shown = {name for name, _ in TOTAL_LABELS}
    assert shown == set(SNAPSHOT_TOTALS) - {"raw_discount_total"}


def test_the_timeline_and_the_order_page_link_to_the_versions(staff_client):
    order, _ = confirmed_edit(shop_order())

    page = staff_client.get(f"/orders/{order.id}").get_data(as_text=True)

    links = dict((text, href) for href, text in re.findall(r'<a href="([^"]+)">([^<]+)</a>',
                                                             page))  # fmt: skip
    assert links["Version 2"] == f"/orders/{order.id}/versions/2"
    assert links["Compare with 1"] == f"/orders/{order.id}/versions/compare?from=1&amp;to=2"
    for href in (links["Version 2"], links["Compare with 1"].replace("&amp;", "&")):
        assert staff_client.get(href).status_code == 200


def _queries(count_queries, client, path: str) -> int:
    count_queries.clear()
    assert client.get(path).status_code == 200
    return len(count_queries)


def test_the_pages_take_the_same_queries_for_3_lines_as_for_40(staff_client, count_queries):
    small, large = shop_order(lines=3), shop_order(lines=40)
    # Version 1 of orders never edited: built from the orders themselves.
    assert _queries(count_queries, staff_client, f"/orders/{small.id}/versions/1") == \
        _queries(count_queries, staff_client, f"/orders/{large.id}/versions/1")  # fmt: skip
    small, _ = confirmed_edit(small)
    large, _ = confirmed_edit(large)
    for path in ("versions/1", "versions/2", "versions/compare?from=1&to=2"):
        assert _queries(count_queries, staff_client, f"/orders/{small.id}/{path}") == \
            _queries(count_queries, staff_client, f"/orders/{large.id}/{path}"), path  # fmt: skip
