"""Promotion codes on drafts, payment and conversion (with codes and catalogue prices checked
again), the totals of converted drafts against the JSON API, notes and stale versions."""

from __future__ import annotations

import html as markup
import re
from dataclasses import fields
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from app.catalog.models import Promotion, PromotionTarget, PromotionType, VariantPrice
from app.db_types import utcnow
from app.events.models import OrderEvent
from app.extensions import db
from app.money import format_money
from app.orders.calculations import OrderTotals
from app.orders.models import Order, OrderStatus, PaymentStatus
from app.orders.queries import order_with_details
from tests.catalog.factories_catalog import make_promotion
from tests.draft_orders.test_draft_builder import cents, new_draft, post, version_of


def reload(draft_id: int) -> Order:
    db.session.expire_all()
    return db.session.get(Order, draft_id)


def usage_count(code: str) -> int:
    db.session.expire_all()
    return db.session.scalar(select(Promotion.usage_count).where(Promotion.code == code))


def text(response) -> str:
    return response.get_data(as_text=True)


def message_of(response) -> str:
    """The builder's message line, as staff read it."""
    found = re.search(r'<div id="builder-message"[^>]*>\s*<p[^>]*>([^<]*)</p>', text(response))
    return markup.unescape(found.group(1)) if found else ""


def add(client, draft, variant, quantity: int | None = None):
    response = post(client, draft, "/items/variant", {"variant_id": variant.id})
    assert response.status_code == 200, text(response)
    if quantity is not None:
        item = next(i for i in reload(draft.id).items if i.variant_id == variant.id)
        data = {"quantity": str(quantity), "unit_price": str(item.unit_price)}
        response = post(client, draft, f"/items/{item.id}", data)
        assert response.status_code == 200, text(response)
    return response


def total_row(html: str, label: str) -> str:
    """The amount a row of the totals panel shows."""
    return re.search(rf'<th scope="row">{label}</th><td>([^<]*)</td>', html).group(1)


def day(moment) -> str:
    return f"{moment:%b} {moment.day}, {moment.year}"


def adjustments(draft: Order) -> list[tuple[str, str, Decimal]]:
    """Every adjustment on the draft as (line, code, amount)."""
    lines = [(i.title, i) for i in draft.items] + [(m.name, m) for m in draft.shipping_methods]
    return [(title, a.code, a.amount) for title, line in lines for a in line.adjustments]


def customer_chosen(client, draft, customer) -> None:
    """Pick the customer from the builder's customer search, as staff do."""
    found = client.get(f"/draft-orders/{draft.id}/customers", query_string={"q": "lovel"})
    assert f'value="{customer.id}"' in text(found) and customer.email in text(found)
    response = post(client, draft, "/customer/choose", {"customer_id": customer.id})
    assert response.status_code == 200, text(response)


# --- Refused codes -------------------------------------------------------------------------

NOW = utcnow()

REFUSALS = {
    "unknown": ({}, "There is no promotion with the code NOPE."),
    "inactive": ({"is_active": False}, "Code NOPE is not active."),
    "not started": ({"starts_at": NOW + timedelta(days=10)},
                    f"Code NOPE cannot be used before {day(NOW + timedelta(days=10))}."),
    "expired": ({"ends_at": NOW - timedelta(days=3)},
                f"Code NOPE expired on {day(NOW - timedelta(days=3))}."),
    "used up": ({"usage_limit": 3, "usage_count": 3},
                "Code NOPE has been used up (all 3 uses taken)."),
    "minimum subtotal": ({"currency_code": "USD", "min_subtotal": Decimal("50.00")},
                         "Code NOPE needs an item subtotal of at least $50.00; "
                         "this order has $44.00."),
    "other currency": ({"currency_code": "EUR"}, "Code NOPE is for orders in EUR, not USD."),
}  # fmt: skip


