"""Forms of the settings pages, one per staff action; each check says what to fix."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from flask_wtf import FlaskForm
from sqlalchemy import func, select
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    Field,
    FieldList,
    Form,
    FormField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    ValidationError,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from app.catalog.actions import PromotionValues
from app.catalog.models import ProductVariant, Promotion, PromotionTarget, PromotionType
from app.extensions import db
from app.forms import MoneyField, WholeNumberField
from app.money import MAX_ORDER_TOTAL, MAX_QUANTITY, MoneyError, normalize_currency
from app.numbers import whole_number
from app.returns.actions import ReasonValues, ReturnReasonError, reason_value


def check_currency(field: Field) -> str | None:
    """The field's currency code upper case, or a validation error naming the bad code."""
    raw = (field.data or "").strip()
    if not raw:
        return None
    try:
        return normalize_currency(raw)
    except MoneyError:
        raise ValidationError(f"“{raw}” is not a known currency code, such as USD.") from None


class ProductForm(FlaskForm):
    """A product's own details (its variants are edited one by one)."""

    title = StringField(
        "Title", validators=[DataRequired(message="Give the product a title."), Length(max=200)]
    )
    description = TextAreaField("Description", validators=[Length(max=5000)])
    product_type = StringField(
        "Product type", validators=[Length(max=100)],
        description="Such as food or book; tax rates may be overridden per product type.",
    )  # fmt: skip
    thumbnail = StringField("Thumbnail", validators=[Length(max=500)])

    def validate_thumbnail(self, field: Field) -> None:
        value = (field.data or "").strip()
        if value and not value.startswith(("https://", "http://", "/static/")):
            raise ValidationError("Use a web address (https://…) or a path under /static/.")


class PriceForm(Form):
    """One price row of a variant; a blank amount means no price in that currency."""

    currency_code = StringField("Currency", validators=[Length(max=3)])
    amount = MoneyField("Price")

    def validate_currency_code(self, field: Field) -> None:
        currency = check_currency(field)
        if currency is None and self.amount.data is not None:
            raise ValidationError("Say which currency this price is in.")
        field.data = currency or ""

    def validate_amount(self, field: MoneyField) -> None:
        field.check_decimals(self.currency_code.data)


