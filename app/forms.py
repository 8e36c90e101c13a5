"""Form fields every area shares: amounts of money and whole numbers, read strictly.

What a page sends is either a value in range or the field's error on the page; nothing a
person (or a script) types reaches the database as NaN, an infinity, a number too large for
its column, or digits other than 0-9.
"""

from __future__ import annotations

from decimal import Decimal

from wtforms import Field, IntegerField, StringField, ValidationError

from app.money import MAX_AMOUNT, MoneyError, check_amount, parse_amount
from app.numbers import MAX_ID, whole_number


def _typed(field: Field, valuelist) -> str:
    """What was typed into ``field``, without the spaces around it. Spaces alone are no input:
    the field's ``raw_data`` is then emptied, so that ``InputRequired`` (which reads it) asks
    for a value and ``Optional`` passes, as for a field left empty."""
    typed = (valuelist[0] if valuelist else "").strip()
    if not typed:
        field.raw_data = []
    return typed


class MoneyField(StringField):
    """An amount typed by a person; ``data`` is a ``Decimal``, or ``None`` when blank.

    The value must be a number in plain decimal notation, at least zero (more than zero when
    ``positive``) and less than ``maximum`` (``app.money.parse_amount``); the form checks it
    against the currency, once it knows which, with ``check_decimals``.
    """

    def __init__(self, label=None, validators=None, *, positive: bool = False,
                 maximum: Decimal = MAX_AMOUNT, **kwargs) -> None:  # fmt: skip
        super().__init__(label, validators, **kwargs)
        self.positive = positive
        self.maximum = maximum

    def process_formdata(self, valuelist) -> None:
        self.data = None
        raw = _typed(self, valuelist)
        if raw:
            try:
                self.data = parse_amount(raw, positive=self.positive, maximum=self.maximum)
            except MoneyError as error:
                raise ValueError(str(error)) from None

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        return "" if self.data is None else str(self.data)

    def check_decimals(self, currency: str | None) -> None:
        """Refuse an amount finer than the currency's minor unit (``12.505`` USD, ``12.5``
        JPY) as the field's error; nothing to check without an amount or a currency."""
        if self.data is None or not currency:
            return
        try:
            check_amount(self.data, currency, positive=self.positive, maximum=self.maximum)
        except MoneyError as error:
            raise ValidationError(str(error)) from None


class WholeNumberField(IntegerField):
    """A whole number from ``minimum`` to ``maximum`` (an id, a quantity); ``data`` is an
    ``int``, or ``None`` when blank. ``too_small`` is the error below ``minimum``."""

    def __init__(self, label=None, validators=None, *, minimum: int = 1, maximum: int = MAX_ID,
                 too_small: str | None = None, **kwargs) -> None:  # fmt: skip
        super().__init__(label, validators, **kwargs)
        self.minimum = minimum
        self.maximum = maximum
        self.too_small = too_small or f"Must be at least {minimum:,}."

    def process_formdata(self, valuelist) -> None:
        self.data = None
        raw = _typed(self, valuelist)
        if not raw:
            return
        try:
            number = whole_number(raw, low=None, high=None)
        except ValueError:
            raise ValueError("Must be a whole number written with the digits 0-9.") from None
        if number < self.minimum:
            raise ValueError(self.too_small)
        if number > self.maximum:
            raise ValueError(f"Must be at most {self.maximum:,}.")
        self.data = number
