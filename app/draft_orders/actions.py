"""Draft orders: staff build an order on a customer's behalf, line by line, then convert it.

A draft is an ``Order`` with status ``draft``. Every change names the version it was made
against (``bump_lock_version``), so two people on one draft never overwrite each other. Each
function is one action; the caller's request commits once.
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import or_, select, update
from sqlalchemy.orm import joinedload

from app.catalog.models import ProductVariant, Promotion, ShippingOption
from app.customers.models import Address, Customer
from app.db_types import utcnow
from app.draft_orders.pricing import promotion_problem_now, reprice
from app.extensions import db
from app.inventory.actions import reserve_order
from app.inventory.calculations import shortage
from app.inventory.queries import stock_at_channel
from app.money import MoneyError, check_amount, format_money, round_money
from app.orders.actions import (
    OrderActionError,
    bump_lock_version,
    record_event,
    refresh_derived,
    take_display_ids,
)
from app.orders.models import LineItem, Order, OrderPromotion, OrderStatus, ShippingMethod
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
    bump_lock_version(draft, expected_version)


def _prices_include_tax(draft: Order) -> bool:
    """Whether the draft's prices include tax: its region says so for every line and shipping
    method, catalogue or custom, as it does for imported orders (a catalogue price in EUR is
    the shelf price in Germany, tax included; the same variant's USD price has tax added)."""
    return draft.region.is_tax_inclusive if draft.region else False


def _checked_price(price: Decimal, currency: str) -> Decimal:
    try:
        return check_amount(price, currency)
    except MoneyError as error:
        raise OrderActionError(str(error)) from None


def set_customer(
    draft: Order, expected_version: int, *, email: str, first_name: str, last_name: str,
    phone: str, actor: str,
) -> None:  # fmt: skip
    """The customer the draft is for: an existing one by email, else a new one."""
    _editable(draft, expected_version, paid_too=True)  # the total does not change
    email = email.strip().lower()
    customer = db.session.scalar(select(Customer).where(Customer.email == email))
    if customer is None:
        customer = Customer(email=email, first_name=first_name.strip(),
                            last_name=last_name.strip(), phone=phone.strip())  # fmt: skip
        db.session.add(customer)
    _for_customer(draft, customer, actor)


def choose_customer(draft: Order, expected_version: int, customer_id: int, actor: str) -> None:
    """The draft is for an existing customer, picked from the search."""
    _editable(draft, expected_version, paid_too=True)  # the total does not change
    customer = db.session.get(Customer, customer_id)
    if customer is None:
        raise OrderActionError("That customer no longer exists.")
    _for_customer(draft, customer, actor)


def _for_customer(draft: Order, customer: Customer, actor: str) -> None:
    draft.customer = customer
    draft.email = customer.email
    record_event(draft, "draft-order.updated", actor, f"Customer set to {customer.email}")


def set_region(draft: Order, expected_version: int, region: Region, actor: str) -> None:
    """Move the draft to another region: the currency follows, catalogue lines take their
    price in it, every line the region's price style (tax included or added) and its taxes.
    The shipping method goes (options belong to a region)."""
    _editable(draft, expected_version)
    variants = _variants(draft)
    for item in draft.items:
        item.is_tax_inclusive = region.is_tax_inclusive
        variant = variants.get(item.variant_id)
        if variant is None or item.is_custom_price:
            # A price set by hand keeps its figure in the new currency, if the currency can
            # hold it (4.50 cannot be a price in JPY).
            if round_money(item.unit_price, region.currency_code) != item.unit_price:
                raise OrderActionError(
                    f"The price of {item.title} has more decimals than {region.currency_code} "
                    "allows; change or remove the line first."
                )
            continue
        price = variant.price_in(region.currency_code)
        if price is None:
            raise OrderActionError(
                f"{item.title} has no price in {region.currency_code}; remove it first."
            )
        item.unit_price = price
    draft.region = region
    draft.currency_code = region.currency_code
    draft.shipping_methods.clear()
    reprice(draft)
    record_event(draft, "draft-order.updated", actor, f"Region set to {region.name}")


def _variant(variant_id: int) -> ProductVariant | None:
    """A catalogue variant with its product and prices, in one query."""
    return db.session.get(ProductVariant, variant_id, options=[joinedload(ProductVariant.prices)])


def _variants(draft: Order) -> dict[int, ProductVariant]:
    """The catalogue variants of the draft's lines, by id, in one query."""
    ids = {i.variant_id for i in draft.items if i.variant_id is not None}
    if not ids:
        return {}
    return {v.id: v for v in db.session.scalars(
        select(ProductVariant).where(ProductVariant.id.in_(ids)))}  # fmt: skip


def set_delivery(
    draft: Order, expected_version: int, *, shipping: dict[str, str],
    billing: dict[str, str] | None, no_notification: bool, actor: str,
) -> None:  # fmt: skip
    """The shipping address, the billing address (``None``: the same as shipping) and
    whether the customer gets emails about the order."""
    _editable(draft, expected_version, paid_too=True)  # the total does not change
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
        is_tax_inclusive=_prices_include_tax(draft),
        is_custom_price=True,
    )
    draft.items.append(item)
    reprice(draft)
    return item


