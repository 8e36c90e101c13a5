"""Staff edit a placed order (``/orders/<id>/edit``): stage changes, see them beside the order
as it is with every total and the difference, then ask the customer to confirm, confirm for
them, or cancel. Each step is a small form; htmx swaps the edit panel with the answer, and
without JavaScript the form posts and the page comes back (post, redirect, get)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, url_for
from flask_login import current_user, login_required

from app.changes import actions as edits
from app.changes.comparison import compare
from app.changes.forms import (
    AddedLineForm,
    CustomItemForm,
    InternalNoteForm,
    LineForm,
    ShippingForm,
    StepForm,
)
from app.changes.models import ActionType, ChangeStatus, OrderChange
from app.draft_orders.forms import VariantItemForm
from app.draft_orders.views import variant_search_answer
from app.extensions import db
from app.htmx import is_htmx, render_page_or_block
from app.orders.actions import OrderActionError
from app.orders.forms import VersionedForm
from app.orders.models import Order, OrderStatus
from app.orders.views import order_or_404
from app.transactions import end_refused

bp = Blueprint("changes", __name__)


@bp.before_request
@login_required
def require_staff() -> None:
    """Every edit page is for logged-in staff only."""


def _edit_page(order: Order, status: int = 200, message: str = "", forms=None,
               focus_search: bool | None = None):  # fmt: skip
    """The edit page (htmx: its panel): the open edit side by side with the order, or the
    form that starts one. ``forms``: a refused form by its key, shown with what was typed
    and its field messages. The product search takes the focus on a page loaded whole, and
    when ``focus_search`` says so; a panel swapped in keeps it where it was."""
    change = edits.open_change(order.id)
    if focus_search is None:
        focus_search = not is_htmx()
    context = {"order": order, "change": change, "message": message,
               "focus_search": focus_search,
               "message_is_error": status >= 400, "forms": forms or {},
               "start_form": (forms or {}).get("start") or InternalNoteForm(formdata=None),
               "problem": edits.edit_problem(order)}
    if change is not None:
        context |= _change_context(order, change)
    return render_page_or_block("changes/edit.html", "panel", status=status, **context)


#: What a staged step does, for the list shown when the preview cannot be worked out.
STEP_LABELS = {
    ActionType.ITEM_ADD: "Add",
    ActionType.ITEM_UPDATE: "Change",
    ActionType.ITEM_REMOVE: "Remove",
    ActionType.SHIPPING_ADD: "Add shipping",
    ActionType.SHIPPING_REMOVE: "Remove shipping",
}


def _change_context(order: Order, change: OrderChange) -> dict:
    try:
        result = edits.preview(order, change)
    except edits.ChangeError as error:
        # A fulfillment since made a staged step impossible: the steps are listed to undo.
        return {"preview_problem": str(error), "step_labels": STEP_LABELS,
                "items": {i.id: i for i in order.items},
                "methods": {m.id: m for m in order.shipping_methods}}
    # What Undo drops: the step that changes or removes an order line or shipping method, by
    # its id (an added line's or method's step is its own ``action_id``).
    line_steps = {a.item_id: a.id for a in change.actions if a.item_id is not None}
    shipping_steps = {a.shipping_method_id: a.id for a in change.actions
                      if a.shipping_method_id is not None}  # fmt: skip
    comparison = compare(result.current, result.proposed)
    return {
        "comparison": comparison,
        "line_steps": line_steps,
        "shipping_steps": shipping_steps,
        "now": comparison.before.summary,
        "proposed": comparison.after.summary,
        "difference_text": edits.difference_text(comparison.difference, order.currency_code),
        "shipping_options": [o for o in order.region.shipping_options if o.is_active]
        if order.region and change.status == ChangeStatus.PENDING else [],
        "note_form": InternalNoteForm(formdata=None, internal_note=change.internal_note),
    }  # fmt: skip


@bp.get("/orders/<int:order_id>/edit")
def edit_order(order_id: int):
    """The order's open edit, or the form that starts one."""
    return _edit_page(order_or_404(order_id))


