"""Worked examples of the totals engine (DESIGN.md section 3), per line and per order.

Expected money is worked out here from the inputs with exact fractions and one explicit half-up
rounding per tax line and per adjustment, the way a person checks an invoice by hand.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import pytest

from app.orders.calculations import Charge, GiftCardUse, charge_totals, order_totals

D = Decimal
MINOR = {"USD": "0.01", "EUR": "0.01", "CAD": "0.01", "JPY": "1", "KWD": "0.001"}


def up(value: Fraction | Decimal | str | int, currency: str) -> Decimal:
    """``value`` rounded half up to the currency's minor unit, from its exact value."""
    exact = Fraction(value)
    unit = Fraction(MINOR[currency])
    units = exact / unit
    whole = units.numerator // units.denominator
    if units - whole >= Fraction(1, 2):
        whole += 1
    return (D(whole) * D(MINOR[currency])).quantize(D(MINOR[currency]), rounding=ROUND_HALF_UP)


def F(value: str | int) -> Fraction:
    return Fraction(value)


def inclusive_tax(gross: str, rate: str, rates: tuple[str, ...], currency: str) -> Decimal:
    """One tax line of a tax-inclusive price: gross × rate / (100 + Σ rates), rounded."""
    return up(F(gross) * F(rate) / (100 + sum(F(r) for r in rates)), currency)


