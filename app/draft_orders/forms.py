"""Forms of the draft-order builder, one per change; each carries the draft's version."""

from wtforms import (
    BooleanField,
    EmailField,
    FormField,
    SelectField,
    StringField,
)
from wtforms import Form as PlainForm
from wtforms.validators import (
    DataRequired,
    Email,
    InputRequired,
    Length,
    Optional,
    Regexp,
)

from app.draft_orders.queries import find_variants
from app.forms import MoneyField, WholeNumberField
from app.money import MAX_QUANTITY, MoneyError, check_line
from app.numbers import whole_number
from app.orders.actions import OrderActionError
from app.orders.forms import VersionedForm


class CustomerForm(VersionedForm):
    email = EmailField("Email", validators=[DataRequired(), Length(max=254), Email()])
    first_name = StringField("First name", validators=[Length(max=100)])
    last_name = StringField("Last name", validators=[Length(max=100)])
    phone = StringField("Phone", validators=[Length(max=50)])


class RegionForm(VersionedForm):
    region = SelectField("Region", coerce=whole_number)


class _PricedLineForm(VersionedForm):
    """A line's price and quantity; the price's decimals are checked against the draft's
    currency by the action (the form does not know it)."""

    unit_price = MoneyField("Price", validators=[InputRequired(message="Give a price.")])

    def validate(self, extra_validators=None) -> bool:
        if not super().validate(extra_validators):
            return False
        try:
            check_line(self.unit_price.data, self.quantity.data)
        except MoneyError as error:
            self.quantity.errors.append(str(error))
            return False
        return True


class CustomItemForm(_PricedLineForm):
    title = StringField("Item", validators=[DataRequired(message="Name the item."),
                                            Length(max=300)])  # fmt: skip
    quantity = WholeNumberField("Qty", default=1, maximum=MAX_QUANTITY,
                                too_small="The quantity must be at least 1.",
                                validators=[InputRequired(message="Give a quantity.")])  # fmt: skip


class LineForm(_PricedLineForm):
    quantity = WholeNumberField("Qty", maximum=MAX_QUANTITY,
                                too_small="At least 1; remove the line instead.",
                                validators=[InputRequired(message="Give a quantity.")])  # fmt: skip


class ChooseCustomerForm(VersionedForm):
    customer_id = WholeNumberField(validators=[InputRequired(message="Pick a customer.")])


class VariantItemForm(VersionedForm):
    """The item search: the highlighted result, or what was typed when there was none yet."""

    variant_id = WholeNumberField(validators=[Optional()])
    q = StringField(validators=[Length(max=200)])

    def validate(self, extra_validators=None) -> bool:
        if not super().validate(extra_validators):
            return False
        if self.variant_id.data is None and not (self.q.data or "").strip():
            self.q.errors = ["Type or scan a product first."]
            return False
        return True

    def chosen_variant_id(self) -> int:
        """The highlighted result, or, when Enter came before the results (a scanner, or a
        page without JavaScript), the best match for what was typed."""
        if self.variant_id.data is not None:
            return self.variant_id.data
        found = find_variants(self.q.data or "", limit=1)
        if not found:
            raise OrderActionError(f"No product matches “{(self.q.data or '').strip()}”.")
        return found[0].id


class PromotionForm(VersionedForm):
    code = StringField("Promotion code", validators=[
        DataRequired(message="Enter a promotion code."), Length(max=50)])  # fmt: skip


class ShippingForm(VersionedForm):
    #: Empty: no shipping.
    option_id = WholeNumberField(validators=[Optional()])


class DraftActionForm(VersionedForm):
    """Buttons that only need the version: remove a line, cancel, delete."""


class AddressFields(PlainForm):
    """A postal address (a sub-form, so it has no CSRF token of its own)."""

    first_name = StringField("First name", validators=[Length(max=100)])
    last_name = StringField("Last name", validators=[Length(max=100)])
    company = StringField("Company", validators=[Length(max=200)])
    address_1 = StringField("Address", validators=[Length(max=200)])
    address_2 = StringField("Address line 2", validators=[Length(max=200)])
    postal_code = StringField("Postal code", validators=[Length(max=20)])
    city = StringField("City", validators=[Length(max=100)])
    province = StringField("State / province", validators=[Length(max=100)])
    country_code = StringField("Country", validators=[Optional(), Regexp(
        r"^[A-Za-z]{2}$", message="Use the two-letter country code, e.g. US.")])  # fmt: skip
    phone = StringField("Phone", validators=[Length(max=50)])


class DeliveryForm(VersionedForm):
    """Where the order goes and who is billed, and whether the customer hears about it."""

    shipping = FormField(AddressFields, label="Shipping address")
    billing_same = BooleanField("Billing address same as shipping", default=True)
    billing = FormField(AddressFields, label="Billing address")
    no_notification = BooleanField("Send the customer no emails about this order")
