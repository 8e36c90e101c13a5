"""Orders from other systems, saved in batches.

``import_orders`` reads each payload with ``app.orders.import_payload.parse_order``, resolves
regions and sales channels, skips orders whose ``external_id`` the sales channel already has,
and saves each remaining order whole or not at all. It does not commit: the caller's request
commits once.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError

from app.customers.models import Address, Customer
from app.db_types import utcnow
from app.extensions import db
from app.inventory.actions import reserve_order, tracked_skus
from app.orders.actions import OrderActionError, record_event, refresh_derived, take_display_ids
from app.orders.import_payload import FieldError, OrderInput, parse_order
from app.orders.models import (
    CreditLine,
    LineItem,
    LineItemAdjustment,
    LineItemTaxLine,
    Order,
    OrderStatus,
    ShippingMethod,
    ShippingMethodAdjustment,
    ShippingMethodTaxLine,
)
from app.payments.models import Capture, Payment
from app.store.models import Region, SalesChannel


@dataclass(frozen=True)
class ImportResult:
    """What became of one order of a batch: ``created``, ``existing`` or ``invalid``."""

    index: int
    status: str
    order_id: int | None = None
    display_id: int | None = None
    errors: tuple[FieldError, ...] = ()


@dataclass(frozen=True)
class _Placement:
    """A valid order with the region and sales channel it goes to."""

    index: int
    order: OrderInput
    region_id: int | None
    sales_channel_id: int | None

    @property
    def key(self) -> tuple[int | None, str] | None:
        """What makes the order the same as one imported before, if it has an external id."""
        if self.order.external_id is None:
            return None
        return (self.sales_channel_id, self.order.external_id)


class _Store:
    """The store's regions and sales channels, read once per batch."""

    def __init__(self) -> None:
        self.regions = list(db.session.scalars(select(Region)))
        self.channels = list(db.session.scalars(select(SalesChannel)))
        self.default_channel = next((c for c in self.channels if c.is_default), None)

    def place(self, index: int, order: OrderInput) -> _Placement | list[FieldError]:
        """The order's region and sales channel, or what is wrong with the ones it names."""
        errors = []
        if order.region is None:
            # Without a region, the currency names it when exactly one region uses it.
            matching = [r for r in self.regions if r.currency_code == order.currency_code]
            region = matching[0] if len(matching) == 1 else None
        else:
            region = _find(self.regions, order.region)
            if region is None:
                errors.append(FieldError("region", f"no region has the {_describe(order.region)}"))
            elif region.currency_code != order.currency_code:
                errors.append(FieldError(
                    "region",
                    f"region {region.name} uses {region.currency_code}, "
                    f"not the order's currency {order.currency_code}",
                ))  # fmt: skip
        channel = self.default_channel
        if order.sales_channel is not None:
            channel = _find(self.channels, order.sales_channel)
            if channel is None:
                errors.append(FieldError(
                    "sales_channel", f"no sales channel has the {_describe(order.sales_channel)}"
                ))  # fmt: skip
        if errors:
            return errors
        return _Placement(
            index=index,
            order=order,
            region_id=region.id if region else None,
            sales_channel_id=channel.id if channel else None,
        )


def _find(rows: Sequence[Region] | Sequence[SalesChannel],
          reference: str | int) -> Region | SalesChannel | None:  # fmt: skip
    if isinstance(reference, int):
        return next((row for row in rows if row.id == reference), None)
    return next((row for row in rows if row.name.casefold() == reference.casefold()), None)


def _describe(reference: str | int) -> str:
    return f"id {reference}" if isinstance(reference, int) else f"name {reference!r}"