# Each row: currency, unit price, quantity, price includes tax, tax rates (percent),
# adjustments, then the expected tax amounts after discount, tax amounts before discount and
# subtotal, each worked out by hand from the inputs.
LINES = [
    pytest.param(
        "USD", "19.99", 3, False, ("6.25", "2.25"), ("5.00",),
        # 59.97 − 5.00 = 54.97 taxed: 3.435625 → 3.44 and 1.236825 → 1.24
        (up(F("54.97") * F("6.25") / 100, "USD"), up(F("54.97") * F("2.25") / 100, "USD")),
        # 59.97 undiscounted: 3.748125 → 3.75 and 1.349325 → 1.35
        (up(F("59.97") * F("6.25") / 100, "USD"), up(F("59.97") * F("2.25") / 100, "USD")),
        D("19.99") * 3,
        id="tax-exclusive, two tax lines, a discount",
    ),
    pytest.param(
        "EUR", "33.33", 3, True, ("19",), (),
        # 99.99 × 19 / 119 = 15.9648… → 15.96, and the net is what is left of the gross
        (inclusive_tax("99.99", "19", ("19",), "EUR"),),
        (inclusive_tax("99.99", "19", ("19",), "EUR"),),
        D("99.99") - inclusive_tax("99.99", "19", ("19",), "EUR"),
        id="tax-inclusive, no discount",
    ),
    pytest.param(
        "EUR", "49.90", 1, True, ("19",), ("5.00",),
        # exact net 49.90 / 1.19 = 41.9327…; (41.9327… − 5.00) × 19 % = 7.0172… → 7.02
        (up((F("49.90") * 100 / 119 - 5) * 19 / 100, "EUR"),),
        (inclusive_tax("49.90", "19", ("19",), "EUR"),),
        D("49.90") - inclusive_tax("49.90", "19", ("19",), "EUR"),
        id="tax-inclusive with a discount",
    ),
    pytest.param(
        "CAD", "1.20", 1, True, ("5", "7"), (),
        # 1.20 × 5 / 112 = 0.0535… → 0.05; 1.20 × 7 / 112 = 0.075 exactly → 0.08 (half up)
        tuple(inclusive_tax("1.20", r, ("5", "7"), "CAD") for r in ("5", "7")),
        tuple(inclusive_tax("1.20", r, ("5", "7"), "CAD") for r in ("5", "7")),
        D("1.20") - sum(inclusive_tax("1.20", r, ("5", "7"), "CAD") for r in ("5", "7")),
        id="tax-inclusive, two tax lines, a tax of exactly half a cent",
    ),
    pytest.param(
        "USD", "15.00", 2, False, ("10",), ("30.00",),
        (D("0.00"),),
        (up(F("30.00") * 10 / 100, "USD"),),
        D("30.00"),
        id="fully discounted, tax-exclusive",
    ),
    pytest.param(
        "USD", "24.99", 1, True, ("20",), ("20.82",),
        # subtotal 24.99 − 4.17 (4.165 → 4.17) = 20.82, all of it off; the exact net 20.825
        # leaves 0.005 taxed at 20 % = 0.001 → 0.00
        (up((F("24.99") * 100 / 120 - F("20.82")) * 20 / 100, "USD"),),
        (inclusive_tax("24.99", "20", ("20",), "USD"),),
        D("24.99") - inclusive_tax("24.99", "20", ("20",), "USD"),
        id="fully discounted, tax-inclusive",
    ),
    pytest.param(
        "JPY", "1480", 3, False, ("10",), ("500",),
        # ¥4,440 − ¥500 = ¥3,940 taxed at 10 % = ¥394
        (up((F(1480) * 3 - 500) * 10 / 100, "JPY"),),
        (up(F(1480) * 3 * 10 / 100, "JPY"),),
        D(1480) * 3,
        id="JPY, tax-exclusive with a discount",
    ),
    pytest.param(
        "JPY", "998", 1, True, ("10",), (),
        # ¥998 × 10 / 110 = ¥90.72… → ¥91
        (inclusive_tax("998", "10", ("10",), "JPY"),),
        (inclusive_tax("998", "10", ("10",), "JPY"),),
        D(998) - inclusive_tax("998", "10", ("10",), "JPY"),
        id="JPY, tax-inclusive",
    ),
    pytest.param(
        "KWD", "12.345", 2, False, ("5",), ("0.500",),
        # 24.690 − 0.500 = 24.190 taxed at 5 % = 1.2095 → 1.210 (half up at three decimals)
        (up((F("12.345") * 2 - F("0.500")) * 5 / 100, "KWD"),),
        (up(F("12.345") * 2 * 5 / 100, "KWD"),),
        D("12.345") * 2,
        id="KWD, three decimals",
    ),
    pytest.param(
        "USD", "0.99", 50, False, ("8.25",), (),
        # 49.50 × 8.25 % = 4.08375 → 4.08: the tax of the whole line, not 50 × 0.08
        (up(F("0.99") * 50 * F("8.25") / 100, "USD"),),
        (up(F("0.99") * 50 * F("8.25") / 100, "USD"),),
        D("0.99") * 50,
        id="many units",
    ),
    pytest.param(
        "USD", "0.125", 7, False, ("20",), (),
        # 7 × 0.125 = 0.875 → 0.88 first; 0.88 × 20 % = 0.176 → 0.18
        (up(up(F("0.125") * 7, "USD") * 20 / 100, "USD"),),
        (up(up(F("0.125") * 7, "USD") * 20 / 100, "USD"),),
        up(F("0.125") * 7, "USD"),
        id="a unit price finer than the currency",
    ),
    pytest.param(
        "USD", "10.00", 1, False, (), ("2.345", "1.115"),
        (),
        (),
        D("10.00"),
        id="adjustments finer than the currency, no tax",
    ),
]


@pytest.mark.parametrize(
    ("currency", "unit_price", "quantity", "inclusive", "rates", "adjustments",
     "taxes", "original_taxes", "subtotal"),
    LINES,
)  # fmt: skip
def test_line_totals_follow_the_worked_example(
    currency, unit_price, quantity, inclusive, rates, adjustments, taxes, original_taxes, subtotal
):
    # given
    charge = Charge(
        unit_price=D(unit_price),
        quantity=quantity,
        is_tax_inclusive=inclusive,
        tax_rates=tuple(D(r) for r in rates),
        adjustments=tuple(D(a) for a in adjustments),
    )

    # when
    totals = charge_totals(charge, currency)

    # then
    discount = sum((up(a, currency) for a in adjustments), D(0))
    tax = sum(taxes, D(0))
    original_tax = sum(original_taxes, D(0))
    assert totals.tax_amounts == taxes
    assert totals.adjustment_amounts == tuple(up(a, currency) for a in adjustments)
    assert totals.subtotal == subtotal
    assert totals.discount_subtotal == discount
    assert totals.tax_total == tax
    assert totals.original_tax_total == original_tax
    assert totals.total == subtotal - discount + tax
    assert totals.original_total == subtotal + original_tax
    assert totals.discount_tax_total == original_tax - tax
    assert totals.discount_total == discount + original_tax - tax


