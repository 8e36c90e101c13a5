"""Staff pages of draft orders: the list and the builder."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required
from jinja2_fragments.flask import render_blocks
from sqlalchemy import or_, select
from wtforms import SelectChoice

from app.catalog.models import ShippingOption
from app.customers.models import Address
from app.draft_orders import actions
from app.draft_orders.forms import (
    ChooseCustomerForm,
    CustomerForm,
    CustomItemForm,
    DeliveryForm,
    DraftActionForm,
    LineForm,
    PromotionForm,
    RegionForm,
    ShippingForm,
    VariantItemForm,
    VersionedForm,
)
from app.draft_orders.pricing import promotion_problem_now
from app.draft_orders.queries import draft_for_builder, find_customers, variant_results
from app.extensions import db
from app.htmx import is_htmx, render_page_or_block
from app.orders.actions import OrderActionError
from app.orders.actions import add_note as record_note
from app.orders.forms import NoteForm
from app.orders.models import Order, OrderStatus
from app.orders.queries import CursorError, paginate, search, search_text
from app.store.models import Region
from app.transactions import end_refused

bp = Blueprint("draft_orders", __name__, url_prefix="/draft-orders")

#: The draft list's tabs.
STATES = ("open", "converted", "canceled")


@bp.before_request
@login_required
def require_staff() -> None:
    """Every draft page is for logged-in staff only."""


def _drafts(state: str, q: str):
    stmt = select(Order).where(or_(Order.status == OrderStatus.DRAFT,
                                   Order.converted_at.is_not(None)))  # fmt: skip
    if state == "open":
        stmt = stmt.where(Order.status == OrderStatus.DRAFT, Order.canceled_at.is_(None))
    elif state == "canceled":
        stmt = stmt.where(Order.status == OrderStatus.DRAFT, Order.canceled_at.is_not(None))
    elif state == "converted":
        stmt = stmt.where(Order.converted_at.is_not(None))
    return search(stmt, q) if q else stmt


@bp.get("")
def list_drafts():
    """Drafts, newest first: open, converted or canceled, with search and cursor pages."""
    state = request.args.get("state", "open")
    errors = {}
    if state not in STATES:
        errors["state"] = "must be one of: " + ", ".join(STATES)
        state = "open"
    try:
        q = search_text(request.args.get("q", "").strip())
    except ValueError as error:
        errors["q"], q = str(error), ""
    stmt, size = _drafts(state, q), current_app.config["ORDERS_PAGE_SIZE"]
    try:
        page = paginate(stmt, "-created_at", request.args.get("cursor") or None, size)
    except CursorError as error:
        errors["cursor"] = str(error)
        page = paginate(stmt, "-created_at", None, size)
    return render_page_or_block(
        "draft_orders/list.html", "results", status=400 if errors else 200,
        page=page, state=state, q=q, states=STATES, errors=errors,
        new_form=DraftActionForm(formdata=None),
    )  # fmt: skip


@bp.post("")
def create_draft():
    """Start a new draft and open it in the builder (CSRFProtect guards the POST)."""
    draft = actions.create_draft(current_user.email)
    db.session.commit()
    return redirect(url_for("draft_orders.show_draft", draft_id=draft.id))


def _draft_or_404(draft_id: int, parts=None) -> Order:
    """The draft, loaded for the builder ``parts`` that will be shown (all on a full page)."""
    shown = parts if parts is not None and is_htmx() else PARTS
    draft = draft_for_builder(draft_id, with_timeline="notes" in shown)
    if draft is None:
        abort(404)
    return draft


#: The builder's parts, each an element with its own id that htmx swaps out of band: a change
#: answers with the parts it touched, always with the draft's new version and the message.
PARTS = ("heading", "items", "summary", "customer", "delivery", "region", "notes", "draft_actions")
#: Parts that show the draft's contents or their totals.
CONTENTS = ("items", "summary")


def _builder(draft: Order, status: int = 200, message: str = "", parts=PARTS,
             refused_line: int | None = None, **forms):  # fmt: skip
    """The builder page; for htmx only ``parts`` of it (out of band). Only the forms of the
    parts shown are built, fresh unless given. ``refused_line``: the line whose change the
    message refuses; it is shown with the figures it kept and the message beside it."""
    htmx = is_htmx()
    shown = parts if htmx else PARTS
    context = {
        "draft": draft,
        "order": draft,
        "state": actions.draft_state(draft),
        "message": message,
        "message_is_error": status >= 400,
        "refused_item": next((i for i in draft.items if i.id == refused_line), None),
    }
    versioned = []
    if "items" in shown:
        context |= {
            "item_form": forms.get("item_form") or CustomItemForm(formdata=None),
            "promotion_form": forms.get("promotion_form") or PromotionForm(formdata=None),
            "promotion_problems": {
                p.code: problem for p in draft.promotions
                if (problem := promotion_problem_now(draft, p.promotion))
            },
            "shipping_options": _shipping_options(draft),
        }  # fmt: skip
        versioned += [context["item_form"], context["promotion_form"]]
    if "customer" in shown:
        customer = draft.customer
        context["customer_form"] = forms.get("customer_form") or CustomerForm(
            formdata=None, email=draft.email,
            first_name=customer.first_name if customer else "",
            last_name=customer.last_name if customer else "",
            phone=customer.phone if customer else "",
        )  # fmt: skip
        versioned.append(context["customer_form"])
    if "delivery" in shown:
        context["delivery_form"] = forms.get("delivery_form") or _delivery_form(draft)
        versioned.append(context["delivery_form"])
    if "region" in shown:
        regions = db.session.scalars(select(Region).order_by(Region.name))
        form = forms.get("region_form") or RegionForm(formdata=None, region=draft.region_id)
        form.region.choices = [SelectChoice(r.id, f"{r.name} ({r.currency_code})") for r in regions]
        context["region_form"] = form
        versioned.append(form)
    if "notes" in shown:
        context["note_form"] = forms.get("note_form") or NoteForm(formdata=None)
        context["note_url"] = url_for("draft_orders.add_note", draft_id=draft.id)
    for form in versioned:
        # Whatever was submitted, the next change is made against what the page shows now.
        form.lock_version.data = draft.lock_version
    if htmx:
        body = render_blocks("draft_orders/builder.html", ["version", "message", *parts],
                             oob=True, **context)  # fmt: skip
    else:
        body = render_template("draft_orders/builder.html", **context)
    response = make_response(body, status)
    response.vary.add("HX-Request")
    return response


def _shipping_options(draft: Order) -> list[ShippingOption]:
    return [o for o in draft.region.shipping_options if o.is_active] if draft.region else []


def _delivery_form(draft: Order) -> DeliveryForm:
    def values(address):
        return {name: getattr(address, name) for name in Address.FIELDS} if address else {}

    shipping, billing = values(draft.shipping_address), values(draft.billing_address)
    return DeliveryForm(formdata=None, data={
        "shipping": shipping, "billing": billing, "no_notification": draft.no_notification,
        "billing_same": not draft.billing_address or billing == shipping,
    })  # fmt: skip


@bp.get("/<int:draft_id>")
def show_draft(draft_id: int):
    """The builder: customer, region, lines and totals, each change a small request."""
    draft = _draft_or_404(draft_id)
    if draft.converted_at is not None:
        return redirect(url_for("orders.show_order", order_id=draft.id))
    return _builder(draft)


def _apply(draft_id: int, form: VersionedForm, change, form_name: str, success: str = "",
           parts=CONTENTS, line_id: int | None = None):  # fmt: skip
    """Validate ``form``, make ``change`` against the version it carries, commit; answer with
    the builder's ``parts`` (htmx) or redirect back to it (plain form), with the problem if
    there was one. A stale version answers with the whole current state. ``line_id``: the
    line the form changes, named in a refusal."""
    draft = _draft_or_404(draft_id, parts)
    if not form.validate_on_submit():
        problem = _typed_problems(form) if line_id is not None else form.problems()
        return _builder(draft, 422, problem, parts, line_id, **{form_name: form})
    try:
        change(draft, form)
        db.session.flush()
    except OrderActionError as error:
        if end_refused(error) == 409:
            return _builder(_draft_or_404(draft_id), 409, str(error))
        return _builder(_draft_or_404(draft_id, parts), 422, str(error), parts, line_id,
                        **{form_name: form})  # fmt: skip
    if is_htmx():
        # Answered from the draft as the change left it, before the commit expires it: loading
        # it again would double the request's work.
        response = _builder(draft, message=success, parts=parts)
        db.session.commit()
        return response
    db.session.commit()
    if success:
        flash(success, "success")
    return redirect(url_for("draft_orders.show_draft", draft_id=draft_id))


def _typed_problems(form: LineForm) -> str:
    """Why a line's figures were refused, quoting what was typed: the line shows the figures it
    kept in their place, so the message is where the typed value still reads."""
    problems = [
        f"{field.label.text} “{field.raw_data[0] if field.raw_data else ''}”: {field.errors[0]}"
        for field in (form.quantity, form.unit_price) if field.errors
    ]  # fmt: skip
    return " ".join(problems) or form.problems()


@bp.get("/<int:draft_id>/customers")
def search_customers(draft_id: int):
    """Customers matching what was typed so far, to pick from."""
    customers = find_customers(request.args.get("q", "")[:200])
    return render_template("draft_orders/_customer_results.html", customers=customers)


@bp.post("/<int:draft_id>/customer/choose")
def choose_customer(draft_id: int):
    """Make the draft for a customer picked from the search."""
    return _apply(draft_id, ChooseCustomerForm(), lambda draft, form: actions.choose_customer(
        draft, form.expected_version(), form.customer_id.data, current_user.email,
    ), "action_form", "Customer saved.", ("customer",))  # fmt: skip


@bp.post("/<int:draft_id>/customer")
def set_customer(draft_id: int):
    """Set who the draft is for: an existing customer by email, else a new one."""
    return _apply(draft_id, CustomerForm(), lambda draft, form: actions.set_customer(
        draft, form.expected_version(), email=form.email.data,
        first_name=form.first_name.data or "", last_name=form.last_name.data or "",
        phone=form.phone.data or "", actor=current_user.email,
    ), "customer_form", "Customer saved.", ("customer",))  # fmt: skip


@bp.post("/<int:draft_id>/delivery")
def set_delivery(draft_id: int):
    """Set the shipping and billing addresses and the notification choice."""
    form = DeliveryForm()

    def change(draft, form):
        actions.set_delivery(
            draft, form.expected_version(), shipping=form.shipping.data,
            billing=None if form.billing_same.data else form.billing.data,
            no_notification=form.no_notification.data, actor=current_user.email,
        )  # fmt: skip

    return _apply(draft_id, form, change, "delivery_form", "Addresses saved.", ("delivery",))


@bp.post("/<int:draft_id>/region")
def set_region(draft_id: int):
    """Move the draft to another region (and so currency)."""
    form = RegionForm()
    form.region.choices = [SelectChoice(r.id, r.name) for r in db.session.scalars(select(Region))]

    def change(draft, form):
        actions.set_region(draft, form.expected_version(), db.session.get(Region, form.region.data),
                           current_user.email)  # fmt: skip

    return _apply(draft_id, form, change, "region_form", parts=PARTS)


@bp.get("/<int:draft_id>/variants")
def search_variants(draft_id: int):
    """Catalogue variants matching what was typed or scanned so far, with their price in the
    draft's currency and the stock its sales channel has available; the first is highlighted,
    so Enter adds it."""
    return variant_search_answer(Order.id == draft_id, Order.status == OrderStatus.DRAFT)


def variant_search_answer(*which):
    """The search results for what was typed (``q``), priced in the currency of the order
    ``which`` picks and with the stock its sales channel has available; 404 when no order
    matches. The builder and the order edit page answer their searches with it."""
    order = db.session.execute(select(Order.currency_code, Order.sales_channel_id)
                               .where(*which)).one_or_none()  # fmt: skip
    if order is None:
        abort(404)
    return render_template(
        "draft_orders/_variant_results.html", currency=order.currency_code,
        **variant_results(request.args.get("q", ""), order.sales_channel_id),
    )  # fmt: skip


@bp.post("/<int:draft_id>/items/variant")
def add_variant(draft_id: int):
    """Add the highlighted search result, or, when Enter came before the results (a scanner),
    the best match for what was typed."""
    form = VariantItemForm()

    return _apply(draft_id, form, lambda draft, form: actions.add_variant_item(
        draft, form.expected_version(), form.chosen_variant_id()), "action_form")


@bp.post("/<int:draft_id>/items")
def add_item(draft_id: int):
    """Add a custom item (one that is not in the catalogue)."""
    return _apply(draft_id, CustomItemForm(), lambda draft, form: actions.add_custom_item(
        draft, form.expected_version(), title=form.title.data, unit_price=form.unit_price.data,
        quantity=form.quantity.data, actor=current_user.email,
    ), "item_form")  # fmt: skip


@bp.post("/<int:draft_id>/items/<int:item_id>")
def update_item(draft_id: int, item_id: int):
    """Change a line's quantity or price in place; a refusal shows the line as it stays."""
    form = LineForm()

    def change(draft, form):
        actions.update_line(
            draft, form.expected_version(), item_id,
            quantity=form.quantity.data, unit_price=form.unit_price.data,
        )  # fmt: skip

    return _apply(draft_id, form, change, "line_form", line_id=item_id)