def import_orders(payloads: Sequence[object], actor: str) -> list[ImportResult]:
    """Create the valid orders of a batch, each whole or not at all, and say for every order
    what became of it. An order whose ``external_id`` its sales channel already has (from
    before, or earlier in the batch) is not created again."""
    store = _Store()
    results: dict[int, ImportResult] = {}
    placements: list[_Placement] = []
    for index, payload in enumerate(payloads):
        parsed = parse_order(payload)
        placed = store.place(index, parsed) if isinstance(parsed, OrderInput) else parsed
        if isinstance(placed, _Placement):
            placements.append(placed)
        else:
            results[index] = ImportResult(index, "invalid", errors=tuple(placed))

    existing = _existing_orders({p.key for p in placements if p.key})
    first_index: dict[tuple[int | None, str], int] = {}
    new: list[_Placement] = []
    repeats: list[tuple[int, int]] = []
    for placement in placements:
        if placement.key in existing:
            order_id, display_id = existing[placement.key]
            results[placement.index] = ImportResult(
                placement.index, "existing", order_id, display_id
            )
        elif placement.key in first_index:
            repeats.append((placement.index, first_index[placement.key]))
        else:
            if placement.key:
                first_index[placement.key] = placement.index
            new.append(placement)

    if new:
        for result in _save_all(new, actor):
            results[result.index] = result
    for index, first in repeats:
        results[index] = ImportResult(
            index, "existing", results[first].order_id, results[first].display_id
        )
    return [results[index] for index in range(len(payloads))]


def _existing_orders(
    keys: set[tuple[int | None, str]],
) -> dict[tuple[int | None, str], tuple[int, int]]:
    """Id and display id of the orders already imported under these keys, in one query."""
    if not keys:
        return {}
    rows = db.session.execute(
        select(Order.sales_channel_id, Order.external_id, Order.id, Order.display_id).where(
            Order.external_id.in_({external_id for _, external_id in keys})
        )
    )
    found = {(channel_id, external_id): (order_id, display_id)
             for channel_id, external_id, order_id, display_id in rows}  # fmt: skip
    return {key: found[key] for key in keys if key in found}


def _customer_ids(orders: Sequence[OrderInput]) -> dict[str, int]:
    """The customer id for each order email, creating the customers not known yet (with the
    details of their first order); customers who exist are left as they are."""
    rows: dict[str, dict[str, str]] = {}
    for order in orders:
        rows.setdefault(order.email, {
            "email": order.email,
            "first_name": order.customer.first_name,
            "last_name": order.customer.last_name,
            "phone": order.customer.phone,
        })  # fmt: skip
    known = dict(
        db.session.execute(
            select(Customer.email, Customer.id).where(Customer.email.in_(rows))
        ).all()
    )
    missing = [row for email, row in rows.items() if email not in known]
    if missing:
        # ON CONFLICT DO NOTHING: a customer another import creates meanwhile is simply found.
        insert = postgresql_insert if db.engine.dialect.name == "postgresql" else sqlite_insert
        db.session.execute(insert(Customer).on_conflict_do_nothing(), missing)
        created = select(Customer.email, Customer.id).where(
            Customer.email.in_([row["email"] for row in missing])
        )
        known.update(db.session.execute(created).all())
    return known


def _save_all(placements: Sequence[_Placement], actor: str) -> list[ImportResult]:
    """Save new orders, each whole or not at all.

    All of them go in one savepoint first, so that each table gets one multi-row INSERT rather
    than one per order. Should that fail (another request imported one of the external ids
    meanwhile), the savepoint is rolled back and every order is saved in a savepoint of its own.
    """
    customer_ids = _customer_ids([p.order for p in placements])
    tracked = tracked_skus([i.sku for p in placements for i in p.order.items if i.sku])
    planned = [
        (placement, display_id, customer_ids[placement.order.email], tracked)
        for placement, display_id in zip(placements, take_display_ids(len(placements)),
                                         strict=True)
    ]  # fmt: skip
    try:
        with db.session.begin_nested():
            orders = [_add_order(*plan, actor) for plan in planned]
    except (IntegrityError, OrderActionError):
        return [_save(*plan, actor) for plan in planned]
    return [
        ImportResult(placement.index, "created", order.id, order.display_id)
        for (placement, *_), order in zip(planned, orders, strict=True)
    ]


