"""Forms of the order pages, one per staff action."""

import re

from flask_wtf import FlaskForm
from wtforms import (
    HiddenField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length

from app.forms import MoneyField
from app.money import MAX_ORDER_TOTAL
from app.numbers import whole_number
from app.orders.actions import OrderActionError
from app.payments.actions import REFUND_REASONS


class NoteForm(FlaskForm):
    """An internal note on an order; staff only, never sent to the customer."""

    text = TextAreaField(
        "Note",
        validators=[DataRequired(message="Write something first."), Length(max=5000)],
    )


class VersionedForm(FlaskForm):
    """A change to an order (or a draft), made against the version the page showed; a form
    carrying an older version is refused."""

    lock_version = HiddenField(validators=[InputRequired()])

    def expected_version(self) -> int:
        """The version the page showed; -1, which no order has, when the form's is not a
        version at all (the change is then refused as made against another version)."""
        try:
            return whole_number(self.lock_version.data or "")
        except ValueError:
            return -1

    def problems(self) -> str:
        """What is wrong with the form, in one line: not every field is on the page again
        (a line's quantity, a search box), so the message says it all."""
        problems = []
        for name, errors in self.errors.items():
            label = self[name].label.text if name in self and self[name].label.text else ""
            problems += [f"{label}: {error}" if label else error for error in errors]
        return " ".join(problems) or "This form is incomplete; reload the page."


class CaptureForm(VersionedForm):
    #: Checked against the payment's currency by the action (the form does not know it).
    amount = MoneyField("Amount to capture", positive=True, maximum=MAX_ORDER_TOTAL,
                        validators=[InputRequired(message="Give an amount.")])  # fmt: skip


class RefundForm(VersionedForm):
    amount = MoneyField("Amount to refund", positive=True, maximum=MAX_ORDER_TOTAL,
                        validators=[InputRequired(message="Give an amount.")])  # fmt: skip
    reason = SelectField("Reason", choices=[SelectChoice(value, label)
                                            for value, label in REFUND_REASONS.items()])
    note = TextAreaField("Note", validators=[Length(max=1000)])


class DifferenceForm(VersionedForm):
    """The payment or refund of what a confirmed order edit left to settle: the page fills in
    the exact amount, and the action takes no other."""

    amount = MoneyField("Amount", positive=True, maximum=MAX_ORDER_TOTAL,
                        validators=[InputRequired(message="Give an amount.")])  # fmt: skip


class FulfillmentForm(VersionedForm):
    """Units to pack per line (fields ``quantity-<line id>``, read by ``quantities``) and the
    location they leave from."""

    location = SelectField("Ship from", coerce=whole_number)

    def quantities(self, form_data) -> dict[int, int]:
        """Line id → units asked for; a count that is not a whole number in the digits 0-9
        is an error (the action compares it with what is left to fulfil)."""
        quantities = {}
        for key, value in form_data.items():
            if key.startswith("quantity-") and value.strip():
                try:
                    quantities[whole_number(key.removeprefix("quantity-"))] = whole_number(
                        value, low=None, high=None)  # fmt: skip
                except ValueError:
                    raise OrderActionError(f"“{value}” is not a number of units.") from None
        return quantities


class ShipmentForm(VersionedForm):
    carrier = StringField("Carrier", validators=[Length(max=100)])
    tracking_numbers = StringField("Tracking numbers", validators=[Length(max=500)])

    def tracking(self) -> list[str]:
        """The tracking numbers, separated by commas or spaces."""
        return [n for n in re.split(r"[\s,]+", self.tracking_numbers.data or "") if n]
