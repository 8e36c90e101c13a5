"""The customer's page of a proposed order edit, opened from the emailed link: no login, the
token in the path is the only key, and the page shows that one order's change and nothing else
(its own layout, ``templates/customer/base.html``).

It shows the lines and totals now and with the change, the difference, and Confirm or Decline
as plain forms. Once answered, the same link shows the outcome, read-only. A link that never
existed is a 404; one that expired, was answered or was voided (a newer request, the store's
cancel) is a 410: both say why and change nothing.
"""

from __future__ import annotations

from flask import Blueprint, Response, redirect, render_template, url_for
from flask_wtf import FlaskForm
from flask_wtf.csrf import CSRFError
from sqlalchemy import select

from app.changes.actions import (
    CUSTOMER_VIA_LINK,
    ChangeError,
    LinkError,
    confirm_change,
    decline_change,
    difference_text,
    link_for,
    link_problem,
    preview,
)
from app.changes.comparison import Comparison, compare
from app.changes.customer_forms import ConfirmForm, DeclineForm
from app.changes.models import ChangeStatus, OrderChangeLink, OrderVersion
from app.changes.snapshots import state_from_snapshot
from app.extensions import db
from app.orders.actions import OrderActionError, lock_order
from app.orders.models import Order
from app.orders.queries import order_with_details
from app.transactions import end_refused

bp = Blueprint("customer", __name__, url_prefix="/c")


@bp.after_request
def keep_the_link_private(response: Response) -> Response:
    # The token is in the address: no other site may learn it from a Referer, and no search
    # engine may list the page. The app's other headers (app.security_headers) still apply.
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Robots-Tag"] = "noindex"
    return response


@bp.errorhandler(LinkError)
def link_gone(error: LinkError):
    """A link that does not work (any more): why, with its status; nothing was changed."""
    db.session.rollback()
    return render_template("customer/link_gone.html", message=str(error),
                           status=error.status), error.status  # fmt: skip


@bp.errorhandler(CSRFError)
def answer_not_checked(error: CSRFError):
    """A form sent without the page's CSRF token (or without the cookie it goes with)."""
    message = ("Your answer could not be checked, so nothing was changed. Open the link in your "
               "email again and answer from that page (your browser must allow cookies).")
    return render_template("customer/link_gone.html", message=message, status=400), 400


def _difference(figures: Comparison | None) -> str:
    """What the change leaves to settle, in words (none without figures)."""
    if figures is None:
        return ""
    return difference_text(figures.difference, figures.after.state.currency_code)


@bp.get("/order-edits/<token>")
def order_edit(token: str):
    """The proposed change, to confirm or decline; once answered, the outcome."""
    link = link_for(token)
    if link.used_at is not None:
        return _outcome(link)
    _check_usable(link)
    return _proposal_page(link, token)


def _check_usable(link: OrderChangeLink) -> None:
    problem = link_problem(link)
    if problem:
        raise problem


def _proposal_page(link: OrderChangeLink, token: str, status: int = 200, message: str = "",
                   decline_form: DeclineForm | None = None):  # fmt: skip
    """The change with the two answers. A change that no longer fits the order (a line was
    fulfilled since) says why, and only Decline is offered."""
    change = link.change
    order = order_with_details(change.order_id)
    try:
        result = preview(order, change)
    except ChangeError as error:
        figures, unfit = None, str(error)
    else:
        figures, unfit = compare(result.current, result.proposed), ""
    return render_template(
        "customer/order_edit.html", order=order, link=link, token=token, figures=figures,
        difference=_difference(figures), unfit=unfit, message=message,
        confirm_form=ConfirmForm(formdata=None),
        decline_form=decline_form or DeclineForm(formdata=None),
    ), status  # fmt: skip


def _outcome(link: OrderChangeLink):
    """What the customer answered through this link, and when; a confirmed change shows the
    order before and after it, from the versions it left."""
    change = link.change
    order = db.session.get(Order, change.order_id)
    figures = None
    if change.status == ChangeStatus.CONFIRMED:
        versions = db.session.scalars(select(OrderVersion.snapshot).where(
            OrderVersion.order_id == order.id,
            OrderVersion.version.in_([change.confirmed_version - 1, change.confirmed_version]),
        ).order_by(OrderVersion.version)).all()  # fmt: skip
        figures = compare(*(state_from_snapshot(v) for v in versions))
    return render_template("customer/order_edit.html", order=order, link=link, change=change,
                           figures=figures, difference=_difference(figures),
                           answered=True)  # fmt: skip


@bp.post("/order-edits/<token>/confirm")
def confirm(token: str):
    """Confirm the change: the order is updated at once, or the page says why it cannot be."""
    return _answer(token, ConfirmForm(), lambda order, expected, link: confirm_change(
        order, expected, link.change_id, CUSTOMER_VIA_LINK, link=link))  # fmt: skip


@bp.post("/order-edits/<token>/decline")
def decline(token: str):
    """Decline the change, with an optional reason; the order stays as it was."""
    form = DeclineForm()
    return _answer(token, form, lambda order, expected, link: decline_change(
        order, expected, link.change_id, form.reason.data or "", CUSTOMER_VIA_LINK,
        link=link), decline_form=form)  # fmt: skip


def _answer(token: str, form: FlaskForm, answer, decline_form: DeclineForm | None = None):
    """Lock the order, read the link and the change as they are now, answer, commit, and show
    the outcome (post/redirect/get); a refusal changes nothing and says why."""
    link = link_for(token)
    if not form.validate_on_submit():
        _check_usable(link)
        return _proposal_page(link, token, 422, decline_form=decline_form)
    order_id = link.change.order_id
    expected = lock_order(order_id)
    # What was read before the lock may be stale: an answer through this link, or the store's
    # cancel, may have committed meanwhile. Read again, under the lock.
    db.session.expire_all()
    try:
        answer(order_with_details(order_id), expected, link)
    except LinkError:
        raise  # answered by link_gone: the link's own 404 or 410 page
    except OrderActionError as error:
        return _proposal_page(link, token, end_refused(error), str(error))
    db.session.commit()
    return redirect(url_for(".order_edit", token=token))