def add_variant_item(
    draft: Order, expected_version: int, variant_id: int, quantity: int = 1
) -> LineItem:
    """A line for a catalogue variant at its price in the draft's currency, tax included or
    added as the region says. Adding a variant that is already on the draft (at the catalogue
    price) adds to that line's quantity, as a scanner read twice would. Refused beyond the
    stock the sales channel has available, unless the variant allows backorders."""
    _editable(draft, expected_version)
    if quantity < 1:
        raise OrderActionError("The quantity must be at least 1.")
    variant = _variant(variant_id)
    if variant is None:
        raise OrderActionError("That product is no longer in the catalogue.")
    price = variant.price_in(draft.currency_code)
    if price is None:
        raise OrderActionError(f"{variant.full_title} has no price in {draft.currency_code}.")
    item = next((i for i in draft.items
                 if i.variant_id == variant.id and not i.is_custom_price), None)  # fmt: skip
    if item is not None:
        item.quantity += quantity
    else:
        product = variant.product
        item = LineItem(
            title=product.title, subtitle=variant.title, sku=variant.sku or "",
            variant_id=variant.id, thumbnail=product.thumbnail,
            product_type=product.product_type, unit_price=price, quantity=quantity,
            is_tax_inclusive=_prices_include_tax(draft),
        )  # fmt: skip
        draft.items.append(item)
    _refuse_short_stock(draft, item, variant)
    reprice(draft)
    return item


def _line(draft: Order, item_id: int) -> LineItem:
    item = next((i for i in draft.items if i.id == item_id), None)
    if item is None:
        raise OrderActionError("That line is no longer on the draft.")
    return item


def update_line(
    draft: Order, expected_version: int, item_id: int, *, quantity: int, unit_price: Decimal,
) -> None:  # fmt: skip
    """Change a line's quantity or unit price in place; more units than the sales channel has
    available are refused, unless the variant allows backorders."""
    _editable(draft, expected_version)
    if quantity < 1:
        raise OrderActionError("The quantity must be at least 1; remove the line instead.")
    item = _line(draft, item_id)
    more = quantity > item.quantity
    item.quantity = quantity
    unit_price = _checked_price(unit_price, draft.currency_code)
    variant = _variant(item.variant_id) if item.variant_id is not None else None
    if not item.is_custom_price:
        # Staff keep a line's price by hand when it differs from the catalogue's now, even if
        # it is the price the line already had (the catalogue changed since).
        catalogue_price = variant.price_in(draft.currency_code) if variant else None
        item.is_custom_price = unit_price != catalogue_price
    item.unit_price = unit_price
    if more and variant is not None:
        _refuse_short_stock(draft, item, variant)
    reprice(draft)


