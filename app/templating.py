"""Jinja filters: money, dates and statuses formatted for people."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from functools import cache

from babel.core import Locale
from babel.dates import DateTimeFormat, DateTimePattern, parse_pattern
from flask import Flask
from markupsafe import Markup, escape

from app.events.labels import event_label
from app.money import ZERO, format_money, to_string
from app.orders.summary import TotalsSummary, summarize_totals

LOCALE = "en_US"

#: Date formats by name; times are shown in UTC, as stored.
DATETIME_PATTERNS = {
    "medium": "MMM d, y, h:mm a",
    "short": "M/d/yy, h:mm a",
    "date": "MMM d, y",
}


#: Date fields the list formats often, worked out directly; any other field goes to Babel.
_FAST_FIELDS: dict[str, Callable[[datetime, Locale], str]] = {
    "y": lambda v, _: str(v.year),
    "yy": lambda v, _: f"{v.year % 100:02d}",
    "M": lambda v, _: str(v.month),
    "MM": lambda v, _: f"{v.month:02d}",
    "MMM": lambda v, locale: locale.months["format"]["abbreviated"][v.month],
    "d": lambda v, _: str(v.day),
    "dd": lambda v, _: f"{v.day:02d}",
    "h": lambda v, _: str(v.hour % 12 or 12),
    "H": lambda v, _: str(v.hour),
    "HH": lambda v, _: f"{v.hour:02d}",
    "mm": lambda v, _: f"{v.minute:02d}",
    "ss": lambda v, _: f"{v.second:02d}",
    "a": lambda v, locale: locale.day_periods["format"]["abbreviated"][
        "pm" if v.hour >= 12 else "am"
    ],
}


class _Fields(dict):
    """The values of one date's fields for a parsed pattern's ``%(field)s`` format."""

    def __init__(self, value: datetime, locale: Locale) -> None:
        super().__init__()
        self.value, self.locale = value, locale

    def __missing__(self, field: str) -> str:
        fast = _FAST_FIELDS.get(field)
        if fast is not None:
            return fast(self.value, self.locale)
        return DateTimeFormat(self.value, self.locale)[field]


@cache
def _datetime_pattern(name: str) -> tuple[Locale, DateTimePattern]:
    # Parsed once: the order list formats fifty dates a page.
    return Locale.parse(LOCALE), parse_pattern(DATETIME_PATTERNS[name])


def format_when(value: datetime | None, name: str = "medium") -> str:
    """``Nov 19, 2026, 3:42 AM``: Babel's pattern, filled in without Babel's per-call set-up
    (a test holds it to Babel's own output)."""
    if value is None:
        return ""
    locale, pattern = _datetime_pattern(name)
    return pattern.format % _Fields(value, locale)


@cache
def badge(status: str) -> Markup:
    """A coloured status label; the colour comes from the ``badge-<status>`` CSS class."""
    status = escape(status)
    return Markup(f'<span class="badge badge-{status}">{status.replace("_", " ")}</span>')


def register_template_helpers(app: Flask) -> None:
    @app.template_filter("money")
    def money_filter(amount: Decimal | None, currency: str) -> str:
        """``{{ order.total|money(order.currency_code) }}`` → ``$1,234.50``."""
        return "" if amount is None else format_money(amount, currency, LOCALE)

    @app.template_filter("deduction")
    def deduction_filter(amount: Decimal, currency: str) -> str:
        """An amount taken off, shown as ``−$5.00``; nothing taken off is plain ``$0.00``."""
        text = format_money(amount, currency, LOCALE)
        return f"−{text}" if amount > ZERO else text

    @app.template_filter("totals_summary")
    def totals_summary_filter(order) -> TotalsSummary:
        """``{% set s = order|totals_summary %}``: the totals panel's figures for an order."""
        return summarize_totals(
            order.totals,
            [item.charge for item in order.items],
            [method.charge for method in order.shipping_methods],
        )

    app.add_template_filter(to_string, "plain_amount")
    app.add_template_filter(format_when, "datetime")
    app.add_template_filter(badge, "badge")
    app.add_template_filter(event_label, "event_label")
