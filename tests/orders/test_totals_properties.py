"""Properties of the totals engine over random orders: what a page shows always adds up."""

from __future__ import annotations

from dataclasses import dataclass, fields
from decimal import Decimal
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from app.orders.calculations import (
    Charge,
    ChargeTotals,
    GiftCardUse,
    OrderTotals,
    charge_totals,
    order_totals,
)

D = Decimal
DECIMALS = {"USD": 2, "EUR": 2, "JPY": 0, "KWD": 3}
COMMON_RATES = [D(r) for r in ("0", "2.5", "5", "7", "7.25", "8.875", "9.975", "10", "19", "20",
                               "21", "25", "27.5")]  # fmt: skip
# Rates up to 27.5 % with up to three decimals, the usual ones more often.
rates = st.one_of(
    st.sampled_from(COMMON_RATES),
    st.integers(0, 27_500).map(lambda n: D(n).scaleb(-3)),
)
# deadline=None: a loaded CI machine must not turn a slow example into a failure.
PROPERTY_SETTINGS = settings(max_examples=300, deadline=None)


def minor(currency: str) -> Decimal:
    return D(1).scaleb(-DECIMALS[currency])


def money(draw, currency: str, low: int, high: int) -> Decimal:
    """An amount at the currency's precision, between ``low`` and ``high`` minor units."""
    return D(draw(st.integers(low, high))).scaleb(-DECIMALS[currency])


def exact_net(charge: Charge) -> Fraction:
    """The line's price without tax, exactly."""
    gross = Fraction(charge.unit_price) * charge.quantity
    if charge.is_tax_inclusive:
        return gross * 100 / (100 + sum(Fraction(r) for r in charge.tax_rates))
    return gross


def half_up(value: Fraction, currency: str) -> Fraction:
    units = value / Fraction(minor(currency))
    whole = units.numerator // units.denominator
    if units - whole >= Fraction(1, 2):
        whole += 1
    return whole * Fraction(minor(currency))


@st.composite
def charges(draw, currency: str, credited: bool = False) -> Charge:
    """A line item or shipping method whose adjustments never exceed its net price; with
    ``credited``, some of its units may be credited (returned, or claimed for a refund).

    Adjustments come in tenths of a minor unit, so that their rounding shows; their total,
    rounded up, stays within the net price.
    """
    places = DECIMALS[currency]
    charge = Charge(
        unit_price=money(draw, currency, 0, 5 * 10 ** (places + 3)),
        quantity=draw(st.integers(1, 50)),
        is_tax_inclusive=draw(st.booleans()),
        tax_rates=tuple(draw(st.lists(rates, max_size=3))),
    )
    room = int(exact_net(charge) * 10 ** (places + 1))
    adjustments = []
    for _ in range(draw(st.integers(0, 2))):
        room -= 5  # each may round up by half a minor unit
        if room <= 0:
            break
        tenths = draw(st.integers(0, room))
        room -= tenths
        adjustments.append(D(tenths).scaleb(-(places + 1)))
    return Charge(
        charge.unit_price,
        charge.quantity,
        charge.is_tax_inclusive,
        charge.tax_rates,
        tuple(adjustments),
        draw(st.integers(0, charge.quantity)) if credited else 0,
    )


@dataclass(frozen=True)
class OrderInput:
    currency: str
    items: list[Charge]
    shipping_methods: list[Charge]
    gift_cards: list[GiftCardUse]
    credit_lines: list[Decimal]
    captured: list[Decimal]
    refunded: list[Decimal]

    def totals(self) -> OrderTotals:
        return order_totals(
            self.currency,
            self.items,
            self.shipping_methods,
            self.gift_cards,
            self.credit_lines,
            self.captured,
            self.refunded,
        )


@st.composite
def orders(draw) -> OrderInput:
    """An order in a random currency: 1-5 items, 0-2 shipping methods, gift cards with and
    without tax, credit lines, captures and a refund of part of the first capture."""
    currency = draw(st.sampled_from(sorted(DECIMALS)))
    places = DECIMALS[currency]
    hundred = 10 ** (places + 2)  # 100 in minor units

    def amounts(most: int, high: int, low: int = 0) -> list[Decimal]:
        return [money(draw, currency, low, high) for _ in range(draw(st.integers(0, most)))]

    gift_cards = [
        GiftCardUse(amount, tax_rate=draw(st.one_of(st.none(), rates)))
        for amount in amounts(2, 5 * hundred, low=1)
    ]
    captured = amounts(3, 50 * hundred)
    refunded = [money(draw, currency, 0, int(c.scaleb(places))) for c in captured[:1]]
    return OrderInput(
        currency=currency,
        items=draw(st.lists(charges(currency, credited=True), min_size=1, max_size=5)),
        shipping_methods=draw(st.lists(charges(currency), max_size=2)),
        gift_cards=gift_cards,
        credit_lines=amounts(2, 2 * hundred),
        captured=captured,
        refunded=refunded,
    )


