"""Staff pages of orders: the list and the detail page."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select
from wtforms import SelectChoice

from app.changes.actions import edit_problem
from app.extensions import db
from app.fulfillment.actions import (
    cancel_fulfillment,
    create_fulfillment,
    deliver_fulfillment,
    ship_fulfillment,
)
from app.fulfillment.models import StockLocation
from app.htmx import is_htmx, render_page_or_block
from app.orders.actions import (
    OrderActionError,
    add_note,
    change_status,
)
from app.orders.forms import (
    CaptureForm,
    DifferenceForm,
    FulfillmentForm,
    NoteForm,
    RefundForm,
    ShipmentForm,
    VersionedForm,
)
from app.orders.lifecycle import ACTIONS, OUTCOMES, allowed_actions
from app.orders.models import FulfillmentStatus, OrderStatus, PaymentStatus
from app.orders.queries import (
    CHANGE_FILTERS,
    SORTS,
    CursorError,
    find_orders,
    order_with_details,
    parse_filters,
)
from app.payments.actions import (
    REFUND_REASONS,
    capture_payment,
    collect_difference,
    refund_difference,
    refund_payment,
    settlement,
)
from app.returns.actions import can_return
from app.store.models import Region, SalesChannel
from app.transactions import end_refused

bp = Blueprint("orders", __name__)


@bp.before_request
@login_required
def require_staff() -> None:
    """Every order page is for logged-in staff only."""


@bp.get("/orders")
def list_orders():
    """The order list: filters, search, sorting and cursor pagination (htmx gets the table)."""
    filters, errors = parse_filters(request.args)
    page_size = current_app.config["ORDERS_PAGE_SIZE"]
    try:
        page = find_orders(filters, request.args.get("cursor") or None, page_size)
    except CursorError as error:
        errors["cursor"] = str(error)
        page = find_orders(filters, None, page_size)
    return render_page_or_block(
        "orders/list.html",
        "results",
        status=400 if errors else 200,
        filters=filters,
        errors=errors,
        page=page,
        sorts=SORTS,
        statuses=[s for s in OrderStatus if s != OrderStatus.DRAFT],
        payment_statuses=list(PaymentStatus),
        fulfillment_statuses=list(FulfillmentStatus),
        change_filters=CHANGE_FILTERS,
        sales_channels=db.session.execute(
            select(SalesChannel.id, SalesChannel.name).order_by(SalesChannel.name)).all(),
        regions=db.session.execute(select(Region.id, Region.name).order_by(Region.name)).all(),
    )


def order_or_404(order_id: int):
    """The placed order (not a draft) with everything its pages show, or 404."""
    order = order_with_details(order_id)
    if order is None or order.status == OrderStatus.DRAFT:
        abort(404)
    return order


@bp.get("/orders/<int:order_id>")
def show_order(order_id: int):
    """An order with its statuses, customer, items, every total, payments and timeline."""
    return _detail(order_or_404(order_id))


def _detail(order, status: int = 200, message: str = "", note_form: NoteForm | None = None):
    """The detail page (htmx: its timeline), with a refusal's ``message`` when there is one."""
    due = settlement(order)
    return render_page_or_block(
        "orders/detail.html", "timeline", status=status, order=order, message=message,
        note_form=note_form or NoteForm(formdata=None), refund_reasons=REFUND_REASONS,
        actions=ACTIONS, allowed=allowed_actions(order.status.value, order.payment_status.value,
                                                 order.fulfillment_status.value),
        locations=StockLocation.by_name(), open_change=order.open_change,
        can_edit=edit_problem(order) is None, to_collect=due.to_collect, settling=due.what,
        to_refund=due.to_refund, returns=order.returns, exchanges=order.exchanges,
        claims=order.claims, return_problem=can_return(order),
    )  # fmt: skip


def _change(order_id: int, form: VersionedForm, change, success: str, anchor: str = "#payments"):
    """Make ``change`` against the version ``form`` carries and commit, then show the order
    again (post/redirect/get); a refusal shows the page with the reason and saves nothing."""
    order = order_or_404(order_id)
    if not form.validate_on_submit():
        return _detail(order, 422, form.problems())
    try:
        change(order, form)
    except OrderActionError as error:
        return _detail(order_or_404(order_id), end_refused(error), str(error))
    db.session.commit()
    flash(success, "success")
    return redirect(url_for("orders.show_order", order_id=order_id) + anchor)


@bp.post("/orders/<int:order_id>/payments/<int:payment_id>/capture")
def capture(order_id: int, payment_id: int):
    """Capture part or all of what a payment authorized."""
    return _change(order_id, CaptureForm(), lambda order, form: capture_payment(
        order, form.expected_version(), payment_id, form.amount.data, current_user.email,
    ), "Payment captured.")  # fmt: skip