def _step(order: Order, form: VersionedForm, step, success, key: str = "",
          done_url: str | None = None, focus_search: bool = False):  # fmt: skip
    """Validate ``form``, take ``step`` against the version it carries and commit; answer
    with the panel (htmx) or go back to the page (or to ``done_url``, when the step ends the
    edit), saying ``success`` (or what ``success()`` says after the step). A refusal saves
    nothing and says why, beside the form ``key`` names; a stale version answers 409 with
    the current state."""
    if not form.validate_on_submit():
        return _edit_page(order, 422, form.problems(), {key: form})
    try:
        step(form)
        db.session.flush()
    except OrderActionError as error:
        if end_refused(error) == 409:
            return _edit_page(order_or_404(order.id), 409, str(error))
        return _edit_page(order_or_404(order.id), 422, str(error), {key: form})
    if callable(success):
        success = success()
    if is_htmx() and done_url is None:
        # Answered from the order as the step left it, before the commit expires it.
        response = _edit_page(order, message=success, focus_search=focus_search)
        db.session.commit()
        return response
    db.session.commit()
    flash(success, "success")
    location = done_url or url_for("changes.edit_order", order_id=order.id)
    if is_htmx():
        return "", 200, {"HX-Redirect": location}
    return redirect(location)


def _order_and_change(order_id: int, change_id: int) -> Order:
    """The order, 404 unless the change is one of its own."""
    order = order_or_404(order_id)
    change = db.session.get(OrderChange, change_id)
    if change is None or change.order_id != order.id:
        abort(404)
    return order


# Not a POST to the page's own path: a path that two rules share answers an id out of range
# with 405 (the GET rule's method) instead of 404.
@bp.post("/orders/<int:order_id>/edit/start")
def begin(order_id: int):
    """Start an edit of the order, with an internal note if staff give one."""
    order = order_or_404(order_id)
    return _step(order, InternalNoteForm(), lambda form: edits.begin_edit(
        order, form.expected_version(), current_user.email, form.internal_note.data or "",
    ), "Edit started: nothing changes on the order until it is confirmed.", "start",
        focus_search=True)  # fmt: skip


@bp.get("/orders/<int:order_id>/edit/variants")
def search_variants(order_id: int):
    """Catalogue variants matching what was typed or scanned so far, priced in the order's
    currency, with the stock its sales channel has available; Enter adds the first."""
    return variant_search_answer(Order.id == order_id, Order.status != OrderStatus.DRAFT)


@bp.post("/orders/<int:order_id>/edit/<int:change_id>/items/variant")
def add_variant(order_id: int, change_id: int):
    """Stage one unit of the highlighted search result (or of the best match for what was
    typed, when Enter came before the results)."""
    order = _order_and_change(order_id, change_id)
    return _step(order, VariantItemForm(), lambda form: edits.add_variant(
        order, form.expected_version(), change_id, form.chosen_variant_id(), 1,
        current_user.email,
    ), "Product added to the edit.", "variant")  # fmt: skip


@bp.post("/orders/<int:order_id>/edit/<int:change_id>/items")
def add_custom_item(order_id: int, change_id: int):
    """Stage an item that is not in the catalogue."""
    order = _order_and_change(order_id, change_id)
    return _step(order, CustomItemForm(currency=order.currency_code), lambda form: (
        edits.add_custom_item(order, form.expected_version(), change_id, title=form.title.data,
                              unit_price=form.unit_price.data, quantity=form.quantity.data,
                              actor=current_user.email)
    ), "Custom item added to the edit.", "custom")  # fmt: skip


@bp.post("/orders/<int:order_id>/edit/<int:change_id>/items/<int:item_id>")
def update_item(order_id: int, change_id: int, item_id: int):
    """Stage a new quantity and/or unit price for one of the order's lines."""
    order = _order_and_change(order_id, change_id)
    return _step(order, LineForm(currency=order.currency_code), lambda form: edits.update_item(
        order, form.expected_version(), change_id, item_id, quantity=form.quantity.data,
        unit_price=form.unit_price.data, actor=current_user.email,
    ), "Line changed in the edit.", f"item-{item_id}")  # fmt: skip


@bp.post("/orders/<int:order_id>/edit/<int:change_id>/items/<int:item_id>/remove")
def remove_item(order_id: int, change_id: int, item_id: int):
    """Stage taking one of the order's lines off."""
    order = _order_and_change(order_id, change_id)
    return _step(order, StepForm(), lambda form: edits.remove_item(
        order, form.expected_version(), change_id, item_id, current_user.email,
    ), "Line removed in the edit.", f"item-{item_id}")  # fmt: skip