def money_fields(totals: ChargeTotals | OrderTotals) -> dict[str, Decimal]:
    """Every rounded figure: the Decimal fields (not the raw discount) and the per-line amounts."""
    figures = {}
    for f in fields(totals):
        value = getattr(totals, f.name)
        if isinstance(value, Decimal) and f.name != "raw_discount_total":
            figures[f.name] = value
        elif f.name in ("tax_amounts", "adjustment_amounts"):
            figures.update({f"{f.name}[{i}]": v for i, v in enumerate(value)})
    return figures


def sum_of(lines: tuple[ChargeTotals, ...], name: str) -> Decimal:
    return sum((getattr(line, name) for line in lines), D(0))


def lines(order: OrderInput, totals: OrderTotals) -> list[tuple[Charge, ChargeTotals]]:
    """Each charge of the order beside its totals."""
    return list(
        zip(
            order.items + order.shipping_methods,
            totals.items + totals.shipping_methods,
            strict=True,
        )
    )


def assert_every_figure_is_a_whole_number_of_minor_units(order, totals):
    unit = minor(order.currency)
    for part in (totals, *totals.items, *totals.shipping_methods):
        for name, value in money_fields(part).items():
            assert value % unit == 0, (name, value)


def assert_each_line_adds_up(order, totals):
    for charge, line in lines(order, totals):
        assert line.total == line.subtotal - line.discount_subtotal + line.tax_total
        assert line.discount_total == line.discount_subtotal + line.discount_tax_total
        assert line.discount_tax_total == line.original_tax_total - line.tax_total
        assert line.original_total == line.subtotal + line.original_tax_total
        assert line.tax_total == sum(line.tax_amounts, D(0))
        assert line.discount_subtotal == sum(line.adjustment_amounts, D(0))
        assert len(line.tax_amounts) == len(charge.tax_rates)
        assert len(line.adjustment_amounts) == len(charge.adjustments)


def assert_order_totals_are_the_sums_of_their_lines(totals):
    items, shipping = totals.items, totals.shipping_methods
    every = items + shipping
    assert totals.item_subtotal == sum_of(items, "subtotal")
    assert totals.item_discount_total == sum_of(items, "discount_total")
    assert totals.item_discount_subtotal == sum_of(items, "discount_subtotal")
    assert (
        totals.item_subtotal - totals.item_discount_subtotal + totals.item_tax_total
        == totals.item_total
    )
    assert totals.item_tax_total == sum_of(items, "tax_total")
    assert totals.item_total == sum_of(items, "total")
    assert totals.original_item_total == sum_of(items, "original_total")
    assert totals.shipping_subtotal == sum_of(shipping, "subtotal")
    assert totals.shipping_discount_total == sum_of(shipping, "discount_total")
    assert totals.shipping_discount_subtotal == sum_of(shipping, "discount_subtotal")
    assert (
        totals.shipping_subtotal - totals.shipping_discount_subtotal + totals.shipping_tax_total
        == totals.shipping_total
    )
    assert totals.shipping_tax_total == sum_of(shipping, "tax_total")
    assert totals.shipping_total == sum_of(shipping, "total")
    assert totals.original_shipping_total == sum_of(shipping, "original_total")
    assert totals.subtotal == totals.item_subtotal
    assert totals.discount_subtotal == sum_of(every, "discount_subtotal")
    assert totals.discount_tax_total == sum_of(every, "discount_tax_total")
    assert totals.discount_total == sum_of(every, "discount_total")
    assert totals.raw_discount_total == sum_of(every, "raw_discount_total")
    assert totals.original_tax_total == sum_of(every, "original_tax_total")
    assert totals.original_total == sum_of(every, "original_total")


