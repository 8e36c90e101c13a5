"""Staff pages of claims: make one from an order (refund or replace the units that arrived
missing, wrong or faulty), and a claim's page (reinstate written-off units, refund them)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from wtforms import SelectChoice

from app.claims import actions
from app.claims.forms import ClaimForm, ClaimRefundForm, ReinstateForm
from app.claims.models import Claim, ClaimReason
from app.claims.queries import replacement_lines
from app.events.models import events_about
from app.extensions import db
from app.fulfillment.models import StockLocation
from app.orders.actions import OrderActionError
from app.orders.forms import VersionedForm
from app.orders.models import Order
from app.orders.views import order_or_404
from app.returns.actions import returnable
from app.transactions import end_refused

bp = Blueprint("claims", __name__)


@bp.before_request
@login_required
def require_staff() -> None:
    """Every claim page is for logged-in staff only."""


def _claim_or_404(claim_id: int) -> Claim:
    claim = db.session.get(Claim, claim_id)
    if claim is None:
        abort(404)
    return claim


# Making a claim


def _claim_form() -> ClaimForm:
    form = ClaimForm()
    form.location.choices = [SelectChoice(loc.id, loc.name) for loc in StockLocation.by_name()]
    return form


def _new_page(order: Order, form: ClaimForm, status: int = 200, message: str = ""):
    """The form claiming units of the order, with what was typed when it was refused."""
    return render_template(
        "claims/new.html", order=order, form=form, message=message,
        problem=actions.can_claim(order), returnable=returnable, reasons=list(ClaimReason),
        typed=request.form if request.method == "POST" else {},
    ), status  # fmt: skip


@bp.get("/orders/<int:order_id>/claims/new")
def new_claim(order_id: int):
    """The form to make a claim: refund or replace, units per shipped line with a reason and a
    note, whether they come back, a replacement's shipping and a note."""
    return _new_page(order_or_404(order_id), _claim_form())


@bp.post("/orders/<int:order_id>/claims")
def create_claim(order_id: int):
    """Claim units of the order; the claim's page follows."""
    order = order_or_404(order_id)
    form = _claim_form()
    if not form.validate_on_submit():
        return _new_page(order, form, 422, form.problems())
    try:
        claim = actions.create_claim(
            order, form.expected_version(), form.claim_type.data, form.lines(request.form),
            return_units=form.return_units.data, location_id=form.location_id(),
            shipping=form.shipping(), note=form.note.data or "", actor=current_user.email,
        )  # fmt: skip
    except OrderActionError as error:
        status = end_refused(error)
        return _new_page(order_or_404(order_id), form, status, str(error))
    db.session.commit()
    flash(f"Claim #{claim.id} created.", "success")
    return redirect(url_for("claims.show_claim", claim_id=claim.id))


# A claim's page


def _claim_page(claim: Claim, status: int = 200, message: str = ""):
    """The claim with its lines, what was sent out in their place, what is owed for them, and
    the steps it allows."""
    order = order_or_404(claim.order_id)
    events = events_about(order.events, claim_id=claim.id, return_id=claim.return_id)
    return render_template(
        "claims/detail.html", order=order, claim=claim, message=message,
        replacements=replacement_lines(order, claim),
        to_refund=actions.claim_refund_to_offer(order, claim), events=events,
    ), status  # fmt: skip


@bp.get("/claims/<int:claim_id>")
def show_claim(claim_id: int):
    """A claim: its order, type, lines with their reasons, the units written off, the
    replacement lines and what is left to refund."""
    return _claim_page(_claim_or_404(claim_id))


def _step(claim_id: int, form: VersionedForm, step, success: str):
    """Make ``step`` on the claim against the version ``form`` carries and commit, then show
    the claim again; a refusal shows the page with the reason and saves nothing."""
    claim = _claim_or_404(claim_id)
    if not form.validate_on_submit():
        return _claim_page(claim, 422, form.problems())
    try:
        step(order_or_404(claim.order_id), claim, form)
    except OrderActionError as error:
        status = end_refused(error)
        return _claim_page(_claim_or_404(claim_id), status, str(error))
    db.session.commit()
    flash(success, "success")
    return redirect(url_for("claims.show_claim", claim_id=claim_id))


@bp.post("/claims/<int:claim_id>/reinstate")
def reinstate(claim_id: int):
    """Written-off units turned up after all: they are the customer's again."""
    return _step(claim_id, ReinstateForm(), lambda order, claim, form: actions.reinstate(
        order, form.expected_version(), claim.id, form.claim_item_id.data, form.quantity.data,
        current_user.email,
    ), "Units reinstated.")  # fmt: skip


@bp.post("/claims/<int:claim_id>/refund")
def refund(claim_id: int):
    """Refund exactly what the claim's written-off units are owed, newest payment first."""
    return _step(claim_id, ClaimRefundForm(), lambda order, claim, form: actions.refund_claim(
        order, form.expected_version(), claim.id, form.amount.data, current_user.email,
    ), "Refund created.")  # fmt: skip
