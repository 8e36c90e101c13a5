"""The edit page's comparison, as pure functions over plain values: each line and shipping
method as it is and as the change would leave it, with the totals of each side and the staged
step that made the difference (which staff may undo)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from app.changes.calculations import Line, LineChange, OrderState, Shipping
from app.orders.calculations import ChargeTotals, OrderTotals


@dataclass(frozen=True)
class LineRow:
    """A line side by side; ``kind`` is added, removed, changed or unchanged."""

    kind: str
    before: Line | None
    after: Line | None
    before_totals: ChargeTotals | None
    after_totals: ChargeTotals | None
    #: The staged step behind the difference: the line's update or removal, or the addition.
    step_id: int | None

    @property
    def line(self) -> Line:
        """The line as it reads best: as proposed, or as it was when it goes."""
        return self.after or self.before


@dataclass(frozen=True)
class ShippingRow:
    """A shipping method side by side; ``kind`` is added, removed or unchanged."""

    kind: str
    method: Shipping
    totals: ChargeTotals
    step_id: int | None


@dataclass(frozen=True)
class Comparison:
    current: OrderTotals
    proposed: OrderTotals
    lines: list[LineRow]
    shipping: list[ShippingRow]


def _key(line: Line) -> tuple[str, int | None]:
    return ("line", line.id) if line.id is not None else ("action", line.action_id)


def compare(current: OrderState, proposed: OrderState, lines: Sequence[LineChange],
            line_steps: Mapping[int, int],
            shipping_steps: Mapping[int, int]) -> Comparison:  # fmt: skip
    """The rows of the comparison. ``lines`` pairs the two states' lines
    (``compare_lines``); ``line_steps`` and ``shipping_steps`` name the staged step that
    changes or removes an order line or shipping method, by its id."""
    now, then = current.totals, proposed.totals
    before_totals = {line.id: t for line, t in zip(current.items, now.items, strict=True)}
    after_totals = {_key(line): t for line, t in zip(proposed.items, then.items, strict=True)}
    line_rows = [
        LineRow(
            kind=pair.kind, before=pair.before, after=pair.after,
            before_totals=before_totals[pair.before.id] if pair.before else None,
            after_totals=after_totals[_key(pair.after)] if pair.after else None,
            step_id=line_steps.get(pair.before.id) if pair.before else pair.after.action_id,
        )
        for pair in lines
    ]  # fmt: skip
    kept = {s.id for s in proposed.shipping_methods if s.id is not None}
    shipping_rows = [
        ShippingRow("unchanged" if method.id in kept else "removed", method, totals,
                    shipping_steps.get(method.id))
        for method, totals in zip(current.shipping_methods, now.shipping_methods, strict=True)
    ] + [
        ShippingRow("added", method, totals, method.action_id)
        for method, totals in zip(proposed.shipping_methods, then.shipping_methods, strict=True)
        if method.id is None
    ]  # fmt: skip
    return Comparison(now, then, line_rows, shipping_rows)
