"""Orders as JSON: amounts as strings in the currency's decimals, rates as strings."""

from __future__ import annotations

from dataclasses import fields
from datetime import datetime
from decimal import Decimal
from typing import Any

from app.changes.actions import Preview
from app.changes.calculations import Line, OrderState, Shipping
from app.changes.models import OrderChange, OrderChangeAction
from app.changes.snapshots import order_state
from app.changes.versions import Version
from app.customers.models import Address, Customer
from app.money import round_money, to_string
from app.orders.calculations import ChargeTotals, OrderTotals
from app.orders.models import LineItem, Order
from app.payments.calculations import payment_status
from app.payments.models import Payment
from app.returns.calculations import refundable_total

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


def order_detail(order: Order, state: OrderState | None = None,
                 pending_difference: Decimal | None = None) -> dict[str, Any]:  # fmt: skip
    """An order with its lines, their totals, its payments and every order total.

    ``state`` is the order's lines and money to show: by default the order's own, or an edit's
    proposal (``app.changes``), so a preview reads as the order it would make.
    ``pending_difference`` is what the order's open change leaves to settle (``None``: it has
    none). Expects the order loaded with everything it shows
    (``app.orders.queries.order_with_details``), so serializing it runs no query.
    """
    currency = order.currency_code
    if state is None:
        state = order_state(order)
    detail = {
        "id": order.id,
        "display_id": order.display_id,
        "status": order.status.value,
        "payment_status": order.payment_status.value,
        "fulfillment_status": order.fulfillment_status.value,
        "version": order.version,
        "email": order.email,
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
        "pending_difference": (
            None if pending_difference is None else to_string(pending_difference, currency)
        ),
    }
    return detail | state_detail(state, {item.id: item for item in order.items})


def state_detail(state: OrderState, rows: dict[int, LineItem] | None = None) -> dict[str, Any]:
    """An order's lines, shipping methods and every order total, from plain values: the order
    as it is, an edit's proposal, a stored version. ``rows`` are the order's line items, for
    what only they know (units shipped, returned, ...; a line an edit adds has none yet);
    without them (a stored version) those figures are left out."""
    currency = state.currency_code
    totals = state.totals
    detail = {
        "currency_code": currency,
        "items": [
            _item(line, line_totals, currency, rows)
            for line, line_totals in zip(state.items, totals.items, strict=True)
        ],
        "shipping_methods": [
            _shipping_method(method, line_totals, currency)
            for method, line_totals in zip(state.shipping_methods, totals.shipping_methods,
                                           strict=True)
        ],  # fmt: skip
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


def _charge_parts(line: Line | Shipping, totals: ChargeTotals,
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


#: What only an order's line item row knows (a stored version does not keep them).
_ROW_QUANTITIES = (
    "shipped_quantity", "delivered_quantity", "return_requested_quantity", "returned_quantity",
    "written_off_quantity", "credited_quantity",
)  # fmt: skip


def _item(line: Line, totals: ChargeTotals, currency: str,
          rows: dict[int, LineItem] | None) -> dict[str, Any]:  # fmt: skip
    item = {
        "id": line.id,
        "title": line.title,
        "subtitle": line.subtitle,
        "sku": line.sku,
        "variant_id": line.variant_id,
        "thumbnail": line.thumbnail,
        "unit_price": exact_string(line.unit_price, currency),
        "quantity": line.quantity,
        "fulfilled_quantity": line.fulfilled_quantity,
        # What the units not returned yet can still refund (``app.returns.calculations``).
        "refundable_total": to_string(refundable_total(totals.total, line.quantity,
                                                       line.credited_quantity, currency),
                                      currency),
    }  # fmt: skip
    if rows is not None:
        row = rows.get(line.id)
        item |= {name: getattr(row, name) if row else 0 for name in _ROW_QUANTITIES}
        item["metadata"] = row.metadata_ if row else None
    return item | _charge_parts(line, totals, currency)


def _shipping_method(method: Shipping, totals: ChargeTotals, currency: str) -> dict[str, Any]:
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


def version_detail(order: Order, version: Version) -> dict[str, Any]:
    """One version of an order: its lines, shipping methods and every total as they were,
    and the change that made it (none for version 1)."""
    return {
        "order_id": order.id,
        "version": version.number,
        "change_id": version.change.id if version.change is not None else None,
        "created_at": _moment(version.made_at),
    } | state_detail(version.state)


#: What each kind of action shows, by the name the API takes it in: the row keeps an added
#: shipping method's name as ``title`` and its amount as ``unit_price``.
_ACTION_FIELDS = {
    "ITEM_ADD": {"sku": "sku", "variant_id": "variant_id", "title": "title",
                 "subtitle": "subtitle", "quantity": "quantity", "unit_price": "unit_price"},
    "ITEM_UPDATE": {"item_id": "item_id", "quantity": "quantity", "unit_price": "unit_price"},
    "ITEM_REMOVE": {"item_id": "item_id"},
    "SHIPPING_ADD": {"name": "title", "amount": "unit_price",
                     "shipping_option_id": "shipping_option_id"},
    "SHIPPING_REMOVE": {"shipping_method_id": "shipping_method_id"},
}  # fmt: skip


def change_detail(change: OrderChange, order: Order, preview: Preview | None,
                  problem: str | None = None) -> dict[str, Any]:  # fmt: skip
    """An order change with its actions, who moved it along and when; while it is open, the
    order as it would make it (``preview``, as ``order_detail`` shows an order) and what it
    leaves to settle. ``problem`` says why an open change no longer applies to the order."""
    currency = order.currency_code
    detail = {
        "id": change.id,
        "order_id": change.order_id,
        "change_type": change.change_type.value,
        "status": change.status.value,
        "internal_note": change.internal_note,
        "declined_reason": change.declined_reason,
        "confirmed_version": change.confirmed_version,
        "actions": [_action(action, currency) for action in change.actions],
        "preview": None if preview is None else order_detail(order, preview.proposed,
                                                             preview.difference),
        "pending_difference": None if preview is None else to_string(preview.difference,
                                                                     currency),
        "problem": problem,
    }  # fmt: skip
    for step in ("created", "requested", "confirmed", "declined", "canceled"):
        detail[f"{step}_by"] = getattr(change, f"{step}_by")
        detail[f"{step}_at"] = _moment(getattr(change, f"{step}_at"))
    return detail


def _action(action: OrderChangeAction, currency: str) -> dict[str, Any]:
    kind = action.action.value
    detail = {"id": action.id, "ordering": action.ordering, "action": kind}
    for name, attribute in _ACTION_FIELDS[kind].items():
        value = getattr(action, attribute)
        detail[name] = exact_string(value, currency) if isinstance(value, Decimal) else value
    return detail
