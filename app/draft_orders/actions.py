"""Draft orders: staff build an order on a customer's behalf, line by line, then convert it.

A draft is an ``Order`` with status ``draft``. Every change names the version it was made
against (``bump_version``), so two people on one draft never overwrite each other. Each
function is one action; the caller's request commits once.
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from app.customers.models import Address, Customer
from app.db_types import utcnow
from app.extensions import db
from app.money import format_money, precision, round_money
from app.orders.actions import (
    OrderActionError,
    bump_version,
    record_event,
    refresh_derived,
    take_display_ids,
)
from app.orders.models import LineItem, LineItemTaxLine, Order, OrderStatus
from app.payments.models import Capture, Payment
from app.payments.providers import ManualProvider, provider
from app.store.models import Region, SalesChannel


def draft_state(order: Order) -> str:
    """``open``, ``canceled`` or ``converted``: where a draft stands."""
    if order.converted_at is not None:
        return "converted"
    return "canceled" if order.canceled_at is not None else "open"


def create_draft(actor: str) -> Order:
    """A new, empty draft in the first region and the default sales channel."""
    region = db.session.scalar(select(Region).order_by(Region.id).limit(1))
    channel = db.session.scalar(select(SalesChannel).where(SalesChannel.is_default))
    draft = Order(
        display_id=take_display_ids(1)[0],
        status=OrderStatus.DRAFT,
        email="",
        region=region,
        currency_code=region.currency_code if region else "USD",
        sales_channel=channel,
    )
    db.session.add(draft)
    refresh_derived(draft)
    record_event(draft, "draft-order.created", actor, "Draft created")
    return draft


def _editable(draft: Order, expected_version: int, *, paid_too: bool = False) -> None:
    """Refuse changes to a draft that is no longer open, or (unless ``paid_too``) that has a
    payment registered for its current total; then take the next version."""
    if draft_state(draft) != "open":
        raise OrderActionError(f"This draft is {draft_state(draft)} and can no longer change.")
    if draft.payments and not paid_too:
        raise OrderActionError(
            "A payment is registered for this draft's total, so its contents are fixed. "
            "Convert it to an order, or cancel it and start again."
        )
    bump_version(draft, expected_version)


def _region_tax_lines(region: Region | None) -> list[LineItemTaxLine]:
    rates = [r for r in region.tax_rates if r.is_default] if region else []
    return [LineItemTaxLine(code=r.code, name=r.name, rate=r.rate) for r in rates]


def _checked_price(price: Decimal, currency: str) -> Decimal:
    if price < 0:
        raise OrderActionError("A price cannot be negative.")
    if round_money(price, currency) != price:
        raise OrderActionError(f"{currency} prices have at most {precision(currency)} decimals.")
    return price


def set_customer(
    draft: Order, expected_version: int, *, email: str, first_name: str, last_name: str,
    phone: str, actor: str,
) -> None:  # fmt: skip
    """The customer the draft is for: an existing one by email, else a new one."""
    _editable(draft, expected_version)
    email = email.strip().lower()
    customer = db.session.scalar(select(Customer).where(Customer.email == email))
    if customer is None:
        customer = Customer(email=email, first_name=first_name.strip(),
                            last_name=last_name.strip(), phone=phone.strip())  # fmt: skip
        db.session.add(customer)
    draft.customer = customer
    draft.email = email
    record_event(draft, "draft-order.updated", actor, f"Customer set to {email}")


def set_region(draft: Order, expected_version: int, region: Region, actor: str) -> None:
    """Move the draft to another region: the currency follows, and the lines take the new
    region's taxes and price style."""
    _editable(draft, expected_version)
    draft.region = region
    draft.currency_code = region.currency_code
    for item in draft.items:
        item.is_tax_inclusive = region.is_tax_inclusive
        item.tax_lines = _region_tax_lines(region)
    refresh_derived(draft)
    record_event(draft, "draft-order.updated", actor, f"Region set to {region.name}")


def set_delivery(
    draft: Order, expected_version: int, *, shipping: dict[str, str],
    billing: dict[str, str] | None, no_notification: bool, actor: str,
) -> None:  # fmt: skip
    """The shipping address, the billing address (``None``: the same as shipping) and
    whether the customer gets emails about the order."""
    _editable(draft, expected_version)
    draft.shipping_address = _address(shipping)
    draft.billing_address = _address(billing if billing is not None else shipping)
    draft.no_notification = no_notification
    record_event(draft, "draft-order.updated", actor, "Addresses set")


