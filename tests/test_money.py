
"""The money type: currency precision from Babel, half-up rounding, parsing and formatting."""

from __future__ import annotations

from decimal import Decimal

import pytest
from babel.numbers import format_currency
from hypothesis import given, settings
from hypothesis import strategies as st

from app.money import (
    MAX_AMOUNT,
    MAX_LINE_TOTAL,
    MAX_ORDER_TOTAL,
    MAX_QUANTITY,
    STORED_DECIMALS,
    MoneyError,
    check_amount,
    check_line,
    check_order_total,
    format_money,
    minor_unit,
    normalize_currency,
    parse_amount,
    precision,
    round_money,
    to_string,
    zero,
)
from tests.bad_amounts import NOT_A_NUMBER


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
        (".5", Decimal("0.5")),
        ("5.", Decimal(5)),
        ("+3", Decimal(3)),
        ("999999999.999999", Decimal("999999999.999999")),
        (12, Decimal(12)),
        (Decimal("7.125"), Decimal("7.125")),
        (0.1, Decimal("0.1")),
        (19.99, Decimal("19.99")),
        (1234.5, Decimal("1234.5")),
        (1e3, Decimal(1000)),
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
    ("value", "message"),
    [
        ("abc", NOT_A_NUMBER),
        ("", NOT_A_NUMBER),
        ("12,30", NOT_A_NUMBER),
        ("1 000", NOT_A_NUMBER),
        ("1_000", NOT_A_NUMBER),
        ("0x10", NOT_A_NUMBER),
        ("NaN", NOT_A_NUMBER),
        ("-NaN", NOT_A_NUMBER),
        ("sNaN", NOT_A_NUMBER),
        ("nan", NOT_A_NUMBER),
        ("Infinity", NOT_A_NUMBER),
        ("-Infinity", NOT_A_NUMBER),
        ("inf", NOT_A_NUMBER),
        # Exponents are refused in text: see app.money._PLAIN_DECIMAL.
        ("1e3", NOT_A_NUMBER),
        ("1E+3", NOT_A_NUMBER),
        ("1e309", NOT_A_NUMBER),
        ("1e999999999", NOT_A_NUMBER),
        ("١٢", NOT_A_NUMBER),
        ("１２", NOT_A_NUMBER),
        ("x" * 30, NOT_A_NUMBER),
        ("12" + "0" * 40, "Must be less than 1,000,000,000."),
        (str(10**30), "Must be less than 1,000,000,000."),
        (10**30, "Must be less than 1,000,000,000."),
        (1e300, "Must be less than 1,000,000,000."),
        ("-4.5", "Must be zero or more."),
        (-1, "Must be zero or more."),
        (float("nan"), "Must be a finite number."),
        (float("inf"), "Must be a finite number."),
        (float("-inf"), "Must be a finite number."),
        (Decimal("NaN"), "Must be a finite number."),
        (Decimal("sNaN"), "Must be a finite number."),
        (Decimal("Infinity"), "Must be a finite number."),
        (None, "Must be a number."),
        (True, "Must be a number."),
        (False, "Must be a number."),
        ([], "Must be a number."),
        ({"amount": 1}, "Must be a number."),
    ],
)  # fmt: skip
def test_parse_amount_refuses_what_is_not_a_plain_finite_amount_and_says_why(value, message):
    with pytest.raises(MoneyError) as refused:
        parse_amount(value)
    assert str(refused.value) == message


@pytest.mark.parametrize(
    ("amount", "currency", "options", "message"),
    [
        ("0.335", "USD", {}, "USD amounts have at most 2 decimals."),
        ("0.5", "JPY", {}, "JPY amounts have no decimals."),
        ("1.0005", "KWD", {}, "KWD amounts have at most 3 decimals."),
        ("0.0000001", None, {}, "Must have at most 6 decimals."),
        ("0", "USD", {"positive": True}, "Must be more than zero."),
        ("-0.01", "USD", {"positive": True}, "Must be more than zero."),
        ("-0.01", "USD", {}, "Must be zero or more."),
        ("1000000000", "USD", {}, "Must be less than 1,000,000,000."),
        ("1000000000000", "USD", {"maximum": MAX_ORDER_TOTAL},
         "Must be less than 1,000,000,000,000."),
    ],
)  # fmt: skip
def test_check_amount_says_what_to_fix(amount, currency, options, message):
    with pytest.raises(MoneyError) as refused:
        check_amount(Decimal(amount), currency, **options)
    assert str(refused.value) == message
    with pytest.raises(MoneyError):
        parse_amount(amount, currency, **options)