@bp.post("/<int:draft_id>/items/<int:item_id>/remove")
def remove_item(draft_id: int, item_id: int):
    """Take a line off the draft."""
    return _apply(draft_id, DraftActionForm(), lambda draft, form: actions.remove_line(
        draft, form.expected_version(), item_id), "action_form")  # fmt: skip


@bp.post("/<int:draft_id>/promotions")
def apply_promotion(draft_id: int):
    """Apply a promotion code; a code that cannot be used is refused with the reason."""
    form = PromotionForm()

    def change(draft, form):
        actions.apply_promotion(draft, form.expected_version(), form.code.data,
                                current_user.email)  # fmt: skip

    code = (form.code.data or "").strip().upper()
    return _apply(draft_id, form, change, "promotion_form",
                  f"Code {code} applied." if code else "")  # fmt: skip


@bp.post("/<int:draft_id>/promotions/remove")
def remove_promotion(draft_id: int):
    """Take a promotion code off the draft."""
    return _apply(draft_id, PromotionForm(), lambda draft, form: actions.remove_promotion(
        draft, form.expected_version(), form.code.data, current_user.email,
    ), "action_form", "Code removed.")  # fmt: skip


@bp.post("/<int:draft_id>/shipping")
def set_shipping(draft_id: int):
    """Choose the shipping option (or none)."""
    return _apply(draft_id, ShippingForm(), lambda draft, form: actions.set_shipping_option(
        draft, form.expected_version(), form.option_id.data, current_user.email,
    ), "action_form")  # fmt: skip