def _address(fields: dict[str, str]) -> Address:
    values = {name: (fields.get(name) or "").strip() for name in Address.FIELDS}
    values["country_code"] = values["country_code"].lower()
    return Address(**values)


def add_custom_item(
    draft: Order, expected_version: int, *, title: str, unit_price: Decimal, quantity: int,
    actor: str,
) -> LineItem:  # fmt: skip
    """A line for something not in the catalogue, taxed as the region taxes."""
    _editable(draft, expected_version)
    if quantity < 1:
        raise OrderActionError("The quantity must be at least 1.")
    item = LineItem(
        title=title.strip(),
        unit_price=_checked_price(unit_price, draft.currency_code),
        quantity=quantity,
        is_tax_inclusive=draft.region.is_tax_inclusive if draft.region else False,
        tax_lines=_region_tax_lines(draft.region),
    )
    draft.items.append(item)
    refresh_derived(draft)
    return item


def _line(draft: Order, item_id: int) -> LineItem:
    item = next((i for i in draft.items if i.id == item_id), None)
    if item is None:
        raise OrderActionError("That line is no longer on the draft.")
    return item


def update_line(
    draft: Order, expected_version: int, item_id: int, *, quantity: int, unit_price: Decimal,
) -> None:  # fmt: skip
    """Change a line's quantity or unit price in place."""
    _editable(draft, expected_version)
    if quantity < 1:
        raise OrderActionError("The quantity must be at least 1; remove the line instead.")
    item = _line(draft, item_id)
    item.quantity = quantity
    item.unit_price = _checked_price(unit_price, draft.currency_code)
    refresh_derived(draft)


def remove_line(draft: Order, expected_version: int, item_id: int) -> None:
    """Take a line off the draft."""
    _editable(draft, expected_version)
    draft.items.remove(_line(draft, item_id))
    refresh_derived(draft)


def register_payment(draft: Order, expected_version: int, *, captured: bool, actor: str) -> None:
    """Record the customer's payment of the draft's total with the manual provider: captured
    when they paid now, authorized when they pay later."""
    _editable(draft, expected_version)
    if not draft.items:
        raise OrderActionError("Add an item before taking a payment.")
    total = draft.totals.total
    manual = provider(ManualProvider.id)
    manual.authorize(total, draft.currency_code)
    payment = Payment(provider_id=manual.id, currency_code=draft.currency_code, amount=total)
    if captured:
        manual.capture(total, draft.currency_code)
        payment.captures.append(Capture(amount=total, created_by=actor))
    draft.payments.append(payment)
    refresh_derived(draft)
    how = "paid" if captured else "to be paid later (authorized)"
    record_event(draft, "draft-order.payment_registered", actor,
                 f"Payment of {format_money(total, draft.currency_code)} {how}")  # fmt: skip


def convert_draft(draft: Order, expected_version: int, actor: str) -> None:
    """Turn the draft into an order: status ``pending``, same display id, now in the order
    list and no longer editable."""
    _editable(draft, expected_version, paid_too=True)
    if not draft.items:
        raise OrderActionError("A draft needs at least one item to become an order.")
    if not draft.email:
        raise OrderActionError("Set the customer's email before converting.")
    if not draft.payments:
        raise OrderActionError("Register a payment (paid now or later) before converting.")
    draft.status = OrderStatus.PENDING
    draft.converted_at = utcnow()
    refresh_derived(draft)
    record_event(draft, "draft-order.converted", actor, f"Draft #{draft.display_id} converted")
    record_event(draft, "order.placed", actor, "Order placed from a draft")


def cancel_draft(draft: Order, expected_version: int, actor: str) -> None:
    """Call the draft off; it stays in the list as canceled."""
    _editable(draft, expected_version, paid_too=True)
    draft.canceled_at = utcnow()
    record_event(draft, "draft-order.canceled", actor, "Draft canceled")


def delete_draft(draft: Order, expected_version: int) -> None:
    """Throw an open or canceled draft away for good (a converted one is an order now)."""
    if draft_state(draft) == "converted":
        raise OrderActionError("This draft is an order now and cannot be deleted.")
    bump_version(draft, expected_version)
    db.session.delete(draft)
