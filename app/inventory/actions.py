"""Reserve, deduct, release and adjust stock, in the caller's transaction.

An order draws from the locations of its sales channel (every location when the channel names
none): a line is held whole at the one with the most available, or split over several when
none has it all, so that what the builder shows as available can be sold.

Every change to a count is one conditional UPDATE on the level's row: concurrent orders for
the last unit queue on that row, and the second finds nothing left (unless the variant allows
backorders). A SKU with no level anywhere is not tracked, and its lines take no stock.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

from sqlalchemy import bindparam, select, update

from app.bulk import insert_rows
from app.catalog.models import ProductVariant
from app.extensions import db
from app.fulfillment.models import Fulfillment, StockLocation
from app.inventory.calculations import channel_stock, holds, shortage
from app.inventory.models import InventoryAdjustment, InventoryLevel, Reservation
from app.inventory.queries import at_channel_locations
from app.orders.actions import OrderActionError
from app.orders.import_payload import ItemInput
from app.orders.models import LineItem, Order


def _levels(sku: str, sales_channel_id: int | None) -> list[InventoryLevel]:
    """The SKU's levels at the locations the sales channel draws from, with their counts as
    the database has them now: counts change by UPDATE statements, and a rolled-back
    savepoint (an import) may have left others in the session."""
    return list(db.session.scalars(
        select(InventoryLevel)
        .where(InventoryLevel.sku == sku, at_channel_locations(sales_channel_id))
        .order_by(InventoryLevel.id)
        .execution_options(populate_existing=True)
    ))  # fmt: skip


def _backorder_allowed(sku: str) -> bool:
    return bool(db.session.scalar(
        select(ProductVariant.allow_backorder).where(ProductVariant.sku == sku)))  # fmt: skip


def _take(level: InventoryLevel, *, reserved: int = 0, stocked: int = 0, checked: bool) -> bool:
    """Move the level's counts by the given amounts; when ``checked``, only if the units
    available stay at zero or more. Returns whether the row changed."""
    table = InventoryLevel.__table__
    stmt = update(table).where(table.c.id == level.id).values(
        reserved=table.c.reserved + reserved, stocked=table.c.stocked + stocked)  # fmt: skip
    if checked:
        stmt = stmt.where(table.c.stocked + stocked - (table.c.reserved + reserved) >= 0)
    changed = db.session.execute(stmt).rowcount == 1
    if changed:
        db.session.refresh(level)
    return changed


def tracked_skus(skus: Collection[str]) -> set[str]:
    """Which of ``skus`` have stock levels somewhere (one query for a whole batch)."""
    if not skus:
        return set()
    stmt = select(InventoryLevel.sku).where(InventoryLevel.sku.in_(set(skus))).distinct()
    return set(db.session.scalars(stmt))


def reserve_order(order: Order, tracked: Collection[str] | None = None) -> None:
    """Hold every tracked line's units at the sales channel's locations; refuse when they do
    not have enough and the variant does not allow backorders, or do not keep the SKU at all.
    ``tracked``, when given, is what ``tracked_skus`` said for these lines."""
    tracked = tracked_skus([i.sku for i in order.items if i.sku]) if tracked is None else tracked
    if not any(item.sku in tracked for item in order.items):
        return
    db.session.flush()
    for item in order.items:
        if item.sku in tracked and item.quantity > 0:
            _hold(order, item, _levels(item.sku, order.sales_channel_id))


def _hold(order: Order, item: LineItem, levels: list[InventoryLevel],
          units: int | None = None) -> None:  # fmt: skip
    """Hold ``units`` of the line (all of them by default) at the channel's ``levels``, spread
    as ``_spread`` says."""
    units = item.quantity if units is None else units
    spread, backorder = _spread(item, units, levels)
    for level, held in zip(levels, spread, strict=True):
        if held == 0:
            continue
        if not _take(level, reserved=held, checked=not backorder):
            # Another order took units of this level since it was read.
            if not _backorder_allowed(item.sku):
                for lv in levels:
                    db.session.refresh(lv)
                raise OrderActionError(_refusal(item, levels, units, allow_backorder=False) or (
                    f"{item.title} ({item.sku}): the stock changed meanwhile; try again."))
            _take(level, reserved=held, checked=False)
        db.session.add(Reservation(order_id=order.id, item_id=item.id, level_id=level.id,
                                   quantity=held))  # fmt: skip


def _spread(item: LineItem | ItemInput, units: int,
            levels: Sequence[InventoryLevel | _Counts]) -> tuple[list[int], bool]:  # fmt: skip
    """Units of the line to hold at each of the channel's ``levels`` (``holds``), and whether
    that takes a backorder; or the ``OrderActionError`` that refuses them (``shortage``).
    Whether the variant allows backorders is asked only when short."""
    problem = _refusal(item, levels, units, allow_backorder=False)
    backorder = problem is not None and _backorder_allowed(item.sku)
    if backorder:
        problem = _refusal(item, levels, units, allow_backorder=True)
    if problem:
        raise OrderActionError(problem)
    return holds(units, [lv.available for lv in levels]), backorder


def _refusal(item: LineItem | ItemInput, levels: Sequence[InventoryLevel | _Counts],
             units: int, allow_backorder: bool) -> str | None:  # fmt: skip
    stock = channel_stock((lv.stocked, lv.reserved) for lv in levels)
    return shortage(item.title, item.sku, units, stock, allow_backorder)


@dataclass
class _Counts:
    """A level's counts as the orders of a batch planned so far leave them."""

    id: int
    stocked: int
    reserved: int

    @property
    def available(self) -> int:
        return self.stocked - self.reserved


