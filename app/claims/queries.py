"""Finding an order's claims, and what a claim sent out."""

from __future__ import annotations

from sqlalchemy import select

from app.changes.versions import order_versions
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
    made = claim.change.confirmed_version
    versions = order_versions(order, (made - 1, made))
    added = ({line.id for line in versions[made].state.items}
             - {line.id for line in versions[made - 1].state.items})  # fmt: skip
    return [item for item in order.items if item.id in added]
