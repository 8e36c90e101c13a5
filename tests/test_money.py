
"""The money type: currency precision from Babel, half-up rounding, parsing and formatting."""

from __future__ import annotations

from decimal import Decimal

import pytest
from babel.numbers import format_currency
from hypothesis import given, settings
from hypothesis import strategies as st

from app.money import (
    MoneyError,
    format_money,
    minor_unit,
    normalize_currency,
    parse_amount,
    precision,
    round_money,
    to_string,
    zero,
)


@pytest.mark.parametrize(
    ("currency", "decimals"),
    [("USD", 2), ("EUR", 2), ("JPY", 0), ("KWD", 3), ("usd", 2), ("jpy", 0)],
)
def test_precision_comes_from_the_currency(currency, decimals):
    assert precision(currency) == decimals
    assert minor_unit(currency) == Decimal(1) / Decimal(10) ** decimals


@pytest.mark.parametrize(
    ("amount", "currency", "rounded"),
    [
        ("0.125", "USD", "0.13"),
        ("0.124", "USD", "0.12"),
        ("0.135", "USD", "0.14"),
        ("1.005", "EUR", "1.01"),
        ("2.5", "JPY", "3"),
        ("3.5", "JPY", "4"),
        ("2.4999", "JPY", "2"),
        ("0.0005", "KWD", "0.001"),
        ("1.2344", "KWD", "1.234"),
        ("-0.125", "USD", "-0.13"),
        ("7", "USD", "7.00"),
    ],
)
def test_round_money_rounds_half_up_to_the_currencys_decimals(amount, currency, rounded):
    result = round_money(Decimal(amount), currency)

    assert result == Decimal(rounded)
    assert str(result) == rounded


@pytest.mark.parametrize("amount", ["-0.001", "-0.004", "-0"])
def test_an_amount_that_rounds_to_nothing_is_plain_zero_not_minus_zero(amount):
    assert to_string(Decimal(amount), "USD") == "0.00"
    assert format_money(Decimal(amount), "USD") == "$0.00"


@pytest.mark.parametrize(("currency", "text"), [("USD", "0.00"), ("JPY", "0"), ("KWD", "0.000")])
def test_zero_has_the_currencys_decimals(currency, text):
    assert str(zero(currency)) == text


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("12.30", Decimal("12.30")),
        (" 12.30 ", Decimal("12.30")),
        ("0", Decimal(0)),
        ("-4.5", Decimal("-4.5")),
        (12, Decimal(12)),
        (Decimal("7.125"), Decimal("7.125")),
        (0.1, Decimal("0.1")),
        (19.99, Decimal("19.99")),
        (1234.5, Decimal("1234.5")),
    ],
)
def test_parse_amount_accepts_strings_and_numbers(value, expected):
    amount = parse_amount(value)

    assert isinstance(amount, Decimal)
    assert amount == expected


def test_parse_amount_takes_a_float_as_written_not_its_binary_value():
    # Decimal(0.1) would be 0.1000000000000000055511151231257827…
    assert parse_amount(0.1) == Decimal("0.1")
    assert parse_amount(0.1) != Decimal(0.1)


@pytest.mark.parametrize(
    "value",
    ["abc", "", "12,30", "NaN", "nan", "Infinity", "-Infinity", float("nan"), float("inf"),
     Decimal("NaN"), Decimal("Infinity"), None, True, False, [], {"amount": 1}],
)  # fmt: skip
def test_parse_amount_refuses_what_is_not_a_finite_number(value):
    with pytest.raises(MoneyError):
        parse_amount(value)


@pytest.mark.parametrize(
    ("code", "normal"), [("USD", "USD"), ("usd", "USD"), (" eur ", "EUR"), ("Jpy", "JPY")]
)
def test_normalize_currency_gives_the_upper_case_iso_code(code, normal):
    assert normalize_currency(code) == normal


@pytest.mark.parametrize("code", ["XYZ", "US", "USDD", "", "DEFAULT", 12, None, b"USD"])
def test_normalize_currency_refuses_what_is_not_an_iso_currency(code):
    with pytest.raises(MoneyError):
        normalize_currency(code)


@pytest.mark.parametrize(
    ("amount", "currency", "text"),
    [
        ("73.5", "USD", "73.50"),
        ("73.505", "USD", "73.51"),
        ("1234", "EUR", "1234.00"),
        ("1234.5", "JPY", "1235"),
        ("1E+3", "JPY", "1000"),
        ("1.5", "KWD", "1.500"),
        ("0.0004", "KWD", "0.000"),
    ],
)
def test_to_string_gives_exactly_the_currencys_decimals(amount, currency, text):
    assert to_string(Decimal(amount), currency) == text


@pytest.mark.parametrize(
    ("amount", "currency", "shown"),
    [
        ("1234.5", "USD", "$1,234.50"),
        ("0.125", "USD", "$0.13"),
        ("1234.5", "JPY", "¥1,235"),
        ("1234.5", "EUR", "€1,234.50"),
    ],
)
def test_format_money_shows_symbol_grouping_and_the_currencys_decimals(amount, currency, shown):
    assert format_money(Decimal(amount), currency) == shown


def test_format_money_shows_kuwaiti_dinars_with_three_decimals():
    shown = format_money(Decimal("1234.5"), "KWD")

    assert "KWD" in shown
    assert shown.endswith("1,234.500")


def test_format_money_follows_the_locale():
    assert format_money(Decimal("1234.5"), "EUR", locale="de_DE") == "1.234,50\xa0€"


@settings(max_examples=300, deadline=None)
@given(
    amount=st.decimals(min_value=-(10**10), max_value=10**10, places=4, allow_nan=False),
    currency=st.sampled_from(["USD", "EUR", "JPY", "KWD", "GBP", "INR", "CHF", "CLP"]),
    locale=st.sampled_from(["en_US", "de_DE", "fr_FR", "ja_JP", "en_IN", "de_CH"]),
)
def test_format_money_reads_exactly_as_babel_formats_it(amount, currency, locale):
    expected = format_currency(round_money(amount, currency), currency, locale=locale)
    assert format_money(amount, currency, locale) == expected
