"""Forms of the order edit page, one per step; each carries the order's lock version
(``VersionedForm``). The catalogue search is the builder's own ``VariantItemForm``."""

from wtforms import StringField, TextAreaField, ValidationError
from wtforms.validators import InputRequired, Length, Optional

from app.draft_orders.forms import CustomItemForm as _BuilderItemForm
from app.forms import MoneyField, WholeNumberField
from app.money import MAX_QUANTITY, MoneyError, check_line
from app.orders.forms import VersionedForm


class _InCurrency:
    """A form whose amounts are checked against the order's currency, which the view gives:
    ``12.505`` USD or ``12.5`` JPY is the field's error, said beside it."""

    def __init__(self, *args, currency: str, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.currency = currency

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        for field in self:
            if isinstance(field, MoneyField) and not field.errors:
                try:
                    field.check_decimals(self.currency)
                except ValidationError as error:
                    field.errors.append(str(error))
                    valid = False
        return valid


class InternalNoteForm(VersionedForm):
    """The edit's internal note: given when it starts, changed while it is put together."""

    internal_note = TextAreaField("Internal note", validators=[Length(max=5000)])


class CustomItemForm(_InCurrency, _BuilderItemForm):
    """An item that is not in the catalogue: title, unit price and quantity, as in the
    builder."""


class LineForm(_InCurrency, VersionedForm):
    """A new quantity and/or unit price for one of the order's lines: 0 units takes it off,
    a price of 0 is a price."""

    quantity = WholeNumberField("Qty", minimum=0, maximum=MAX_QUANTITY,
                                validators=[Optional()])  # fmt: skip
    unit_price = MoneyField("Unit price", validators=[Optional()])

    def validate(self, extra_validators=None) -> bool:
        if not super().validate(extra_validators):
            return False
        if self.quantity.data is None and self.unit_price.data is None:
            self.quantity.errors.append("Give a quantity or a unit price.")
            return False
        if self.quantity.data is not None and self.unit_price.data is not None:
            try:
                check_line(self.unit_price.data, self.quantity.data)
            except MoneyError as error:
                self.quantity.errors.append(str(error))
                return False
        return True


class AddedLineForm(LineForm):
    """A new quantity (0 drops it) and, if given, unit price of a line the edit adds."""

    quantity = WholeNumberField("Qty", minimum=0, maximum=MAX_QUANTITY,
                                validators=[InputRequired(message="Give a quantity.")])  # fmt: skip


class ShippingForm(_InCurrency, VersionedForm):
    """A shipping method to add: one of the region's options, or a name and an amount."""

    option_id = WholeNumberField("Shipping option", validators=[Optional()])
    name = StringField("Name", validators=[Length(max=200)])
    amount = MoneyField("Amount", validators=[Optional()])

    def validate(self, extra_validators=None) -> bool:
        if not super().validate(extra_validators):
            return False
        if self.option_id.data is not None:
            return True
        valid = True
        if not (self.name.data or "").strip():
            self.name.errors.append("Pick a shipping option, or name the method.")
            valid = False
        if self.amount.data is None:
            self.amount.errors.append("Give an amount.")
            valid = False
        return valid


class StepForm(VersionedForm):
    """Buttons that need only the version: remove, undo, request, confirm, cancel."""
