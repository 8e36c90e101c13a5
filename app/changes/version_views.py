"""Staff pages of an order's versions: any version read-only, and two versions compared line by
line and total by total. Each takes a fixed number of queries, whatever the order's size."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request
from flask_login import login_required

from app.changes.comparison import TotalsRow, compare, side
from app.changes.versions import order_versions
from app.extensions import db
from app.numbers import whole_number
from app.orders.models import Order, OrderStatus

bp = Blueprint("order_versions", __name__)

#: Every order total a version shows, as staff read them. (``raw_discount_total``, the discount
#: before rounding, is a working figure: the rounded discount totals are shown.)
TOTAL_LABELS = (
    ("item_subtotal", "Items subtotal"),
    ("item_discount_subtotal", "Item discounts"),
    ("item_discount_total", "Item discounts with the tax they saved"),
    ("item_tax_total", "Item tax"),
    ("item_total", "Items total"),
    ("original_item_total", "Items total before discounts"),
    ("shipping_subtotal", "Shipping subtotal"),
    ("shipping_discount_subtotal", "Shipping discounts"),
    ("shipping_discount_total", "Shipping discounts with the tax they saved"),
    ("shipping_tax_total", "Shipping tax"),
    ("shipping_total", "Shipping total"),
    ("original_shipping_total", "Shipping total before discounts"),
    ("subtotal", "Subtotal"),
    ("discount_subtotal", "Discounts without tax"),
    ("discount_tax_total", "Tax the discounts saved"),
    ("discount_total", "Discount total"),
    ("credited_total", "Returned and claimed items"),
    ("gift_card_total", "Gift cards"),
    ("gift_card_tax_total", "Gift card tax"),
    ("credit_line_total", "Credit lines"),
    ("tax_total", "Tax total"),
    ("original_tax_total", "Tax before discounts"),
    ("total", "Total"),
    ("original_total", "Total before discounts"),
    ("paid_total", "Paid"),
    ("refunded_total", "Refunded"),
    ("refundable_amount", "Refundable"),
    ("outstanding_amount", "Outstanding"),
    ("authorized_total", "Authorized"),
)


@bp.before_request
@login_required
def require_staff() -> None:
    """Versions are for logged-in staff only."""


def _order_or_404(order_id: int) -> Order:
    order = db.session.get(Order, order_id)
    if order is None or order.status == OrderStatus.DRAFT:
        abort(404)
    return order


@bp.get("/orders/<int:order_id>/versions/<int:number>")
def show_version(order_id: int, number: int):
    """One version of the order, read-only: its lines, shipping and every total, and the
    change that made it."""
    order = _order_or_404(order_id)
    version = order_versions(order, [number]).get(number)
    if version is None:
        abort(404)
    return render_template("changes/version.html", order=order, version=version,
                           shown=side(version.state),
                           total_labels=TOTAL_LABELS)  # fmt: skip


def _versions_asked(order: Order) -> tuple[int, int] | str:
    """The ``from`` and ``to`` versions of the query, or what is wrong with them."""
    problem = (f"Choose two versions from 1 to {order.version}, the earlier one first "
               "(from=1&to=2).")  # fmt: skip
    try:
        first = whole_number(request.args.get("from", ""), high=order.version)
        last = whole_number(request.args.get("to", ""), high=order.version)
    except ValueError:
        return problem
    return (first, last) if first < last else problem


@bp.get("/orders/<int:order_id>/versions/compare")
def compare_versions(order_id: int):
    """Two versions of the order: the lines added, removed and changed, the shipping added and
    removed, and every total before and after."""
    order = _order_or_404(order_id)
    asked = _versions_asked(order)
    if isinstance(asked, str):
        return render_template("changes/compare.html", order=order, problem=asked, older=None,
                               newer=None), 400  # fmt: skip
    versions = order_versions(order, asked)
    if len(versions) != 2:
        abort(404)
    older, newer = (versions[n] for n in asked)
    comparison = compare(older.state, newer.state)
    before, after = comparison.before.totals, comparison.after.totals
    return render_template(
        "changes/compare.html", order=order, older=older, newer=newer,
        lines=comparison.changed_lines,
        unchanged=len(comparison.lines) - len(comparison.changed_lines),
        shipping=comparison.changed_shipping,
        totals=[TotalsRow(label, getattr(before, name), getattr(after, name))
                for name, label in TOTAL_LABELS],
    )  # fmt: skip
