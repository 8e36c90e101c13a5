"""Orders, their line items and shipping methods, and the adjustments and tax lines on them."""

from __future__ import annotations

import enum
from datetime import datetime
from decimal import Decimal
from functools import cached_property
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    JSON,
    Enum,
    ForeignKey,
    Index,
    String,
    UniqueConstraint,
    event,
    false,
    update,
)
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from app.customers.models import Address, Customer
from app.db_types import ExactDecimal, UTCDateTime, utcnow
from app.extensions import db
from app.orders.calculations import Charge, GiftCardUse, OrderTotals, order_totals
from app.store.models import Region, SalesChannel

if TYPE_CHECKING:
    from app.catalog.models import Promotion
    from app.changes.models import OrderChange
    from app.claims.models import Claim
    from app.events.models import OrderEvent
    from app.exchanges.models import Exchange
    from app.fulfillment.models import Fulfillment
    from app.payments.models import Payment
    from app.returns.models import Return


class OrderStatus(enum.StrEnum):
    """The order's own lifecycle (the seed's enum, with ``draft`` for draft orders)."""

    #: Being built by staff on behalf of a customer; not an order yet.
    DRAFT = "draft"
    #: Placed and being worked on: the default.
    PENDING = "pending"
    #: Staff marked it done, typically once fulfilled and paid.
    COMPLETED = "completed"
    #: Put away; only after it was completed or refunded.
    ARCHIVED = "archived"
    #: Called off; nothing refunded and every fulfillment canceled.
    CANCELED = "canceled"
    #: Something needs a person, such as a failed capture.
    REQUIRES_ACTION = "requires_action"


class PaymentStatus(enum.StrEnum):
    """Where the order's money stands, derived from its payments."""

    #: No payment at all.
    NOT_PAID = "not_paid"
    #: A payment is expected but not yet authorized.
    AWAITING = "awaiting"
    #: Authorized, nothing captured yet.
    AUTHORIZED = "authorized"
    #: Some of the authorized amount captured.
    PARTIALLY_CAPTURED = "partially_captured"
    #: The order total captured.
    CAPTURED = "captured"
    #: Some of what was captured refunded.
    PARTIALLY_REFUNDED = "partially_refunded"
    #: Everything captured refunded.
    REFUNDED = "refunded"
    #: Every payment canceled before capture.
    CANCELED = "canceled"
    #: The provider needs a person to act.
    REQUIRES_ACTION = "requires_action"


class FulfillmentStatus(enum.StrEnum):
    """How far the order's items have gone out (and come back), derived from line quantities."""

    NOT_FULFILLED = "not_fulfilled"
    PARTIALLY_FULFILLED = "partially_fulfilled"
    FULFILLED = "fulfilled"
    PARTIALLY_SHIPPED = "partially_shipped"
    SHIPPED = "shipped"
    PARTIALLY_DELIVERED = "partially_delivered"
    DELIVERED = "delivered"
    PARTIALLY_RETURNED = "partially_returned"
    RETURNED = "returned"
    CANCELED = "canceled"
    REQUIRES_ACTION = "requires_action"


def _enum_column(enum_cls: type[enum.Enum], name: str) -> Enum:
    # Stored as plain strings (no native PostgreSQL enum): adding a member is then no migration.
    return Enum(enum_cls, name=name, native_enum=False, length=30,
                values_callable=lambda e: [m.value for m in e])  # fmt: skip


class Counter(db.Model):
    """Named counters, such as the next ``display_id``; one row each, bumped in the
    transaction that uses the numbers so a rollback gives them back."""

    __tablename__ = "counter"

    name: Mapped[str] = mapped_column(String(50), primary_key=True)
    value: Mapped[int]

    @classmethod
    def take(cls, name: str, count: int = 1) -> range:
        """Reserve ``count`` consecutive numbers; the row lock serialises concurrent takers."""
        last = db.session.execute(
            update(cls).where(cls.name == name).values(value=cls.value + count)
            .returning(cls.value)
        ).scalar_one()  # fmt: skip
        return range(last - count + 1, last + 1)