class VariantForm(FlaskForm):
    """A variant: its title, codes, backorders and a price per currency."""

    title = StringField("Title", validators=[Length(max=200)])
    sku = StringField("SKU", validators=[Length(max=100)])
    barcode = StringField("Barcode", validators=[Length(max=100)])
    allow_backorder = BooleanField("Can be ordered when out of stock")
    prices = FieldList(FormField(PriceForm))

    def __init__(self, *args, variant_id: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.variant_id = variant_id

    def validate_sku(self, field: Field) -> None:
        sku = (field.data or "").strip()
        if not sku:
            return
        other = db.session.scalar(
            select(ProductVariant).where(func.lower(ProductVariant.sku) == sku.lower())
        )
        if other is not None and other.id != self.variant_id:
            raise ValidationError(f"SKU {sku} is taken by {other.full_title}.")

    def validate_prices(self, field: Field) -> None:
        seen: set[str] = set()
        for entry in field.entries:
            currency = entry.form.currency_code.data
            if currency and entry.form.amount.data is not None:
                if currency in seen:
                    entry.form.currency_code.errors.append(f"{currency} is priced twice.")
                    raise ValidationError(f"Give one price per currency ({currency} twice).")
                seen.add(currency)

    def price_map(self) -> dict[str, Decimal]:
        """The prices entered, currency → amount."""
        return {
            e.form.currency_code.data: e.form.amount.data
            for e in self.prices.entries
            if e.form.currency_code.data and e.form.amount.data is not None
        }


def _aware(moment: datetime | None) -> datetime | None:
    # The settings pages show and take times in UTC, as the rest of the app does.
    return None if moment is None else moment.replace(tzinfo=UTC)


class PromotionForm(FlaskForm):
    """A promotion code and its rules."""

    code = StringField(
        "Code", validators=[DataRequired(message="Give the promotion a code."), Length(max=50)]
    )
    description = StringField("Description", validators=[Length(max=300)])
    type = SelectField(
        "Type",
        choices=[
            SelectChoice("percentage", "Percentage off"),
            SelectChoice("fixed", "Fixed amount off"),
        ],
    )
    value = MoneyField(
        "Value", positive=True,
        validators=[InputRequired(message="Enter the percentage or the amount off.")],
    )  # fmt: skip
    currency_code = StringField("Currency", validators=[Length(max=3)])
    target = SelectField(
        "Applies to", choices=[SelectChoice("items", "Items"), SelectChoice("shipping", "Shipping")]
    )
    min_subtotal = MoneyField("Minimum item subtotal", maximum=MAX_ORDER_TOTAL,
                              validators=[Optional()])  # fmt: skip
    starts_at = DateTimeLocalField(
        "Starts (UTC)", format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"],
        validators=[InputRequired(message="Say when the code starts working.")],
    )  # fmt: skip
    ends_at = DateTimeLocalField(
        "Ends (UTC)", format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"], validators=[Optional()]
    )
    usage_limit = WholeNumberField(
        # 2**31 - 1: the most PostgreSQL's INTEGER column holds.
        "Usage limit", maximum=2**31 - 1, validators=[Optional()],
        too_small="Must be 1 or more; leave it blank for no limit.",
    )  # fmt: skip
    is_active = BooleanField("Active", default=True)

    def __init__(self, *args, promotion_id: int | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.promotion_id = promotion_id

    def validate_code(self, field: Field) -> None:
        code = field.data.strip().upper()
        if not code.replace("-", "").replace("_", "").isalnum():
            raise ValidationError("Use letters, digits, - and _ only, without spaces.")
        other = db.session.scalar(select(Promotion).where(Promotion.code == code))
        if other is not None and other.id != self.promotion_id:
            raise ValidationError(f"Code {code} exists already.")

    def validate_currency_code(self, field: Field) -> None:
        currency = check_currency(field)
        if currency is None and self.type.data == PromotionType.FIXED:
            raise ValidationError("A fixed amount needs the currency it is in.")
        if currency is None and self.min_subtotal.data is not None:
            raise ValidationError("A minimum subtotal needs the currency it is in.")
        field.data = currency or ""

    def validate_value(self, field: MoneyField) -> None:
        if field.data is None:
            return
        if self.type.data == PromotionType.PERCENTAGE and field.data > 100:
            raise ValidationError("A percentage cannot be over 100.")
        if self.type.data == PromotionType.FIXED:
            field.check_decimals(self._currency())

    def validate_min_subtotal(self, field: MoneyField) -> None:
        field.check_decimals(self._currency())

    def validate_ends_at(self, field: Field) -> None:
        if field.data and self.starts_at.data and field.data <= self.starts_at.data:
            raise ValidationError("The end must be after the start.")

    def _currency(self) -> str | None:
        try:
            return normalize_currency(self.currency_code.data or "")
        except MoneyError:
            return None

    def values(self) -> PromotionValues:
        """The checked values, for ``app.catalog.actions.save_promotion``."""
        return PromotionValues(
            code=self.code.data,
            description=self.description.data or "",
            type=PromotionType(self.type.data),
            value=self.value.data,
            currency_code=self.currency_code.data or None,
            target=PromotionTarget(self.target.data),
            min_subtotal=self.min_subtotal.data,
            starts_at=_aware(self.starts_at.data),
            ends_at=_aware(self.ends_at.data),
            usage_limit=self.usage_limit.data,
            is_active=self.is_active.data,
        )


class TaxRateForm(FlaskForm):
    """A region's tax rate, or an override of it for one product type."""

    region_id = SelectField("Region", coerce=whole_number)
    code = StringField(
        "Code",
        validators=[DataRequired(message="Give the rate a code, such as VAT."), Length(max=50)],
    )
    name = StringField(
        "Name", validators=[DataRequired(message="Give the rate a name."), Length(max=100)]
    )
    #: A percentage, not money: read as an amount is (no currency), and at most 100.
    rate = MoneyField("Rate (%)", validators=[InputRequired(message="Enter the rate in percent.")])
    product_type = StringField(
        "Only for product type",
        validators=[Length(max=100)],
        description="Leave blank for a rate of every product; fill in (such as food) to "
        "override the default rate for that product type.",
    )
    is_default = BooleanField("Default rate of the region")

    def validate_rate(self, field: Field) -> None:
        if field.data is not None and field.data > 100:
            raise ValidationError("A tax rate cannot be over 100 %.")

    def validate_is_default(self, field: Field) -> None:
        if field.data and (self.product_type.data or "").strip():
            raise ValidationError("An override for a product type cannot be the default rate.")


class ShippingOptionForm(FlaskForm):
    """A shipping option of a region and its price in the region's currency."""

    region_id = SelectField("Region", coerce=whole_number)
    name = StringField(
        "Name", validators=[DataRequired(message="Give the option a name."), Length(max=100)]
    )
    amount = MoneyField(
        "Price", validators=[InputRequired(message="Enter the price (0 for free).")]
    )
    is_active = BooleanField("Offered", default=True)

    def __init__(self, *args, currencies: dict[int, str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        #: Region id → currency, to check the price's decimals.
        self.currencies = currencies or {}

    def validate_amount(self, field: MoneyField) -> None:
        field.check_decimals(self.currencies.get(self.region_id.data))


class StockAdjustmentForm(FlaskForm):
    """Stock received, counted or written off at a location, with the reason."""

    sku = StringField("SKU", validators=[DataRequired(message="Give the SKU."), Length(max=100)])
    location = SelectField("Location", coerce=whole_number)
    change = WholeNumberField("Change (+ received, − taken away)", minimum=-MAX_QUANTITY,
                              maximum=MAX_QUANTITY, validators=[
        InputRequired(message="Give the number of units.")])  # fmt: skip
    reason = StringField("Reason", validators=[
        DataRequired(message="Say why the stock changes."), Length(max=300)])  # fmt: skip


class ChannelLocationsForm(FlaskForm):
    """The stock locations a sales channel's orders draw stock from (none ticked: all of them);
    the view lists the locations as choices."""

    location = SelectMultipleField(
        "Locations", coerce=whole_number,
        invalid_value_message="Tick locations from the list; reload the page if one is missing.",
        invalid_choice_message="Tick locations from the list; reload the page if one is missing.",
    )  # fmt: skip


def _optional_id(value: object) -> int | None:
    """An id chosen in a select, or ``None`` for its blank option."""
    return None if value is None or not str(value).strip() else whole_number(value)


class ReturnReasonForm(FlaskForm):
    """A return reason: its code, what people read, and the top-level reason it details; the
    view lists the parents as choices, and the action checks the one chosen."""

    value = StringField(
        "Code", validators=[DataRequired(message="Give the reason a code, such as too_small.")],
        description="Lower-case letters, digits and _; what the API and exports use.",
    )  # fmt: skip
    label = StringField("Label", validators=[
        DataRequired(message="Give the reason a label, such as Too small."),
        Length(max=100, message="Keep the label to 100 characters or fewer.")])  # fmt: skip
    description = TextAreaField("Description", validators=[Length(
        max=1000, message="Keep the description to 1,000 characters or fewer.")])  # fmt: skip
    # Any id is read here so that the action says why a parent is refused (a child reason, a
    # retired one), not just "not a valid choice".
    parent_id = SelectField(
        "Detail of", coerce=_optional_id, validate_choice=False,
        invalid_value_message="Choose a reason from the list; reload the page if one is missing.",
    )  # fmt: skip

    def validate_value(self, field: Field) -> None:
        try:
            field.data = reason_value(field.data)
        except ReturnReasonError as error:
            raise ValidationError(str(error)) from None

    def values(self) -> ReasonValues:
        """The checked values, for ``app.returns.actions.save_return_reason``."""
        return ReasonValues(
            value=self.value.data,
            label=self.label.data,
            description=self.description.data or "",
            parent_id=self.parent_id.data,
        )
