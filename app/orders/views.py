"""Staff pages of orders: the list and the detail page."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, request, url_for
from flask_login import current_user, login_required
from sqlalchemy import select

from app.extensions import db
from app.htmx import is_htmx, render_page_or_block
from app.orders.actions import OrderActionError, add_note
from app.orders.forms import NoteForm
from app.orders.models import FulfillmentStatus, OrderStatus, PaymentStatus
from app.orders.queries import SORTS, CursorError, find_orders, order_with_details, parse_filters
from app.store.models import Region, SalesChannel

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
        sales_channels=db.session.scalars(select(SalesChannel).order_by(SalesChannel.name)),
        regions=db.session.scalars(select(Region).order_by(Region.name)),
    )


def _order_or_404(order_id: int):
    order = order_with_details(order_id)
    if order is None or order.status == OrderStatus.DRAFT:
        abort(404)
    return order


@bp.get("/orders/<int:order_id>")
def show_order(order_id: int):
    """An order with its statuses, customer, items, every total, payments and timeline."""
    order = _order_or_404(order_id)
    return render_page_or_block(
        "orders/detail.html", "timeline", order=order, note_form=NoteForm(formdata=None)
    )


@bp.post("/orders/<int:order_id>/notes")
def add_order_note(order_id: int):
    """Staff add an internal note; htmx gets the refreshed timeline."""
    order = _order_or_404(order_id)
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
    return render_page_or_block(
        "orders/detail.html", "timeline", status=status, order=order, note_form=form
    )