@pytest.mark.parametrize("rule", list(REFUSALS))
def test_a_code_that_cannot_be_used_is_refused_with_the_reason_and_nothing_applied(
    staff_client, shop, rule
):
    values, reason = REFUSALS[rule]
    if rule != "unknown":
        make_promotion("NOPE", **values)
    draft = new_draft(staff_client)
    add(staff_client, draft, shop.mug, quantity=2)
    before = reload(draft.id)
    version, total = before.lock_version, before.total
    response = post(staff_client, draft, "/promotions", {"code": " nope "})
    assert response.status_code == 422
    assert message_of(response) == reason
    saved = reload(draft.id)
    assert saved.promotions == [] and adjustments(saved) == []
    assert (saved.lock_version, saved.total) == (version, total)


def test_an_empty_code_is_refused(staff_client, shop):
    draft = new_draft(staff_client)
    response = post(staff_client, draft, "/promotions", {"code": ""})
    assert response.status_code == 422
    assert "Enter a promotion code." in text(response)


def test_a_code_already_applied_is_refused(staff_client, shop):
    make_promotion("SAVE10", value="10")
    draft = new_draft(staff_client)
    add(staff_client, draft, shop.mug)
    assert post(staff_client, draft, "/promotions", {"code": "SAVE10"}).status_code == 200
    before = reload(draft.id)
    version, total = before.lock_version, before.total
    response = post(staff_client, draft, "/promotions", {"code": "save10"})
    assert response.status_code == 422
    assert message_of(response) == "Code SAVE10 is already applied."
    saved = reload(draft.id)
    assert [p.code for p in saved.promotions] == ["SAVE10"]
    assert adjustments(saved) == [("Stoneware Mug", "SAVE10", Decimal("2.20"))]
    assert (saved.lock_version, saved.total) == (version, total)


# --- Codes that apply ----------------------------------------------------------------------


def test_a_percentage_code_puts_an_adjustment_on_each_line_and_the_totals_reconcile(
    staff_client, shop
):
    make_promotion("SAVE10", value="10", description="Ten percent off")
    draft = new_draft(staff_client)
    add(staff_client, draft, shop.mug, quantity=2)  # 44.00, taxed 10 %
    add(staff_client, draft, shop.tea)  # 8.50, food taxed 5 %
    post(staff_client, draft, "/items", {"title": "Card", "unit_price": "3.35", "quantity": "1"})
    response = post(staff_client, draft, "/promotions", {"code": "save10"})
    assert response.status_code == 200
    html = text(response)
    assert message_of(response) == "Code SAVE10 applied."
    assert "<strong>SAVE10</strong>" in html and "Ten percent off" in html
    # 10 % of each line, rounded half up on the line: 3.35 → 0.335 → 0.34
    for amount in ("4.40", "0.85", "0.34"):
        assert f'<div class="discount">SAVE10 −${amount}</div>' in html
    saved = reload(draft.id)
    assert adjustments(saved) == [
        ("Stoneware Mug", "SAVE10", Decimal("4.40")),
        ("Green Tea", "SAVE10", Decimal("0.85")),
        ("Card", "SAVE10", Decimal("0.34")),
    ]  # fmt: skip
    totals = saved.totals
    assert totals.item_discount_subtotal == sum(a for _, _, a in adjustments(saved)) == Decimal(
        "5.59"
    )
    # tax on what is left of each line after the discount
    item_tax = cents(Decimal("39.60") * Decimal("0.10")) + cents(Decimal("7.65") * Decimal(
        "0.05")) + cents(Decimal("3.01") * Decimal("0.10"))  # fmt: skip
    assert totals.item_tax_total == item_tax
    assert totals.item_total == totals.item_subtotal - totals.item_discount_subtotal + item_tax
    assert saved.total == totals.total == Decimal("55.85") - Decimal("5.59") + item_tax
    assert total_row(html, "Item discounts") == "−$5.59"
    assert total_row(html, "Total") == format_money(saved.total, "USD")
    # Each discount names the promotion it came from, from the moment the code is applied.
    promotion_id = db.session.scalar(select(Promotion.id).where(Promotion.code == "SAVE10"))
    assert {a.promotion_id for i in saved.items for a in i.adjustments} == {promotion_id}


