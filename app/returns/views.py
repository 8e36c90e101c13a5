"""Staff pages of returns: start one from an order, a return's page (receive, refund,
cancel) and the list of every return."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select
from wtforms import SelectChoice

from app.events.models import events_about
from app.exchanges.models import Exchange
from app.extensions import db
from app.fulfillment.models import StockLocation
from app.htmx import render_page_or_block
from app.money import ZERO
from app.orders.actions import OrderActionError
from app.orders.forms import VersionedForm
from app.orders.models import Order, OrderStatus
from app.orders.queries import CursorError, order_with_details
from app.returns import actions
from app.returns.calculations import refundable_total
from app.returns.forms import ReceiveForm, ReturnRefundForm, StartReturnForm
from app.returns.models import Return, ReturnReason, ReturnStatus
from app.returns.queries import find_returns, parse_return_filters
from app.transactions import end_refused

bp = Blueprint("returns", __name__)


@bp.before_request
@login_required
def require_staff() -> None:
    """Every return page is for logged-in staff only."""


def _order_or_404(order_id: int) -> Order:
    """The placed order (not a draft) with everything the pages show, or 404."""
    order = order_with_details(order_id)
    if order is None or order.status == OrderStatus.DRAFT:
        abort(404)
    return order


def _return_or_404(return_id: int) -> Return:
    return_ = db.session.get(Return, return_id)
    if return_ is None:
        abort(404)
    return return_


def reason_choices() -> list[tuple[ReturnReason, list[ReturnReason]]]:
    """The active top-level reasons, each with its active children (offered as an
    ``<optgroup>`` when it has some)."""
    top = db.session.scalars(select(ReturnReason).where(
        ReturnReason.parent_id.is_(None), ReturnReason.is_active).order_by(ReturnReason.label))
    return [(reason, reason.active_children) for reason in top]


# Starting a return


def _start_page(order: Order, form: StartReturnForm, status: int = 200, message: str = ""):
    """The form asking units of the order back, with what was typed when it was refused."""
    return render_template(
        "returns/new.html", order=order, form=form, message=message,
        problem=actions.can_return(order), returnable=actions.returnable,
        reasons=reason_choices(), typed=request.form if request.method == "POST" else {},
    ), status  # fmt: skip


def _start_form() -> StartReturnForm:
    form = StartReturnForm()
    form.location.choices = [SelectChoice(loc.id, loc.name) for loc in StockLocation.by_name()]
    return form


@bp.get("/orders/<int:order_id>/returns/new")
def new_return(order_id: int):
    """The form to start a return: units per shipped line with a reason, where they go back,
    a note and the return shipping."""
    return _start_page(_order_or_404(order_id), _start_form())


@bp.post("/orders/<int:order_id>/returns")
def start_return(order_id: int):
    """Ask units of the order back; the return's page follows."""
    order = _order_or_404(order_id)
    form = _start_form()
    if not form.validate_on_submit():
        return _start_page(order, form, 422, form.problems())
    try:
        return_ = actions.request_return(
            order, form.expected_version(), form.lines(request.form),
            location_id=form.location.data, note=form.note.data or "",
            return_shipping_name=form.return_shipping_name.data or "",
            return_shipping_amount=form.return_shipping_amount.data or ZERO,
            deduct_shipping=form.deduct_shipping.data, actor=current_user.email,
        )  # fmt: skip
    except OrderActionError as error:
        status = end_refused(error)
        return _start_page(_order_or_404(order_id), form, status, str(error))
    db.session.commit()
    flash(f"Return #{return_.id} requested.", "success")
    return redirect(url_for("returns.show_return", return_id=return_.id))


# A return's page


def _return_page(return_: Return, status: int = 200, message: str = ""):
    """The return with its lines, what they refund, and the steps its status allows."""
    order = _order_or_404(return_.order_id)
    line_totals = order.line_totals
    refundable = {part.id: refundable_total(line_totals[part.item_id], part.item.quantity,
                                            part.item.credited_quantity, order.currency_code)
                  for part in return_.items}  # fmt: skip
    events = events_about(order.events, return_id=return_.id)
    return render_template(
        "returns/detail.html", order=order, return_=return_, message=message,
        refundable=refundable, to_refund=actions.refund_to_offer(order, return_),
        receiving=return_.status in (ReturnStatus.REQUESTED, ReturnStatus.PARTIALLY_RECEIVED),
        events=events, exchange=db.session.scalar(select(Exchange).where(
            Exchange.return_id == return_.id)),
    ), status  # fmt: skip


@bp.get("/returns/<int:return_id>")
def show_return(return_id: int):
    """A return: its order, status, lines with their reasons and what they refund."""
    return _return_page(_return_or_404(return_id))


def _step(return_id: int, form: VersionedForm, step, success: str):
    """Make ``step`` on the return against the version ``form`` carries and commit, then show
    the return again; a refusal shows the page with the reason and saves nothing."""
    return_ = _return_or_404(return_id)
    if not form.validate_on_submit():
        return _return_page(return_, 422, form.problems())
    try:
        step(_order_or_404(return_.order_id), return_, form)
    except OrderActionError as error:
        status = end_refused(error)
        return _return_page(_return_or_404(return_id), status, str(error))
    db.session.commit()
    flash(success, "success")
    return redirect(url_for("returns.show_return", return_id=return_id))


@bp.post("/returns/<int:return_id>/receive")
def receive(return_id: int):
    """Units of the return arrived: back on the shelf, or damaged and written off."""
    return _step(return_id, ReceiveForm(), lambda order, return_, form: actions.receive_return(
        order, form.expected_version(), return_.id, form.received(request.form),
        current_user.email,
    ), "Units received.")  # fmt: skip


@bp.post("/returns/<int:return_id>/refund")
def refund(return_id: int):
    """Refund exactly what the received units are owed, newest payment first."""
    form = ReturnRefundForm()
    return _step(return_id, form, lambda order, return_, form: actions.refund_return(
        order, form.expected_version(), return_.id, form.amount.data, current_user.email,
    ), "Refund created.")  # fmt: skip


@bp.post("/returns/<int:return_id>/cancel")
def cancel(return_id: int):
    """Call the return off before anything arrived."""
    return _step(return_id, VersionedForm(), lambda order, return_, form: actions.cancel_return(
        order, form.expected_version(), return_.id, current_user.email,
    ), "Return canceled.")  # fmt: skip


# The list


@bp.get("/returns")
def list_returns():
    """Every return, newest first: a status filter, search by order number or email, and
    cursor pages (htmx gets the table)."""
    filters, errors = parse_return_filters(request.args)
    size = current_app.config["ORDERS_PAGE_SIZE"]
    try:
        page = find_returns(filters, request.args.get("cursor") or None, size)
    except CursorError as error:
        errors["cursor"] = str(error)
        page = find_returns(filters, None, size)
    return render_page_or_block(
        "returns/list.html", "results", status=400 if errors else 200, filters=filters,
        errors=errors, page=page, statuses=list(ReturnStatus),
    )  # fmt: skip
