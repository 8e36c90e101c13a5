"""Jinja filters and globals: money and dates formatted for people."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from babel.dates import format_datetime
from flask import Flask

from app.money import format_money


def register_template_helpers(app: Flask) -> None:
    @app.template_filter("money")
    def money_filter(amount: Decimal | None, currency: str) -> str:
        """``{{ order.total|money(order.currency_code) }}`` → ``$1,234.50``."""
        return "" if amount is None else format_money(amount, currency)

    @app.template_filter("datetime")
    def datetime_filter(value: datetime | None, fmt: str = "medium") -> str:
        return "" if value is None else format_datetime(value, fmt, tzinfo=None, locale="en_US")