def test_a_fixed_amount_is_shared_by_the_lines_and_adds_up_exactly(staff_client, shop):
    make_promotion("TENOFF", type=PromotionType.FIXED, value="10.00", currency_code="USD")
    draft = new_draft(staff_client)
    add(staff_client, draft, shop.mug)  # 22.00
    add(staff_client, draft, shop.tea)  # 8.50
    post(staff_client, draft, "/items", {"title": "Card", "unit_price": "3.33", "quantity": "1"})
    response = post(staff_client, draft, "/promotions", {"code": "TENOFF"})
    assert response.status_code == 200
    saved = reload(draft.id)
    amounts = [a for _, _, a in adjustments(saved)]
    assert len(amounts) == 3 and sum(amounts) == Decimal("10.00")
    subtotals = [Decimal("22.00"), Decimal("8.50"), Decimal("3.33")]
    for amount, subtotal in zip(amounts, subtotals, strict=True):
        # each line's share is its part of the subtotal, within the rounding's cent
        assert abs(amount - Decimal("10.00") * subtotal / sum(subtotals)) <= Decimal("0.01")
    assert saved.totals.item_discount_subtotal == Decimal("10.00")
    assert saved.totals.shipping_discount_subtotal == 0
    for amount in amounts:
        assert f"TENOFF −${amount}" in text(response)


def test_a_fixed_amount_larger_than_the_items_takes_them_to_zero_not_below(staff_client, shop):
    make_promotion("BIG", type=PromotionType.FIXED, value="100.00", currency_code="USD")
    draft = new_draft(staff_client)
    add(staff_client, draft, shop.tea)
    post(staff_client, draft, "/promotions", {"code": "BIG"})
    saved = reload(draft.id)
    assert adjustments(saved) == [("Green Tea", "BIG", Decimal("8.50"))]
    assert saved.total == 0


def test_a_shipping_code_discounts_only_the_shipping(staff_client, shop):
    make_promotion("HALFSHIP", value="50", target=PromotionTarget.SHIPPING)
    draft = new_draft(staff_client)
    add(staff_client, draft, shop.mug)
    post(staff_client, draft, "/shipping", {"option_id": shop.standard.id})
    response = post(staff_client, draft, "/promotions", {"code": "HALFSHIP"})
    assert response.status_code == 200
    html = text(response)
    saved = reload(draft.id)
    # 50 % of 5.99 is 2.995, rounded half up
    assert adjustments(saved) == [("Standard", "HALFSHIP", Decimal("3.00"))]
    totals = saved.totals
    assert totals.item_discount_subtotal == 0
    assert totals.shipping_discount_subtotal == Decimal("3.00")
    assert totals.shipping_tax_total == cents(Decimal("2.99") * Decimal("0.10"))
    assert totals.item_total == Decimal("24.20")
    assert '<span class="discount">HALFSHIP −$3.00</span>' in html
    assert total_row(html, "Shipping discounts") == "−$3.00"
    assert total_row(html, "Item discounts") == "$0.00"


def test_two_codes_together_never_take_a_line_below_zero(staff_client, shop):
    make_promotion("HALF", value="50")
    make_promotion("TWENTY", type=PromotionType.FIXED, value="20.00", currency_code="USD")
    draft = new_draft(staff_client)
    add(staff_client, draft, shop.mug)
    post(staff_client, draft, "/promotions", {"code": "HALF"})
    post(staff_client, draft, "/promotions", {"code": "TWENTY"})
    saved = reload(draft.id)
    assert adjustments(saved) == [
        ("Stoneware Mug", "HALF", Decimal("11.00")), ("Stoneware Mug", "TWENTY", Decimal("11.00")),
    ]  # fmt: skip
    assert saved.total == 0


def test_removing_a_code_removes_its_adjustments(staff_client, shop):
    make_promotion("SAVE10", value="10")
    draft = new_draft(staff_client)
    add(staff_client, draft, shop.mug)
    post(staff_client, draft, "/shipping", {"option_id": shop.standard.id})
    post(staff_client, draft, "/promotions", {"code": "SAVE10"})
    assert adjustments(reload(draft.id)) != []
    response = post(staff_client, draft, "/promotions/remove", {"code": "SAVE10"})
    assert response.status_code == 200
    html = text(response)
    assert message_of(response) == "Code removed."
    assert "<strong>SAVE10</strong>" not in html and "SAVE10 −$" not in html
    saved = reload(draft.id)
    assert saved.promotions == [] and adjustments(saved) == []
    assert saved.total == Decimal("24.20") + Decimal("6.59")


