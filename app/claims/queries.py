"""Finding an order's claims."""

from __future__ import annotations

from sqlalchemy import select

from app.claims.models import Claim
from app.extensions import db


def order_claims(order_id: int) -> list[Claim]:
    """The order's claims, oldest first (as its timeline tells them)."""
    return list(db.session.scalars(
        select(Claim).where(Claim.order_id == order_id).order_by(Claim.id)))  # fmt: skip