#: The first order a store shows is ``#1001``.
FIRST_DISPLAY_ID = 1001


class Order(db.Model):
    """An order: what was bought, by whom, where it goes, and where it stands."""

    __tablename__ = "order"
    __table_args__ = (
        UniqueConstraint("sales_channel_id", "external_id", name="uq_order_channel_external_id"),
        Index("ix_order_created_at_id", "created_at", "id"),
        # Totals compare only within a currency: the list sorts by total for one currency.
        Index("ix_order_currency_total_id", "currency_code", "total", "id"),
        Index("ix_order_status_created_at", "status", "created_at", "id"),
        Index("ix_order_payment_status_created_at", "payment_status", "created_at", "id"),
        Index("ix_order_fulfillment_status_created_at", "fulfillment_status", "created_at", "id"),
        Index("ix_order_sales_channel_created_at", "sales_channel_id", "created_at", "id"),
        Index("ix_order_region_created_at", "region_id", "created_at", "id"),
        Index("ix_order_currency_created_at", "currency_code", "created_at", "id"),
        # Pattern operators let PostgreSQL answer the search box's email prefix from the index.
        Index("ix_order_email", "email", postgresql_ops={"email": "varchar_pattern_ops"}),
        Index("ix_order_converted_at", "converted_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The number staff and customers see (``#1001``), from ``Counter``.
    display_id: Mapped[int] = mapped_column(unique=True)
    status: Mapped[OrderStatus] = mapped_column(
        _enum_column(OrderStatus, "order_status"), default=OrderStatus.PENDING
    )
    #: Derived from the payments by ``app.payments.calculations.payment_status``; stored so the
    #: list can filter on it.
    payment_status: Mapped[PaymentStatus] = mapped_column(
        _enum_column(PaymentStatus, "payment_status"), default=PaymentStatus.NOT_PAID
    )
    #: Derived from the line quantities; stored for the list's filter.
    fulfillment_status: Mapped[FulfillmentStatus] = mapped_column(
        _enum_column(FulfillmentStatus, "fulfillment_status"),
        default=FulfillmentStatus.NOT_FULFILLED,
    )
    #: The optimistic lock: bumped by every change, so a form carrying an older one is refused.
    lock_version: Mapped[int] = mapped_column(default=1)
    #: The seed's version: 1 at placement, one more for each confirmed order change
    #: (``app.changes``), each kept as an ``OrderVersion`` snapshot.
    version: Mapped[int] = mapped_column(default=1, server_default="1")
    #: Lower case.
    email: Mapped[str] = mapped_column(String(254))
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customer.id"), index=True)
    region_id: Mapped[int | None] = mapped_column(ForeignKey("region.id"))
    #: ISO 4217, upper case; every amount of the order is in it.
    currency_code: Mapped[str] = mapped_column(String(3))
    sales_channel_id: Mapped[int | None] = mapped_column(ForeignKey("sales_channel.id"))
    shipping_address_id: Mapped[int | None] = mapped_column(ForeignKey("address.id"))
    billing_address_id: Mapped[int | None] = mapped_column(ForeignKey("address.id"))
    #: No emails to the customer about this order.
    no_notification: Mapped[bool] = mapped_column(default=False)
    #: The order's id in the system it was imported from; unique per sales channel.
    external_id: Mapped[str | None] = mapped_column(String(200), index=True)
    idempotency_key: Mapped[str | None] = mapped_column(String(200))
    metadata_: Mapped[dict[str, Any] | None] = mapped_column("metadata", JSON)
    #: ``OrderTotals.total`` as of the last change, kept for sorting the list.
    total: Mapped[Decimal] = mapped_column(ExactDecimal, default=Decimal(0))
    canceled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: When a draft order became an order; ``None`` for drafts and for orders placed directly.
    converted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    customer: Mapped[Customer | None] = relationship()
    region: Mapped[Region | None] = relationship()
    sales_channel: Mapped[SalesChannel | None] = relationship()
    shipping_address: Mapped[Address | None] = relationship(foreign_keys=[shipping_address_id])
    billing_address: Mapped[Address | None] = relationship(foreign_keys=[billing_address_id])
    items: Mapped[list[LineItem]] = relationship(
        back_populates="order", order_by="LineItem.id", cascade="all, delete-orphan"
    )
    shipping_methods: Mapped[list[ShippingMethod]] = relationship(
        back_populates="order", order_by="ShippingMethod.id", cascade="all, delete-orphan"
    )
    credit_lines: Mapped[list[CreditLine]] = relationship(
        order_by="CreditLine.id", cascade="all, delete-orphan"
    )
    gift_card_uses: Mapped[list[GiftCardUsage]] = relationship(
        order_by="GiftCardUsage.id", cascade="all, delete-orphan"
    )
    payments: Mapped[list[Payment]] = relationship(
        back_populates="order", order_by="Payment.id", cascade="all, delete-orphan"
    )
    fulfillments: Mapped[list[Fulfillment]] = relationship(
        back_populates="order", order_by="Fulfillment.id", cascade="all, delete-orphan"
    )
    #: Promotion codes applied to the order, in the order they were applied.
    promotions: Mapped[list[OrderPromotion]] = relationship(
        order_by="OrderPromotion.id", cascade="all, delete-orphan"
    )

    events: Mapped[list[OrderEvent]] = relationship(
        back_populates="order", order_by="OrderEvent.id", cascade="all, delete-orphan"
    )
    # Read-only views of the changes made to the order, for its pages (the changes' modules
    # own them and write them): kept on the order so that they load with it.
    returns: Mapped[list[Return]] = relationship(order_by="Return.id", viewonly=True)
    exchanges: Mapped[list[Exchange]] = relationship(order_by="Exchange.id", viewonly=True)
    claims: Mapped[list[Claim]] = relationship(order_by="Claim.id", viewonly=True)
    #: The change in progress (pending or requested), if any: at most one (a unique index).
    open_change: Mapped[OrderChange | None] = relationship(
        primaryjoin=lambda: _open_change_join(), viewonly=True
    )
    #: The confirmed change (an edit, an exchange) that made the order's current version,
    #: while what it left to collect or refund is not settled yet.
    unsettled_change: Mapped[OrderChange | None] = relationship(
        primaryjoin=lambda: _unsettled_change_join(), viewonly=True
    )

    @cached_property
    def totals(self) -> OrderTotals:
        """Every total of the order, worked out from its lines, cards, credits and payments."""
        return order_totals(
            self.currency_code,
            items=[i.charge for i in self.items],
            shipping_methods=[s.charge for s in self.shipping_methods],
            gift_cards=[u.use for u in self.gift_card_uses],
            credit_lines=[c.amount for c in self.credit_lines],
            captured=[c.amount for p in self.payments for c in p.captures],
            refunded=[r.amount for p in self.payments for r in p.refunds],
            authorized=[p.amount for p in self.payments if p.canceled_at is None],
        )

    @property
    def line_totals(self) -> dict[int, Decimal]:
        """What the customer pays for each line (discounts off, tax in), by line id: what its
        units' shares are worked out on."""
        return {item.id: t.total for item, t in zip(self.items, self.totals.items, strict=True)}

    def forget_totals(self) -> None:
        """Drop the cached totals after the order's lines or payments changed."""
        self.__dict__.pop("totals", None)


@event.listens_for(Order, "expire")
def _forget_totals_with_the_rows(order: Order | None, attributes) -> None:
    # A rollback (or a refresh) expires the order's loaded state; totals cached from the state
    # that was rolled back would otherwise outlive it. (An order already garbage collected
    # comes as None.)
    if order is not None:
        order.forget_totals()


# The changes' module imports this one, so their joins are worked out when the mappers are.
def _open_change_join():
    from app.changes.models import OPEN_STATUSES, OrderChange

    return (OrderChange.order_id == Order.id) & OrderChange.status.in_(OPEN_STATUSES)


def _unsettled_change_join():
    from app.changes.models import OrderChange

    return ((OrderChange.order_id == Order.id) & (OrderChange.confirmed_version == Order.version)
            & OrderChange.settled_at.is_(None))  # fmt: skip


class _ChargeLine:
    """What line items and shipping methods share: a price, tax lines and adjustments (loaded
    with the lines by default: no total can be worked out without them)."""

    is_tax_inclusive: Mapped[bool] = mapped_column(default=False)
    tax_lines: list
    adjustments: list

    def __init__(self, **values: Any) -> None:
        # A new line has no tax lines or adjustments yet: starting both empty, rather than
        # unloaded, spares a query each when the line is shown after its flush.
        values.setdefault("tax_lines", [])
        values.setdefault("adjustments", [])
        super().__init__(**values)

    def _charge(self, unit_price: Decimal, quantity: int, credited_quantity: int = 0) -> Charge:
        return Charge(
            unit_price=unit_price,
            quantity=quantity,
            is_tax_inclusive=self.is_tax_inclusive,
            tax_rates=tuple(t.rate for t in self.tax_lines),
            adjustments=tuple(a.amount for a in self.adjustments),
            credited_quantity=credited_quantity,
        )


class LineItem(_ChargeLine, db.Model):
    """A snapshot of what was sold, with the quantities of its life after the sale."""

    __tablename__ = "line_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("order.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    subtitle: Mapped[str] = mapped_column(String(300), default="")
    sku: Mapped[str] = mapped_column(String(100), default="")
    variant_id: Mapped[int | None]
    #: The product's type when the line was added; tax rates may be overridden per type.
    product_type: Mapped[str] = mapped_column(String(100), default="", server_default="")
    #: Staff set the unit price by hand, so it no longer follows the catalogue price.
    is_custom_price: Mapped[bool] = mapped_column(default=False, server_default=false())
    thumbnail: Mapped[str] = mapped_column(String(500), default="")
    unit_price: Mapped[Decimal] = mapped_column(ExactDecimal)
    quantity: Mapped[int]
    fulfilled_quantity: Mapped[int] = mapped_column(default=0)
    shipped_quantity: Mapped[int] = mapped_column(default=0)
    delivered_quantity: Mapped[int] = mapped_column(default=0)
    #: Units asked back by a return and not received yet.
    return_requested_quantity: Mapped[int] = mapped_column(default=0)
    #: Units received back, restocked or damaged.
    returned_quantity: Mapped[int] = mapped_column(default=0)
    #: Units written off by a claim without coming back (lost, or kept by the customer).
    written_off_quantity: Mapped[int] = mapped_column(default=0)
    #: Units the customer no longer pays for (returned, exchanged, or claimed for a refund):
    #: their share of the line comes off the order's total.
    credited_quantity: Mapped[int] = mapped_column(default=0, server_default="0")
    metadata_: Mapped[dict[str, Any] | None] = mapped_column("metadata", JSON)

    order: Mapped[Order] = relationship(back_populates="items")
    tax_lines: Mapped[list[LineItemTaxLine]] = relationship(
        order_by="LineItemTaxLine.id", cascade="all, delete-orphan", lazy="selectin"
    )
    adjustments: Mapped[list[LineItemAdjustment]] = relationship(
        order_by="LineItemAdjustment.id", cascade="all, delete-orphan", lazy="selectin"
    )

    @property
    def charge(self) -> Charge:
        return self._charge(self.unit_price, self.quantity, self.credited_quantity or 0)


class ShippingMethod(_ChargeLine, db.Model):
    """How (part of) the order travels, and what that costs."""

    __tablename__ = "shipping_method"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("order.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    amount: Mapped[Decimal] = mapped_column(ExactDecimal)
    shipping_option_id: Mapped[int | None]

    order: Mapped[Order] = relationship(back_populates="shipping_methods")
    tax_lines: Mapped[list[ShippingMethodTaxLine]] = relationship(
        order_by="ShippingMethodTaxLine.id", cascade="all, delete-orphan", lazy="selectin"
    )
    adjustments: Mapped[list[ShippingMethodAdjustment]] = relationship(
        order_by="ShippingMethodAdjustment.id", cascade="all, delete-orphan", lazy="selectin"
    )

    @property
    def charge(self) -> Charge:
        return self._charge(self.amount, 1)


class _TaxLine:
    """A tax applied to a line: ``rate`` is a percent (20 = 20 %)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(50))
    name: Mapped[str] = mapped_column(String(100), default="")
    rate: Mapped[Decimal] = mapped_column(ExactDecimal)


class _Adjustment:
    """A discount on a whole line (not per unit), without tax."""

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(100), default="")
    amount: Mapped[Decimal] = mapped_column(ExactDecimal)
    description: Mapped[str] = mapped_column(String(300), default="")
    promotion_id: Mapped[int | None]


class _OnLineItem:
    @declared_attr
    def item_id(cls) -> Mapped[int]:
        return mapped_column(ForeignKey("line_item.id", ondelete="CASCADE"), index=True)


class _OnShippingMethod:
    @declared_attr
    def shipping_method_id(cls) -> Mapped[int]:
        return mapped_column(ForeignKey("shipping_method.id", ondelete="CASCADE"), index=True)


class LineItemTaxLine(_TaxLine, _OnLineItem, db.Model):
    __tablename__ = "line_item_tax_line"


class LineItemAdjustment(_Adjustment, _OnLineItem, db.Model):
    __tablename__ = "line_item_adjustment"


class ShippingMethodTaxLine(_TaxLine, _OnShippingMethod, db.Model):
    __tablename__ = "shipping_method_tax_line"


class ShippingMethodAdjustment(_Adjustment, _OnShippingMethod, db.Model):
    __tablename__ = "shipping_method_adjustment"


class CreditLine(db.Model):
    """An amount credited to the order (store credit, a goodwill gesture) that reduces its
    total."""

    __tablename__ = "credit_line"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("order.id", ondelete="CASCADE"), index=True)
    amount: Mapped[Decimal] = mapped_column(ExactDecimal)
    reference: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class GiftCard(db.Model):
    """A prepaid card; its balance goes down as orders use it."""

    __tablename__ = "gift_card"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(50), unique=True)
    currency_code: Mapped[str] = mapped_column(String(3))
    value: Mapped[Decimal] = mapped_column(ExactDecimal)
    balance: Mapped[Decimal] = mapped_column(ExactDecimal)
    #: Percent of tax the card was sold with, if any; that tax is not charged again.
    tax_rate: Mapped[Decimal | None] = mapped_column(ExactDecimal)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class GiftCardUsage(db.Model):
    """The amount of a gift card an order used (Medusa's gift card transaction)."""

    __tablename__ = "gift_card_usage"

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("order.id", ondelete="CASCADE"), index=True)
    gift_card_id: Mapped[int] = mapped_column(ForeignKey("gift_card.id"), index=True)
    amount: Mapped[Decimal] = mapped_column(ExactDecimal)

    gift_card: Mapped[GiftCard] = relationship(lazy="joined")

    @property
    def use(self) -> GiftCardUse:
        return GiftCardUse(amount=self.amount, tax_rate=self.gift_card.tax_rate)



class OrderPromotion(db.Model):
    """A promotion code applied to an order; its adjustments on the lines carry its id."""

    __tablename__ = "order_promotion"
    __table_args__ = (UniqueConstraint("order_id", "promotion_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("order.id", ondelete="CASCADE"))
    promotion_id: Mapped[int] = mapped_column(ForeignKey("promotion.id"), index=True)
    #: The code as it was applied, kept even if the promotion is renamed later.
    code: Mapped[str] = mapped_column(String(50))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    promotion: Mapped[Promotion] = relationship(lazy="joined")