def test_removing_a_code_that_is_not_applied_is_refused(staff_client, shop):
    make_promotion("SAVE10", value="10")
    draft = new_draft(staff_client)
    response = post(staff_client, draft, "/promotions/remove", {"code": "SAVE10"})
    assert response.status_code == 422
    assert message_of(response) == "Code SAVE10 is not applied to this draft."


def test_a_code_whose_minimum_is_no_longer_met_stays_listed_and_takes_nothing_off(
    staff_client, shop
):
    make_promotion("BIG30", value="10", currency_code="USD", min_subtotal=Decimal("30.00"))
    draft = new_draft(staff_client)
    add(staff_client, draft, shop.mug, quantity=2)
    assert post(staff_client, draft, "/promotions", {"code": "BIG30"}).status_code == 200
    assert adjustments(reload(draft.id)) == [("Stoneware Mug", "BIG30", Decimal("4.40"))]
    # when the lines change so the subtotal drops below the minimum
    item = reload(draft.id).items[0]
    response = post(staff_client, draft, f"/items/{item.id}", {"quantity": "1",
                                                               "unit_price": "22.00"})  # fmt: skip
    assert response.status_code == 200
    html = text(response)
    assert ("Not applied: Code BIG30 needs an item subtotal of at least $30.00; "
            "this order has $22.00.") in html  # fmt: skip
    assert "BIG30 −$" not in html
    assert total_row(html, "Item discounts") == "$0.00"
    saved = reload(draft.id)
    assert [p.code for p in saved.promotions] == ["BIG30"]
    assert adjustments(saved) == [] and saved.total == Decimal("24.20")
    # and once the minimum is met again, the code takes its part off again
    add(staff_client, draft, shop.tea)
    add(staff_client, draft, shop.espresso)
    saved = reload(draft.id)
    assert [a for _, _, a in adjustments(saved)] == [
        Decimal("2.20"), Decimal("0.85"), Decimal("1.20"),
    ]  # fmt: skip
    assert "Not applied" not in text(staff_client.get(f"/draft-orders/{draft.id}"))


def test_a_code_for_one_currency_stops_applying_when_the_region_changes(staff_client, shop):
    make_promotion("USD5", type=PromotionType.FIXED, value="5.00", currency_code="USD")
    draft = new_draft(staff_client)
    add(staff_client, draft, shop.mug)
    post(staff_client, draft, "/promotions", {"code": "USD5"})
    response = post(staff_client, draft, "/region", {"region": shop.de.id})
    assert response.status_code == 200
    assert "Not applied: Code USD5 is for orders in USD, not EUR." in text(response)
    assert adjustments(reload(draft.id)) == []


def test_a_change_reads_the_same_on_a_full_draft_as_on_a_small_one(
    staff_client, shop, count_queries
):
    """Each builder change loads the draft in a fixed number of queries, so the POS stays as
    quick on the tenth line as on the first (only the rows a change writes grow with it)."""
    make_promotion("SAVE10", value="10")
    make_promotion("SHIPFREE", value="100", target=PromotionTarget.SHIPPING)

    def reads(draft) -> tuple[int, ...]:
        counts = []
        for path, data in (("/items/variant", {"variant_id": shop.espresso.id}),
                           ("/promotions", {"code": "SAVE10"})):  # fmt: skip
            data["lock_version"] = version_of(draft.id)
            count_queries.clear()
            response = staff_client.post(f"/draft-orders/{draft.id}{path}", data=data,
                                         headers={"HX-Request": "true"})  # fmt: skip
            assert response.status_code == 200
            counts.append(sum(s.lstrip().upper().startswith("SELECT") for s in count_queries))
        return tuple(counts)

    small = new_draft(staff_client)
    full = new_draft(staff_client)
    for variant in (shop.mug, shop.tea, shop.tote):
        add(staff_client, full, variant)
    for draft in (small, full):
        post(staff_client, draft, "/shipping", {"option_id": shop.standard.id})
        post(staff_client, draft, "/promotions", {"code": "SHIPFREE"})
    assert reads(full) == reads(small)
    saved = reload(full.id)
    assert len(saved.items) == 4 and [p.code for p in saved.promotions] == ["SHIPFREE", "SAVE10"]


