"""Promotion rules, how a promotion splits into line adjustments, and tax rate choice."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.catalog.calculations import (
    PromotionTerms,
    promotion_adjustments,
    promotion_problem,
    tax_rates_for,
)
from app.money import round_money

NOW = datetime(2026, 6, 15, 12, tzinfo=UTC)
D = Decimal


def terms(**changes) -> PromotionTerms:
    base = PromotionTerms(
        code="SAVE10", type="percentage", value=D(10), currency_code=None, target="items",
        min_subtotal=None, starts_at=NOW - timedelta(days=1), ends_at=None, usage_limit=None,
        usage_count=0, is_active=True,
    )  # fmt: skip
    return replace(base, **changes)


@pytest.mark.parametrize(
    ("changes", "subtotal", "currency", "message"),
    [
        ({}, D("1.00"), "USD", None),
        ({"is_active": False}, D(50), "USD", "Code SAVE10 is not active."),
        ({"starts_at": NOW + timedelta(days=2)}, D(50), "USD",
         "Code SAVE10 cannot be used before Jun 17, 2026."),
        ({"starts_at": NOW}, D(50), "USD", None),
        ({"ends_at": NOW - timedelta(days=5)}, D(50), "USD",
         "Code SAVE10 expired on Jun 10, 2026."),
        ({"ends_at": NOW}, D(50), "USD", "Code SAVE10 expired on Jun 15, 2026."),
        ({"ends_at": NOW + timedelta(seconds=1)}, D(50), "USD", None),
        ({"usage_limit": 3, "usage_count": 3}, D(50), "USD",
         "Code SAVE10 has been used up (all 3 uses taken)."),
        ({"usage_limit": 3, "usage_count": 2}, D(50), "USD", None),
        ({"type": "fixed", "value": D(5), "currency_code": "EUR"}, D(50), "USD",
         "Code SAVE10 is for orders in EUR, not USD."),
        ({"currency_code": "JPY"}, D(5000), "JPY", None),
        ({"currency_code": "USD", "min_subtotal": D(40)}, D("39.99"), "USD",
         "Code SAVE10 needs an item subtotal of at least $40.00; this order has $39.99."),
        ({"currency_code": "USD", "min_subtotal": D(40)}, D(40), "USD", None),
        ({"currency_code": "JPY", "min_subtotal": D(5000)}, D(4999), "JPY",
         "Code SAVE10 needs an item subtotal of at least ¥5,000; this order has ¥4,999."),
    ],
)  # fmt: skip
def test_promotion_problem_names_what_stops_a_code(changes, subtotal, currency, message):
    assert promotion_problem(terms(**changes), NOW, subtotal, currency) == message


def test_an_inactive_expired_code_is_reported_as_inactive_first():
    stale = terms(is_active=False, ends_at=NOW - timedelta(days=1))

    assert promotion_problem(stale, NOW, D(10), "USD") == "Code SAVE10 is not active."


@pytest.mark.parametrize(
    ("percent", "subtotals", "currency"),
    [
        (D(10), [D("19.99"), D("5.05"), D("0.04")], "USD"),
        (D("12.5"), [D(999), D(1001)], "JPY"),
        (D(15), [D("16.806722689075630252100840")], "EUR"),
        (D(33), [D("0.00"), D("3.00")], "USD"),
    ],
)
def test_a_percentage_is_taken_off_each_line_and_rounded_half_up_there(
    percent, subtotals, currency
):
    split = promotion_adjustments(terms(value=percent), subtotals, [D(5)], currency)

    assert split.items == [round_money(s * percent / 100, currency) for s in subtotals]
    assert split.shipping == [D("0")]


def test_a_full_percentage_never_takes_more_than_an_inclusive_lines_subtotal():
    # 20.00 gross at 19 % is 16.8067… net, which rounds up to 16.81.
    subtotal = D(20) / D("1.19")

    split = promotion_adjustments(terms(value=D(100)), [subtotal], [], "EUR")

    assert split.items == [D("16.80")]
    assert split.items[0] <= subtotal


@pytest.mark.parametrize(
    ("amount", "subtotals", "currency", "expected"),
    [
        # Thirds: 3.33 each, the cent left over goes on the largest line.
        (D(10), [D(10), D(10), D(10)], "USD", [D("3.34"), D("3.33"), D("3.33")]),
        (D(10), [D(20), D(30), D(50)], "USD", [D(2), D(3), D(5)]),
        (D(10), [D(5), D(30)], "USD", [D("1.43"), D("8.57")]),
        (D(500), [D(1000), D(2000), D(2000)], "JPY", [D(100), D(200), D(200)]),
        # Worth less than the amount: every line down to zero, no further.
        (D(50), [D(10), D("7.50")], "USD", [D(10), D("7.50")]),
        # Rounding up overshoots (seven lines of 0.01 each for 0.05): the largest lines give back.
        (D("0.05"), [D(1)] * 7, "USD", [D(0), D(0), D("0.01"), D("0.01"), D("0.01"), D("0.01"),
                                        D("0.01")]),
    ],
)  # fmt: skip
def test_a_fixed_amount_is_shared_by_subtotal_and_adds_up_exactly(
    amount, subtotals, currency, expected
):
    split = promotion_adjustments(
        terms(type="fixed", value=amount, currency_code=currency), subtotals, [], currency
    )

    assert split.items == expected
    assert sum(split.items) == min(amount, sum(subtotals))


@given(
    amount=st.decimals(min_value=D("0.01"), max_value=D(1000), places=2),
    subtotals=st.lists(st.decimals(min_value=D(0), max_value=D(500), places=4), max_size=8),
)
def test_fixed_parts_add_up_and_stay_within_each_line(amount, subtotals):
    split = promotion_adjustments(
        terms(type="fixed", value=amount, currency_code="USD"), subtotals, [], "USD"
    )

    caps = [round_money(s - D("0.005"), "USD") if s else D(0) for s in subtotals]
    assert sum(split.items, D(0)) == min(amount, sum(caps, D(0)))
    for part, subtotal in zip(split.items, subtotals, strict=True):
        assert D(0) <= part <= subtotal
        assert part == round_money(part, "USD")


def test_a_shipping_promotion_discounts_the_shipping_methods_only():
    free_shipping = terms(value=D(100), target="shipping")
    five_off = terms(type="fixed", value=D(5), currency_code="USD", target="shipping")

    split = promotion_adjustments(free_shipping, [D(40)], [D("5.99"), D("14.99")], "USD")
    fixed = promotion_adjustments(five_off, [D(40)], [D("3.00")], "USD")

    assert split.items == [D(0)]
    assert split.shipping == [D("5.99"), D("14.99")]
    assert fixed.shipping == [D(3)]


@dataclass
class Rate:
    code: str
    is_default: bool = False
    product_type: str | None = None


GERMANY = [Rate("VAT", is_default=True), Rate("VAT-7", product_type="food"),
           Rate("VAT-7B", product_type="book")]  # fmt: skip
UNITED_STATES = [Rate("NY", is_default=True), Rate("CA"), Rate("TX")]


@pytest.mark.parametrize(
    ("rates", "product_type", "codes"),
    [
        (GERMANY, "food", ["VAT-7"]),
        (GERMANY, "book", ["VAT-7B"]),
        (GERMANY, "goods", ["VAT"]),
        (GERMANY, "", ["VAT"]),
        (GERMANY, None, ["VAT"]),
        (UNITED_STATES, "food", ["NY"]),
        ([Rate("A", is_default=True), Rate("B", is_default=True)], None, ["A", "B"]),
        ([Rate("F1", product_type="food"), Rate("F2", product_type="food")], "food",
         ["F1", "F2"]),
        ([Rate("F", is_default=True, product_type="food")], "goods", []),
        ([], "food", []),
    ],
)  # fmt: skip
def test_tax_rates_for_prefers_a_product_type_override_over_the_default(rates, product_type, codes):
    assert [r.code for r in tax_rates_for(rates, product_type)] == codes
