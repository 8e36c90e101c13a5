"""Staff take and give back money on an order's payments: capture and refund.

Each function is one action (guards, the provider call, the record, the timeline event) made
against the order version the form showed; the caller's request commits once. The provider is
called last, after every check, so a refusal by our rules never reaches it.
"""

from __future__ import annotations

from decimal import Decimal

from app.money import MAX_ORDER_TOTAL, MoneyError, check_amount, format_money
from app.orders.actions import (
    OrderActionError,
    RecordedFailure,
    bump_lock_version,
    record_event,
    refresh_derived,
)
from app.orders.models import Order, OrderStatus
from app.payments.models import Capture, Payment, Refund
from app.payments.providers import PaymentProviderError, provider

#: Why money goes back, as staff pick it from a list (kept on the refund).
REFUND_REASONS = {
    "customer_request": "Customer asked",
    "return": "Items returned",
    "damaged": "Damaged or faulty",
    "shipping": "Shipping problem",
    "duplicate": "Charged twice",
    "goodwill": "Goodwill gesture",
    "other": "Other",
}


def _payment(order: Order, payment_id: int) -> Payment:
    payment = next((p for p in order.payments if p.id == payment_id), None)
    if payment is None:
        raise OrderActionError("That payment is not on this order.")
    return payment


def _checked_amount(amount: Decimal, currency: str) -> Decimal:
    try:
        return check_amount(amount, currency, positive=True, maximum=MAX_ORDER_TOTAL)
    except MoneyError as error:
        raise OrderActionError(str(error)) from None


def capture_payment(
    order: Order, expected_version: int, payment_id: int, amount: Decimal, actor: str
) -> Capture:
    """Take ``amount`` of what the payment authorized; never more than is left to capture."""
    bump_lock_version(order, expected_version)
    if order.status in (OrderStatus.DRAFT, OrderStatus.CANCELED):
        raise OrderActionError(f"A {order.status.value} order takes no captures.")
    payment = _payment(order, payment_id)
    if payment.canceled_at is not None:
        raise OrderActionError("This payment was canceled; nothing can be captured.")
    currency = payment.currency_code
    amount = _checked_amount(amount, currency)
    left = payment.amount - payment.captured_amount
    if amount > left:
        raise OrderActionError(
            f"Only {format_money(left, currency)} of this payment is left to capture."
        )
    try:
        provider(payment.provider_id).capture(amount, currency)
    except PaymentProviderError as error:
        if order.status == OrderStatus.PENDING:
            order.status = OrderStatus.REQUIRES_ACTION
        record_event(order, "order.requires_action", actor,
                     f"Capture of {format_money(amount, currency)} on payment #{payment.id} "
                     f"failed: {error}")  # fmt: skip
        raise RecordedFailure(
            f"The payment provider refused the capture: {error}. The order is marked as "
            "needing attention."
        ) from None
    capture = Capture(amount=amount, created_by=actor)
    payment.captures.append(capture)
    refresh_derived(order)
    record_event(order, "order.payment_captured", actor,
                 f"Captured {format_money(amount, currency)} of payment #{payment.id}",
                 {"payment_id": payment.id, "amount": str(amount)})  # fmt: skip
    return capture


def refund_payment(
    order: Order, expected_version: int, payment_id: int, amount: Decimal, *, reason: str,
    note: str, actor: str,
) -> Refund:  # fmt: skip
    """Give back ``amount`` of what the payment captured; never more than was captured and
    not yet refunded."""
    bump_lock_version(order, expected_version)
    if order.status == OrderStatus.DRAFT:
        raise OrderActionError("A draft takes no refunds.")
    if reason not in REFUND_REASONS:
        raise OrderActionError("Pick a reason for the refund.")
    payment = _payment(order, payment_id)
    currency = payment.currency_code
    amount = _checked_amount(amount, currency)
    refundable = payment.captured_amount - payment.refunded_amount
    if amount > refundable:
        raise OrderActionError(
            f"Only {format_money(refundable, currency)} of this payment can be refunded."
        )
    try:
        provider(payment.provider_id).refund(amount, currency)
    except PaymentProviderError as error:
        raise OrderActionError(f"The payment provider refused the refund: {error}") from None
    refund = Refund(amount=amount, reason=reason, note=note.strip(), created_by=actor)
    payment.refunds.append(refund)
    refresh_derived(order)
    record_event(order, "order.refund_created", actor,
                 f"Refunded {format_money(amount, currency)} of payment #{payment.id} "
                 f"({REFUND_REASONS[reason].lower()})",
                 {"payment_id": payment.id, "amount": str(amount), "reason": reason})  # fmt: skip
    return refund
