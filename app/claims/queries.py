"""Finding an order's claims, and what a claim sent out."""

from __future__ import annotations

from sqlalchemy import select

from app.changes.versions import added_line_ids
from app.claims.models import Claim, ClaimType
from app.extensions import db
from app.orders.models import LineItem, Order


def order_claims(order_id: int) -> list[Claim]:
    """The order's claims, oldest first (as its timeline tells them)."""
    return list(db.session.scalars(
        select(Claim).where(Claim.order_id == order_id).order_by(Claim.id)))  # fmt: skip


def replacement_lines(order: Order, claim: Claim) -> list[LineItem]:
    """The lines a replace claim sends out at no charge, as they are now on the order: the
    lines its order change added (in the version it made, not in the one before)."""
    if claim.type != ClaimType.REPLACE:
        return []
    added = set(added_line_ids(order, claim.change))
    return [item for item in order.items if item.id in added]
