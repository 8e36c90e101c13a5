"""Orders as JSON: amounts as strings in the currency's decimals, rates as strings."""

from __future__ import annotations

from dataclasses import fields
from datetime import datetime
from decimal import Decimal
from typing import Any

from app.customers.models import Address, Customer
from app.money import round_money, to_string
from app.orders.calculations import ChargeTotals, OrderTotals
from app.orders.models import LineItem, Order, ShippingMethod
from app.payments.calculations import payment_status
from app.payments.models import Payment

#: The totals shown for each line item and shipping method.
CHARGE_TOTALS = (
    "subtotal", "discount_subtotal", "discount_tax_total", "discount_total", "tax_total",
    "original_tax_total", "total", "original_total",
)  # fmt: skip
#: Every order total, at the top level of an order (the per-line tuples are on the lines).
ORDER_TOTALS = tuple(
    f.name for f in fields(OrderTotals)
    if f.name not in ("currency_code", "items", "shipping_methods")
)  # fmt: skip
#: Figures that are deliberately unrounded.
_RAW_TOTALS = ("raw_discount_total",)


def exact_string(amount: Decimal, currency: str) -> str:
    """An amount with at least the currency's decimals and no rounding: a unit price finer
    than the currency keeps its extra digits."""
    rounded = round_money(amount, currency)
    return str(rounded) if rounded == amount else str(amount.normalize())


def _moment(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def order_summary(order: Order) -> dict[str, Any]:
    """An order as a list shows it."""
    return {
        "id": order.id,
        "display_id": order.display_id,
        "status": order.status.value,
        "payment_status": order.payment_status.value,
        "fulfillment_status": order.fulfillment_status.value,
        "email": order.email,
        "currency_code": order.currency_code,
        "total": to_string(order.total, order.currency_code),
        "created_at": _moment(order.created_at),
    }


def order_detail(order: Order) -> dict[str, Any]:
    """An order with its lines, their totals, its payments and every order total.

    Expects the order loaded with everything it shows
    (``app.orders.queries.order_with_details``), so serializing it runs no query.
    """
    currency = order.currency_code
    totals = order.totals
    detail = {
        "id": order.id,
        "display_id": order.display_id,
        "status": order.status.value,
        "payment_status": order.payment_status.value,
        "fulfillment_status": order.fulfillment_status.value,
        "version": order.version,
        "email": order.email,
        "currency_code": currency,
        "region": _named(order.region),
        "sales_channel": _named(order.sales_channel),
        "customer": _customer(order.customer),
        "shipping_address": _address(order.shipping_address),
        "billing_address": _address(order.billing_address),
        "external_id": order.external_id,
        "no_notification": order.no_notification,
        "metadata": order.metadata_,
        "canceled_at": _moment(order.canceled_at),
        "created_at": _moment(order.created_at),
        "updated_at": _moment(order.updated_at),
        "items": [
            _item(item, line_totals, currency)
            for item, line_totals in zip(order.items, totals.items, strict=True)
        ],
        "shipping_methods": [
            _shipping_method(method, line_totals, currency)
            for method, line_totals in zip(order.shipping_methods, totals.shipping_methods,
                                           strict=True)
        ],  # fmt: skip
        "credit_lines": [
            {"id": c.id, "amount": to_string(c.amount, currency), "reference": c.reference,
             "created_at": _moment(c.created_at)}
            for c in order.credit_lines
        ],  # fmt: skip
        "gift_cards": [
            {"code": use.gift_card.code, "amount": to_string(use.amount, currency)}
            for use in order.gift_card_uses
        ],
        "payments": [_payment(payment) for payment in order.payments],
    }
    for name in ORDER_TOTALS:
        value = getattr(totals, name)
        detail[name] = (
            exact_string(value, currency) if name in _RAW_TOTALS else to_string(value, currency)
        )
    return detail


def _named(row) -> dict[str, Any] | None:
    return {"id": row.id, "name": row.name} if row is not None else None


def _customer(customer: Customer | None) -> dict[str, Any] | None:
    if customer is None:
        return None
    return {
        "id": customer.id,
        "email": customer.email,
        "first_name": customer.first_name,
        "last_name": customer.last_name,
        "phone": customer.phone,
    }


def _address(address: Address | None) -> dict[str, Any] | None:
    if address is None:
        return None
    return {"id": address.id} | {name: getattr(address, name) for name in Address.FIELDS}


def _charge_parts(line: LineItem | ShippingMethod, totals: ChargeTotals,
                  currency: str) -> dict[str, Any]:  # fmt: skip
    """What line items and shipping methods share: tax lines, adjustments and totals."""
    parts = {
        "is_tax_inclusive": line.is_tax_inclusive,
        "tax_lines": [
            {"code": t.code, "name": t.name, "rate": str(t.rate),
             "amount": to_string(amount, currency)}
            for t, amount in zip(line.tax_lines, totals.tax_amounts, strict=True)
        ],  # fmt: skip
        "adjustments": [
            {"code": a.code, "amount": to_string(amount, currency),
             "description": a.description}
            for a, amount in zip(line.adjustments, totals.adjustment_amounts, strict=True)
        ],  # fmt: skip
    }
    for name in CHARGE_TOTALS:
        parts[name] = to_string(getattr(totals, name), currency)
    return parts


def _item(item: LineItem, totals: ChargeTotals, currency: str) -> dict[str, Any]:
    return {
        "id": item.id,
        "title": item.title,
        "subtitle": item.subtitle,
        "sku": item.sku,
        "variant_id": item.variant_id,
        "thumbnail": item.thumbnail,
        "unit_price": exact_string(item.unit_price, currency),
        "quantity": item.quantity,
        "fulfilled_quantity": item.fulfilled_quantity,
        "shipped_quantity": item.shipped_quantity,
        "delivered_quantity": item.delivered_quantity,
        "return_requested_quantity": item.return_requested_quantity,
        "returned_quantity": item.returned_quantity,
        "written_off_quantity": item.written_off_quantity,
        "metadata": item.metadata_,
    } | _charge_parts(item, totals, currency)


def _shipping_method(method: ShippingMethod, totals: ChargeTotals,
                     currency: str) -> dict[str, Any]:  # fmt: skip
    return {
        "id": method.id,
        "name": method.name,
        "amount": exact_string(method.amount, currency),
        "shipping_option_id": method.shipping_option_id,
    } | _charge_parts(method, totals, currency)


def _payment(payment: Payment) -> dict[str, Any]:
    currency = payment.currency_code
    return {
        "id": payment.id,
        "provider_id": payment.provider_id,
        "currency_code": currency,
        "amount": to_string(payment.amount, currency),
        "captured_amount": to_string(payment.captured_amount, currency),
        "refunded_amount": to_string(payment.refunded_amount, currency),
        # One payment's status is the order rule applied to it alone, against its own amount.
        "status": payment_status(payment.amount, [payment.figures]),
        "created_at": _moment(payment.created_at),
        "canceled_at": _moment(payment.canceled_at),
    }
