"""Reading stock for many SKUs at once, at the locations a sales channel draws from."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import ColumnElement, case, exists, or_, select, true

from app.extensions import db
from app.fulfillment.models import sales_channel_location
from app.inventory.calculations import Stock, channel_stock
from app.inventory.models import InventoryLevel


def at_channel_locations(sales_channel_id: int | None) -> ColumnElement[bool]:
    """A level is at one of the locations the channel draws from: those chosen for it, or
    every location when none is (or there is no channel)."""
    if sales_channel_id is None:
        return true()
    chosen = select(sales_channel_location.c.location_id).where(
        sales_channel_location.c.sales_channel_id == sales_channel_id)  # fmt: skip
    return or_(InventoryLevel.location_id.in_(chosen), ~exists(chosen))


def stock_at_channel(skus: Collection[str], sales_channel_id: int | None) -> dict[str, Stock]:
    """The stock of each tracked SKU among ``skus`` where the channel draws from, in one query
    whatever their number; a SKU with no level anywhere is not tracked and left out."""
    skus = {sku for sku in skus if sku}
    if not skus:
        return {}
    here = case((at_channel_locations(sales_channel_id), 1), else_=0)
    rows = db.session.execute(
        select(InventoryLevel.sku, InventoryLevel.stocked, InventoryLevel.reserved, here)
        .where(InventoryLevel.sku.in_(skus))
    )  # fmt: skip
    levels: dict[str, list[tuple[int, int]]] = {}
    for sku, stocked, reserved, is_here in rows:
        counts = levels.setdefault(sku, [])
        if is_here:
            counts.append((stocked, reserved))
    return {sku: channel_stock(counts) for sku, counts in levels.items()}
