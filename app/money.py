"""Money: exact decimal amounts in a currency's own precision.

Pure: no Flask, no SQLAlchemy. Amounts are ``Decimal`` in major units; rounding is half up to
the currency's number of decimals (USD 2, JPY 0, KWD 3), which Babel knows from CLDR.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import cache, partial

from babel.core import Locale, get_global
from babel.numbers import (
    get_currency_precision,
    get_currency_symbol,
    get_decimal_symbol,
    get_group_symbol,
)

ZERO = Decimal(0)


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


def parse_amount(value: object) -> Decimal:
    """An amount from JSON or a form: a string or a number, never a float's binary noise.

    Raises ``MoneyError`` for anything that is not a finite number.
    """
    if isinstance(value, bool) or value is None:
        raise MoneyError("must be a number")
    if isinstance(value, float):
        value = repr(value)
    if isinstance(value, int | Decimal):
        value = str(value)
    if not isinstance(value, str):
        raise MoneyError("must be a number")
    try:
        amount = Decimal(value.strip())
    except InvalidOperation:
        raise MoneyError(f"{value!r} is not a number") from None
    if not amount.is_finite():
        raise MoneyError(f"{value!r} is not a finite number")
    return amount


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
