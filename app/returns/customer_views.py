"""The customer's page of their return link, opened from a shipment email, on the ``customer``
blueprint (``app.changes.customer_views``: no login, its own layout, not indexed, no referrer,
and its 404 and 410 pages for links that do not work).

It lists the units of the order that can still be asked back, each line with a quantity and a
reason, and a note; sending it asks for a return (``requested``) that staff see in the returns
list, and the same link then shows the confirmation, with nothing more to do.
"""

from __future__ import annotations

from flask import redirect, render_template, request, url_for

from app.changes.actions import LinkError
from app.changes.customer_views import bp
from app.changes.models import OrderChangeLink
from app.extensions import db
from app.orders.actions import OrderActionError, lock_order
from app.orders.models import Order
from app.orders.queries import order_with_details
from app.returns import links
from app.returns.actions import can_return, returnable
from app.returns.customer_forms import CustomerReturnForm
from app.returns.models import Return
from app.returns.views import reason_choices
from app.transactions import end_refused


def _check_usable(link: OrderChangeLink) -> None:
    problem = links.return_link_problem(link)
    if problem:
        raise problem


@bp.get("/returns/<token>")
def return_request(token: str):
    """The units the customer can send back, to pick with a reason; once asked, the return."""
    link = links.return_link_for(token)
    if link.used_at is not None:
        return _requested(link)
    _check_usable(link)
    return _form_page(link, token, CustomerReturnForm(formdata=None))


def _form_page(link: OrderChangeLink, token: str, form: CustomerReturnForm,
               status: int = 200, message: str = ""):  # fmt: skip
    """The returnable units per line with what was typed when it was refused; an order with
    nothing left to return says so, without a form."""
    order = order_with_details(link.order_id)
    return render_template(
        "customer/return_request.html", order=order, link=link, token=token, form=form,
        message=message, problem=can_return(order), returnable=returnable,
        reasons=reason_choices(), window_closes=link.expires_at,
        typed=request.form if request.method == "POST" else {},
    ), status  # fmt: skip


def _requested(link: OrderChangeLink):
    """The return asked for through this link: what comes back, and what happens next."""
    return_ = db.session.get(Return, link.return_id) if link.return_id else None
    if return_ is None:  # staff removed it: the link has done its work all the same
        raise LinkError("You already used this link to ask for a return.")
    order = db.session.get(Order, link.order_id)
    return render_template("customer/return_request.html", order=order, return_=return_,
                           requested=True)  # fmt: skip


@bp.post("/returns/<token>")
def request_return(token: str):
    """Ask for the picked units back: the return is registered at once, or the page says why
    it cannot be and nothing is saved."""
    link = links.return_link_for(token)
    form = CustomerReturnForm()
    if not form.validate_on_submit():
        _check_usable(link)
        return _form_page(link, token, form, 422, " ".join(form.note.errors))
    order_id = link.order_id
    expected = lock_order(order_id)
    # A return through this link (another tab) may have committed meanwhile: read again,
    # under the order's lock.
    db.session.expire_all()
    try:
        links.request_return_through_link(
            order_with_details(order_id), expected, link, form.lines(request.form),
            form.note.data or "")  # fmt: skip
    except LinkError:
        raise  # answered by the blueprint's 404 or 410 page
    except OrderActionError as error:
        return _form_page(link, token, form, end_refused(error), str(error))
    db.session.commit()
    return redirect(url_for(".return_request", token=token))