def _add_order(placement: _Placement, display_id: int, customer_id: int, tracked: set[str],
               actor: str) -> Order:  # fmt: skip
    order = _build_order(placement, display_id, customer_id, actor)
    refresh_derived(order)
    db.session.add(order)
    record_event(order, "order.placed", actor, "Order placed through the import API")
    if order.status is not OrderStatus.CANCELED:
        reserve_order(order, tracked)
    return order


def _save(placement: _Placement, display_id: int, customer_id: int, tracked: set[str],
          actor: str) -> ImportResult:  # fmt: skip
    """Save one order whole, in its own savepoint, or find the one that beat it to its key;
    an order whose items are not in stock is not saved."""
    try:
        with db.session.begin_nested():
            order = _add_order(placement, display_id, customer_id, tracked, actor)
    except OrderActionError as error:
        return ImportResult(placement.index, "invalid", errors=(FieldError("items", str(error)),))
    except IntegrityError:
        # Another request imported the same external id after this batch looked for it.
        found = _existing_orders({placement.key}) if placement.key else {}
        if placement.key not in found:
            raise
        order_id, existing_display_id = found[placement.key]
        return ImportResult(placement.index, "existing", order_id, existing_display_id)
    return ImportResult(placement.index, "created", order.id, order.display_id)


def _build_order(placement: _Placement, display_id: int, customer_id: int, actor: str) -> Order:
    """The order with every line, address and payment, not yet added to the session."""
    source = placement.order
    created_at = source.created_at or utcnow()
    currency = source.currency_code
    canceled = source.status is OrderStatus.CANCELED
    return Order(
        display_id=display_id,
        status=source.status,
        email=source.email,
        customer_id=customer_id,
        region_id=placement.region_id,
        currency_code=currency,
        sales_channel_id=placement.sales_channel_id,
        shipping_address=_new_address(source.shipping_address),
        billing_address=_new_address(source.billing_address),
        no_notification=source.no_notification,
        external_id=source.external_id,
        metadata_=source.metadata,
        canceled_at=(source.canceled_at or created_at) if canceled else None,
        created_at=created_at,
        items=[
            LineItem(
                title=item.title,
                sku=item.sku,
                unit_price=item.unit_price,
                quantity=item.quantity,
                is_tax_inclusive=item.is_tax_inclusive,
                tax_lines=[LineItemTaxLine(code=t.code, name=t.name, rate=t.rate)
                           for t in item.tax_lines],
                adjustments=[LineItemAdjustment(code=a.code, amount=a.amount,
                                                description=a.description)
                             for a in item.adjustments],
            )
            for item in source.items
        ],  # fmt: skip
        shipping_methods=[
            ShippingMethod(
                name=method.name,
                amount=method.amount,
                is_tax_inclusive=method.is_tax_inclusive,
                tax_lines=[ShippingMethodTaxLine(code=t.code, name=t.name, rate=t.rate)
                           for t in method.tax_lines],
                adjustments=[ShippingMethodAdjustment(code=a.code, amount=a.amount,
                                                      description=a.description)
                             for a in method.adjustments],
            )
            for method in source.shipping_methods
        ],  # fmt: skip
        credit_lines=[
            CreditLine(amount=c.amount, reference=c.reference, created_at=created_at)
            for c in source.credit_lines
        ],
        gift_card_uses=[],
        payments=[
            Payment(
                provider_id=p.provider_id,
                currency_code=currency,
                amount=p.amount,
                created_at=created_at,
                captures=[Capture(amount=p.amount, created_by=actor, created_at=created_at)]
                if p.status == "captured" else [],
                refunds=[],
            )
            for p in source.payments
        ],  # fmt: skip
        events=[],
    )


def _new_address(fields: Mapping[str, str] | None) -> Address | None:
    return Address(**fields) if fields is not None else None