@pytest.mark.parametrize(
    ("currency", "unit_price", "quantity", "rates"),
    [
        ("EUR", "33.33", 3, ("19",)),
        ("EUR", "9.99", 7, ("7",)),
        ("CAD", "1.20", 1, ("5", "7")),
        ("CAD", "237.50", 1, ("5", "9.975")),
        ("JPY", "998", 2, ("10",)),
        ("KWD", "3.333", 3, ("5",)),
    ],
)
def test_an_undiscounted_tax_inclusive_line_totals_exactly_the_price_seen(
    currency, unit_price, quantity, rates
):
    charge = Charge(D(unit_price), quantity, True, tuple(D(r) for r in rates))

    totals = charge_totals(charge, currency)

    assert totals.total == D(unit_price) * quantity
    assert totals.original_total == D(unit_price) * quantity
    assert totals.subtotal + totals.tax_total == D(unit_price) * quantity


@pytest.mark.parametrize("rates", [("5", "7"), ("19", "21"), ("5", "9.975"), ("3", "17")])
def test_inclusive_taxes_round_half_up_from_the_exact_amount_at_every_cent_up_to_twenty(rates):
    # Two rates divide by 100 + Σ rates; now and then a tax line is exactly half a cent.
    for cents in range(1, 2001):
        gross = D(cents).scaleb(-2)
        charge = Charge(gross, 1, True, tuple(D(r) for r in rates))

        totals = charge_totals(charge, "USD")

        assert totals.tax_amounts == tuple(
            inclusive_tax(str(gross), r, rates, "USD") for r in rates
        ), gross
        assert totals.total == gross


def test_a_discount_larger_than_the_line_never_makes_tax_negative():
    charge = Charge(D("8.00"), 1, False, (D("20"),), (D("9.00"),))

    totals = charge_totals(charge, "USD")

    assert totals.tax_amounts == (D("0.00"),)
    assert totals.discount_tax_total == up(F("8.00") * 20 / 100, "USD")


def test_every_line_figure_has_the_currencys_decimals():
    totals = charge_totals(Charge(D("0.3333"), 3, False, (D("8.875"),), (D("0.104"),)), "USD")

    figures = [
        totals.subtotal, totals.discount_subtotal, totals.tax_total, totals.original_tax_total,
        totals.total, totals.original_total, totals.discount_tax_total, totals.discount_total,
        *totals.tax_amounts, *totals.adjustment_amounts,
    ]  # fmt: skip
    assert all(f.as_tuple().exponent == -2 for f in figures)


def test_raw_discount_total_is_the_discount_before_rounding():
    # given 0.104 off a 10.00 line taxed at 10 %
    charge = Charge(D("10.00"), 1, False, (D("10"),), (D("0.104"),))

    # when
    totals = charge_totals(charge, "USD")

    # then rounded: 0.10 off and the tax it saved, 1.00 − 0.99; unrounded: 0.104 + 0.0104
    tax_saved = up(F("10.00") * 10 / 100, "USD") - up((F("10.00") - F("0.10")) * 10 / 100, "USD")
    assert totals.discount_total == D("0.10") + tax_saved
    assert totals.raw_discount_total == D("0.104") + D("0.104") * 10 / 100


# --- Orders ---------------------------------------------------------------------------------


