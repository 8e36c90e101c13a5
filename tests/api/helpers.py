"""Helpers for the API tests: a valid order payload to vary, and shortcuts to the API."""

from __future__ import annotations

import copy
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import func, select

from app.extensions import db
from app.orders.models import Order

IMPORT_URL = "/api/v1/orders/import"

_VALID_ORDER = {
    "external_id": "shop-1001",
    "email": "Ada@Example.com",
    "currency_code": "usd",
    "customer": {"first_name": "Ada", "last_name": "Lovelace", "phone": "+1 555 0100"},
    "shipping_address": {
        "first_name": "Ada", "last_name": "Lovelace", "address_1": "1 Main St",
        "city": "Springfield", "postal_code": "12345", "country_code": "US",
    },
    "items": [
        {"title": "Linen shirt", "sku": "SHIRT-M", "quantity": 2, "unit_price": "40.00",
         "tax_lines": [{"code": "ST", "rate": "8"}]},
        {"title": "Socks", "quantity": 1, "unit_price": 9.5,
         "tax_lines": [{"code": "ST", "rate": 8}],
         "adjustments": [{"code": "SOCKS1", "amount": "1.50"}]},
    ],
    "shipping_methods": [{"name": "Ground", "amount": "5.00"}],
    "payments": [{"amount": "100.04", "status": "captured"}],
}  # fmt: skip


def order_payload(**changes) -> dict:
    """A valid order as another system sends it, with top-level fields replaced (``None``
    removes a field)."""
    order = copy.deepcopy(_VALID_ORDER)
    for name, value in changes.items():
        if value is None:
            order.pop(name, None)
        else:
            order[name] = value
    return order


def order_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Order))


def rounded(amount: Decimal, places: str) -> Decimal:
    """Half up to ``places`` (``"0.01"``), as DESIGN.md section 3 rounds each tax line and
    adjustment."""
    return amount.quantize(Decimal(places), rounding=ROUND_HALF_UP)