@bp.post("/orders/<int:order_id>/edit/<int:change_id>/added/<int:action_id>")
def update_added(order_id: int, change_id: int, action_id: int):
    """Change the quantity (0 drops it) or unit price of a line the edit adds."""
    order = _order_and_change(order_id, change_id)
    form = AddedLineForm(currency=order.currency_code)
    return _step(order, form, lambda form: edits.update_added(
        order, form.expected_version(), change_id, action_id, quantity=form.quantity.data,
        unit_price=form.unit_price.data, actor=current_user.email,
    ), "Added line changed.", f"added-{action_id}")  # fmt: skip


@bp.post("/orders/<int:order_id>/edit/<int:change_id>/steps/<int:action_id>/undo")
def undo_step(order_id: int, change_id: int, action_id: int):
    """Undo one staged step: drop an added line or shipping method, or put a line or shipping
    method back as it is on the order."""
    order = _order_and_change(order_id, change_id)
    return _step(order, StepForm(), lambda form: edits.drop_action(
        order, form.expected_version(), change_id, action_id, current_user.email,
    ), "Step undone.")  # fmt: skip


@bp.post("/orders/<int:order_id>/edit/<int:change_id>/shipping")
def add_shipping(order_id: int, change_id: int):
    """Stage a shipping method: one of the region's options, or a name and an amount."""
    order = _order_and_change(order_id, change_id)
    return _step(order, ShippingForm(currency=order.currency_code), lambda form: (
        edits.add_shipping(order, form.expected_version(), change_id, actor=current_user.email,
                           option_id=form.option_id.data, name=form.name.data or "",
                           amount=form.amount.data)
    ), "Shipping added to the edit.", "shipping")  # fmt: skip


@bp.post("/orders/<int:order_id>/edit/<int:change_id>/shipping/<int:method_id>/remove")
def remove_shipping(order_id: int, change_id: int, method_id: int):
    """Stage taking one of the order's shipping methods off."""
    order = _order_and_change(order_id, change_id)
    return _step(order, StepForm(), lambda form: edits.remove_shipping(
        order, form.expected_version(), change_id, method_id, current_user.email,
    ), "Shipping removed in the edit.")  # fmt: skip


@bp.post("/orders/<int:order_id>/edit/<int:change_id>/note")
def set_note(order_id: int, change_id: int):
    """Save the edit's internal note (staff only; the customer never sees it)."""
    order = _order_and_change(order_id, change_id)
    return _step(order, InternalNoteForm(), lambda form: edits.set_note(
        order, form.expected_version(), change_id, form.internal_note.data or "",
        current_user.email,
    ), "Internal note saved.", "note")  # fmt: skip


@bp.post("/orders/<int:order_id>/edit/<int:change_id>/request")
def request_confirmation(order_id: int, change_id: int):
    """Email the customer the edit to confirm or decline (again, with a new link, if it was
    sent before: the older link stops working)."""
    order = _order_and_change(order_id, change_id)
    return _step(order, StepForm(), lambda form: edits.request_confirmation(
        order, form.expected_version(), change_id, current_user.email,
    ), f"Sent to {order.email} to confirm.")  # fmt: skip


@bp.post("/orders/<int:order_id>/edit/<int:change_id>/confirm")
def confirm(order_id: int, change_id: int):
    """Apply the edit now, without the customer (staff's second click, under "Confirm
    now…"), and show the order with the difference to settle."""
    order = _order_and_change(order_id, change_id)
    return _step(order, StepForm(), lambda form: edits.confirm_change(
        order, form.expected_version(), change_id, current_user.email,
    ), lambda: f"Edit confirmed: the order is now version {order.version}.", "",
        url_for("orders.show_order", order_id=order.id))  # fmt: skip


@bp.post("/orders/<int:order_id>/edit/<int:change_id>/cancel")
def cancel(order_id: int, change_id: int):
    """Call the edit off; the order stays as it is and the customer's link stops working."""
    order = _order_and_change(order_id, change_id)
    return _step(order, StepForm(), lambda form: edits.cancel_change(
        order, form.expected_version(), change_id, current_user.email,
    ), "Edit canceled; the order is unchanged.", "",
        url_for("orders.show_order", order_id=order.id))  # fmt: skip

