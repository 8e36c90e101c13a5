"""Two states of an order side by side, as pure values: each line and shipping method as it was
and as it is (or would be), with each side's totals, and the totals panel's figures on both
sides. The staff edit page, the customer's page and emails, and the version compare page all
read this; each adds only what is its own (the edit page: the staged step each row may undo).
Pure, like the calculations it reads: no Flask, no SQLAlchemy.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Generic, TypeVar

from app.changes.calculations import (
    Line,
    OrderState,
    Shipping,
    compare_lines,
    compare_shipping,
)
from app.orders.calculations import ChargeTotals, OrderTotals
from app.orders.summary import TotalsSummary, summarize_totals

Part = TypeVar("Part", Line, Shipping)


@dataclass(frozen=True)
class Side:
    """One side of the comparison: an order's state with its totals worked out once, line by
    line, and the totals panel's figures (``app.orders.summary``) from them."""

    state: OrderState
    totals: OrderTotals
    summary: TotalsSummary

    @property
    def items(self) -> list[tuple[Line, ChargeTotals]]:
        return list(zip(self.state.items, self.totals.items, strict=True))

    @property
    def shipping(self) -> list[tuple[Shipping, ChargeTotals]]:
        return list(zip(self.state.shipping_methods, self.totals.shipping_methods, strict=True))

    @property
    def paid(self) -> Decimal:
        """What the customer has paid and not had back."""
        return self.totals.paid_total - self.totals.refunded_total


def side(state: OrderState) -> Side:
    """``state`` with its totals and the panel's figures."""
    totals = state.totals
    return Side(state, totals, summarize_totals(
        totals, [i.charge for i in state.items], [s.charge for s in state.shipping_methods]))


@dataclass(frozen=True)
class Row(Generic[Part]):
    """A line or shipping method side by side. ``kind`` is added, removed, changed (lines
    only) or unchanged; ``before`` and its totals are ``None`` for one added, ``after`` and its
    totals for one removed."""

    kind: str
    before: Part | None
    after: Part | None
    before_totals: ChargeTotals | None
    after_totals: ChargeTotals | None

    @property
    def shown(self) -> Part:
        """The line as it reads best: as it is after, or as it was when it goes."""
        return self.after if self.after is not None else self.before

    @property
    def before_total(self) -> Decimal | None:
        """What the whole line costs before: discounts taken off, tax in."""
        return None if self.before_totals is None else self.before_totals.total

    @property
    def after_total(self) -> Decimal | None:
        """What the whole line costs after: discounts taken off, tax in."""
        return None if self.after_totals is None else self.after_totals.total


@dataclass(frozen=True)
class TotalsRow:
    """A total before and after; ``deduction`` rows are taken off the total."""

    label: str
    before: Decimal
    after: Decimal
    deduction: bool = False
    grand: bool = False

    @property
    def change(self) -> Decimal:
        return self.after - self.before


@dataclass(frozen=True)
class Comparison:
    """Two states side by side: every line and shipping method of both, the order's own in
    their order and the added ones last."""

    before: Side
    after: Side
    lines: list[Row[Line]]
    shipping: list[Row[Shipping]]

    @property
    def changed_lines(self) -> list[Row[Line]]:
        return [row for row in self.lines if row.kind != "unchanged"]

    @property
    def changed_shipping(self) -> list[Row[Shipping]]:
        return [row for row in self.shipping if row.kind != "unchanged"]

    @property
    def difference(self) -> Decimal:
        """What the after side leaves to settle: its total less what the customer has paid
        and not had back. Positive: to collect; negative: to refund."""
        return self.after.totals.outstanding_amount

    @property
    def totals_rows(self) -> list[TotalsRow]:
        """The totals panel's rows before and after as the customer reads them, rows that are
        zero on both sides left out: they add up to the total on each side. (The staff edit
        page lays out ``before.summary`` and ``after.summary`` in full, with what was paid
        and refunded, as the order page's panel does.)"""
        old, new = self.before.summary, self.after.summary
        wanted = [
            ("Items", "items", False, False, True),
            ("Discounts", "discounts", True, False, False),
            ("Shipping", "shipping", False, False, False),
            ("Tax", "added_tax", False, False, old.tax_is_added or new.tax_is_added),
            ("Gift cards", "gift_cards", True, False, False),
            ("Credit", "credit_lines", True, False, False),
            ("Total", "total", False, True, True),
            ("Tax included", "included_tax", False, False, False),
        ]
        return [TotalsRow(label, getattr(old, name), getattr(new, name), deduction, grand)
                for label, name, deduction, grand, always in wanted
                if always or getattr(old, name) or getattr(new, name)]  # fmt: skip


def _rows(pairs: list, before: dict, after: dict) -> list[Row]:
    """Each pair (``LineChange``, ``ShippingChange``) with its totals on each side."""
    return [Row(pair.kind, pair.before, pair.after, before.get(pair.before), after.get(pair.after))
            for pair in pairs]  # fmt: skip


def compare(before: OrderState, after: OrderState) -> Comparison:
    """``before`` and ``after`` side by side: a preview's current and proposed states, or two
    stored versions. Lines are paired by ``compare_lines``, shipping by ``compare_shipping``;
    each side's totals are worked out once."""
    old, new = side(before), side(after)
    # The engine works out each line's totals from that line alone, so a line (a value) can
    # key them.
    return Comparison(
        old, new,
        _rows(compare_lines(before.items, after.items), dict(old.items), dict(new.items)),
        _rows(compare_shipping(before.shipping_methods, after.shipping_methods),
              dict(old.shipping), dict(new.shipping)),
    )  # fmt: skip
