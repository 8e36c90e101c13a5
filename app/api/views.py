"""The JSON API, version 1. Every request sends ``Authorization: Bearer <token>``.

``POST /api/v1/orders/import`` takes ``{"orders": [ ... ]}``, at most ``IMPORT_MAX_ORDERS``
(1,000) orders with Medusa's field names (see ``app.orders.importing``). Each valid order is
saved whole or not at all; an invalid one saves nothing. The answer lists every order by its
index in the request::

    {"results": [
        {"index": 0, "status": "created", "id": 17, "display_id": 1017},
        {"index": 1, "status": "existing", "id": 9, "display_id": 1009},
        {"index": 2, "status": "invalid",
         "errors": [{"field": "items[0].quantity", "message": "must be ..."}]}
    ]}

``existing`` means the sales channel already had an order with that ``external_id`` (from an
earlier request or earlier in the same one); nothing was created for it. The status is

- 201 when no order was invalid (every order created or existing),
- 207 when some orders were saved and some were invalid,
- 422 when every order was invalid (with a top-level ``message``).

``GET /api/v1/orders/<id>`` answers the order with its lines, payments and every total;
``GET /api/v1/orders`` the list, with the staff list's filters and ``cursor`` paging (sorting
by ``total`` needs a ``currency``: totals in different currencies do not compare).
``POST /api/v1/orders/<id>/payments/<payment id>/captures`` and ``.../refunds`` capture or
refund an amount and answer 201 with the order (422 with the reason when the limits or the
order's state refuse it). Orders carry their ``version`` and the ``pending_difference`` of their
open edit; order edits and versions are ``app.api.order_edits``.

Errors are ``{"message": ...}`` (plus ``errors`` with field paths for 422): 400 a body that is
not a JSON object with an ``orders`` list or a ``cursor`` the API did not hand out (with the
field), 401 no or a bad token, 404 no such order or endpoint, 405 a method the endpoint does
not take, 413 too many orders or too large a body, 422 invalid input. Amounts are strings with
the currency's decimals; inputs take strings or numbers.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from flask import Blueprint, current_app, jsonify, request

from app.api.auth import current_actor, require_token
from app.api.errors import ApiError, register_error_handlers
from app.api.idempotency import idempotent
from app.api.serializers import order_detail, order_summary
from app.changes.actions import ChangeError, preview
from app.extensions import db
from app.money import MAX_ORDER_TOTAL, MoneyError, parse_amount
from app.numbers import whole_number
from app.orders.actions import OrderActionError, lock_order
from app.orders.import_payload import text_problem
from app.orders.importing import ImportResult, import_orders
from app.orders.models import Order, OrderStatus
from app.orders.queries import CursorError, find_orders, order_with_details, parse_filters
from app.payments.actions import capture_payment, refund_payment
from app.transactions import end_refused

bp = Blueprint("api", __name__, url_prefix="/api/v1")
bp.before_request(require_token)
register_error_handlers(bp)

#: The most orders one page of the list may hold.
MAX_PAGE_SIZE = 200


@bp.post("/orders/import")
@idempotent
def import_orders_view():
    """Import a batch of orders; the answer says what became of each one."""
    payloads = _orders_from_body()
    results = import_orders(payloads, current_actor())
    db.session.commit()
    body = {"results": [_result_json(r) for r in results]}
    invalid = sum(1 for r in results if r.status == "invalid")
    if invalid == len(results):
        return jsonify(message="No order was valid, so nothing was saved.", **body), 422
    return jsonify(body), 207 if invalid else 201


def _orders_from_body() -> list:
    """The ``orders`` list of the request body, or the 400 or 413 error that refuses it."""
    max_bytes = current_app.config["IMPORT_MAX_BYTES"]
    if request.content_length is not None and request.content_length > max_bytes:
        raise ApiError(413, f"The body is larger than {max_bytes:,} bytes.")
    request.max_content_length = max_bytes  # a body sent without a length is cut off there
    body = json_body()
    if not isinstance(body, dict) or not isinstance(body.get("orders"), list):
        raise ApiError(400, 'The body must be a JSON object with an "orders" list.')
    orders = body["orders"]
    if not orders:
        raise ApiError(400, 'The "orders" list is empty.')
    max_orders = current_app.config["IMPORT_MAX_ORDERS"]
    if len(orders) > max_orders:
        raise ApiError(
            413,
            f"At most {max_orders:,} orders per request; this one has {len(orders):,}.",
            max_orders=max_orders,
        )
    return orders


def json_body() -> object:
    """The request's body read as JSON, or the 400 that refuses it: not JSON, or nested deeper
    than Python's reader goes (its RecursionError is no ValueError, which Flask's
    ``get_json`` would catch)."""
    try:
        return json.loads(request.get_data(cache=False))
    except (ValueError, RecursionError):
        raise ApiError(400, "The body is not valid JSON.") from None


def _result_json(result: ImportResult) -> dict:
    if result.status == "invalid":
        return {
            "index": result.index,
            "status": result.status,
            "errors": [{"field": e.field, "message": e.message} for e in result.errors],
        }
    return {
        "index": result.index,
        "status": result.status,
        "id": result.order_id,
        "display_id": result.display_id,
    }


@bp.get("/orders/<int:order_id>")
def order_view(order_id: int):
    """One order with its lines, payments and every total."""
    order = order_with_details(order_id)
    if order is None or order.status is OrderStatus.DRAFT:
        raise ApiError(404, f"No order has the id {order_id}.")
    return jsonify(order_json(order))


def order_json(order: Order) -> dict[str, Any]:
    """The order as the API answers it: ``order_detail``, with what its open change would leave
    to settle (``None`` without one, or when the change no longer applies to the order: a
    fulfillment since made one of its removals impossible, and confirming it is refused)."""
    change = order.open_change
    try:
        difference = None if change is None else preview(order, change).difference
    except ChangeError:
        difference = None
    return order_detail(order, pending_difference=difference)


@bp.post("/orders/<int:order_id>/payments/<int:payment_id>/captures")
@idempotent
def capture_view(order_id: int, payment_id: int):
    """Capture ``amount`` of the payment: ``{"amount": "10.00"}``."""
    return _payment_change(order_id, lambda order, version, body: capture_payment(
        order, version, payment_id, body_amount(body, order.currency_code),
        current_actor()))  # fmt: skip


@bp.post("/orders/<int:order_id>/payments/<int:payment_id>/refunds")
@idempotent
def refund_view(order_id: int, payment_id: int):
    """Refund ``amount`` of the payment: ``{"amount": "10.00", "reason": "return",
    "note": "..."}``; ``reason`` is one of ``REFUND_REASONS`` (default ``other``)."""
    return _payment_change(order_id, lambda order, version, body: refund_payment(
        order, version, payment_id, body_amount(body, order.currency_code),
        reason=_text(body, "reason", "other"),
        note=_text(body, "note", "")[:1000], actor=current_actor()))  # fmt: skip


def _payment_change(order_id: int, change):
    """Lock the order, load it as it is now, make the change, commit; answer 201 with the
    order. Concurrent requests queue on the lock, so each checks its limits against the
    ones committed before it (20 refunds of 10 against 100 captured refund exactly 100)."""
    body = json_body()
    if not isinstance(body, dict):
        raise ApiError(400, "Send a JSON object.")
    version = lock_order(order_id)
    order = order_with_details(order_id) if version is not None else None
    if order is None or order.status is OrderStatus.DRAFT:
        raise ApiError(404, f"No order has the id {order_id}.")
    try:
        change(order, version, body)
    except OrderActionError as error:
        raise ApiError(end_refused(error), str(error)) from None
    db.session.commit()
    return jsonify(order_json(order_with_details(order_id))), 201


def body_amount(body: dict, currency: str) -> Decimal:
    """The body's ``amount`` in the order's currency, read as every amount is
    (``app.money.parse_amount``), or a 422 naming the field."""
    try:
        return parse_amount(body.get("amount"), currency, positive=True,
                            maximum=MAX_ORDER_TOTAL)  # fmt: skip
    except MoneyError as error:
        raise ApiError(422, "The amount is not valid.",
                       errors=[{"field": "amount", "message": str(error)}]) from None


def _text(body: dict, field: str, default: str) -> str:
    """A text field of the body, or a 422 naming it when it is not text that can be stored."""
    value = body.get(field, default)
    problem = "must be a string" if not isinstance(value, str) else text_problem(value)
    if problem:
        raise ApiError(422, f"The {field} is not valid.",
                       errors=[{"field": field, "message": problem}])
    return value


@bp.get("/orders")
def orders_view():
    """A page of orders, with the staff list's filters and cursors to the pages beside it."""
    filters, problems = parse_filters(request.args)
    limit = _page_size(request.args.get("limit", ""))
    if limit is None:
        problems["limit"] = f"must be a whole number from 1 to {MAX_PAGE_SIZE}"
    if problems:
        raise ApiError(
            422,
            "Some query arguments are not valid.",
            errors=[{"field": name, "message": message} for name, message in problems.items()],
        )
    try:
        page = find_orders(filters, request.args.get("cursor") or None, limit)
    except CursorError as error:
        # Not a value to correct but a link this API never handed out: a malformed request.
        problem = {"field": "cursor", "message": str(error)}
        raise ApiError(400, str(error), errors=[problem]) from None
    return jsonify(
        orders=[order_summary(order) for order in page.orders],
        next_cursor=page.next_cursor,
        prev_cursor=page.prev_cursor,
    )


def _page_size(raw: str) -> int | None:
    """The ``limit`` argument, the configured page size when absent, None when invalid."""
    if not raw.strip():
        return current_app.config["ORDERS_PAGE_SIZE"]
    try:
        return whole_number(raw.strip(), high=MAX_PAGE_SIZE)
    except ValueError:
        return None
