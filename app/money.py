"""Money: exact decimal amounts in a currency's own precision.

Pure: no Flask, no SQLAlchemy. Amounts are ``Decimal`` in major units; rounding is half up to
the currency's number of decimals (USD 2, JPY 0, KWD 3), which Babel knows from CLDR.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal
from functools import cache, partial

from babel.core import Locale, get_global
from babel.numbers import (
    get_currency_precision,
    get_currency_symbol,
    get_decimal_symbol,
    get_group_symbol,
)

ZERO = Decimal(0)

# Limits of what Orderdesk takes in. On SQLite an amount is stored as a 64-bit integer of
# millionths (``app.db_types.ExactDecimal``), so no stored figure may reach 2**63 / 10**6,
# about 9.2 × 10**12 major units. An order's total, the largest figure stored, stays below
# 10**12, a ninth of that; a line below 10**10 and a price below 10**9, so that orders of many
# lines at large prices stay far from the total's limit. PostgreSQL's NUMERIC(24, 6) would hold
# 10**18; the limits are the same there, so that a store can move between the two. A billion
# is a lot of money even where a dollar is tens of thousands of units (VND, IDR).

#: What one price may be, at most just below: a unit price, a shipping amount, a promotion's
#: value (every limit here is exclusive: an amount must be *less than* it).
MAX_AMOUNT = Decimal(10) ** 9
#: What one line may come to (unit price × quantity), at most just below.
MAX_LINE_TOTAL = Decimal(10) ** 10
#: What an order's total may be, at most just below; and so each payment, capture, refund and
#: credit line of an order, and a promotion's minimum subtotal.
MAX_ORDER_TOTAL = Decimal(10) ** 12
#: The most units one line may hold (inclusive; PostgreSQL's INTEGER columns go to 2**31 - 1).
MAX_QUANTITY = 1_000_000
#: Decimals every stored amount keeps exactly, whatever its currency (``ExactDecimal``).
STORED_DECIMALS = 6

# Plain decimal notation in ASCII digits: "12", "12.50", ".5", "-3". No exponent ("1e3"): no one
# types one into a price, and it lets six characters name a number with a billion digits
# ("1e999999999"). No other digits: Python's Decimal reads "١٢" and "１２" as 12, which a
# person may never have meant.
_PLAIN_DECIMAL = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)")


class MoneyError(ValueError):
    """An amount or a currency that cannot be used."""


@cache
def known_currencies() -> frozenset[str]:
    """ISO 4217 codes (upper case) that Babel knows."""
    # Not the keys of ``currency_fractions``: they hold a ``DEFAULT`` entry besides codes, and
    # every code without an entry there takes that default precision.
    return frozenset(get_global("all_currencies"))


def normalize_currency(code: str) -> str:
    """``"usd"`` → ``"USD"``; raises ``MoneyError`` for a code that is not ISO 4217."""
    if not isinstance(code, str) or len(code.strip()) != 3:
        raise MoneyError(f"{code!r} is not a three-letter currency code")
    upper = code.strip().upper()
    if upper not in known_currencies():
        raise MoneyError(f"{code!r} is not a known currency")
    return upper


@cache
def precision(currency: str) -> int:
    """Number of decimals of the currency's minor unit."""
    return get_currency_precision(currency.upper())


@cache
def minor_unit(currency: str) -> Decimal:
    """The smallest amount of the currency: ``0.01`` for USD, ``1`` for JPY."""
    return Decimal(1).scaleb(-precision(currency))


def round_money(amount: Decimal, currency: str) -> Decimal:
    """Round half up to the currency's precision (the only rounding money ever sees)."""
    rounded = amount.quantize(minor_unit(currency), rounding=ROUND_HALF_UP)
    # -0.001 rounds to a negative zero, which would print as "-0.00".
    return rounded.copy_abs() if rounded.is_zero() else rounded


def zero(currency: str) -> Decimal:
    """Zero in the currency's precision, so sums print with the right decimals."""
    return ZERO.quantize(minor_unit(currency))


