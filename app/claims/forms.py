"""Forms of the claim pages, one per staff step; each is a change to the order, made against
the version the page showed (``VersionedForm``)."""

from __future__ import annotations

from collections.abc import Mapping

from wtforms import (
    BooleanField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import InputRequired, Length

from app.claims.actions import ClaimLine
from app.claims.models import ClaimType
from app.exchanges.actions import ShippingChoice
from app.forms import MoneyField, WholeNumberField
from app.money import MAX_AMOUNT
from app.numbers import whole_number
from app.orders.forms import VersionedForm
from app.returns.forms import ReturnRefundForm, _rows, _units


class ClaimForm(VersionedForm):
    """A claim: refund or replace, the units claimed per order line (the fields
    ``quantity-<line id>``, ``reason-<line id>`` and ``note-<line id>``, read by ``lines``),
    whether they come back and where, a replacement's shipping and a note."""

    claim_type = RadioField(
        "Claim", choices=[SelectChoice(ClaimType.REFUND.value, "Refund the units"),
                          SelectChoice(ClaimType.REPLACE.value, "Replace them at no charge")],
        validators=[InputRequired(message="Pick a refund or a replacement.")],
    )  # fmt: skip
    return_units = BooleanField("The customer sends the faulty units back")
    # Checked by the action, and only when the units come back: a claim written off needs
    # no location, and a store may have none yet.
    location = SelectField("Receive at", coerce=whole_number, validate_choice=False)
    shipping_name = StringField("Replacement shipping", validators=[Length(max=200)])
    shipping_amount = MoneyField("Replacement shipping cost", maximum=MAX_AMOUNT)
    note = TextAreaField("Note", validators=[Length(max=5000)])

    def lines(self, form_data: Mapping[str, str]) -> list[ClaimLine]:
        """The lines with units claimed, each with its reason ("" when none was picked: the
        action refuses it, naming the line) and note."""
        quantities = {item_id: _units(value)
                      for item_id, value in _rows(form_data, "quantity-").items()}
        reasons = _rows(form_data, "reason-")
        notes = _rows(form_data, "note-")
        return [ClaimLine(item_id, quantity, reasons.get(item_id, "").strip(),
                          notes.get(item_id, ""))
                for item_id, quantity in quantities.items() if quantity]  # fmt: skip

    def location_id(self) -> int | None:
        """Where the units go back, when they do."""
        return self.location.data if self.return_units.data else None

    def shipping(self) -> ShippingChoice | None:
        """The replacement's shipping method, or none when both its fields are left empty."""
        name = (self.shipping_name.data or "").strip()
        if not name and self.shipping_amount.data is None:
            return None
        return ShippingChoice(name=name, amount=self.shipping_amount.data)


class ReinstateForm(VersionedForm):
    """Written-off units of one claim line that turned up after all."""

    claim_item_id = WholeNumberField(validators=[InputRequired()])
    quantity = WholeNumberField("Units to reinstate", too_small="Reinstate at least one unit.",
                                validators=[InputRequired(message="Give a number of units.")])


class ClaimRefundForm(ReturnRefundForm):
    """The refund of a refund claim's written-off units: the page fills in exactly what is
    owed, and the action takes no other amount."""