@bp.post("/<int:draft_id>/payment")
def register_payment(draft_id: int):
    """Record the payment of the draft's total: paid now, or authorized to be paid later."""
    captured = request.form.get("mode") != "later"

    def change(draft, form):
        actions.register_payment(draft, form.expected_version(), captured=captured,
                                 actor=current_user.email)  # fmt: skip

    return _apply(draft_id, DraftActionForm(), change, "action_form", "Payment registered.",
                  PARTS)  # fmt: skip


@bp.post("/<int:draft_id>/payment/void")
def void_payment(draft_id: int):
    """Call off the registered payment so the draft can change again."""
    return _apply(draft_id, DraftActionForm(), lambda draft, form: actions.void_payment(
        draft, form.expected_version(), current_user.email,
    ), "action_form", "Payment voided; the draft can change again.", PARTS)  # fmt: skip


@bp.post("/<int:draft_id>/notes")
def add_note(draft_id: int):
    """An internal note on the draft; it is not a change to the draft, so needs no version."""
    draft = _draft_or_404(draft_id)
    form = NoteForm()
    status = 422
    if form.validate_on_submit():
        record_note(draft, form.text.data, current_user.email)
        db.session.commit()
        if not is_htmx():
            flash("Note added.", "success")
            return redirect(url_for("draft_orders.show_draft", draft_id=draft_id))
        status, form = 200, NoteForm(formdata=None)
    note_url = url_for("draft_orders.add_note", draft_id=draft_id)
    if is_htmx():
        return render_template("orders/_timeline.html", order=draft, note_form=form,
                               note_url=note_url), status  # fmt: skip
    return _builder(draft, status, "Write something first.", note_form=form)