def parse_amount(
    value: object,
    currency: str | None = None,
    *,
    positive: bool = False,
    maximum: Decimal = MAX_AMOUNT,
) -> Decimal:
    """An amount from a form, JSON or an import, checked by ``check_amount``.

    Takes a string in plain decimal notation (``"12.50"``, see ``_PLAIN_DECIMAL``), an integer
    (JSON ``12``), a finite float (JSON ``12.5``, read as written, never as its binary value) or
    a ``Decimal``. Raises ``MoneyError`` with what to fix for anything else: booleans, ``None``,
    NaN, infinities, exponents in strings, other digits than 0-9, and amounts ``check_amount``
    refuses. What it returns is always finite, at least zero and less than ``maximum``.
    """
    if isinstance(value, bool) or value is None:
        raise MoneyError("Must be a number.")
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise MoneyError("Must be a finite number.")
        # repr is the shortest text that reads back as the same float: 0.1, not 0.1000…555.
        amount = Decimal(repr(value))
    elif isinstance(value, int):
        amount = Decimal(value)
    elif isinstance(value, Decimal):
        if not value.is_finite():
            raise MoneyError("Must be a finite number.")
        amount = value
    elif isinstance(value, str):
        text = value.strip()
        if not _PLAIN_DECIMAL.fullmatch(text):
            raise MoneyError("Must be a number written with the digits 0-9, like 12.50.")
        amount = Decimal(text)
    else:
        raise MoneyError("Must be a number.")
    return check_amount(amount, currency, positive=positive, maximum=maximum)


def check_amount(
    amount: Decimal,
    currency: str | None = None,
    *,
    positive: bool = False,
    maximum: Decimal = MAX_AMOUNT,
) -> Decimal:
    """``amount`` if it is one Orderdesk takes, else ``MoneyError`` saying what to fix.

    At least zero (more than zero when ``positive``), less than ``maximum``, and in no finer
    unit than ``currency``'s (without a currency: than the ``STORED_DECIMALS`` that the
    database keeps). This is the one check of every amount that comes in: forms, the JSON API,
    the import and the actions behind them.
    """
    if positive and amount <= ZERO:
        raise MoneyError("Must be more than zero.")
    if amount < ZERO:
        raise MoneyError("Must be zero or more.")
    if amount >= maximum:
        raise MoneyError(f"Must be less than {maximum:,}.")
    places = precision(currency) if currency else STORED_DECIMALS
    if amount != amount.quantize(Decimal(1).scaleb(-places)):
        if not currency:
            raise MoneyError(f"Must have at most {places} decimals.")
        if places == 0:
            raise MoneyError(f"{currency.upper()} amounts have no decimals.")
        raise MoneyError(f"{currency.upper()} amounts have at most {places} decimals.")
    return amount


def check_line(unit_price: Decimal, quantity: int) -> None:
    """Refuse a line whose unit price × quantity reaches ``MAX_LINE_TOTAL`` (``MoneyError``)."""
    if unit_price * quantity >= MAX_LINE_TOTAL:
        raise MoneyError(
            f"A line must come to less than {MAX_LINE_TOTAL:,} (unit price × quantity)."
        )


def check_order_total(total: Decimal) -> None:
    """Refuse an order total whose size reaches ``MAX_ORDER_TOTAL`` (``MoneyError``)."""
    if abs(total) >= MAX_ORDER_TOTAL:
        raise MoneyError(f"An order's total must be less than {MAX_ORDER_TOTAL:,}.")


def to_string(amount: Decimal, currency: str) -> str:
    """JSON form of an amount: a string with exactly the currency's decimals (``"73.50"``)."""
    return str(round_money(amount, currency))


@cache
def _formatter(currency: str, locale: str) -> Callable[[Decimal], str]:
    """A formatter for one currency in one locale, built from Babel's CLDR data once.

    Babel's ``format_currency`` re-reads the pattern on every call; the order list formats
    hundreds of amounts a page. For the common shape (groups of three) this applies the same
    pattern with Python's own formatting; anything else goes through Babel.
    """
    parsed = Locale.parse(locale)
    pattern = parsed.currency_formats["standard"]
    if pattern.grouping != (3, 3) or "¤" in pattern.suffix[0] + pattern.suffix[1]:
        return partial(pattern.apply, locale=parsed, currency=currency)
    symbol = get_currency_symbol(currency, parsed)
    positive, negative = (p.replace("¤", symbol) for p in pattern.prefix)
    positive_suffix, negative_suffix = pattern.suffix
    decimals = precision(currency)
    # Python writes "," and "."; the locale's own symbols replace them in one pass.
    symbols = str.maketrans({",": get_group_symbol(parsed), ".": get_decimal_symbol(parsed)})

    def format_amount(amount: Decimal) -> str:
        digits = f"{abs(amount):,.{decimals}f}".translate(symbols)
        if amount < 0:
            return f"{negative}{digits}{negative_suffix}"
        return f"{positive}{digits}{positive_suffix}"

    return format_amount


def format_money(amount: Decimal, currency: str, locale: str = "en_US") -> str:
    """Amount for people, in the currency's symbol and precision: ``$1,234.50``, ``¥1,235``."""
    return _formatter(currency.upper(), locale)(round_money(amount, currency))
