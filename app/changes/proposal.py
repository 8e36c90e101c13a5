"""What the customer reads of an order change: the lines and shipping it adds, removes or
changes, and the totals before and after, as plain values worked out from two ``OrderState``
(a preview's current and proposed states, or two stored versions). Pure, like the calculations
it reads: the email and the customer's page only format these.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from app.changes.calculations import Line, OrderState, Shipping, compare_lines
from app.orders.calculations import charge_totals
from app.orders.summary import TotalsSummary, summarize_totals


@dataclass(frozen=True)
class LineRow:
    """One line before and after the change; the ``before_*`` figures are ``None`` for an
    added line, the ``after_*`` ones for a removed line. ``total`` is what the customer pays
    for the whole line: discounts taken off, tax in."""

    kind: str
    title: str
    subtitle: str
    before_quantity: int | None
    after_quantity: int | None
    before_unit_price: Decimal | None
    after_unit_price: Decimal | None
    before_total: Decimal | None
    after_total: Decimal | None


@dataclass(frozen=True)
class ShippingRow:
    """A shipping method the change adds or removes (or keeps): its total with tax."""

    kind: str
    name: str
    before_total: Decimal | None
    after_total: Decimal | None


@dataclass(frozen=True)
class TotalsRow:
    """A row of the totals before and after; ``deduction`` rows are taken off the total."""

    label: str
    before: Decimal
    after: Decimal
    deduction: bool = False
    grand: bool = False


def _line_total(line: Line | Shipping | None, currency: str) -> Decimal | None:
    return None if line is None else charge_totals(line.charge, currency).total


def line_rows(before: OrderState, after: OrderState) -> list[LineRow]:
    """Every line of both states, the order's own first and the added ones last."""
    currency = before.currency_code
    rows = []
    for pair in compare_lines(before.items, after.items):
        old, new = pair.before, pair.after
        shown = new if new is not None else old
        rows.append(LineRow(
            kind=pair.kind, title=shown.title, subtitle=shown.subtitle,
            before_quantity=None if old is None else old.quantity,
            after_quantity=None if new is None else new.quantity,
            before_unit_price=None if old is None else old.unit_price,
            after_unit_price=None if new is None else new.unit_price,
            before_total=_line_total(old, currency), after_total=_line_total(new, currency),
        ))  # fmt: skip
    return rows


def _shipping_key(method: Shipping) -> tuple[str, int | None]:
    # Methods the order has are known by id; one a preview adds, by its action.
    return ("method", method.id) if method.id is not None else ("action", method.action_id)


def shipping_rows(before: OrderState, after: OrderState) -> list[ShippingRow]:
    """Every shipping method of both states: kept, removed, then added."""
    currency = before.currency_code
    later = {_shipping_key(s): s for s in after.shipping_methods}
    pairs = [(s, later.pop(_shipping_key(s), None)) for s in before.shipping_methods]
    pairs += [(None, s) for s in later.values()]
    return [ShippingRow(
        kind="added" if old is None else "removed" if new is None else "unchanged",
        name=old.name if new is None else new.name,
        before_total=_line_total(old, currency), after_total=_line_total(new, currency),
    ) for old, new in pairs]  # fmt: skip


def _summary(state: OrderState) -> TotalsSummary:
    return summarize_totals(state.totals, [i.charge for i in state.items],
                            [s.charge for s in state.shipping_methods])  # fmt: skip


def totals_rows(before: OrderState, after: OrderState) -> list[TotalsRow]:
    """The totals panel's rows (``app.orders.summary``) before and after, rows that are zero
    on both sides left out: they add up to the total on each side."""
    old, new = _summary(before), _summary(after)
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


def paid(state: OrderState) -> Decimal:
    """What the customer has paid and not had back."""
    totals = state.totals
    return totals.paid_total - totals.refunded_total