def assert_order_total_tax_and_outstanding_follow_their_formulas(order, totals):
    assert totals.total == (
        totals.item_total
        + totals.shipping_total
        - totals.credited_total
        - totals.gift_card_total
        - totals.credit_line_total
    )
    assert totals.credited_total == sum_of(totals.items, "credited_total")
    assert totals.tax_total == (
        totals.item_tax_total + totals.shipping_tax_total - totals.gift_card_tax_total
    )
    assert totals.paid_total == sum(order.captured, D(0))
    assert totals.refunded_total == sum(order.refunded, D(0))
    assert totals.credit_line_total == sum(order.credit_lines, D(0))
    assert totals.refundable_amount == totals.paid_total - totals.refunded_total
    assert totals.outstanding_amount == totals.total - (totals.paid_total - totals.refunded_total)


def assert_rounding_moves_the_discount_by_less_than_a_minor_unit_per_rounded_figure(order, totals):
    unit = minor(order.currency)
    rounded_figures = 0
    for charge, line in lines(order, totals):
        # each adjustment, and each tax line twice (before and after the discount)
        figures = len(charge.adjustments) + 2 * len(charge.tax_rates)
        rounded_figures += figures
        drift = abs(line.raw_discount_total - line.discount_total)
        assert drift < figures * unit if figures else drift == 0
    drift = abs(totals.raw_discount_total - totals.discount_total)
    assert drift < rounded_figures * unit if rounded_figures else drift == 0


@PROPERTY_SETTINGS
@given(orders())
def test_random_orders_add_up_to_the_last_minor_unit(order):
    totals = order.totals()

    assert_every_figure_is_a_whole_number_of_minor_units(order, totals)
    assert_each_line_adds_up(order, totals)
    assert_order_totals_are_the_sums_of_their_lines(totals)
    assert_order_total_tax_and_outstanding_follow_their_formulas(order, totals)
    assert_rounding_moves_the_discount_by_less_than_a_minor_unit_per_rounded_figure(order, totals)


def assert_each_tax_line_is_its_exact_tax_rounded_half_up_once(order, totals):
    for charge, line in lines(order, totals):
        discount = sum((Fraction(a) for a in line.adjustment_amounts), Fraction(0))
        base = max(exact_net(charge) - discount, Fraction(0))
        for rate, amount in zip(charge.tax_rates, line.tax_amounts, strict=True):
            assert Fraction(amount) == half_up(base * Fraction(rate) / 100, order.currency)


def assert_tax_is_never_negative(totals):
    for line in totals.items + totals.shipping_methods:
        assert all(amount >= 0 for amount in line.tax_amounts)
        assert 0 <= line.tax_total <= line.original_tax_total
    assert totals.gift_card_tax_total >= 0
    assert totals.tax_total >= 0


def assert_an_undiscounted_tax_inclusive_line_totals_exactly_its_price(order, totals):
    for charge, line in lines(order, totals):
        gross = charge.unit_price * charge.quantity
        if charge.is_tax_inclusive:
            assert line.original_total == gross
            if not charge.adjustments:
                assert line.total == gross
        else:
            assert line.subtotal == gross


def assert_gift_cards_take_off_no_more_than_items_and_shipping(order, totals):
    cards = sum((c.amount for c in order.gift_cards), D(0))
    # A discount rounded up can leave a line a minor unit below nothing: cards take off none.
    room = max(totals.item_total + totals.shipping_total - totals.credited_total, D(0))
    assert totals.gift_card_total == min(cards, room)


def assert_credited_units_take_their_share_of_the_line(order, totals):
    for charge, line in zip(order.items, totals.items, strict=True):
        exact = Fraction(line.total) * charge.credited_quantity / charge.quantity
        assert abs(Fraction(line.credited_total) - exact) <= Fraction(minor(order.currency)) / 2
        if charge.credited_quantity == charge.quantity:
            assert line.credited_total == line.total


@PROPERTY_SETTINGS
@given(orders())
def test_random_orders_tax_and_take_off_what_the_rules_say(order):
    totals = order.totals()

    assert_each_tax_line_is_its_exact_tax_rounded_half_up_once(order, totals)
    assert_tax_is_never_negative(totals)
    assert_an_undiscounted_tax_inclusive_line_totals_exactly_its_price(order, totals)
    assert_credited_units_take_their_share_of_the_line(order, totals)
    assert_gift_cards_take_off_no_more_than_items_and_shipping(order, totals)


@settings(max_examples=100, deadline=None)
@given(st.data())
def test_a_lines_totals_do_not_depend_on_the_order_around_it(data):
    currency = data.draw(st.sampled_from(sorted(DECIMALS)))
    charge = data.draw(charges(currency))
    others = data.draw(st.lists(charges(currency), max_size=3))

    alone = charge_totals(charge, currency)
    in_order = order_totals(currency, [*others, charge]).items[-1]

    assert in_order == alone