@bp.post("/<int:draft_id>/convert")
def convert(draft_id: int):
    """Turn the draft into an order and show that order."""
    return _finish(draft_id, lambda draft, form: actions.convert_draft(
        draft, form.expected_version(), current_user.email),
        "Draft #{} is now an order.", lambda: url_for("orders.show_order", order_id=draft_id),
    )  # fmt: skip


@bp.post("/<int:draft_id>/cancel")
def cancel(draft_id: int):
    """Cancel the draft; it stays listed as canceled."""
    def change(draft, form):
        actions.cancel_draft(draft, form.expected_version(), current_user.email)

    return _apply(draft_id, DraftActionForm(), change, "action_form", "Draft canceled.", PARTS)


@bp.post("/<int:draft_id>/delete")
def delete(draft_id: int):
    """Delete the draft for good."""
    return _finish(draft_id, lambda draft, form: actions.delete_draft(
        draft, form.expected_version()),
        "Draft #{} deleted.", lambda: url_for("draft_orders.list_drafts"),
    )  # fmt: skip


def _finish(draft_id: int, change, success: str, location):
    """A change after which the builder is left (converted, deleted): on success go to
    ``location()``; on a refusal show the builder with the reason."""
    draft = _draft_or_404(draft_id)
    form = DraftActionForm()
    try:
        if not form.validate_on_submit():
            raise OrderActionError("This form is incomplete; reload the page.")
        change(draft, form)
    except OrderActionError as error:
        status = end_refused(error)
        return _builder(_draft_or_404(draft_id), status, str(error))
    display_id = draft.display_id
    db.session.commit()
    flash(success.format(display_id), "success")
    if is_htmx():
        # A redirect would be followed inside the XHR; htmx loads the page itself instead.
        return "", 200, {"HX-Redirect": location()}
    return redirect(location())
