"""The builder's searches as you type: catalogue variants and customers."""

from __future__ import annotations

from functools import cache

from sqlalchemy import Select, bindparam, case, func, or_, select
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from app.catalog.models import Product, ProductVariant
from app.customers.models import Customer
from app.extensions import db
from app.inventory.calculations import shortage
from app.inventory.queries import stock_at_channel
from app.orders.models import LineItem, Order, OrderStatus, ShippingMethod
from app.store.models import Region
from app.transactions import set_local

#: Results shown under a search box: enough to pick from, few enough to read at a glance.
RESULTS = 8


def draft_for_builder(draft_id: int, with_timeline: bool) -> Order | None:
    """A draft (or a converted one) with what the builder changes and shows, loaded in a fixed
    number of queries; the timeline only when the page shows it, as it grows with every change."""
    return db.session.scalars(
        _builder_statement(with_timeline), {"draft_id": draft_id}
    ).unique().one_or_none()


@cache
def _builder_statement(with_timeline: bool) -> Select:
    """Built once: SQLAlchemy keys its caches on a statement's whole shape, which for this
    many loader options costs more than a small query, and a statement remembers its key."""
    options = [
        joinedload(Order.customer),
        joinedload(Order.shipping_address),
        joinedload(Order.billing_address),
        # The lines with their tax lines and adjustments, and the shipping method with its own,
        # come joined to the draft: a draft has a few lines, each with a tax line and a
        # discount or two, so the joined rows stay few, and every query saved is a round trip
        # and the ORM's work around it saved. The region (with its rates and shipping options)
        # and the applied codes come in a query each: joined, they would multiply those rows
        # by their own number.
        joinedload(Order.items).joinedload(LineItem.tax_lines),
        joinedload(Order.items).joinedload(LineItem.adjustments),
        joinedload(Order.shipping_methods).joinedload(ShippingMethod.tax_lines),
        joinedload(Order.shipping_methods).joinedload(ShippingMethod.adjustments),
        joinedload(Order.payments),
        joinedload(Order.credit_lines),
        joinedload(Order.gift_card_uses),
        selectinload(Order.region).options(
            joinedload(Region.tax_rates), joinedload(Region.shipping_options)
        ),
        selectinload(Order.promotions),
    ]
    if with_timeline:
        options.append(selectinload(Order.events))
    return (
        select(Order)
        .where(Order.id == bindparam("draft_id"),
               or_(Order.status == OrderStatus.DRAFT, Order.converted_at.is_not(None)))
        .options(*options)
    )  # fmt: skip


def find_variants(q: str, limit: int = RESULTS) -> list[ProductVariant]:
    """Variants whose product title has a word starting with ``q``, whose own title starts
    with it, or whose SKU or barcode starts with it; an exact SKU or barcode (a scanner) first."""
    q = q.strip()
    if not q:
        return []
    lowered = q.lower()
    # Planned for the text typed, not once for any text: which prefix index helps, and how
    # many rows match, depend on it.
    set_local("plan_cache_mode", "force_custom_plan")
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


def variant_results(q: str, sales_channel_id: int | None) -> dict:
    """What the item search shows for ``q`` (``_variant_results.html``'s context but the
    currency): the matching variants, the stock the sales channel has available of each, and
    those not one unit of which can be sold there (``sold_out``)."""
    variants = find_variants(q[:200])
    stock = stock_at_channel([v.sku for v in variants if v.sku], sales_channel_id)
    sold_out = {
        v.id for v in variants
        if shortage(v.full_title, v.sku, 1, stock.get(v.sku), v.allow_backorder)
    }  # fmt: skip
    return {"variants": variants, "stock": stock, "sold_out": sold_out}


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