def remove_line(draft: Order, expected_version: int, item_id: int) -> None:
    """Take a line off the draft."""
    _editable(draft, expected_version)
    draft.items.remove(_line(draft, item_id))
    reprice(draft)


def apply_promotion(draft: Order, expected_version: int, code: str, actor: str) -> None:
    """Apply a promotion code, or refuse it with the reason: unknown, not active, not started,
    expired, used up, another currency, or the minimum subtotal not reached."""
    _editable(draft, expected_version)
    code = code.strip().upper()
    if not code:
        raise OrderActionError("Enter a promotion code.")
    promotion = db.session.scalar(select(Promotion).where(Promotion.code == code))
    if promotion is None:
        raise OrderActionError(f"There is no promotion with the code {code}.")
    if any(p.promotion_id == promotion.id for p in draft.promotions):
        raise OrderActionError(f"Code {code} is already applied.")
    problem = promotion_problem_now(draft, promotion)
    if problem:
        raise OrderActionError(problem)
    draft.promotions.append(OrderPromotion(promotion=promotion, code=promotion.code))
    reprice(draft)
    record_event(draft, "draft-order.updated", actor, f"Promotion {code} applied")


def remove_promotion(draft: Order, expected_version: int, code: str, actor: str) -> None:
    """Take a promotion code off the draft, and its discounts with it."""
    _editable(draft, expected_version)
    code = code.strip().upper()
    applied = next((p for p in draft.promotions if p.code == code), None)
    if applied is None:
        raise OrderActionError(f"Code {code} is not applied to this draft.")
    draft.promotions.remove(applied)
    reprice(draft)
    record_event(draft, "draft-order.updated", actor, f"Promotion {code} removed")


def set_shipping_option(
    draft: Order, expected_version: int, option_id: int | None, actor: str
) -> None:
    """Ship by one of the region's active options (``None``: no shipping)."""
    _editable(draft, expected_version)
    draft.shipping_methods.clear()
    if option_id is not None:
        option = db.session.get(ShippingOption, option_id)
        if option is None or not option.is_active or option.region_id != draft.region_id:
            raise OrderActionError("That shipping option is not offered in this region.")
        draft.shipping_methods.append(ShippingMethod(
            name=option.name, amount=option.amount, shipping_option_id=option.id,
            is_tax_inclusive=_prices_include_tax(draft),
        ))  # fmt: skip
    reprice(draft)
    chosen = draft.shipping_methods[0].name if draft.shipping_methods else "none"
    record_event(draft, "draft-order.updated", actor, f"Shipping set to {chosen}")


def contents_problems(draft: Order) -> list[str]:
    """What stops the draft from becoming an order as it stands: an applied promotion that no
    longer holds, a catalogue line whose price changed since it was added (unless staff set
    that price by hand), or more units than the stock has (taken by other orders since)."""
    problems = [
        problem for applied in draft.promotions
        if (problem := promotion_problem_now(draft, applied.promotion))
    ]  # fmt: skip
    variants = _variants(draft)
    for item in draft.items:
        variant = variants.get(item.variant_id)
        if item.variant_id is None or item.is_custom_price:
            continue
        price = variant.price_in(draft.currency_code) if variant else None
        if price is None:
            problems.append(f"{item.title} is no longer sold in {draft.currency_code}.")
        elif price != item.unit_price:
            problems.append(
                f"The catalogue price of {item.title} is now "
                f"{format_money(price, draft.currency_code)}; the line has "
                f"{format_money(item.unit_price, draft.currency_code)}. Set the line's price "
                "to the one to charge."
            )
    return problems + _stock_problems(draft, variants)