# --- Payment and conversion ----------------------------------------------------------------


def ready_draft(client, shop, *codes: str) -> Order:
    """A draft for Ada with two mugs and the given codes applied."""
    draft = new_draft(client)
    customer_chosen(client, draft, shop.ada)
    add(client, draft, shop.mug, quantity=2)
    for code in codes:
        response = post(client, draft, "/promotions", {"code": code})
        assert response.status_code == 200, text(response)
    return draft


def test_a_paid_draft_converts_and_counts_one_use_of_its_code(staff_client, shop):
    make_promotion("SAVE10", value="10", usage_limit=5, usage_count=2)
    draft = ready_draft(staff_client, shop, "SAVE10")
    expected_total = Decimal("39.60") + Decimal("3.96")
    response = post(staff_client, draft, "/payment", {"mode": "now"})
    assert response.status_code == 200
    assert message_of(response) == "Payment registered."
    assert usage_count("SAVE10") == 2  # a payment does not use the code yet
    response = post(staff_client, draft, "/convert", {})
    assert response.status_code == 200
    assert response.headers["HX-Redirect"] == f"/orders/{draft.id}"
    order = reload(draft.id)
    assert (order.status, order.payment_status) == (OrderStatus.PENDING, PaymentStatus.CAPTURED)
    assert order.converted_at is not None and order.email == "ada@example.com"
    assert order.total == expected_total and order.payments[0].amount == expected_total
    assert usage_count("SAVE10") == 3


def test_a_code_that_expired_between_payment_and_conversion_refuses_the_conversion(
    staff_client, shop
):
    promotion = make_promotion("SAVE10", value="10")
    draft = ready_draft(staff_client, shop, "SAVE10")
    post(staff_client, draft, "/payment", {"mode": "later"})
    ended = utcnow() - timedelta(minutes=1)
    promotion.ends_at = ended
    db.session.commit()
    version = version_of(draft.id)
    response = post(staff_client, draft, "/convert", {})
    assert response.status_code == 422
    assert message_of(response) == f"Cannot convert: Code SAVE10 expired on {day(ended)}."
    saved = reload(draft.id)
    assert (saved.status, saved.converted_at, saved.lock_version) == (
        OrderStatus.DRAFT, None, version)
    assert len(saved.payments) == 1
    assert usage_count("SAVE10") == 0


def change_mug_price(shop, amount: str) -> None:
    price = db.session.scalar(select(VariantPrice).where(
        VariantPrice.variant_id == shop.mug.id, VariantPrice.currency_code == "USD"))  # fmt: skip
    price.amount = Decimal(amount)
    db.session.commit()


def test_a_code_listed_but_not_applied_refuses_the_payment(staff_client, shop):
    make_promotion("BIG30", value="10", currency_code="USD", min_subtotal=Decimal("30.00"))
    draft = ready_draft(staff_client, shop, "BIG30")
    item = reload(draft.id).items[0]
    post(staff_client, draft, f"/items/{item.id}", {"quantity": "1", "unit_price": "22.00"})
    response = post(staff_client, draft, "/payment", {"mode": "now"})
    assert response.status_code == 422
    assert message_of(response) == (
        "Cannot take the payment: Code BIG30 needs an item subtotal of at least $30.00; "
        "this order has $22.00."
    )
    assert reload(draft.id).payments == []


def test_a_changed_catalogue_price_refuses_the_payment(staff_client, shop):
    draft = ready_draft(staff_client, shop)
    change_mug_price(shop, "25.00")
    version = version_of(draft.id)
    response = post(staff_client, draft, "/payment", {"mode": "now"})
    assert response.status_code == 422
    assert message_of(response) == (
        "Cannot take the payment: The catalogue price of Stoneware Mug is now $25.00; "
        "the line has $22.00. Set the line's price to the one to charge."
    )
    saved = reload(draft.id)
    assert saved.payments == [] and saved.lock_version == version
    assert saved.payment_status == PaymentStatus.NOT_PAID


