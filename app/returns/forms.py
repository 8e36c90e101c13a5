"""Forms of the return pages, one per staff step; each is a change to the order, made against
the version the page showed (``VersionedForm``)."""

from __future__ import annotations

from collections.abc import Mapping

from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length

from app.forms import MoneyField
from app.money import MAX_AMOUNT, MAX_ORDER_TOTAL
from app.numbers import whole_number
from app.orders.forms import VersionedForm
from app.returns.actions import ReturnError, ReturnRequestLine


def _units(value: str) -> int:
    """A count of units typed in a row of the form, or the refusal saying what is wrong."""
    try:
        return whole_number(value, low=0, high=None)
    except ValueError:
        raise ReturnError(f"“{value.strip()[:20]}” is not a number of units.") from None


def _rows(form_data: Mapping[str, str], prefix: str) -> dict[int, str]:
    """Row id → what was typed in the fields ``<prefix>-<row id>``, blank ones left out; a
    row id that is not an id is refused (the page never sends one)."""
    rows = {}
    for key, value in form_data.items():
        if key.startswith(prefix) and value.strip():
            try:
                rows[whole_number(key.removeprefix(prefix))] = value
            except ValueError:
                raise ReturnError("This form has a line this order does not; reload the "
                                  "page.") from None  # fmt: skip
    return rows


class ReturnLines:
    """Units to ask back per order line, in the fields ``quantity-<line id>`` and
    ``reason-<line id>`` (one row each, so not fields of the form class), read by ``lines``:
    the staff's form and the customer's."""

    def lines(self, form_data: Mapping[str, str]) -> list[ReturnRequestLine]:
        """The lines with units asked back, each with its reason (``None`` when none was
        picked: the action refuses it, naming the line)."""
        quantities = {item_id: _units(value)
                      for item_id, value in _rows(form_data, "quantity-").items()}
        reasons = _rows(form_data, "reason-")
        lines = []
        for item_id, quantity in quantities.items():
            if not quantity:
                continue
            try:
                reason_id = whole_number(reasons[item_id]) if item_id in reasons else None
            except ValueError:
                reason_id = None  # not a reason: the action asks for one
            lines.append(ReturnRequestLine(item_id, quantity, reason_id))
        return lines


class StartReturnForm(ReturnLines, VersionedForm):
    """Units to ask back per order line (``ReturnLines``), the location that receives them, a
    note and the return shipping."""

    location = SelectField("Receive at", coerce=whole_number,
                           validate_choice=True)  # fmt: skip
    note = TextAreaField("Note", validators=[Length(max=5000)])
    return_shipping_name = StringField("Return shipping", validators=[Length(max=200)])
    return_shipping_amount = MoneyField("Return shipping cost", maximum=MAX_AMOUNT)
    deduct_shipping = BooleanField("The customer pays it: charged on the order (with its tax) "
                                   "and taken off the refund")


class ReceiveForm(VersionedForm):
    """Units that arrived per return line: ``restock-<return line id>`` back on the shelf and
    ``damaged-<return line id>`` written off, read by ``received``."""

    def received(self, form_data: Mapping[str, str]) -> dict[int, tuple[int, int]]:
        restock = {key: _units(value) for key, value in _rows(form_data, "restock-").items()}
        damaged = {key: _units(value) for key, value in _rows(form_data, "damaged-").items()}
        return {key: (restock.get(key, 0), damaged.get(key, 0))
                for key in restock.keys() | damaged.keys()}  # fmt: skip


class ReturnRefundForm(VersionedForm):
    """The refund of a return's received units: the page fills in exactly what is owed, and
    the action takes no other amount."""

    amount = MoneyField("Amount to refund", positive=True, maximum=MAX_ORDER_TOTAL,
                        validators=[InputRequired(message="Give an amount.")])  # fmt: skip
