"""Staff pages of exchanges: start one from an order (with a preview of what it leaves to
settle), and an exchange's page: the units coming back, the new items going out, and what is
left to pay or refund."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from wtforms import SelectChoice

from app.changes.actions import difference_text
from app.events.models import events_about
from app.exchanges import actions
from app.exchanges.actions import ExchangeOutcome
from app.exchanges.forms import ExchangeForm
from app.exchanges.models import Exchange
from app.exchanges.queries import new_item_ids
from app.extensions import db
from app.fulfillment.models import StockLocation
from app.money import ZERO, format_money
from app.orders.actions import OrderActionError
from app.orders.models import Order
from app.orders.views import order_or_404
from app.payments.actions import settlement
from app.returns.actions import can_return, refund_to_offer, returnable
from app.returns.views import reason_choices
from app.transactions import end_refused

bp = Blueprint("exchanges", __name__)
# "$42.50 to pay", "$2.38 to be refunded": the order page's exchanges say it as this page does.
bp.add_app_template_filter(difference_text, "difference_text")


@bp.before_request
@login_required
def require_staff() -> None:
    """Every exchange page is for logged-in staff only."""


# Starting an exchange


def _exchange_form(order: Order) -> ExchangeForm:
    form = ExchangeForm()
    form.location.choices = [SelectChoice(loc.id, loc.name) for loc in StockLocation.by_name()]
    options = [o for o in order.region.shipping_options if o.is_active] if order.region else []
    form.shipping_option.choices = [SelectChoice("", "No shipping method"), *(
        SelectChoice(o.id, f"{o.name} · {format_money(o.amount, order.currency_code)}")
        for o in options)]  # fmt: skip
    return form


def _new_page(order: Order, form: ExchangeForm, status: int = 200, message: str = "",
              outcome: ExchangeOutcome | None = None):  # fmt: skip
    """The form of an exchange, with what was typed when it was refused or previewed, and the
    preview's figures."""
    return render_template(
        "exchanges/new.html", order=order, form=form, message=message, outcome=outcome,
        problem=can_return(order), returnable=returnable, reasons=reason_choices(),
        typed=request.form if request.method == "POST" else {},
    ), status  # fmt: skip


@bp.get("/orders/<int:order_id>/exchanges/new")
def new_exchange(order_id: int):
    """The form of an exchange: units per shipped line with a reason, the new items (by SKU,
    or custom) and their shipping, where the units go back and the return shipping."""
    order = order_or_404(order_id)
    return _new_page(order, _exchange_form(order))


@bp.post("/orders/<int:order_id>/exchanges/preview")
def preview_exchange(order_id: int):
    """The form again with what the exchange would leave: the order's total once the units
    arrive, and the difference to pay or refund. Nothing is saved."""
    order = order_or_404(order_id)
    form = _exchange_form(order)
    if not form.validate_on_submit():
        return _new_page(order, form, 422, form.problems())
    try:
        outcome = actions.preview_exchange(
            order, form.lines(request.form), form.new_items(), form.shipping(),
            form.return_shipping_amount.data or ZERO, form.deduct_shipping.data,
        )  # fmt: skip
    except OrderActionError as error:
        return _new_page(order, form, end_refused(error), str(error))
    return _new_page(order, form, outcome=outcome)


@bp.post("/orders/<int:order_id>/exchanges")
def create_exchange(order_id: int):
    """Exchange units of the order for new items; the exchange's page follows."""
    order = order_or_404(order_id)
    form = _exchange_form(order)
    if not form.validate_on_submit():
        return _new_page(order, form, 422, form.problems())
    try:
        exchange = actions.create_exchange(
            order, form.expected_version(), form.lines(request.form), form.new_items(),
            location_id=form.location.data, shipping=form.shipping(),
            return_shipping_name=form.return_shipping_name.data or "",
            return_shipping_amount=form.return_shipping_amount.data or ZERO,
            customer_pays_return_shipping=form.deduct_shipping.data,
            note=form.note.data or "", actor=current_user.email,
        )  # fmt: skip
    except OrderActionError as error:
        status = end_refused(error)
        return _new_page(order_or_404(order_id), form, status, str(error))
    db.session.commit()
    flash(f"Exchange #{exchange.id} created.", "success")
    return redirect(url_for("exchanges.show_exchange", exchange_id=exchange.id))


# An exchange's page


@bp.get("/exchanges/<int:exchange_id>")
def show_exchange(exchange_id: int):
    """An exchange: its order, the units coming back (its return), the new items with how far
    they are fulfilled, the order's total once the units arrive and what is left to settle."""
    exchange = db.session.get(Exchange, exchange_id)
    if exchange is None:
        abort(404)
    order = order_or_404(exchange.order_id)
    return_ = exchange.return_
    added = set(new_item_ids(exchange))
    line_totals = order.line_totals
    events = events_about(order.events, exchange_id=exchange.id, return_id=return_.id)
    return render_template(
        "exchanges/detail.html", exchange=exchange, order=order, return_=return_,
        new_items=[item for item in order.items if item.id in added], line_totals=line_totals,
        to_collect=settlement(order).to_collect, to_refund=refund_to_offer(order, return_),
        events=events,
    )  # fmt: skip
