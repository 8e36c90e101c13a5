"""Factories that build orders straight through the models, for tests of pages and queries."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from app.customers.models import Address, Customer
from app.db_types import utcnow
from app.extensions import db
from app.orders.actions import record_event, refresh_derived, take_display_ids
from app.orders.models import (
    LineItem,
    LineItemAdjustment,
    LineItemTaxLine,
    Order,
    OrderStatus,
    ShippingMethod,
    ShippingMethodTaxLine,
)
from app.payments.models import Capture, Payment
from app.store.models import Region, SalesChannel, TaxRate


def make_region(name="United States", currency="USD", inclusive=False, rate="10") -> Region:
    region = Region(name=name, currency_code=currency, is_tax_inclusive=inclusive)
    region.tax_rates.append(TaxRate(code="TAX", name="Tax", rate=Decimal(rate), is_default=True))
    db.session.add(region)
    db.session.flush()
    return region


def make_channel(name="Web Store") -> SalesChannel:
    channel = SalesChannel(name=name)
    db.session.add(channel)
    db.session.flush()
    return channel


def make_order(
    *,
    email: str = "ada@example.com",
    currency: str = "USD",
    items: list[dict] | None = None,
    shipping: list[dict] | None = None,
    captured: list[str] = (),
    authorized: list[str] = (),
    status: OrderStatus = OrderStatus.PENDING,
    created_at: datetime | None = None,
    customer: tuple[str, str] | None = ("Ada", "Lovelace"),
    region: Region | None = None,
    sales_channel: SalesChannel | None = None,
    external_id: str | None = None,
    commit: bool = True,
) -> Order:
    """An order with lines, shipping and payments; each item dict takes ``title``,
    ``unit_price``, ``quantity``, ``tax`` (list of rates), ``discounts`` (list of amounts),
    ``inclusive``."""
    items = items if items is not None else [{"title": "Linen shirt", "unit_price": "40.00"}]
    person = None
    if customer:
        person = db.session.query(Customer).filter_by(email=email).one_or_none()
        if person is None:
            person = Customer(email=email, first_name=customer[0], last_name=customer[1])
    order = Order(
        display_id=take_display_ids(1)[0],
        status=status,
        email=email,
        customer=person,
        currency_code=currency,
        region=region,
        sales_channel=sales_channel,
        external_id=external_id,
        created_at=created_at or utcnow(),
        shipping_address=Address(first_name="Ada", last_name="Lovelace", address_1="1 Main St",
                                 city="Springfield", postal_code="12345", country_code="us"),
    )  # fmt: skip
    for spec in items:
        item = LineItem(
            title=spec.get("title", "Item"),
            sku=spec.get("sku", ""),
            unit_price=Decimal(spec["unit_price"]),
            quantity=spec.get("quantity", 1),
            is_tax_inclusive=spec.get("inclusive", False),
        )
        item.tax_lines = [LineItemTaxLine(code=f"T{i}", rate=Decimal(r))
                          for i, r in enumerate(spec.get("tax", ()))]  # fmt: skip
        item.adjustments = [LineItemAdjustment(code="PROMO", amount=Decimal(a))
                            for a in spec.get("discounts", ())]  # fmt: skip
        order.items.append(item)
    for spec in shipping or ():
        method = ShippingMethod(name=spec.get("name", "Standard"), amount=Decimal(spec["amount"]),
                                is_tax_inclusive=spec.get("inclusive", False))  # fmt: skip
        method.tax_lines = [ShippingMethodTaxLine(code="T0", rate=Decimal(r))
                            for r in spec.get("tax", ())]  # fmt: skip
        order.shipping_methods.append(method)
    for amount in captured:
        payment = Payment(currency_code=currency, amount=Decimal(amount))
        payment.captures.append(Capture(amount=Decimal(amount)))
        order.payments.append(payment)
    for amount in authorized:
        order.payments.append(Payment(currency_code=currency, amount=Decimal(amount)))
    db.session.add(order)
    refresh_derived(order)
    record_event(order, "order.placed", "system", "Order placed")
    if commit:
        db.session.commit()
    return order
