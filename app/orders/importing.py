"""Orders from other systems, saved in batches.

``import_orders`` reads each payload with ``app.orders.import_payload.parse_order``, resolves
regions and sales channels, skips orders whose ``external_id`` the sales channel already has,
and saves each remaining order whole or not at all. It does not commit: the caller's request
commits once.

A batch goes in with one bulk insert per table and no ORM objects (``_insert_all``); an
order that cannot go in so is saved alone through the ORM (``_add_order``). Both give an order
the same rows: the column values come from ``_order_values``, the derived columns from
``derived_columns``, the stock holds from the rules of ``app.inventory.actions`` and the
timeline and outbox rows from ``app.orders.actions`` (tests/api/test_api_import_bulk.py).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError

from app.bulk import insert_rows, one_of
from app.customers.models import Address, Customer
from app.db_types import utcnow
from app.extensions import db
from app.fulfillment.calculations import LineQuantities
from app.inventory.actions import NewLine, reserve_order, reserve_orders, tracked_skus
from app.orders.actions import (
    OrderActionError,
    derived_columns,
    record_event,
    record_events,
    refresh_derived,
    take_display_ids,
)
from app.orders.import_payload import (
    AdjustmentInput,
    FieldError,
    OrderInput,
    TaxLineInput,
    parse_order,
)
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
            one_of(Order.external_id, {external_id for _, external_id in keys})
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
            select(Customer.email, Customer.id).where(one_of(Customer.email, rows))
        ).all()
    )
    missing = [row for email, row in rows.items() if email not in known]
    if missing:
        # ON CONFLICT DO NOTHING: a customer another import creates meanwhile is simply found.
        insert = postgresql_insert if db.engine.dialect.name == "postgresql" else sqlite_insert
        db.session.execute(insert(Customer).on_conflict_do_nothing(), missing)
        created = select(Customer.email, Customer.id).where(
            one_of(Customer.email, [row["email"] for row in missing])
        )
        known.update(db.session.execute(created).all())
    return known


#: What the timeline of an imported order says first.
PLACED_MESSAGE = "Order placed through the import API"


def _save_all(placements: Sequence[_Placement], actor: str) -> list[ImportResult]:
    """Save new orders, each whole or not at all.

    All of them go in one savepoint first, with one bulk insert per table (``insert_rows``), no ORM
    objects (``_insert_all``). Should another request have imported some of the external ids
    meanwhile, the savepoint is rolled back, those orders are reported as existing and the
    others go in at once again. Should anything else refuse it (a line that cannot be held as
    it stands), every order is saved in a savepoint of its own, which settles each one.
    """
    customer_ids = _customer_ids([p.order for p in placements])
    tracked = tracked_skus([i.sku for p in placements for i in p.order.items if i.sku])
    try:
        # Worked out before the display ids are taken: concurrent imports queue on that
        # counter until this one commits.
        derived = [_derived(p.order) for p in placements]
    except OrderActionError:
        derived = None
    planned = [
        (placement, display_id, customer_ids[placement.order.email], tracked)
        for placement, display_id in zip(placements, take_display_ids(len(placements)),
                                         strict=True)
    ]  # fmt: skip
    results: list[ImportResult] = []
    while derived is not None and planned:
        try:
            with db.session.begin_nested():
                return results + _insert_all(planned, derived, tracked, actor)
        except OrderActionError:
            break
        except IntegrityError:
            # Another request imported some of the external ids after this batch looked for
            # them: those are existing orders now, and the others go in at once again.
            found = _existing_orders({p.key for p, *_ in planned if p.key})
            if not found:
                break
            results += [ImportResult(p.index, "existing", *found[p.key])
                        for p, *_ in planned if p.key in found]  # fmt: skip
            kept = [i for i, (p, *_) in enumerate(planned) if p.key not in found]
            planned, derived = [planned[i] for i in kept], [derived[i] for i in kept]
    return results + [_save(*plan, actor) for plan in planned]


def _derived(order: OrderInput) -> dict[str, Any]:
    """The derived columns of the order as it is placed (``refresh_derived``)."""
    return derived_columns(order.status, order.totals, [p.figures for p in order.payments],
                           [LineQuantities(quantity=item.quantity) for item in order.items])


#: The tables of an order's rows, parents first.
_ORDER_TABLES = (
    Address, Order, LineItem, LineItemTaxLine, LineItemAdjustment, ShippingMethod,
    ShippingMethodTaxLine, ShippingMethodAdjustment, CreditLine, Payment, Capture,
)  # fmt: skip
#: The tables whose ids ``_insert_all`` hands out itself, so that children can name them, with
#: the count of rows an order has in each.
_NEEDS_IDS = {
    Address: lambda o: (o.shipping_address is not None) + (o.billing_address is not None),
    Order: lambda o: 1,
    LineItem: lambda o: len(o.items),
    ShippingMethod: lambda o: len(o.shipping_methods),
    Payment: lambda o: len(o.payments),
}


def _insert_all(planned: Sequence[tuple[_Placement, int, int, set[str]]],
                derived: Sequence[dict[str, Any]], tracked: set[str],
                actor: str) -> list[ImportResult]:  # fmt: skip
    """Insert the orders with every row ``_add_order`` gives them, as it gives them (same
    values, same stock holds and events; ``derived`` are their derived columns), in one
    bulk insert per table; ``OrderActionError`` when an order cannot be placed so."""
    ids = _new_ids({model: sum(count(p.order) for p, *_ in planned)
                    for model, count in _NEEDS_IDS.items()})  # fmt: skip
    rows: dict[type, list[dict]] = {model: [] for model in _ORDER_TABLES}
    lines: list[NewLine] = []
    results = []
    for (placement, display_id, customer_id, _), derived_values in zip(planned, derived,
                                                                       strict=True):
        source = placement.order
        values = _order_values(placement, display_id, customer_id, actor)
        order_id = next(ids[Order])
        order_row = {
            "id": order_id,
            **values.order,
            "shipping_address_id": _address_row(rows, ids, source.shipping_address),
            "billing_address_id": _address_row(rows, ids, source.billing_address),
            **derived_values,
        }
        order_row["metadata"] = order_row.pop("metadata_")  # the column of Order.metadata_
        rows[Order].append(order_row)
        for item, item_values in zip(source.items, values.items, strict=True):
            item_id = next(ids[LineItem])
            rows[LineItem].append({"id": item_id, "order_id": order_id, **item_values})
            rows[LineItemTaxLine] += [{"item_id": item_id, **_tax_values(t)}
                                      for t in item.tax_lines]  # fmt: skip
            rows[LineItemAdjustment] += [{"item_id": item_id, **_adjustment_values(a)}
                                         for a in item.adjustments]  # fmt: skip
            if source.status is not OrderStatus.CANCELED:
                lines.append(NewLine(order_id, item_id, placement.sales_channel_id, item))
        for method, method_values in zip(source.shipping_methods, values.shipping_methods,
                                         strict=True):  # fmt: skip
            method_id = next(ids[ShippingMethod])
            rows[ShippingMethod].append({"id": method_id, "order_id": order_id, **method_values})
            rows[ShippingMethodTaxLine] += [{"shipping_method_id": method_id, **_tax_values(t)}
                                            for t in method.tax_lines]  # fmt: skip
            rows[ShippingMethodAdjustment] += [
                {"shipping_method_id": method_id, **_adjustment_values(a)}
                for a in method.adjustments
            ]
        rows[CreditLine] += [{"order_id": order_id, **c} for c in values.credit_lines]
        for payment_values, captures in zip(values.payments, values.captures, strict=True):
            payment_id = next(ids[Payment])
            rows[Payment].append({"id": payment_id, "order_id": order_id, **payment_values})
            rows[Capture] += [{"payment_id": payment_id, **c} for c in captures]
        results.append(ImportResult(placement.index, "created", order_id, display_id))
    for model in _ORDER_TABLES:
        insert_rows(model.__table__, rows[model])
    reserve_orders(lines, tracked)
    record_events([(r.order_id, r.display_id) for r in results], "order.placed", actor,
                  PLACED_MESSAGE)  # fmt: skip
    return results


def _address_row(rows: dict[type, list[dict]], ids: dict[type, Iterator[int]],
                 fields: Mapping[str, str] | None) -> int | None:  # fmt: skip
    if fields is None:
        return None
    address_id = next(ids[Address])
    rows[Address].append({"id": address_id, **fields})
    return address_id


def _new_ids(counts: dict[type, int]) -> dict[type, Iterator[int]]:
    """Ids for ``count`` new rows of each model's table, ascending, as the database would give
    them: from the tables' sequences on PostgreSQL (one statement for all), after the highest
    id on SQLite, where the caller's transaction already holds the only write lock (it took
    the display ids), so that no other writer can take them meanwhile."""
    counts = {model: count for model, count in counts.items() if count}
    if db.engine.dialect.name != "postgresql":
        return {
            model: iter(range(start := (db.session.scalar(select(func.max(model.id))) or 0) + 1,
                              start + count))
            for model, count in counts.items()
        }  # fmt: skip
    taken: dict[str, list[int]] = {model.__table__.name: [] for model in counts}
    wanted = ", ".join(f"(CAST(:t{i} AS text), CAST(:n{i} AS integer))"
                       for i in range(len(counts)))  # fmt: skip
    params = {}
    for i, (model, count) in enumerate(counts.items()):
        params |= {f"t{i}": f'"{model.__table__.name}"', f"n{i}": count}
    for table, new_id in db.session.execute(text(
        f"SELECT wanted.t, nextval(pg_get_serial_sequence(wanted.t, 'id')) "
        f"FROM (VALUES {wanted}) AS wanted(t, n), generate_series(1, wanted.n)"
    ), params):  # fmt: skip
        taken[table.strip('"')].append(new_id)
    return {model: iter(sorted(taken[model.__table__.name])) for model in counts}


def _add_order(placement: _Placement, display_id: int, customer_id: int, tracked: set[str],
               actor: str) -> Order:  # fmt: skip
    order = _build_order(placement, display_id, customer_id, actor)
    refresh_derived(order)
    db.session.add(order)
    record_event(order, "order.placed", actor, PLACED_MESSAGE)
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


@dataclass(frozen=True)
class _Values:
    """The column values of an order's rows, but for ids (and the derived columns): what the
    ORM objects of ``_build_order`` and the rows of ``_insert_all`` are made of."""

    order: dict[str, Any]
    items: list[dict[str, Any]]
    shipping_methods: list[dict[str, Any]]
    credit_lines: list[dict[str, Any]]
    payments: list[dict[str, Any]]
    #: Per payment.
    captures: list[list[dict[str, Any]]]


def _order_values(placement: _Placement, display_id: int, customer_id: int,
                  actor: str) -> _Values:  # fmt: skip
    source = placement.order
    created_at = source.created_at or utcnow()
    currency = source.currency_code
    canceled = source.status is OrderStatus.CANCELED
    return _Values(
        order={
            "display_id": display_id,
            "status": source.status,
            "email": source.email,
            "customer_id": customer_id,
            "region_id": placement.region_id,
            "currency_code": currency,
            "sales_channel_id": placement.sales_channel_id,
            "no_notification": source.no_notification,
            "external_id": source.external_id,
            "metadata_": source.metadata,
            "canceled_at": (source.canceled_at or created_at) if canceled else None,
            "created_at": created_at,
        },
        items=[
            {"title": item.title, "sku": item.sku, "unit_price": item.unit_price,
             "quantity": item.quantity, "is_tax_inclusive": item.is_tax_inclusive}
            for item in source.items
        ],
        shipping_methods=[
            {"name": method.name, "amount": method.amount,
             "is_tax_inclusive": method.is_tax_inclusive}
            for method in source.shipping_methods
        ],
        credit_lines=[{"amount": c.amount, "reference": c.reference, "created_at": created_at}
                      for c in source.credit_lines],
        payments=[
            {"provider_id": p.provider_id, "currency_code": currency, "amount": p.amount,
             "created_at": created_at}
            for p in source.payments
        ],
        captures=[
            [{"amount": p.amount, "created_by": actor, "created_at": created_at}]
            if p.status == "captured" else []
            for p in source.payments
        ],
    )  # fmt: skip


def _tax_values(line: TaxLineInput) -> dict[str, Any]:
    return {"code": line.code, "name": line.name, "rate": line.rate}


def _adjustment_values(line: AdjustmentInput) -> dict[str, Any]:
    return {"code": line.code, "amount": line.amount, "description": line.description}


def _build_order(placement: _Placement, display_id: int, customer_id: int, actor: str) -> Order:
    """The order with every line, address and payment, not yet added to the session."""
    source = placement.order
    values = _order_values(placement, display_id, customer_id, actor)
    return Order(
        **values.order,
        shipping_address=_new_address(source.shipping_address),
        billing_address=_new_address(source.billing_address),
        items=[
            LineItem(**item_values,
                     tax_lines=[LineItemTaxLine(**_tax_values(t)) for t in item.tax_lines],
                     adjustments=[LineItemAdjustment(**_adjustment_values(a))
                                  for a in item.adjustments])
            for item, item_values in zip(source.items, values.items, strict=True)
        ],  # fmt: skip
        shipping_methods=[
            ShippingMethod(**method_values,
                           tax_lines=[ShippingMethodTaxLine(**_tax_values(t))
                                      for t in method.tax_lines],
                           adjustments=[ShippingMethodAdjustment(**_adjustment_values(a))
                                        for a in method.adjustments])
            for method, method_values in zip(source.shipping_methods, values.shipping_methods,
                                             strict=True)
        ],  # fmt: skip
        credit_lines=[CreditLine(**c) for c in values.credit_lines],
        gift_card_uses=[],
        payments=[
            Payment(**p, captures=[Capture(**c) for c in captures], refunds=[])
            for p, captures in zip(values.payments, values.captures, strict=True)
        ],
        events=[],
    )


def _new_address(fields: Mapping[str, str] | None) -> Address | None:
    return Address(**fields) if fields is not None else None