def _stock_problems(draft: Order, variants: dict[int, ProductVariant],
                    sku: str | None = None) -> list[str]:  # fmt: skip
    """Why the draft's units (of ``sku`` only, when given) could not be held as an order: more
    than the sales channel's locations have available, unless the variant allows backorders,
    or a SKU those locations do not keep. The lines of one SKU count together; one query."""
    ordered: dict[str, int] = {}
    first_lines: dict[str, LineItem] = {}
    for item in draft.items:
        if item.sku and (sku is None or item.sku == sku):
            ordered[item.sku] = ordered.get(item.sku, 0) + item.quantity
            first_lines.setdefault(item.sku, item)
    stock = stock_at_channel(ordered, draft.sales_channel_id)
    problems = []
    for line_sku, item in first_lines.items():
        variant = variants.get(item.variant_id)
        problem = shortage(item.title, line_sku, ordered[line_sku], stock.get(line_sku),
                           variant is not None and variant.allow_backorder)  # fmt: skip
        if problem:
            problems.append(problem)
    return problems


def _refuse_short_stock(draft: Order, item: LineItem, variant: ProductVariant) -> None:
    """Refuse a change that leaves the draft with more units of the line's SKU (the variant's)
    than can be sold."""
    if item.sku:
        problems = _stock_problems(draft, {variant.id: variant}, item.sku)
        if problems:
            raise OrderActionError(" ".join(problems))


def _refuse_problems(draft: Order, what: str) -> None:
    problems = contents_problems(draft)
    if problems:
        raise OrderActionError(f"Cannot {what}: " + " ".join(problems))


def register_payment(draft: Order, expected_version: int, *, captured: bool, actor: str) -> None:
    """Record the customer's payment of the draft's total with the manual provider: captured
    when they paid now, authorized when they pay later."""
    _editable(draft, expected_version)
    if not draft.items:
        raise OrderActionError("Add an item before taking a payment.")
    _refuse_problems(draft, "take the payment")
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
    _refuse_problems(draft, "convert")
    for applied in draft.promotions:
        _use_promotion(applied)
    draft.status = OrderStatus.PENDING
    draft.converted_at = utcnow()
    reserve_order(draft)
    refresh_derived(draft)
    record_event(draft, "draft-order.converted", actor, f"Draft #{draft.display_id} converted")
    record_event(draft, "order.placed", actor, "Order placed from a draft")


def _use_promotion(applied: OrderPromotion) -> None:
    """Count one more use of the promotion, refusing if another order just took the last one:
    the condition is checked by the UPDATE itself, so two conversions cannot both pass."""
    promotion = Promotion.__table__
    result = db.session.execute(
        update(promotion)
        .where(promotion.c.id == applied.promotion_id,
               or_(promotion.c.usage_limit.is_(None),
                   promotion.c.usage_count < promotion.c.usage_limit))
        .values(usage_count=promotion.c.usage_count + 1)
    )  # fmt: skip
    if result.rowcount != 1:
        raise OrderActionError(
            f"Code {applied.code} was used up by another order a moment ago; remove it first."
        )


def void_payment(draft: Order, expected_version: int, actor: str) -> None:
    """Call off the payment registered for the draft, so its contents can change again."""
    _editable(draft, expected_version, paid_too=True)
    if not draft.payments:
        raise OrderActionError("No payment is registered for this draft.")
    for payment in draft.payments:
        provider(payment.provider_id).cancel()
    draft.payments.clear()
    refresh_derived(draft)
    record_event(draft, "draft-order.payment_voided", actor, "Payment voided")


def cancel_draft(draft: Order, expected_version: int, actor: str) -> None:
    """Call the draft off; it stays in the list as canceled."""
    _editable(draft, expected_version, paid_too=True)
    draft.canceled_at = utcnow()
    record_event(draft, "draft-order.canceled", actor, "Draft canceled")


def delete_draft(draft: Order, expected_version: int) -> None:
    """Throw an open or canceled draft away for good (a converted one is an order now)."""
    if draft_state(draft) == "converted":
        raise OrderActionError("This draft is an order now and cannot be deleted.")
    bump_lock_version(draft, expected_version)
    db.session.delete(draft)
