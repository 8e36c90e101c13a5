"""Staff take and give back money on an order's payments: capture and refund, and settle the
difference a confirmed order edit or exchange left (collect it, or refund it).

Each function is one action (guards, the provider call, the record, the timeline event) made
against the order version the form showed; the caller's request commits once. The provider is
called last, after every check, so a refusal by our rules never reaches it.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from app.changes.models import ChangeType, OrderChange
from app.db_types import utcnow
from app.extensions import db
from app.money import (
    MAX_ORDER_TOTAL,
    ZERO,
    MoneyError,
    check_amount,
    format_money,
    round_money,
)
from app.orders.actions import (
    OrderActionError,
    RecordedFailure,
    bump_lock_version,
    record_event,
    refresh_derived,
)
from app.orders.models import Order, OrderStatus
from app.payments.models import Capture, Payment, Refund
from app.payments.providers import ManualProvider, PaymentProviderError, provider

#: Why money goes back, as staff pick it from a list (kept on the refund).
REFUND_REASONS = {
    "customer_request": "Customer asked",
    "return": "Items returned",
    "damaged": "Damaged or faulty",
    "shipping": "Shipping problem",
    "duplicate": "Charged twice",
    "goodwill": "Goodwill gesture",
    "order_edit": "Order edit",
    "claim": "Claim",
    "other": "Other",
}
#: The reason of the refunds that settle what a confirmed order edit left to give back.
ORDER_EDIT = "order_edit"


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
    amount = _checked_amount(amount, payment.currency_code)
    refund = _give_back(order, payment, amount, reason, note, actor)
    refresh_derived(order)
    return refund


def _refundable(payment: Payment) -> Decimal:
    return payment.captured_amount - payment.refunded_amount


def _give_back(order: Order, payment: Payment, amount: Decimal, reason: str, note: str,
               actor: str) -> Refund:  # fmt: skip
    """Refund ``amount`` of the payment through its provider, with the timeline and outbox
    event; never more than it captured and has not refunded. The caller refreshes the order's
    derived figures."""
    currency = payment.currency_code
    if amount > _refundable(payment):
        raise OrderActionError(
            f"Only {format_money(_refundable(payment), currency)} of this payment can be "
            "refunded."
        )
    try:
        provider(payment.provider_id).refund(amount, currency)
    except PaymentProviderError as error:
        raise OrderActionError(f"The payment provider refused the refund: {error}") from None
    refund = Refund(amount=amount, reason=reason, note=note.strip(), created_by=actor)
    payment.refunds.append(refund)
    record_event(order, "order.refund_created", actor,
                 f"Refunded {format_money(amount, currency)} of payment #{payment.id} "
                 f"({REFUND_REASONS[reason].lower()})",
                 {"payment_id": payment.id, "amount": str(amount), "reason": reason})  # fmt: skip
    return refund


def _uncaptured(order: Order) -> Decimal:
    """What live payments still hold authorized and not captured: a capture brings it in."""
    return sum((max(p.amount - p.captured_amount, ZERO) for p in order.payments
                if p.canceled_at is None), ZERO)  # fmt: skip


def unsettled_change(order: Order) -> OrderChange | None:
    """The confirmed change (an edit, an exchange) that made the order's current version,
    while what it left to collect or refund is not settled yet."""
    if order.version <= 1 or order.status == OrderStatus.DRAFT:
        return None
    return order.unsettled_change


def settled_what(change: OrderChange | None) -> str:
    """What staff settle, in words: the order edit, the exchange."""
    if change is None or change.change_type == ChangeType.EDIT:
        return "the order edit"
    return f"the {change.change_type.value}"


@dataclass(frozen=True)
class Settlement:
    """What the confirmed change that made the order's current version (an edit, an exchange)
    left to settle, while unsettled: ``what`` settles (its words), and the amount to collect or
    to refund (one of them, or neither, is more than zero)."""

    what: str
    to_collect: Decimal
    to_refund: Decimal


def settlement(order: Order) -> Settlement:
    """The change's difference, collected no further than the order is still owed beyond what
    payments hold authorized and not captured, refunded no further than was paid beyond the
    total nor than the payments captured and have not refunded (a capture or a refund since
    may have settled part of it). Nothing for an order not changed, a canceled one, or once
    settled."""
    change = unsettled_change(order)
    difference = change.difference if change is not None and change.difference is not None \
        else ZERO
    outstanding = order.totals.outstanding_amount
    to_collect = to_refund = ZERO
    if difference > ZERO and order.status != OrderStatus.CANCELED:
        to_collect = max(min(difference, outstanding - _uncaptured(order)), ZERO)
    elif difference < ZERO and outstanding < ZERO:
        to_refund = min(-difference, -outstanding,
                        sum((_refundable(p) for p in order.payments), ZERO))  # fmt: skip
    return Settlement(settled_what(change), to_collect, to_refund)


def _settled(order: Order) -> None:
    edit = unsettled_change(order)
    if edit is not None:
        edit.settled_at = utcnow()
        # The order read it when it loaded; settled, it is no longer the order's to settle.
        db.session.expire(order, ["unsettled_change"])


def _exactly(amount: Decimal, due: Decimal, currency: str, what: str,
             source: str = "the order edit") -> Decimal:  # fmt: skip
    amount = _checked_amount(amount, currency)
    if due <= ZERO:
        raise OrderActionError(f"Nothing is left to {what} for {source}.")
    if amount != due:
        raise OrderActionError(
            f"{source[0].upper()}{source[1:]} leaves exactly {format_money(due, currency)} to "
            f"{what}, not {format_money(amount, currency)}."
        )
    return amount


def collect_difference(order: Order, expected_version: int, amount: Decimal,
                       actor: str) -> Payment:  # fmt: skip
    """Record the payment of what a confirmed edit left to collect (``settlement``,
    exactly): authorized and captured at once with the manual provider (staff took the money,
    at the counter or by phone)."""
    bump_lock_version(order, expected_version)
    currency = order.currency_code
    due = settlement(order)
    what = due.what
    amount = _exactly(amount, due.to_collect, currency, "collect", what)
    manual = provider(ManualProvider.id)
    try:
        manual.authorize(amount, currency)
        manual.capture(amount, currency)
    except PaymentProviderError as error:
        raise OrderActionError(f"The payment provider refused the payment: {error}") from None
    payment = Payment(provider_id=manual.id, currency_code=currency, amount=amount)
    payment.captures.append(Capture(amount=amount, created_by=actor))
    order.payments.append(payment)
    db.session.flush()
    refresh_derived(order)
    _settled(order)
    record_event(order, "order.payment_captured", actor,
                 f"Collected {format_money(amount, currency)} for {what} "
                 f"(payment #{payment.id})",
                 {"payment_id": payment.id, "amount": str(amount), "order_edit": True})  # fmt: skip
    return payment


def refund_difference(order: Order, expected_version: int, amount: Decimal,
                      actor: str) -> list[Refund]:  # fmt: skip
    """Give back what a confirmed edit left to refund (``settlement``, exactly), from
    the captured payments newest first, each no more than it has left to refund."""
    bump_lock_version(order, expected_version)
    due = settlement(order)
    refunds = refund_exactly(order, amount, due.to_refund, reason=ORDER_EDIT, note="",
                             actor=actor, source=due.what)  # fmt: skip
    _settled(order)
    return refunds


def refund_exactly(order: Order, amount: Decimal, due: Decimal, *, reason: str, note: str,
                   actor: str, source: str = "the order edit") -> list[Refund]:  # fmt: skip
    """Refund ``amount``, which must be exactly ``due`` (what an edit or a return leaves to
    give back), from the captured payments newest first, each no more than it has left to
    refund. The caller has locked the order."""
    currency = order.currency_code
    left = _exactly(amount, due, currency, "refund", source)
    refunds = []
    for payment in sorted(order.payments, key=lambda p: (p.created_at, p.id), reverse=True):
        # In the currency's minor unit as written (30.00, not the stored 30), as a typed amount is.
        part = round_money(min(left, _refundable(payment)), currency)
        if part > ZERO:
            refunds.append(_give_back(order, payment, part, reason, note, actor))
            left -= part
    refresh_derived(order)
    return refunds
