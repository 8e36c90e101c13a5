"""Order changes (DESIGN.md section 2, OrderChange): a proposal to change a placed order, made
of staged actions that touch nothing until the change is confirmed, and the versions that
confirmed changes leave behind.

An edit is the first ``change_type``; returns, exchanges and claims are changes of their own
type on the same rows, never a second mechanism.
"""

from __future__ import annotations

import enum
import hashlib
import secrets
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    select,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db_types import ExactDecimal, UTCDateTime, utcnow
from app.extensions import db
from app.orders.models import Order, _enum_column


class ChangeType(enum.StrEnum):
    EDIT = "edit"
    RETURN = "return"
    EXCHANGE = "exchange"
    CLAIM = "claim"


class ChangeStatus(enum.StrEnum):
    #: Being put together by staff.
    PENDING = "pending"
    #: Sent to the customer to confirm or decline.
    REQUESTED = "requested"
    CONFIRMED = "confirmed"
    DECLINED = "declined"
    CANCELED = "canceled"


#: A change in one of these is open: an order has at most one.
OPEN_STATUSES = (ChangeStatus.PENDING, ChangeStatus.REQUESTED)
_OPEN_SQL = "status IN ('pending', 'requested')"


class ActionType(enum.StrEnum):
    ITEM_ADD = "ITEM_ADD"
    ITEM_UPDATE = "ITEM_UPDATE"
    ITEM_REMOVE = "ITEM_REMOVE"
    SHIPPING_ADD = "SHIPPING_ADD"
    SHIPPING_REMOVE = "SHIPPING_REMOVE"
    #: Units asked back by a return, received back on the shelf or damaged, or no longer
    #: asked back (the return canceled).
    RETURN_ITEM = "RETURN_ITEM"
    RECEIVE_RETURN_ITEM = "RECEIVE_RETURN_ITEM"
    RECEIVE_DAMAGED_RETURN_ITEM = "RECEIVE_DAMAGED_RETURN_ITEM"
    CANCEL_RETURN_ITEM = "CANCEL_RETURN_ITEM"
    #: Units a claim writes off where they are (lost, or kept by the customer), and units
    #: written off that turn out fine after all.
    WRITE_OFF_ITEM = "WRITE_OFF_ITEM"
    REINSTATE_ITEM = "REINSTATE_ITEM"


