"""Fulfillment status, derived from line item quantities by a pure function."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class LineQuantities:
    """How many units of a line were ordered, and how far they have gone."""

    quantity: int
    fulfilled: int = 0
    shipped: int = 0
    delivered: int = 0
    returned: int = 0


def fulfillment_status(lines: Sequence[LineQuantities]) -> str:
    """The order's ``fulfillment_status``: the furthest stage any unit reached, ``partially_``
    when not every unit reached it."""
    ordered = sum(line.quantity for line in lines)
    if ordered == 0:
        return "not_fulfilled"
    stages = (
        ("returned", sum(line.returned for line in lines)),
        ("delivered", sum(line.delivered for line in lines)),
        ("shipped", sum(line.shipped for line in lines)),
        ("fulfilled", sum(line.fulfilled for line in lines)),
    )
    for name, count in stages:
        if count >= ordered:
            return name
        if count > 0:
            return f"partially_{name}"
    return "not_fulfilled"
