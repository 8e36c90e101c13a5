"""Changes to the return reasons kept in the settings, one function each.

They check what needs the stored reasons (a code taken, the hierarchy's one level of children,
a parent still in use) and store the change in the caller's transaction: the view commits once.
A refusal changes nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import select

from app.extensions import db
from app.orders.actions import OrderActionError
from app.returns.models import ReturnReason

_VALUE = re.compile(r"[a-z0-9_]{1,50}")


class ReturnReasonError(OrderActionError):
    """A return reason the settings refuse; ``field`` names the form field it is about, or is
    ``None`` when it is about the reason as a whole."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def reason_value(text: str) -> str:
    """``text`` as a reason's code: without the spaces around it and lower case (as promotion
    codes are upper-cased), or refused when other characters are left."""
    value = text.strip().lower()
    if not _VALUE.fullmatch(value):
        raise ReturnReasonError(
            "Use 1 to 50 lower-case letters, digits and _, such as too_small.", "value"
        )
    return value


@dataclass(frozen=True)
class ReasonValues:
    """What staff enter for a return reason; ``parent_id`` ``None`` for a top-level one."""

    value: str
    label: str
    description: str
    parent_id: int | None


def save_return_reason(reason: ReturnReason | None, values: ReasonValues) -> ReturnReason:
    """Create a return reason (``reason`` is ``None``) or change one."""
    value = reason_value(values.value)
    taken = db.session.scalar(select(ReturnReason).where(ReturnReason.value == value))
    if taken is not None and taken is not reason:
        raise ReturnReasonError(f"The code {value} is taken by “{taken.label}”.", "value")
    parent = _parent(reason, values.parent_id)
    if reason is None:
        reason = ReturnReason()
        db.session.add(reason)
    reason.value = value
    reason.label = values.label.strip()
    reason.description = values.description.strip()
    reason.parent = parent
    db.session.flush()
    return reason


def _parent(reason: ReturnReason | None, parent_id: int | None) -> ReturnReason | None:
    """The parent ``reason`` may have: an active top-level reason (a retired reason may keep
    its retired parent), and none for a reason with children of its own."""
    if parent_id is None:
        return None
    parent = db.session.get(ReturnReason, parent_id)
    if parent is None:
        raise ReturnReasonError("That parent reason no longer exists; reload the page.",
                                "parent_id")  # fmt: skip
    if reason is not None and parent.id == reason.id:
        raise ReturnReasonError("A reason cannot be its own parent.", "parent_id")
    if parent.parent is not None:
        raise ReturnReasonError(
            f"“{parent.label}” is a child of “{parent.parent.label}”: child reasons have no "
            "children. Choose a top-level reason.", "parent_id",
        )  # fmt: skip
    if reason is not None and reason.children:
        raise ReturnReasonError(
            f"“{reason.label}” has child reasons, so it stays a top-level reason.", "parent_id"
        )
    if not parent.is_active and (reason is None or reason.is_active):
        raise ReturnReasonError(f"“{parent.label}” is retired; choose an active reason.",
                                "parent_id")  # fmt: skip
    return parent


def retire_return_reason(reason: ReturnReason) -> None:
    """Stop offering a reason; the returns that used it keep it. A parent goes after its
    active children, so an offered child always has an offered parent."""
    active = reason.active_children
    if active:
        labels = ", ".join(f"“{child.label}”" for child in active)
        raise ReturnReasonError(
            f"“{reason.label}” has active child reasons ({labels}); retire them first."
        )
    reason.is_active = False
    db.session.flush()


def reactivate_return_reason(reason: ReturnReason) -> None:
    """Offer a retired reason again; a child only once its parent is offered."""
    if reason.parent is not None and not reason.parent.is_active:
        raise ReturnReasonError(
            f"“{reason.parent.label}” is retired; reactivate it before its child reasons."
        )
    reason.is_active = True
    db.session.flush()