def test_order_totals_add_up_items_and_a_taxed_discounted_shipping_method():
    # given two items and shipping in USD, 8.875 % sales tax on everything, 2.00 off shipping
    rate = D("8.875")
    shirt = Charge(D("24.00"), 2, False, (rate,), (D("4.80"),))
    mug = Charge(D("12.50"), 1, False, (rate,))
    shipping = Charge(D("9.95"), 1, False, (rate,), (D("2.00"),))

    # when
    totals = order_totals("USD", [shirt, mug], [shipping])

    # then
    shirt_tax = up((F("48.00") - F("4.80")) * F(rate) / 100, "USD")  # 3.834 → 3.83
    shirt_tax_before = up(F("48.00") * F(rate) / 100, "USD")  # 4.26
    mug_tax = up(F("12.50") * F(rate) / 100, "USD")  # 1.109375 → 1.11
    ship_tax = up((F("9.95") - 2) * F(rate) / 100, "USD")  # 0.7055625 → 0.71
    ship_tax_before = up(F("9.95") * F(rate) / 100, "USD")  # 0.8830625 → 0.88

    item_total = D("48.00") - D("4.80") + shirt_tax + D("12.50") + mug_tax
    shipping_total = D("9.95") - D("2.00") + ship_tax
    assert totals.item_subtotal == totals.subtotal == D("48.00") + D("12.50")
    assert totals.item_tax_total == shirt_tax + mug_tax
    assert totals.item_discount_total == D("4.80") + shirt_tax_before - shirt_tax
    assert totals.item_total == item_total
    assert totals.original_item_total == D("60.50") + shirt_tax_before + mug_tax
    assert totals.shipping_subtotal == D("9.95")
    assert totals.shipping_discount_total == D("2.00") + ship_tax_before - ship_tax
    assert totals.shipping_tax_total == ship_tax
    assert totals.shipping_total == shipping_total
    assert totals.original_shipping_total == D("9.95") + ship_tax_before
    assert totals.discount_subtotal == D("4.80") + D("2.00")
    assert totals.discount_tax_total == (shirt_tax_before - shirt_tax) + (
        ship_tax_before - ship_tax
    )
    assert totals.discount_total == totals.discount_subtotal + totals.discount_tax_total
    assert totals.tax_total == shirt_tax + mug_tax + ship_tax
    assert totals.original_tax_total == shirt_tax_before + mug_tax + ship_tax_before
    assert totals.total == item_total + shipping_total
    assert totals.original_total == D("70.45") + shirt_tax_before + mug_tax + ship_tax_before
    assert totals.outstanding_amount == totals.total


def test_a_gift_card_takes_off_its_amount():
    items = [Charge(D("80.00"), 1, False, (D("10"),))]

    totals = order_totals("USD", items, [Charge(D("5.00"))], [GiftCardUse(D("25.00"))])

    assert totals.gift_card_total == D("25.00")
    assert totals.gift_card_tax_total == D("0.00")
    assert totals.total == D("80.00") + D("8.00") + D("5.00") - D("25.00")


def test_gift_cards_take_off_at_most_what_items_and_shipping_cost():
    # given 30.00 of items, 5.00 shipping and two cards worth 20.00 and 50.00
    items = [Charge(D("30.00"))]
    shipping = [Charge(D("5.00"))]
    cards = [GiftCardUse(D("20.00")), GiftCardUse(D("50.00"))]

    # when
    totals = order_totals("USD", items, shipping, cards)

    # then the first card is spent whole, the second only for the 15.00 left
    assert totals.gift_card_total == D("30.00") + D("5.00")
    assert totals.total == D("0.00")


def test_a_gift_card_sold_with_tax_takes_that_tax_out_of_the_orders_tax():
    # given a 119.00 tax-inclusive EUR item and a 50.00 card sold with 19 % VAT
    items = [Charge(D("119.00"), 1, True, (D("19"),))]
    cards = [GiftCardUse(D("50.00"), tax_rate=D("19"))]

    # when
    totals = order_totals("EUR", items, (), cards)

    # then 50.00 × 19 / 119 = 7.983… → 7.98 of the card is tax
    card_tax = up(F("50.00") * 19 / 119, "EUR")
    assert totals.item_tax_total == D("19.00")
    assert totals.gift_card_total == D("50.00")
    assert totals.gift_card_tax_total == card_tax
    assert totals.tax_total == D("19.00") - card_tax
    assert totals.total == D("119.00") - D("50.00")


def test_a_capped_gift_card_carries_tax_only_on_what_it_took_off():
    items = [Charge(D("20.00"), 1, False, (D("10"),))]
    cards = [GiftCardUse(D("100.00"), tax_rate=D("10"))]

    totals = order_totals("USD", items, (), cards)

    assert totals.gift_card_total == D("22.00")
    assert totals.gift_card_tax_total == up(F("22.00") * 10 / 110, "USD")
    assert totals.tax_total == D("2.00") - D("2.00")
    assert totals.total == D("0.00")