@dataclass(frozen=True)
class NewLine:
    """A line of an order being placed in bulk, with the ids its rows were given."""

    order_id: int
    item_id: int
    sales_channel_id: int | None
    item: ItemInput


def reserve_orders(lines: Sequence[NewLine], tracked: Collection[str]) -> None:
    """``reserve_order`` for the lines of many new orders at once (of orders not canceled):
    the holds are planned as it plans them, order after order, on counts read once, then
    written with one conditional UPDATE per level and one bulk insert of reservations.

    Refuses (``OrderActionError``) whatever ``reserve_order`` would refuse, and also a line
    that takes a backorder or a level another transaction took units of meanwhile: the caller
    then places the orders one by one, which settles those."""
    lines = [line for line in lines if line.item.sku in tracked and line.item.quantity > 0]
    if not lines:
        return
    skus = {line.item.sku for line in lines}
    counts: dict[int, _Counts] = {}
    at_channel: dict[tuple[int | None, str], list[_Counts]] = {}
    for channel_id in {line.sales_channel_id for line in lines}:
        rows = db.session.execute(
            select(InventoryLevel.id, InventoryLevel.sku, InventoryLevel.stocked,
                   InventoryLevel.reserved)
            .where(InventoryLevel.sku.in_(skus), at_channel_locations(channel_id))
            .order_by(InventoryLevel.id)
        )  # fmt: skip
        for level_id, sku, stocked, reserved in rows:
            level = counts.setdefault(level_id, _Counts(level_id, stocked, reserved))
            at_channel.setdefault((channel_id, sku), []).append(level)
    held_at: dict[int, int] = {}
    reservations = []
    for line in lines:
        levels = at_channel.get((line.sales_channel_id, line.item.sku), [])
        spread, backorder = _spread(line.item, line.item.quantity, levels)
        if backorder:
            raise OrderActionError(f"{line.item.title} ({line.item.sku}) takes a backorder.")
        for level, held in zip(levels, spread, strict=True):
            if held:
                level.reserved += held
                held_at[level.id] = held_at.get(level.id, 0) + held
                reservations.append({"order_id": line.order_id, "item_id": line.item_id,
                                     "level_id": level.id, "quantity": held})  # fmt: skip
    table = InventoryLevel.__table__
    took = table.c.reserved + bindparam("held")
    changed = db.session.execute(
        update(table).where(table.c.id == bindparam("level_id"), table.c.stocked - took >= 0)
        .values(reserved=took),
        [{"level_id": level_id, "held": held} for level_id, held in held_at.items()],
    ).rowcount  # fmt: skip
    if changed != len(held_at):
        raise OrderActionError("Another order took some of the units meanwhile.")
    insert_rows(Reservation.__table__, reservations)


