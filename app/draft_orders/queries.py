"""The builder's searches as you type: catalogue variants and customers."""

from __future__ import annotations

from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import contains_eager, selectinload

from app.catalog.models import Product, ProductVariant
from app.customers.models import Customer
from app.extensions import db

#: Results shown under a search box: enough to pick from, few enough to read at a glance.
RESULTS = 8


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
        .options(contains_eager(ProductVariant.product), selectinload(ProductVariant.prices))
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
