"""Return reasons: why a customer sends units back, kept in the settings (as Medusa's return
reasons), with one level of child reasons under a top-level one."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.db_types import UTCDateTime, utcnow
from app.extensions import db


class ReturnReason(db.Model):
    """A reason staff and customers pick for a returned line; never deleted, only retired."""

    __tablename__ = "return_reason"
    __table_args__ = (
        # The one rule of the hierarchy the database can hold; that a child has no children
        # is the actions' (``app.returns.actions``).
        CheckConstraint("parent_id IS NULL OR parent_id <> id", name="not_own_parent"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: A short code that the API and exports use (``too_small``): lower-case letters, digits
    #: and underscores.
    value: Mapped[str] = mapped_column(String(50), unique=True)
    #: What staff and customers read.
    label: Mapped[str] = mapped_column(String(100))
    description: Mapped[str] = mapped_column(Text, default="")
    #: The top-level reason this one details; ``None`` for a top-level reason.
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("return_reason.id"), index=True)
    #: Retired reasons stay for the returns that used them but are no longer offered.
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    parent: Mapped[ReturnReason | None] = relationship(
        remote_side=[id], back_populates="children"
    )
    children: Mapped[list[ReturnReason]] = relationship(
        back_populates="parent", order_by="ReturnReason.label"
    )

    @property
    def active_children(self) -> list[ReturnReason]:
        """The child reasons still offered."""
        return [child for child in self.children if child.is_active]