def test_a_gift_card_never_takes_off_more_tax_than_the_order_carries():
    # given an untaxed item paid with a card that was sold with 20 % tax
    items = [Charge(D("50.00"))]
    cards = [GiftCardUse(D("30.00"), tax_rate=D("20"))]

    # when
    totals = order_totals("USD", items, (), cards)

    # then the order's tax is zero, not minus the card's 5.00
    assert totals.gift_card_total == D("30.00")
    assert totals.gift_card_tax_total == D("0.00")
    assert totals.tax_total == D("0.00")
    assert totals.total == D("50.00") - D("30.00")


def test_credit_lines_are_taken_off_as_they_are():
    items = [Charge(D("40.00"), 1, False, (D("5"),))]

    totals = order_totals("USD", items, credit_lines=[D("5.00"), D("2.50")])

    assert totals.credit_line_total == D("7.50")
    assert totals.total == D("40.00") + D("2.00") - D("7.50")


def test_credit_beyond_the_order_total_leaves_a_refund_due():
    totals = order_totals("USD", [Charge(D("10.00"))], credit_lines=[D("15.00")])

    assert totals.total == D("10.00") - D("15.00")
    assert totals.outstanding_amount == D("-5.00")


@pytest.mark.parametrize(
    ("captured", "refunded", "paid", "refunds", "refundable", "outstanding"),
    [
        ((), (), "0", "0", "0", "108.00"),
        (("50.00",), (), "50.00", "0", "50.00", "58.00"),
        (("60.00", "48.00"), (), "108.00", "0", "108.00", "0.00"),
        (("108.00",), ("8.00",), "108.00", "8.00", "100.00", "8.00"),
        (("108.00",), ("100.00", "8.00"), "108.00", "108.00", "0.00", "108.00"),
        (("120.00",), (), "120.00", "0", "120.00", "-12.00"),
    ],
    ids=["nothing paid", "part captured", "captured in two", "part refunded",
         "all refunded", "overpaid"],
)  # fmt: skip
def test_payments_give_paid_refunded_refundable_and_outstanding(
    captured, refunded, paid, refunds, refundable, outstanding
):
    # given an order of 100.00 with 8 % tax: 108.00
    items = [Charge(D("100.00"), 1, False, (D("8"),))]

    # when
    totals = order_totals(
        "USD", items, captured=[D(c) for c in captured], refunded=[D(r) for r in refunded]
    )

    # then
    assert totals.total == D("108.00")
    assert totals.paid_total == D(paid)
    assert totals.refunded_total == D(refunds)
    assert totals.refundable_amount == D(paid) - D(refunds)
    assert totals.refundable_amount == D(refundable)
    assert totals.outstanding_amount == D("108.00") - (D(paid) - D(refunds))
    assert totals.outstanding_amount == D(outstanding)


def test_authorized_total_sums_the_authorized_payments():
    totals = order_totals("USD", [Charge(D("10.00"))], authorized=[D("4.00"), D("6.00")])

    assert totals.authorized_total == D("10.00")
    assert totals.paid_total == D("0")


def test_a_yen_order_has_no_decimals_anywhere():
    # given ¥1,980 × 2 with 10 % tax on top, ¥300 off, ¥550 shipping with tax, a ¥1,000 card
    items = [Charge(D(1980), 2, False, (D("10"),), (D(300),))]
    shipping = [Charge(D(550), 1, False, (D("10"),))]

    # when
    totals = order_totals("JPY", items, shipping, [GiftCardUse(D(1000))], captured=[D(3000)])

    # then
    item_tax = up((F(3960) - 300) * 10 / 100, "JPY")  # ¥366
    ship_tax = up(F(550) * 10 / 100, "JPY")  # ¥55
    total = D(3960) - D(300) + item_tax + D(550) + ship_tax - D(1000)
    assert totals.total == total
    assert totals.outstanding_amount == total - D(3000)
    assert str(totals.total) == str(total.quantize(D(1)))


def test_an_order_without_lines_totals_zero():
    totals = order_totals("EUR", [])

    assert totals.total == totals.tax_total == totals.item_total == totals.shipping_total == 0
    assert totals.outstanding_amount == 0