def test_a_catalogue_price_changed_after_payment_refuses_the_conversion(staff_client, shop):
    draft = ready_draft(staff_client, shop)
    post(staff_client, draft, "/payment", {"mode": "now"})
    change_mug_price(shop, "19.00")
    response = post(staff_client, draft, "/convert", {})
    assert response.status_code == 422
    assert message_of(response).startswith(
        "Cannot convert: The catalogue price of Stoneware Mug is now $19.00; the line has $22.00."
    )
    assert reload(draft.id).status == OrderStatus.DRAFT


def test_a_line_priced_by_hand_does_not_follow_the_catalogue_price(staff_client, shop):
    draft = ready_draft(staff_client, shop)
    item = reload(draft.id).items[0]
    post(staff_client, draft, f"/items/{item.id}", {"quantity": "2", "unit_price": "20.00"})
    change_mug_price(shop, "25.00")
    assert post(staff_client, draft, "/payment", {"mode": "now"}).status_code == 200
    assert post(staff_client, draft, "/convert", {}).status_code == 200
    order = reload(draft.id)
    assert order.status == OrderStatus.PENDING
    assert order.items[0].unit_price == Decimal("20.00")
    assert order.total == Decimal("44.00")


def test_after_a_catalogue_price_change_staff_can_set_the_new_price_on_the_line(
    staff_client, shop
):
    draft = ready_draft(staff_client, shop)
    change_mug_price(shop, "25.00")
    item = reload(draft.id).items[0]
    post(staff_client, draft, f"/items/{item.id}", {"quantity": "2", "unit_price": "25.00"})
    assert post(staff_client, draft, "/payment", {"mode": "now"}).status_code == 200
    assert reload(draft.id).total == Decimal("55.00")


def test_after_a_catalogue_price_change_staff_can_keep_the_lines_price(staff_client, shop):
    # The refusal says "Set the line's price to the one to charge": confirming the price the
    # line already has (22.00) is setting it by hand, so the payment must then go through.
    draft = ready_draft(staff_client, shop)
    change_mug_price(shop, "25.00")
    item = reload(draft.id).items[0]
    response = post(staff_client, draft, f"/items/{item.id}",
                    {"quantity": "2", "unit_price": "22.00"})  # fmt: skip
    assert response.status_code == 200
    response = post(staff_client, draft, "/payment", {"mode": "now"})
    assert response.status_code == 200, message_of(response)
    assert reload(draft.id).total == Decimal("48.40")


def test_voiding_the_payment_lets_the_draft_change_again(staff_client, shop):
    draft = ready_draft(staff_client, shop)
    post(staff_client, draft, "/payment", {"mode": "later"})
    assert reload(draft.id).payment_status == PaymentStatus.AUTHORIZED
    refused = post(staff_client, draft, "/items/variant", {"variant_id": shop.tea.id})
    assert refused.status_code == 422 and "contents are fixed" in text(refused)
    response = post(staff_client, draft, "/payment/void", {})
    assert response.status_code == 200
    html = text(response)
    assert message_of(response) == "Payment voided; the draft can change again."
    assert 'id="pay-now"' in html and 'id="item-search"' in html
    saved = reload(draft.id)
    assert saved.payments == [] and saved.payment_status == PaymentStatus.NOT_PAID
    assert post(staff_client, draft, "/items/variant",
                {"variant_id": shop.tea.id}).status_code == 200  # fmt: skip
    assert [i.sku for i in reload(draft.id).items] == ["MUG-1", "TEA-100"]
    events = [e.event_type for e in reload(draft.id).events]
    assert "draft-order.payment_voided" in events


def test_voiding_without_a_payment_is_refused(staff_client, shop):
    draft = ready_draft(staff_client, shop)
    response = post(staff_client, draft, "/payment/void", {})
    assert response.status_code == 422
    assert message_of(response) == "No payment is registered for this draft."


