"""Stock arithmetic over plain counts: what a sales channel can sell of a SKU, why an order
for it cannot be held, and where its units are held.

Shared by the draft builder (before payment) and by placing an order (``reserve_order``), so
the figure staff see and the rule that refuses are one.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Stock:
    """A tracked SKU at the locations a sales channel draws from."""

    #: Units on those shelves that no order holds. A location that is short (a backorder
    #: took it below zero) adds nothing: it has nothing to give.
    available: int
    #: Whether one of those locations keeps the SKU at all; when none does, the channel has
    #: nowhere to hold it, backorders or not.
    stocked_here: bool


def channel_stock(levels: Iterable[tuple[int, int]]) -> Stock:
    """The stock over the SKU's levels at the channel's locations, each ``(stocked, reserved)``."""
    levels = list(levels)
    return Stock(
        available=sum(max(stocked - reserved, 0) for stocked, reserved in levels),
        stocked_here=bool(levels),
    )


def shortage(title: str, sku: str, ordered: int, stock: Stock | None,
             allow_backorder: bool) -> str | None:  # fmt: skip
    """Why ``ordered`` units cannot be held, or ``None`` when they can. ``stock`` is ``None``
    for a SKU that has no level anywhere: it is not tracked, and takes no stock."""
    if stock is None:
        return None
    if not stock.stocked_here:
        return f"{title} ({sku}) is not stocked where this sales channel ships from."
    if ordered > stock.available and not allow_backorder:
        return f"{title} ({sku}): {stock.available} available, {ordered} ordered."
    return None


def holds(ordered: int, available: Sequence[int]) -> list[int]:
    """Units to hold at each location, given what each has available (in the order to prefer
    on a tie): the most available first, so a line that one location can serve whole is held
    there whole, and split only when none can. What no location has (a backorder) is held
    at the location with the most."""
    units = [0] * len(available)
    left = ordered
    by_most = sorted(range(len(available)), key=lambda i: -available[i])
    for index in by_most:
        units[index] = min(left, max(available[index], 0))
        left -= units[index]
    if left and by_most:
        units[by_most[0]] += left
    return units
