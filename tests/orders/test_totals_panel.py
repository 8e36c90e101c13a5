"""The totals panel of the order detail page: the rows a merchant reads top to bottom and can
add up in their head, each figure recomputed here from the order's inputs."""

from __future__ import annotations

import html
import re
from decimal import ROUND_HALF_UP, Decimal

import pytest

from app.extensions import db
from app.money import ZERO, format_money
from app.orders.actions import refresh_derived
from app.orders.models import CreditLine, GiftCard, GiftCardUsage
from tests.factories import make_order, make_region
from tests.order_pages import reload

D = Decimal
HUNDRED = D(100)


def cents(amount: Decimal) -> Decimal:
    return amount.quantize(D("0.01"), rounding=ROUND_HALF_UP)


def text_of(fragment: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def rows_of(fragment: str) -> list[tuple[str, str]]:
    return [(text_of(label), text_of(figure)) for label, figure in re.findall(
        r'<th scope="row">(.*?)</th>\s*<td>(.*?)</td>', fragment, re.S)]  # fmt: skip


def totals_panel(page: str) -> tuple[list[tuple[str, str]], list[str], list[tuple[str, str]]]:
    """The panel as a person reads it: its rows and notes, then the rows of the disclosure."""
    panel = re.search(r'<section class="card totals">(.*?)</section>', page, re.S).group(1)
    shown, _, breakdown = panel.partition('<details class="breakdown">')
    notes = [text_of(p) for p in re.findall(r'<p class="muted small">(.*?)</p>', shown, re.S)]
    return rows_of(shown), notes, rows_of(breakdown)


def amount(shown: str) -> Decimal:
    """A figure as the panel shows it (``−$5.00``, ``€1,234.50``), back to a Decimal."""
    negative = shown.startswith(("−", "-"))
    return D(re.sub(r"[^\d.]", "", shown)) * (-1 if negative else 1)


def detail_page(client, order) -> str:
    response = client.get(f"/orders/{order.id}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_an_order_without_discounts_shows_items_shipping_tax_and_total(staff_client):
    # given 2 × $40.00 and $10.00 shipping, both taxed 10 %, and $50.00 captured
    order = make_order(
        items=[{"title": "Linen shirt", "unit_price": "40.00", "quantity": 2, "tax": ["10"]}],
        shipping=[{"name": "Express", "amount": "10.00", "tax": ["10"]}],
        captured=["50.00"],
    )  # fmt: skip
    items, shipping = D("40.00") * 2, D("10.00")
    tax = cents(items * D("0.10")) + cents(shipping * D("0.10"))
    total = items + shipping + tax
    # when
    rows, notes, _ = totals_panel(detail_page(staff_client, order))
    # then no row says nothing, and the rows add up
    money = {label: amount(figure) for label, figure in rows}
    assert [label for label, _ in rows] == ["Items", "Shipping", "Tax", "Total", "Paid",
                                            "Outstanding"]  # fmt: skip
    assert money == {"Items": items, "Shipping": shipping, "Tax": tax, "Total": total,
                     "Paid": D("50.00"), "Outstanding": total - D("50.00")}  # fmt: skip
    assert money["Items"] + money["Shipping"] + money["Tax"] == money["Total"]
    assert notes == []


def test_discounts_gift_cards_and_credit_lines_are_taken_off_in_their_own_rows(staff_client):
    # given 2 × $40.00 less a $5.00 discount and $10.00 shipping, taxed 10 %, a $20.00 gift
    # card and a $5.00 credit line
    order = make_order(
        items=[{"title": "Linen shirt", "unit_price": "40.00", "quantity": 2, "tax": ["10"],
                "discounts": ["5.00"]}],
        shipping=[{"name": "Express", "amount": "10.00", "tax": ["10"]}],
        commit=False,
    )  # fmt: skip
    card = GiftCard(code="GIFT-20", currency_code="USD", value=D("20.00"), balance=D("0.00"))
    order.gift_card_uses.append(GiftCardUsage(gift_card=card, amount=D("20.00")))
    order.credit_lines.append(CreditLine(amount=D("5.00"), reference="Late delivery"))
    refresh_derived(order)
    db.session.commit()
    items, discount, shipping = D("80.00"), D("5.00"), D("10.00")
    item_tax = cents((items - discount) * D("0.10"))
    shipping_tax = cents(shipping * D("0.10"))
    total = items - discount + item_tax + shipping + shipping_tax - D("20.00") - D("5.00")
    # when
    rows, _, breakdown = totals_panel(detail_page(staff_client, reload(order.id)))
    # then
    money = {label: amount(figure) for label, figure in rows}
    assert [label for label, _ in rows] == ["Items", "Discounts", "Shipping", "Tax",
                                            "Gift cards", "Credit lines", "Total", "Paid",
                                            "Outstanding"]  # fmt: skip
    assert dict(rows)["Discounts"] == "−$5.00" and dict(rows)["Gift cards"] == "−$20.00"
    assert money["Tax"] == item_tax + shipping_tax and money["Total"] == total
    assert (money["Items"] + money["Discounts"] + money["Shipping"] + money["Tax"]
            + money["Gift cards"] + money["Credit lines"]) == money["Total"]  # fmt: skip
    assert money["Outstanding"] == total
    # the disclosure holds every total of the breakdown, each once
    details = {label: amount(figure) for label, figure in breakdown}
    assert [label for label, _ in breakdown] == [
        "Items subtotal", "Item discounts", "Item tax", "Items total", "Shipping subtotal",
        "Shipping discounts", "Shipping tax", "Shipping total", "Discounts without tax",
        "Tax the discounts saved", "Discount total", "Gift card tax", "Tax total", "Refundable",
    ]  # fmt: skip
    assert details["Items total"] == items - discount + item_tax
    assert details["Shipping total"] == shipping + shipping_tax
    assert details["Discount total"] == -(discount + cents(items * D("0.10")) - item_tax)
    assert details["Tax total"] == item_tax + shipping_tax


def test_a_tax_inclusive_euro_order_reads_like_a_receipt_with_the_tax_included(staff_client):
    # given German prices with tax included: 2 shirts at €29.90 (19 %) less €5.00 (without
    # tax, as adjustments are), a book at €12.00 (7 %) and €4.90 shipping (19 %)
    order = make_order(
        currency="EUR",
        region=make_region("Germany", "EUR", inclusive=True, rate="19"),
        items=[{"title": "Shirt", "unit_price": "29.90", "quantity": 2, "tax": ["19"],
                "discounts": ["5.00"], "inclusive": True},
               {"title": "Book", "unit_price": "12.00", "tax": ["7"], "inclusive": True}],
        shipping=[{"name": "DHL", "amount": "4.90", "tax": ["19"], "inclusive": True}],
    )  # fmt: skip

    def tax_in(gross: Decimal, rate: Decimal) -> Decimal:
        return cents(gross * rate / (HUNDRED + rate))

    def line(gross: Decimal, rate: Decimal, discount: Decimal = ZERO) -> tuple[Decimal, Decimal]:
        """(total, tax) by DESIGN.md section 3: the subtotal is the price less the tax in it,
        the tax is on the subtotal less the discount, total = subtotal − discount + tax."""
        tax = tax_in(gross - discount * (1 + rate / HUNDRED), rate)
        return gross - tax_in(gross, rate) - discount + tax, tax

    shirts, book, shipping = D("29.90") * 2, D("12.00"), D("4.90")
    lines = [line(shirts, D(19), D("5.00")), line(book, D(7)), line(shipping, D(19))]
    total = sum(t for t, _ in lines)
    # when
    rows, notes, _ = totals_panel(detail_page(staff_client, order))
    # then the prices are shown as the customer saw them and the tax is named, not added
    money = {label: amount(figure) for label, figure in rows}
    assert [label for label, _ in rows] == [
        "Items incl. tax", "Discounts", "Shipping incl. tax", "Total", "Tax included", "Paid",
        "Outstanding",
    ]  # fmt: skip
    assert dict(rows)["Items incl. tax"] == format_money(shirts + book, "EUR")
    assert dict(rows)["Total"] == format_money(total, "EUR")
    assert money["Tax included"] == sum(tax for _, tax in lines)
    assert money["Items incl. tax"] + money["Discounts"] + money["Shipping incl. tax"] == total
    assert ("Prices marked incl. tax are shown as the customer saw them; the tax in them is "
            "named under the total, not added again.") in notes  # fmt: skip


@pytest.mark.parametrize(
    ("captured", "to_capture"),
    [(D("88.00"), D("0.00")), (D("50.00"), D("38.00"))],
    ids=["all captured", "part captured"],
)
def test_after_a_refund_without_a_return_the_panel_agrees_with_the_capture_form(
    staff_client, captured, to_capture
):
    # given $80.00 of goods with 10 % tax, authorized in full, part or all of it captured,
    # then $30.00 refunded with no return
    order = make_order(items=[{"title": "Desk lamp", "unit_price": "80.00", "tax": ["10"]}],
                       authorized=["88.00"])  # fmt: skip
    url = f"/orders/{order.id}/payments/{order.payments[0].id}"
    for what, data in (("capture", {"amount": str(captured)}),
                       ("refund", {"amount": "30.00", "reason": "goodwill"})):  # fmt: skip
        version = reload(order.id).lock_version
        response = staff_client.post(f"{url}/{what}", data={"lock_version": version, **data})
        assert response.status_code == 302, what
    total = D("80.00") + cents(D("80.00") * D("0.10"))
    # when
    page = detail_page(staff_client, order)
    rows, notes, _ = totals_panel(page)
    # then the order still counts $30.00 that nobody is asked to pay, and says why
    money = {label: amount(figure) for label, figure in rows}
    assert [label for label, _ in rows][-5:] == ["Total", "Paid", "Refunded", "Outstanding",
                                                 "Refunded without a return"]  # fmt: skip
    assert money["Paid"] == captured and money["Refunded"] == D("-30.00")
    assert money["Outstanding"] == to_capture == total - captured
    assert money["Refunded without a return"] == D("30.00")
    assert money["Total"] - (money["Paid"] + money["Refunded"]) == (
        money["Outstanding"] + money["Refunded without a return"]
    )
    assert ("No return, claim or edit has taken the refunded items off the order, so the order "
            "total "
            "still counts them; nothing is left to collect for them.") in notes  # fmt: skip
    # and what is outstanding is exactly what the capture form offers
    if to_capture:
        assert f"up to {format_money(to_capture, 'USD')}</span>" in page
        assert (
            f"{format_money(to_capture, 'USD')} of it is authorized: capture it under "
            "Payments." in notes
        )
    else:
        assert "Amount to capture" not in page


def test_a_canceled_order_names_what_is_not_collected_instead_of_an_outstanding_amount(
    staff_client,
):
    # given a $110.00 order, $40.00 of it captured, then canceled (no capture is possible now)
    order = make_order(items=[{"title": "Desk lamp", "unit_price": "100.00", "tax": ["10"]}],
                       captured=["40.00"])  # fmt: skip
    response = staff_client.post(f"/orders/{order.id}/status/cancel",
                                 data={"lock_version": reload(order.id).lock_version})  # fmt: skip
    assert response.status_code == 302
    total = D("100.00") + cents(D("100.00") * D("0.10"))
    # when
    page = detail_page(staff_client, order)
    rows, notes, _ = totals_panel(page)
    # then
    assert [label for label, _ in rows][-3:] == ["Total", "Paid", "Not collected"]
    assert amount(dict(rows)["Not collected"]) == total - D("40.00")
    assert "The order was canceled: the rest of its total is not collected." in notes
    assert "Amount to capture" not in page
