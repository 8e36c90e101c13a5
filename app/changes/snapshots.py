"""An order as plain values (``OrderState``), from its rows or from a stored version, and as
the JSON an ``OrderVersion`` keeps: amounts and rates as exact strings."""

from __future__ import annotations

from dataclasses import asdict, fields
from decimal import Decimal
from typing import Any

from app.changes.calculations import Adjustment, Line, OrderState, Shipping, TaxLine
from app.orders.calculations import ChargeTotals, GiftCardUse, OrderTotals
from app.orders.models import Order

#: The order totals a version keeps (the per-line ones are kept on its lines).
SNAPSHOT_TOTALS = tuple(
    f.name for f in fields(OrderTotals)
    if f.name not in ("currency_code", "items", "shipping_methods")
)  # fmt: skip
_LINE_TOTALS = tuple(f.name for f in fields(ChargeTotals)
                     if f.name not in ("tax_amounts", "adjustment_amounts"))  # fmt: skip


def _tax_lines(rows) -> tuple[TaxLine, ...]:
    return tuple(TaxLine(t.code, t.name, t.rate) for t in rows)


def _adjustments(rows) -> tuple[Adjustment, ...]:
    return tuple(Adjustment(a.code, a.amount, a.description, a.promotion_id) for a in rows)


def order_state(order: Order) -> OrderState:
    """The order as it is, from its loaded rows."""
    return OrderState(
        currency_code=order.currency_code,
        items=tuple(Line(
            id=i.id, title=i.title, subtitle=i.subtitle, sku=i.sku, variant_id=i.variant_id,
            product_type=i.product_type, thumbnail=i.thumbnail, unit_price=i.unit_price,
            quantity=i.quantity, fulfilled_quantity=i.fulfilled_quantity or 0,
            shipped_quantity=i.shipped_quantity or 0,
            return_requested_quantity=i.return_requested_quantity or 0,
            returned_quantity=i.returned_quantity or 0,
            written_off_quantity=i.written_off_quantity or 0,
            credited_quantity=i.credited_quantity or 0,
            is_tax_inclusive=i.is_tax_inclusive, is_custom_price=i.is_custom_price,
            tax_lines=_tax_lines(i.tax_lines), adjustments=_adjustments(i.adjustments),
        ) for i in order.items),
        shipping_methods=tuple(Shipping(
            id=s.id, name=s.name, amount=s.amount, shipping_option_id=s.shipping_option_id,
            is_tax_inclusive=s.is_tax_inclusive, tax_lines=_tax_lines(s.tax_lines),
            adjustments=_adjustments(s.adjustments),
        ) for s in order.shipping_methods),
        gift_cards=tuple(u.use for u in order.gift_card_uses),
        credit_lines=tuple(c.amount for c in order.credit_lines),
        captured=tuple(c.amount for p in order.payments for c in p.captures),
        refunded=tuple(r.amount for p in order.payments for r in p.refunds),
        authorized=tuple(p.amount for p in order.payments if p.canceled_at is None),
    )  # fmt: skip


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def snapshot(state: OrderState) -> dict[str, Any]:
    """What an ``OrderVersion`` keeps: the state, each line's totals and every order total."""
    totals = state.totals
    return _plain({
        "currency_code": state.currency_code,
        "items": [asdict(line) | {"totals": _line_totals(t)}
                  for line, t in zip(state.items, totals.items, strict=True)],
        "shipping_methods": [asdict(s) | {"totals": _line_totals(t)}
                             for s, t in zip(state.shipping_methods, totals.shipping_methods,
                                             strict=True)],
        "gift_cards": [asdict(g) for g in state.gift_cards],
        "credit_lines": list(state.credit_lines),
        "captured": list(state.captured),
        "refunded": list(state.refunded),
        "authorized": list(state.authorized),
        "totals": {name: getattr(totals, name) for name in SNAPSHOT_TOTALS},
    })  # fmt: skip


def _line_totals(totals: ChargeTotals) -> dict[str, Decimal]:
    return {name: getattr(totals, name) for name in _LINE_TOTALS}


def _decimal(value: str | None) -> Decimal | None:
    return None if value is None else Decimal(value)


def _taxes(rows) -> tuple[TaxLine, ...]:
    return tuple(TaxLine(t["code"], t["name"], Decimal(t["rate"])) for t in rows)


def _discounts(rows) -> tuple[Adjustment, ...]:
    return tuple(Adjustment(a["code"], Decimal(a["amount"]), a["description"],
                            a["promotion_id"]) for a in rows)  # fmt: skip


def state_from_snapshot(data: dict[str, Any]) -> OrderState:
    """A stored version back as an ``OrderState``: its totals are worked out again from the
    same values, so they are the ones stored."""
    line_fields = {f.name for f in fields(Line)} - {"tax_lines", "adjustments"}
    shipping_fields = {f.name for f in fields(Shipping)} - {"tax_lines", "adjustments"}
    return OrderState(
        currency_code=data["currency_code"],
        items=tuple(Line(**{
            **{k: v for k, v in row.items() if k in line_fields},
            "unit_price": Decimal(row["unit_price"]),
            "tax_lines": _taxes(row["tax_lines"]), "adjustments": _discounts(row["adjustments"]),
        }) for row in data["items"]),
        shipping_methods=tuple(Shipping(**{
            **{k: v for k, v in row.items() if k in shipping_fields},
            "amount": Decimal(row["amount"]),
            "tax_lines": _taxes(row["tax_lines"]), "adjustments": _discounts(row["adjustments"]),
        }) for row in data["shipping_methods"]),
        gift_cards=tuple(GiftCardUse(Decimal(g["amount"]), _decimal(g["tax_rate"]))
                         for g in data["gift_cards"]),
        credit_lines=tuple(Decimal(c) for c in data["credit_lines"]),
        captured=tuple(Decimal(c) for c in data["captured"]),
        refunded=tuple(Decimal(c) for c in data["refunded"]),
        authorized=tuple(Decimal(c) for c in data["authorized"]),
    )  # fmt: skip