class OrderChange(db.Model):
    """A proposed change to an order, who moved it along, and when."""

    __tablename__ = "order_change"
    __table_args__ = (
        # At most one open change per order, held by the database against races too.
        Index("uq_order_change_open", "order_id", unique=True,
              sqlite_where=text(_OPEN_SQL), postgresql_where=text(_OPEN_SQL)),
        # The order list's "awaiting the customer" filter.
        Index("ix_order_change_status_order", "status", "order_id"),
    )  # fmt: skip

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("order.id", ondelete="CASCADE"), index=True)
    change_type: Mapped[ChangeType] = mapped_column(_enum_column(ChangeType, "change_type"))
    status: Mapped[ChangeStatus] = mapped_column(
        _enum_column(ChangeStatus, "change_status"), default=ChangeStatus.PENDING
    )
    #: For staff only; never shown to the customer.
    internal_note: Mapped[str] = mapped_column(Text, default="")
    declined_reason: Mapped[str] = mapped_column(Text, default="")
    created_by: Mapped[str] = mapped_column(String(254))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    requested_by: Mapped[str | None] = mapped_column(String(254))
    requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    confirmed_by: Mapped[str | None] = mapped_column(String(254))
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    declined_by: Mapped[str | None] = mapped_column(String(254))
    declined_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    canceled_by: Mapped[str | None] = mapped_column(String(254))
    canceled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: The order version a confirmation made.
    confirmed_version: Mapped[int | None]
    #: What the confirmation left to settle (``Preview.difference``): positive, to collect;
    #: negative, to refund.
    difference: Mapped[Decimal | None] = mapped_column(ExactDecimal)
    #: When staff collected or refunded that difference: it is offered once, never twice.
    settled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    order: Mapped[Order] = relationship()
    actions: Mapped[list[OrderChangeAction]] = relationship(
        back_populates="change", order_by="OrderChangeAction.ordering",
        cascade="all, delete-orphan", lazy="selectin",
    )  # fmt: skip

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class OrderChangeAction(db.Model):
    """One staged step of a change, applied in ``ordering`` at confirmation.

    ``item_id`` and ``shipping_method_id`` name the order's existing lines (no foreign key: the
    history outlives a removed line). An added line is its ``ITEM_ADD`` action: changing or
    dropping it changes or deletes that action.
    """

    __tablename__ = "order_change_action"
    __table_args__ = (UniqueConstraint("change_id", "ordering"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    change_id: Mapped[int] = mapped_column(ForeignKey("order_change.id", ondelete="CASCADE"))
    ordering: Mapped[int]
    action: Mapped[ActionType] = mapped_column(_enum_column(ActionType, "change_action"))
    item_id: Mapped[int | None]
    shipping_method_id: Mapped[int | None]
    variant_id: Mapped[int | None]
    sku: Mapped[str] = mapped_column(String(100), default="")
    #: An added line's title, or an added shipping method's name.
    title: Mapped[str] = mapped_column(String(300), default="")
    subtitle: Mapped[str] = mapped_column(String(300), default="")
    product_type: Mapped[str] = mapped_column(String(100), default="")
    thumbnail: Mapped[str] = mapped_column(String(500), default="")
    quantity: Mapped[int | None]
    #: A line's unit price, or a shipping method's amount.
    unit_price: Mapped[Decimal | None] = mapped_column(ExactDecimal)
    shipping_option_id: Mapped[int | None]
    created_by: Mapped[str] = mapped_column(String(254))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    change: Mapped[OrderChange] = relationship(back_populates="actions")


def hash_link_token(token: str) -> str:
    # 256 random bits: a fast hash is enough, there is nothing to guess.
    return hashlib.sha256(token.encode()).hexdigest()


class LinkPurpose(enum.StrEnum):
    #: Confirm or decline a requested order edit (``change_id`` names it).
    ORDER_EDIT = "order_edit"
    #: Ask units of a shipped order back (``fulfillment_id`` names the shipment whose email
    #: carried it; ``return_id`` the return made through it).
    RETURN_REQUEST = "return_request"


class OrderChangeLink(db.Model):
    """A customer's emailed link to change their order without logging in: to answer a
    requested edit, or to ask units back. Only the token's hash is kept; a link works until
    it expires, is used (once) or is voided by a newer one."""

    __tablename__ = "order_change_link"
    __table_args__ = (
        CheckConstraint("(purpose = 'order_edit' AND change_id IS NOT NULL) OR "
                        "(purpose = 'return_request' AND fulfillment_id IS NOT NULL)",
                        name="purpose_target"),
    )  # fmt: skip

    id: Mapped[int] = mapped_column(primary_key=True)
    purpose: Mapped[LinkPurpose] = mapped_column(
        _enum_column(LinkPurpose, "link_purpose"), server_default=LinkPurpose.ORDER_EDIT.value
    )
    order_id: Mapped[int] = mapped_column(ForeignKey("order.id", ondelete="CASCADE"), index=True)
    #: The requested edit the link answers (an order-edit link's only).
    change_id: Mapped[int | None] = mapped_column(
        ForeignKey("order_change.id", ondelete="CASCADE"), index=True
    )
    #: The shipment whose email carried a return link: its return window is the link's.
    fulfillment_id: Mapped[int | None] = mapped_column(
        ForeignKey("fulfillment.id", ondelete="CASCADE")
    )
    #: The return asked for through a return link, once it was used.
    return_id: Mapped[int | None] = mapped_column(
        ForeignKey("order_return.id", ondelete="SET NULL")
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    #: When the customer confirmed or declined (or asked for a return) through it.
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: When a newer link (a newer request, a newer shipment email) or a cancel made it void.
    voided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    change: Mapped[OrderChange | None] = relationship()

    @classmethod
    def issue(cls, purpose: LinkPurpose, order_id: int, expires_at: datetime,
              **target) -> tuple[OrderChangeLink, str]:  # fmt: skip
        """A new link row and its token, which goes in the email and is never stored;
        ``target``: ``change`` of an edit link, ``fulfillment_id`` of a return link."""
        token = secrets.token_urlsafe(32)
        link = cls(purpose=purpose, order_id=order_id, token_hash=hash_link_token(token),
                   expires_at=expires_at, **target)  # fmt: skip
        return link, token

    @classmethod
    def find(cls, token: str,
             purpose: LinkPurpose = LinkPurpose.ORDER_EDIT) -> OrderChangeLink | None:
        """The link of ``token`` made for ``purpose`` (another purpose's token finds none)."""
        if not token or len(token) > 100:
            return None
        return db.session.scalar(select(cls).where(cls.token_hash == hash_link_token(token),
                                                   cls.purpose == purpose))


class OrderVersion(db.Model):
    """What an order was at one version: lines, tax lines, adjustments, shipping and every
    total, as plain values (``app.changes.snapshots``). Written once, never changed."""

    __tablename__ = "order_version"
    __table_args__ = (UniqueConstraint("order_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("order.id", ondelete="CASCADE"))
    version: Mapped[int]
    #: The change that made it; none for version 1.
    change_id: Mapped[int | None] = mapped_column(
        ForeignKey("order_change.id", ondelete="SET NULL")
    )
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