def test_a_code_with_one_use_left_converts_only_one_of_two_drafts(staff_client, shop):
    make_promotion("ONCE", value="10", usage_limit=1)
    first = ready_draft(staff_client, shop, "ONCE")
    second = ready_draft(staff_client, shop, "ONCE")
    post(staff_client, first, "/payment", {"mode": "now"})
    post(staff_client, second, "/payment", {"mode": "now"})
    assert post(staff_client, first, "/convert", {}).status_code == 200
    version = version_of(second.id)
    response = post(staff_client, second, "/convert", {})
    assert response.status_code == 422
    assert message_of(response) == "Cannot convert: Code ONCE has been used up (all 1 uses taken)."
    saved = reload(second.id)
    assert (saved.status, saved.converted_at, saved.lock_version) == (
        OrderStatus.DRAFT, None, version)
    assert reload(first.id).status == OrderStatus.PENDING
    assert usage_count("ONCE") == 1


# --- Converted drafts' totals against the API ----------------------------------------------

#: Every total of an order (the per-line totals are compared line by line).
ORDER_TOTAL_FIELDS = [f.name for f in fields(OrderTotals)
                      if f.name not in ("currency_code", "items", "shipping_methods")]  # fmt: skip
LINE_TOTAL_FIELDS = ["subtotal", "discount_subtotal", "discount_tax_total", "discount_total",
                     "tax_total", "original_tax_total", "total", "original_total"]  # fmt: skip

#: The builder's totals panel with its breakdown: label → total.
PANEL = {
    "Items subtotal": "item_subtotal", "Item tax": "item_tax_total",
    "Items total": "item_total", "Shipping subtotal": "shipping_subtotal",
    "Shipping tax": "shipping_tax_total", "Shipping total": "shipping_total",
    "Tax total": "tax_total", "Total": "total", "Paid": "paid_total",
    "Refundable": "refundable_amount", "Outstanding": "outstanding_amount",
}  # fmt: skip
PANEL_DEDUCTIONS = {
    "Item discounts": "item_discount_subtotal", "Shipping discounts": "shipping_discount_subtotal",
    "Discounts without tax": "discount_subtotal", "Tax the discounts saved": "discount_tax_total",
    "Discount total": "discount_total",
}  # fmt: skip


@pytest.mark.parametrize(
    ("region", "currency", "option"), [("us", "USD", "standard"), ("de", "EUR", "dhl")]
)
def test_a_converted_drafts_totals_are_the_totals_the_api_reports(
    staff_client, shop, api_headers, region, currency, option
):
    make_promotion("SAVE15", value="15")
    draft = new_draft(staff_client)
    if region != "us":
        post(staff_client, draft, "/region", {"region": getattr(shop, region).id})
    customer_chosen(staff_client, draft, shop.ada)
    # tax added in the United States, included in Germany
    add(staff_client, draft, shop.mug, quantity=3)  # default rate
    add(staff_client, draft, shop.tea, quantity=2)  # food rate
    add(staff_client, draft, shop.tote)
    post(staff_client, draft, "/items", {"title": "Engraving", "unit_price": "7.77",
                                         "quantity": "1"})  # fmt: skip
    post(staff_client, draft, "/shipping", {"option_id": getattr(shop, option).id})
    post(staff_client, draft, "/promotions", {"code": "SAVE15"})
    paid = post(staff_client, draft, "/payment", {"mode": "now"})
    assert paid.status_code == 200
    panel = text(paid)
    assert post(staff_client, draft, "/convert", {}).status_code == 200

    response = staff_client.get(f"/api/v1/orders/{draft.id}", headers=api_headers)
    assert response.status_code == 200
    api = response.get_json()
    db.session.expire_all()
    order = order_with_details(draft.id)
    totals = order.totals
    assert (api["status"], api["currency_code"]) == ("pending", currency)
    assert len(order.items) == 4 and len(order.shipping_methods) == 1
    assert all(i.adjustments for i in order.items)
    for name in ORDER_TOTAL_FIELDS:
        assert Decimal(api[name]) == getattr(totals, name), name
    for line, line_totals in zip(api["items"] + api["shipping_methods"],
                                 totals.items + totals.shipping_methods, strict=True):  # fmt: skip
        for name in LINE_TOTAL_FIELDS:
            assert Decimal(line[name]) == getattr(line_totals, name), (line.get("title"), name)
    # the figures add up as the totals panel reads them, and the whole total was paid
    assert totals.item_discount_subtotal == sum(
        (a.amount for i in order.items for a in i.adjustments), Decimal(0)
    )
    assert totals.item_total == (totals.item_subtotal - totals.item_discount_subtotal
                                 + totals.item_tax_total)  # fmt: skip
    assert totals.total == totals.item_total + totals.shipping_total
    assert order.total == totals.total == order.payments[0].amount == totals.paid_total
    assert totals.outstanding_amount == 0
    # the builder's panel showed the same figures just before the conversion
    for label, name in PANEL.items():
        assert total_row(panel, label) == format_money(getattr(totals, name), currency), label
    for label, name in PANEL_DEDUCTIONS.items():
        amount = getattr(totals, name)
        shown = format_money(amount, currency)
        assert total_row(panel, label) == ("−" + shown if amount > 0 else shown), label


