"""Jinja filters and globals: money and dates formatted for people."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from babel.dates import format_datetime
from flask import Flask

from app.events.labels import event_label
from app.money import ZERO, format_money


def register_template_helpers(app: Flask) -> None:
    @app.template_filter("money")
    def money_filter(amount: Decimal | None, currency: str) -> str:
        """``{{ order.total|money(order.currency_code) }}`` → ``$1,234.50``."""
        return "" if amount is None else format_money(amount, currency)

    @app.template_filter("deduction")
    def deduction_filter(amount: Decimal, currency: str) -> str:
        """An amount taken off, shown as ``−$5.00``; nothing taken off is plain ``$0.00``."""
        text = format_money(amount, currency)
        return f"−{text}" if amount > ZERO else text

    app.add_template_filter(event_label, "event_label")

    @app.template_filter("datetime")
    def datetime_filter(value: datetime | None, fmt: str = "medium") -> str:
        return "" if value is None else format_datetime(value, fmt, tzinfo=None, locale="en_US")
