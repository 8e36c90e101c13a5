"""Stock per SKU per location: how much is on the shelf, how much orders hold, and why it
changed."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db_types import UTCDateTime, utcnow
from app.extensions import db
from app.fulfillment.models import StockLocation


class InventoryLevel(db.Model):
    """One SKU at one location. ``available`` (stocked less reserved) never goes below zero,
    unless the variant with this SKU allows backorders."""

    __tablename__ = "inventory_level"
    __table_args__ = (UniqueConstraint("sku", "location_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    sku: Mapped[str] = mapped_column(String(100))
    location_id: Mapped[int] = mapped_column(ForeignKey("stock_location.id"), index=True)
    #: Units on the shelf.
    stocked: Mapped[int] = mapped_column(default=0)
    #: Units placed orders hold until they are fulfilled or canceled.
    reserved: Mapped[int] = mapped_column(default=0)

    location: Mapped[StockLocation] = relationship(lazy="joined")

    @property
    def available(self) -> int:
        return self.stocked - self.reserved


class Reservation(db.Model):
    """Units of an order's line held at a location."""

    __tablename__ = "reservation"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("order.id", ondelete="CASCADE"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("line_item.id", ondelete="CASCADE"))
    level_id: Mapped[int] = mapped_column(ForeignKey("inventory_level.id"), index=True)
    quantity: Mapped[int]

    level: Mapped[InventoryLevel] = relationship(lazy="joined")


class InventoryAdjustment(db.Model):
    """A change staff made to the stocked count, with their reason: the level's history."""

    __tablename__ = "inventory_adjustment"

    id: Mapped[int] = mapped_column(primary_key=True)
    level_id: Mapped[int] = mapped_column(ForeignKey("inventory_level.id"), index=True)
    change: Mapped[int]
    stocked_after: Mapped[int]
    reason: Mapped[str] = mapped_column(String(300))
    created_by: Mapped[str] = mapped_column(String(254))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    level: Mapped[InventoryLevel] = relationship(lazy="joined")