@bp.post("/orders/<int:order_id>/payments/<int:payment_id>/refund")
def refund(order_id: int, payment_id: int):
    """Refund part or all of what a payment captured, with a reason and a note."""
    return _change(order_id, RefundForm(), lambda order, form: refund_payment(
        order, form.expected_version(), payment_id, form.amount.data, reason=form.reason.data,
        note=form.note.data or "", actor=current_user.email,
    ), "Refund created.")  # fmt: skip


@bp.post("/orders/<int:order_id>/difference/collect")
def collect_edit_difference(order_id: int):
    """Record the customer's payment of what a confirmed edit left to collect, exactly."""
    return _change(order_id, DifferenceForm(), lambda order, form: collect_difference(
        order, form.expected_version(), form.amount.data, current_user.email,
    ), "Payment recorded: the difference is settled.")  # fmt: skip


@bp.post("/orders/<int:order_id>/difference/refund")
def refund_edit_difference(order_id: int):
    """Refund what a confirmed edit left to give back, exactly, newest payment first."""
    return _change(order_id, DifferenceForm(), lambda order, form: refund_difference(
        order, form.expected_version(), form.amount.data, current_user.email,
    ), "Refunded: the difference is settled.")  # fmt: skip


@bp.post("/orders/<int:order_id>/status/<action>")
def change_order_status(order_id: int, action: str):
    """Complete, resolve, archive or cancel the order, if its lifecycle allows it now."""
    return _change(order_id, VersionedForm(), lambda order, form: change_status(
        order, form.expected_version(), action, current_user.email,
    ), f"Order {OUTCOMES.get(action, action)}.", "")  # fmt: skip


@bp.post("/orders/<int:order_id>/fulfillments")
def fulfil(order_id: int):
    """Pack some or all of what is left to fulfil, at one location."""
    form = FulfillmentForm()
    form.location.choices = [SelectChoice(loc.id, loc.name) for loc in StockLocation.by_name()]
    return _change(order_id, form, lambda order, form: create_fulfillment(
        order, form.expected_version(), form.location.data, form.quantities(request.form),
        current_user.email,
    ), "Fulfillment created.", "#fulfillments")  # fmt: skip


@bp.post("/orders/<int:order_id>/fulfillments/<int:fulfillment_id>/ship")
def ship(order_id: int, fulfillment_id: int):
    """Hand a packed fulfillment to a carrier, with its tracking numbers."""
    return _change(order_id, ShipmentForm(), lambda order, form: ship_fulfillment(
        order, form.expected_version(), fulfillment_id, carrier=form.carrier.data or "",
        tracking_numbers=form.tracking(), actor=current_user.email,
    ), "Shipment created.", "#fulfillments")  # fmt: skip


@bp.post("/orders/<int:order_id>/fulfillments/<int:fulfillment_id>/<any(deliver, cancel):step>")
def fulfillment_step(order_id: int, fulfillment_id: int, step: str):
    """Mark a shipped fulfillment delivered, or cancel one that has not shipped."""
    action = deliver_fulfillment if step == "deliver" else cancel_fulfillment
    return _change(order_id, VersionedForm(), lambda order, form: action(
        order, form.expected_version(), fulfillment_id, current_user.email,
    ), "Marked as delivered." if step == "deliver" else "Fulfillment canceled.",
        "#fulfillments")  # fmt: skip


@bp.get("/orders/<int:order_id>/fulfillments/<int:fulfillment_id>/packing-slip")
def packing_slip(order_id: int, fulfillment_id: int):
    """A printable packing slip: what is in the parcel, from where, to whom."""
    order = order_or_404(order_id)
    fulfillment = next((f for f in order.fulfillments if f.id == fulfillment_id), None)
    if fulfillment is None:
        abort(404)
    return render_template("orders/packing_slip.html", order=order, fulfillment=fulfillment)


@bp.post("/orders/<int:order_id>/notes")
def add_order_note(order_id: int):
    """Staff add an internal note; htmx gets the refreshed timeline."""
    order = order_or_404(order_id)
    form = NoteForm()
    status = 200
    if form.validate_on_submit():
        try:
            add_note(order, form.text.data, current_user.email)
        except OrderActionError as error:
            form.text.errors = [str(error)]
            status = 422
        else:
            db.session.commit()
            if not is_htmx():
                flash("Note added to the timeline.", "success")
                return redirect(url_for("orders.show_order", order_id=order.id) + "#timeline")
            form = NoteForm(formdata=None)
    else:
        status = 422
    return _detail(order, status, note_form=form)
