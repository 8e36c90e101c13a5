"""The form of an exchange: what a return asks back (``StartReturnForm``), and what goes out
instead: catalogue items by SKU, custom items, and their shipping."""

from __future__ import annotations

from wtforms import FieldList, FormField, SelectField, StringField, ValidationError
from wtforms import Form as PlainForm
from wtforms.validators import Length, Optional

from app.exchanges.actions import NewItem, ShippingChoice
from app.forms import MoneyField, WholeNumberField
from app.money import MAX_AMOUNT, MAX_QUANTITY
from app.numbers import whole_number
from app.returns.forms import StartReturnForm

#: The rows of new items the page offers (of each kind), and the most it reads back.
CATALOGUE_ROWS = 3
CUSTOM_ROWS = 2
MAX_ROWS = 20


def _option_id(value: object) -> int | None:
    """A shipping option's id from the select, ``None`` for none."""
    if value in ("", None):
        return None
    return value if isinstance(value, int) else whole_number(str(value))


class _ItemRow(PlainForm):
    """A row of new items (a sub-form: no CSRF token of its own); a row left blank is no
    item, one that names something needs a quantity."""

    quantity = WholeNumberField("Qty", default=1, maximum=MAX_QUANTITY)

    def names_something(self) -> bool:
        raise NotImplementedError

    def validate_quantity(self, field: WholeNumberField) -> None:
        if field.data is None and not field.errors and self.names_something():
            raise ValidationError("Give a quantity.")


class CatalogueItemFields(_ItemRow):
    """A catalogue item to send, by SKU."""

    sku = StringField("SKU", validators=[Length(max=100)])

    def names_something(self) -> bool:
        return bool((self.sku.data or "").strip())

    def new_item(self) -> NewItem:
        return NewItem(self.quantity.data, sku=self.sku.data.strip())


class CustomItemFields(_ItemRow):
    """An item not in the catalogue: a title and a unit price."""

    title = StringField("Item", validators=[Length(max=300)])
    unit_price = MoneyField("Unit price", validators=[Optional()])

    def names_something(self) -> bool:
        return bool((self.title.data or "").strip()) or self.unit_price.data is not None

    def new_item(self) -> NewItem:
        return NewItem(self.quantity.data, title=(self.title.data or "").strip(),
                       unit_price=self.unit_price.data)  # fmt: skip


class ExchangeForm(StartReturnForm):
    """Units to ask back (with reasons, where they go, the return shipping and who pays it)
    and the new items sent in their place with their shipping: one of the region's options,
    or a name and an amount."""

    catalogue_items = FieldList(FormField(CatalogueItemFields), min_entries=CATALOGUE_ROWS,
                                max_entries=MAX_ROWS)  # fmt: skip
    custom_items = FieldList(FormField(CustomItemFields), min_entries=CUSTOM_ROWS,
                             max_entries=MAX_ROWS)  # fmt: skip
    shipping_option = SelectField("Shipping option", coerce=_option_id, validate_choice=True)
    shipping_name = StringField("Shipping method", validators=[Length(max=200)])
    shipping_amount = MoneyField("Shipping cost", maximum=MAX_AMOUNT)

    def new_items(self) -> list[NewItem]:
        """The new items of the rows that name one, catalogue ones first."""
        rows = [entry.form for entry in [*self.catalogue_items, *self.custom_items]]
        return [row.new_item() for row in rows if row.names_something()]

    def shipping(self) -> ShippingChoice | None:
        """The new items' shipping method: the option picked, or the one named; ``None`` for
        none."""
        if self.shipping_option.data is not None:
            return ShippingChoice(option_id=self.shipping_option.data)
        name = (self.shipping_name.data or "").strip()
        if name or self.shipping_amount.data is not None:
            return ShippingChoice(name=name, amount=self.shipping_amount.data)
        return None

    def problems(self) -> str:
        """What is wrong, in one line: a new item's field is named with its row."""
        problems = []
        for name, errors in self.errors.items():
            field = self[name]
            if isinstance(field, FieldList):
                for number, row in enumerate(errors, start=1):
                    for key, messages in (row or {}).items():
                        label = field[number - 1][key].label.text
                        kind = "New item" if name == "catalogue_items" else "Custom item"
                        problems += [f"{kind} {number}, {label}: {m}" for m in messages]
            else:
                problems += [f"{field.label.text}: {error}" if field.label.text else error
                             for error in errors]  # fmt: skip
        return " ".join(problems) or "This form is incomplete; reload the page."