@pytest.mark.parametrize(
    ("amount", "currency", "options"),
    [
        ("0.34", "USD", {}),
        ("0.30", "USD", {}),
        ("500", "JPY", {}),
        ("500.000", "JPY", {}),
        ("1.005", "KWD", {}),
        ("0.000001", None, {}),
        ("0", "USD", {}),
        ("999999999.99", "USD", {}),
        ("999999999999.99", "USD", {"maximum": MAX_ORDER_TOTAL}),
        ("0.01", "USD", {"positive": True}),
    ],
)
def test_check_amount_takes_amounts_in_range_and_in_the_currencys_unit(amount, currency, options):
    assert check_amount(Decimal(amount), currency, **options) == Decimal(amount)
    assert parse_amount(amount, currency, **options) == Decimal(amount)


def test_a_line_must_come_to_less_than_the_line_maximum():
    price = Decimal("999999999")
    check_line(price, 10)  # 9,999,999,990
    with pytest.raises(MoneyError) as refused:
        check_line(price, 11)
    assert str(refused.value) == (
        "A line must come to less than 10,000,000,000 (unit price × quantity)."
    )


@pytest.mark.parametrize("total", [MAX_ORDER_TOTAL, -MAX_ORDER_TOTAL, MAX_ORDER_TOTAL * 10])
def test_an_order_total_must_stay_below_the_order_maximum(total):
    check_order_total(MAX_ORDER_TOTAL - Decimal("0.000001"))
    with pytest.raises(MoneyError) as refused:
        check_order_total(total)
    assert str(refused.value) == "An order's total must be less than 1,000,000,000,000."


def test_the_limits_fit_sqlites_64_bit_millionths_with_room_to_spare():
    # app.db_types.ExactDecimal stores an amount as an integer of 10**-STORED_DECIMALS units.
    largest_stored = (MAX_ORDER_TOTAL * 10**STORED_DECIMALS) - 1
    assert largest_stored * 9 < 2**63
    assert MAX_AMOUNT < MAX_LINE_TOTAL < MAX_ORDER_TOTAL
    assert MAX_LINE_TOTAL * 100 == MAX_ORDER_TOTAL  # a hundred full lines reach the total
    assert MAX_QUANTITY < 2**31  # PostgreSQL's INTEGER quantity columns


CURRENCIES = st.sampled_from([None, "USD", "EUR", "JPY", "KWD", "CLP"])


def _is_refused_or_in_range(value, currency) -> None:
    """parse_amount's promise: a finite Decimal within the limits, or a MoneyError."""
    try:
        amount = parse_amount(value, currency)
    except MoneyError:
        return
    assert isinstance(amount, Decimal) and amount.is_finite()
    assert 0 <= amount < MAX_AMOUNT
    places = precision(currency) if currency else STORED_DECIMALS
    assert amount == amount.quantize(Decimal(1).scaleb(-places))


@settings(max_examples=300, deadline=None)
@given(
    text=st.one_of(
        st.text(),
        st.from_regex(r"\s*[+-]?[0-9]{0,14}(\.[0-9]{0,8})?([eE][+-]?[0-9]{1,10})?\s*",
                      fullmatch=True),
        st.text(alphabet="0123456789.+-eE_, \u0660\u0661\uff11\uff12NaInfinitys"),
    ),
    currency=CURRENCIES,
)  # fmt: skip
def test_any_text_parses_to_a_finite_amount_within_the_limits_or_is_refused(text, currency):
    _is_refused_or_in_range(text, currency)


@settings(max_examples=300, deadline=None)
@given(
    value=st.one_of(
        st.none(), st.booleans(), st.integers(), st.floats(),
        st.decimals(), st.lists(st.integers(), max_size=2),
    ),
    currency=CURRENCIES,
)  # fmt: skip
def test_any_json_value_parses_to_a_finite_amount_within_the_limits_or_is_refused(
    value, currency
):
    _is_refused_or_in_range(value, currency)


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