# --- Notes ---------------------------------------------------------------------------------


def test_a_note_shows_in_the_timeline(staff_client, shop):
    draft = new_draft(staff_client)
    response = staff_client.post(f"/draft-orders/{draft.id}/notes", headers={"HX-Request": "true"},
                                 data={"text": "Customer collects on Friday"})  # fmt: skip
    assert response.status_code == 200
    html = text(response)
    assert html.lstrip().startswith('<div id="timeline-body">')
    assert '<p class="event-message">Customer collects on Friday</p>' in html
    assert "<strong>Note</strong>" in html and "staff@orderdesk.test" in html
    notes = [(e.event_type, e.message) for e in reload(draft.id).events if e.event_type == "note"]
    assert notes == [("note", "Customer collects on Friday")]
    page = text(staff_client.get(f"/draft-orders/{draft.id}"))
    assert "Customer collects on Friday" in page


@pytest.mark.parametrize("note", ["", "   "])
def test_an_empty_note_is_refused(staff_client, shop, note):
    draft = new_draft(staff_client)
    response = staff_client.post(f"/draft-orders/{draft.id}/notes", headers={"HX-Request": "true"},
                                 data={"text": note})  # fmt: skip
    assert response.status_code == 422
    assert "Write something first." in text(response)
    assert db.session.scalars(select(OrderEvent).where(
        OrderEvent.order_id == draft.id, OrderEvent.event_type == "note")).all() == []  # fmt: skip


# --- Two tabs ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("/items/variant", {"variant_id": "tea"}),
        ("/promotions", {"code": "SAVE10"}),
        ("/shipping", {"option_id": "standard"}),
        ("/region", {"region": "de"}),
    ],
)
def test_a_change_made_in_a_second_tab_on_an_old_version_is_refused_and_the_first_kept(
    staff_client, shop, path, data
):
    make_promotion("SAVE10", value="10")
    draft = new_draft(staff_client)
    seen = version_of(draft.id)
    htmx = {"HX-Request": "true"}
    first = staff_client.post(f"/draft-orders/{draft.id}/items/variant", headers=htmx,
                              data={"lock_version": seen, "variant_id": shop.mug.id})  # fmt: skip
    assert first.status_code == 200
    values = {name: (getattr(shop, value).id if name != "code" else value)
              for name, value in data.items()}  # fmt: skip
    second = staff_client.post(f"/draft-orders/{draft.id}{path}", headers=htmx,
                               data={"lock_version": seen, **values})  # fmt: skip
    assert second.status_code == 409
    html = text(second)
    assert message_of(second).startswith(
        "Someone else changed this order while you were working on it."
    )
    # the second tab is shown the current state, with the first tab's line and version
    assert "Stoneware Mug" in html
    assert f'id="draft-version" value="{seen + 1}"' in html
    saved = reload(draft.id)
    assert [i.sku for i in saved.items] == ["MUG-1"]
    assert (saved.lock_version, saved.currency_code) == (seen + 1, "USD")
    assert saved.promotions == [] and saved.shipping_methods == []
