"""Stock locations and fulfillments: which units of an order leave from where, and how far
they have travelled."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, Column, ForeignKey, String, Table, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db_types import UTCDateTime, utcnow
from app.extensions import db
from app.store.models import SalesChannel

if TYPE_CHECKING:
    from app.orders.models import LineItem, Order


#: Which locations a sales channel's orders draw stock from; a channel with none draws from
#: every location.
sales_channel_location = Table(
    "sales_channel_location",
    db.metadata,
    Column("sales_channel_id", ForeignKey("sales_channel.id", ondelete="CASCADE"),
           primary_key=True),
    Column("location_id", ForeignKey("stock_location.id", ondelete="CASCADE"), primary_key=True),
)  # fmt: skip


class StockLocation(db.Model):
    """A warehouse or a shop that holds stock and ships from it."""

    __tablename__ = "stock_location"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    #: Shown on the packing slip as the sender.
    address: Mapped[str] = mapped_column(String(500), default="")

    sales_channels: Mapped[list[SalesChannel]] = relationship(
        secondary=sales_channel_location, order_by="SalesChannel.name")

    @classmethod
    def by_name(cls) -> list[StockLocation]:
        """Every location, as the pages list them: by name."""
        return list(db.session.scalars(select(cls).order_by(cls.name)))


class Fulfillment(db.Model):
    """Some units of an order's lines, packed at one location; then shipped, then delivered,
    or canceled before it ships."""

    __tablename__ = "fulfillment"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("order.id", ondelete="CASCADE"), index=True)
    location_id: Mapped[int] = mapped_column(ForeignKey("stock_location.id"))
    #: The fulfillment provider that moves the parcel (``manual`` is built in).
    provider_id: Mapped[str] = mapped_column(String(50), default="manual")
    carrier: Mapped[str] = mapped_column(String(100), default="")
    tracking_numbers: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_by: Mapped[str] = mapped_column(String(254), default="system")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    shipped_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    canceled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    metadata_: Mapped[dict[str, Any] | None] = mapped_column("metadata", JSON)

    order: Mapped[Order] = relationship(back_populates="fulfillments")
    location: Mapped[StockLocation] = relationship(lazy="joined")
    items: Mapped[list[FulfillmentItem]] = relationship(
        order_by="FulfillmentItem.id", cascade="all, delete-orphan", lazy="selectin"
    )

    @property
    def state(self) -> str:
        """``canceled``, ``delivered``, ``shipped`` or ``packed``."""
        if self.canceled_at:
            return "canceled"
        if self.delivered_at:
            return "delivered"
        return "shipped" if self.shipped_at else "packed"


class FulfillmentItem(db.Model):
    """How many units of one line a fulfillment holds."""

    __tablename__ = "fulfillment_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    fulfillment_id: Mapped[int] = mapped_column(
        ForeignKey("fulfillment.id", ondelete="CASCADE"), index=True
    )
    item_id: Mapped[int] = mapped_column(ForeignKey("line_item.id", ondelete="CASCADE"))
    quantity: Mapped[int]

    item: Mapped[LineItem] = relationship(lazy="joined")
