"""An order's versions as staff pages and the API read them: the stored snapshots
(``OrderVersion``), and the order itself for its current version when none is stored yet.

Version 1 is stored by the first confirmed change (``confirm_change`` keeps the version before
it); until then, and for orders placed before versions were kept, the order as it is now is its
version 1. Reading any number of versions takes a fixed number of queries, whatever the
order's size.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from app.changes.calculations import OrderState
from app.changes.models import OrderChange, OrderVersion
from app.changes.snapshots import order_state, state_from_snapshot
from app.extensions import db
from app.orders.models import Order
from app.orders.queries import order_with_details


@dataclass(frozen=True)
class Version:
    """One version of an order: its lines and money, and the change that made it (none for
    version 1, which the order was placed as)."""

    number: int
    state: OrderState
    change: OrderChange | None
    #: When the version began: the order's placement for version 1, else the confirmation.
    made_at: datetime | None


def order_versions(order: Order, numbers: Collection[int]) -> dict[int, Version]:
    """The versions ``numbers`` of the order that exist, by number; one that never existed
    is left out."""
    rows = db.session.execute(
        select(OrderVersion, OrderChange)
        .outerjoin(OrderChange, OrderChange.id == OrderVersion.change_id)
        .where(OrderVersion.order_id == order.id, OrderVersion.version.in_(numbers))
    ).all()  # fmt: skip
    found = {
        row.version: Version(row.version, state_from_snapshot(row.snapshot), change,
                             _made_at(order, row.version, change))
        for row, change in rows
    }  # fmt: skip
    current = order.version
    if current in numbers and current not in found:
        # Nothing stored for it yet: the current version is the order as it is.
        order = order_with_details(order.id)
        found[current] = Version(current, order_state(order), None,
                                 _made_at(order, current, None))  # fmt: skip
    return found


def added_line_ids(order: Order, change: OrderChange) -> list[int]:
    """The ids of the lines a confirmed change added to the order (an exchange's new items, a
    claim's replacements), in their order: the lines of the version it made that the version
    before did not have, both kept as snapshots."""
    made = change.confirmed_version
    versions = order_versions(order, [made - 1, made])
    before = {line.id for line in versions[made - 1].state.items}
    return [line.id for line in versions[made].state.items if line.id not in before]


def _made_at(order: Order, number: int, change: OrderChange | None) -> datetime | None:
    if number == 1:
        return order.created_at
    return change.confirmed_at if change is not None else None
