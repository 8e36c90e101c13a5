"""The builder's searches as you type: catalogue variants and customers."""

from __future__ import annotations

from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from app.catalog.models import Product, ProductVariant
from app.customers.models import Customer
from app.extensions import db
from app.orders.models import Order, OrderStatus
from app.store.models import Region

#: Results shown under a search box: enough to pick from, few enough to read at a glance.
RESULTS = 8


def draft_for_builder(draft_id: int, with_timeline: bool) -> Order | None:
    """A draft (or a converted one) with what the builder changes and shows, loaded in a fixed
    number of queries; the timeline only when the page shows it, as it grows with every change."""
    options = [
        joinedload(Order.customer),
        joinedload(Order.region).selectinload(Region.tax_rates),
        joinedload(Order.shipping_address),
        joinedload(Order.billing_address),
        # One query for the draft and its collections (a draft has a few lines, at most a
        # couple of codes and payments, so the joined rows stay few); tax lines, adjustments,
        # captures and refunds follow in one query each, as their relationships load.
        joinedload(Order.items),
        joinedload(Order.shipping_methods),
        joinedload(Order.promotions),
        joinedload(Order.payments),
        joinedload(Order.credit_lines),
        joinedload(Order.gift_card_uses),
    ]
    if with_timeline:
        options.append(selectinload(Order.events))
    return db.session.scalars(
        select(Order)
        .where(Order.id == draft_id,
               or_(Order.status == OrderStatus.DRAFT, Order.converted_at.is_not(None)))
        .options(*options)
    ).unique().one_or_none()  # fmt: skip


def find_variants(q: str, limit: int = RESULTS) -> list[ProductVariant]:
    """Variants whose product title has a word starting with ``q``, whose own title starts
    with it, or whose SKU or barcode starts with it; an exact SKU or barcode (a scanner) first."""
    q = q.strip()
    if not q:
        return []
    lowered = q.lower()
    title = func.lower(Product.title)
    stmt = (
        select(ProductVariant)
        .join(ProductVariant.product)
        .where(or_(
            title.startswith(lowered, autoescape=True),
            title.contains(" " + lowered, autoescape=True),
            func.lower(ProductVariant.title).startswith(lowered, autoescape=True),
            func.lower(ProductVariant.sku).startswith(lowered, autoescape=True),
            ProductVariant.barcode.startswith(q, autoescape=True),
        ))
        .order_by(
            # Exact codes first; CASE, because a comparison with a missing barcode is NULL
            # and the databases sort NULL differently.
            case((or_(func.lower(ProductVariant.sku) == lowered, ProductVariant.barcode == q),
                  0), else_=1),
            Product.title, ProductVariant.id,
        )
        .limit(limit)
        .options(contains_eager(ProductVariant.product))
    )  # fmt: skip
    return list(db.session.scalars(stmt))


def find_customers(q: str, limit: int = RESULTS) -> list[Customer]:
    """Customers whose email, first name or last name starts with ``q``."""
    lowered = q.strip().lower()
    if not lowered:
        return []
    stmt = (
        select(Customer)
        .where(or_(
            Customer.email.startswith(lowered, autoescape=True),
            func.lower(Customer.first_name).startswith(lowered, autoescape=True),
            func.lower(Customer.last_name).startswith(lowered, autoescape=True),
        ))
        .order_by(Customer.last_name, Customer.first_name, Customer.id)
        .limit(limit)
    )  # fmt: skip
    return list(db.session.scalars(stmt))