def reserve_units(order: Order, item: LineItem, units: int) -> None:
    """Hold ``units`` more of a line whose quantity went up (an order edit), as placed orders
    hold theirs; an untracked SKU holds nothing."""
    if units > 0 and item.sku and tracked_skus([item.sku]):
        db.session.flush()
        _hold(order, item, _levels(item.sku, order.sales_channel_id), units)


def release_units(order: Order, item: LineItem, units: int) -> None:
    """Give back ``units`` the line holds: its quantity went down, or they were packed."""
    for reservation in _reservations(order.id, item.id):
        if units <= 0:
            break
        taken = min(units, reservation.quantity)
        _take(reservation.level, reserved=-taken, checked=False)
        reservation.quantity -= taken
        if reservation.quantity == 0:
            db.session.delete(reservation)
        units -= taken


def release_order(order: Order) -> None:
    """Give back everything the order still holds (it was canceled)."""
    for reservation in _reservations(order.id):
        _take(reservation.level, reserved=-reservation.quantity, checked=False)
        db.session.delete(reservation)


def _reservations(order_id: int, item_id: int | None = None) -> list[Reservation]:
    stmt = select(Reservation).where(Reservation.order_id == order_id).order_by(Reservation.id)
    if item_id is not None:
        stmt = stmt.where(Reservation.item_id == item_id)
    return list(db.session.scalars(stmt))


def deduct_fulfillment(order: Order, fulfillment: Fulfillment) -> None:
    """The packed units leave the shelf at the fulfillment's location, and what the order
    held for them is released."""
    tracked = tracked_skus([p.item.sku for p in fulfillment.items if p.item.sku])
    for part in fulfillment.items:
        item: LineItem = part.item
        if item.sku not in tracked:
            continue
        release_units(order, item, part.quantity)
        level = _level_at(item.sku, fulfillment.location)
        if not _take(level, stocked=-part.quantity, checked=not _backorder_allowed(item.sku)):
            raise OrderActionError(
                f"{item.title} ({item.sku}): {max(level.available, 0)} available at "
                f"{fulfillment.location.name}, {part.quantity} to pack."
            )


def restock_fulfillment(order: Order, fulfillment: Fulfillment) -> None:
    """A canceled fulfillment's units go back on the shelf and are held for the order again."""
    tracked = tracked_skus([p.item.sku for p in fulfillment.items if p.item.sku])
    for part in fulfillment.items:
        item: LineItem = part.item
        if item.sku not in tracked:
            continue
        level = _level_at(item.sku, fulfillment.location)
        _take(level, stocked=part.quantity, reserved=part.quantity, checked=False)
        db.session.add(Reservation(order_id=order.id, item_id=item.id, level_id=level.id,
                                   quantity=part.quantity))  # fmt: skip


def _level_at(sku: str, location: StockLocation) -> InventoryLevel:
    level = db.session.scalar(select(InventoryLevel).where(
        InventoryLevel.sku == sku, InventoryLevel.location_id == location.id))  # fmt: skip
    if level is None:
        level = InventoryLevel(sku=sku, location=location, stocked=0, reserved=0)
        db.session.add(level)
        db.session.flush()
    return level


def adjust_stock(sku: str, location: StockLocation, change: int, reason: str,
                 actor: str) -> InventoryAdjustment:  # fmt: skip
    """Staff count, receive or write off stock; the reason is kept in the level's history.
    Taking away units that orders hold is refused."""
    sku, reason = sku.strip(), reason.strip()
    if not sku:
        raise OrderActionError("Give the SKU.")
    if not reason:
        raise OrderActionError("Say why the stock changes.")
    if change == 0:
        raise OrderActionError("The change must add or take away units.")
    level = _level_at(sku, location)
    if not _take(level, stocked=change, checked=True):
        raise OrderActionError(
            f"{sku} at {location.name}: {level.stocked} stocked, {level.reserved} held by "
            f"orders; at most {max(level.available, 0)} can be taken away."
        )
    adjustment = InventoryAdjustment(level=level, change=change, stocked_after=level.stocked,
                                     reason=reason, created_by=actor)  # fmt: skip
    db.session.add(adjustment)
    return adjustment
