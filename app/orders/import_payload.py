"""An imported order's JSON, read into plain values.

``parse_order`` checks one order (Medusa's field names) and returns either an ``OrderInput`` or
every ``FieldError`` it found, each with its path (``items[1].quantity``). Nothing here touches
the database; ``app.orders.importing`` saves what it returns.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from app.customers.models import Address
from app.money import (
    MAX_LINE_TOTAL,
    MAX_ORDER_TOTAL,
    MAX_QUANTITY,
    ZERO,
    MoneyError,
    check_line,
    normalize_currency,
    parse_amount,
)
from app.numbers import MAX_ID
from app.orders.calculations import Charge, OrderTotals, charge_totals, order_totals
from app.orders.models import (
    OrderStatus,
)
from app.payments.calculations import PaymentFigures

#: Statuses an imported order may arrive in (drafts are made in the order desk, not imported).
IMPORT_STATUSES = (
    OrderStatus.PENDING,
    OrderStatus.COMPLETED,
    OrderStatus.ARCHIVED,
    OrderStatus.CANCELED,
    OrderStatus.REQUIRES_ACTION,
)
PAYMENT_STATUSES = ("authorized", "captured")

#: How deep ``metadata`` may nest objects and lists: deep enough for any real use, and far
#: from the depth at which writing it out as JSON (to save it) exceeds Python's recursion limit.
MAX_METADATA_DEPTH = 32

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_ADDRESS_LENGTHS = {name: Address.__table__.c[name].type.length for name in Address.FIELDS}


@dataclass(frozen=True)
class FieldError:
    """What is wrong with one field of an order, by its path (``items[0].tax_lines[1].rate``)."""

    field: str
    message: str


@dataclass(frozen=True)
class TaxLineInput:
    code: str
    rate: Decimal
    name: str = ""


@dataclass(frozen=True)
class AdjustmentInput:
    amount: Decimal
    code: str = ""
    description: str = ""


@dataclass(frozen=True)
class ItemInput:
    title: str
    quantity: int
    unit_price: Decimal
    sku: str = ""
    is_tax_inclusive: bool = False
    tax_lines: tuple[TaxLineInput, ...] = ()
    adjustments: tuple[AdjustmentInput, ...] = ()

    @property
    def charge(self) -> Charge:
        return _charge(self, self.unit_price, self.quantity)


@dataclass(frozen=True)
class ShippingMethodInput:
    name: str
    amount: Decimal
    is_tax_inclusive: bool = False
    tax_lines: tuple[TaxLineInput, ...] = ()
    adjustments: tuple[AdjustmentInput, ...] = ()

    @property
    def charge(self) -> Charge:
        return _charge(self, self.amount, 1)


def _charge(line: ItemInput | ShippingMethodInput, unit_price: Decimal, quantity: int) -> Charge:
    return Charge(unit_price, quantity, line.is_tax_inclusive,
                  tuple(t.rate for t in line.tax_lines),
                  tuple(a.amount for a in line.adjustments))  # fmt: skip


@dataclass(frozen=True)
class CreditLineInput:
    amount: Decimal
    reference: str = ""


@dataclass(frozen=True)
class PaymentInput:
    amount: Decimal
    status: str
    provider_id: str = "manual"

    @property
    def figures(self) -> PaymentFigures:
        """``Payment.figures`` of the payment it becomes."""
        return PaymentFigures(authorized=self.amount,
                              captured=self.amount if self.status == "captured" else ZERO)


@dataclass(frozen=True)
class CustomerInput:
    first_name: str = ""
    last_name: str = ""
    phone: str = ""


@dataclass(frozen=True)
class OrderInput:
    """One order as another system sent it, checked and in plain values."""

    email: str
    currency_code: str
    items: tuple[ItemInput, ...]
    external_id: str | None = None
    #: A region's name or id, resolved against the store by ``import_orders``.
    region: str | int | None = None
    #: A sales channel's name or id; none means the default channel.
    sales_channel: str | int | None = None
    status: OrderStatus = OrderStatus.PENDING
    customer: CustomerInput = CustomerInput()
    shipping_address: Mapping[str, str] | None = None
    billing_address: Mapping[str, str] | None = None
    shipping_methods: tuple[ShippingMethodInput, ...] = ()
    credit_lines: tuple[CreditLineInput, ...] = ()
    payments: tuple[PaymentInput, ...] = ()
    metadata: dict[str, Any] | None = None
    no_notification: bool = False
    created_at: datetime | None = None
    canceled_at: datetime | None = None

    @property
    def totals(self) -> OrderTotals:
        """Every total of the order as it is placed: ``Order.totals`` of the order it becomes."""
        return order_totals(
            self.currency_code,
            items=[i.charge for i in self.items],
            shipping_methods=[s.charge for s in self.shipping_methods],
            credit_lines=[c.amount for c in self.credit_lines],
            captured=[p.amount for p in self.payments if p.status == "captured"],
            authorized=[p.amount for p in self.payments],
        )


class JsonFields:
    """One JSON object of a request and its path in it (an order of an import, an action of
    an order edit); every error found goes to a list that the whole request shares, so that
    all of them are reported, not just the first."""

    def __init__(self, data: Mapping, at: str, errors: list[FieldError]) -> None:
        self.data = data
        self.at = at
        self.errors = errors

    def path(self, key: str) -> str:
        return f"{self.at}.{key}" if self.at else key

    def error(self, key: str, message: str) -> None:
        self.errors.append(FieldError(self.path(key), message))

    def given(self, key: str, required: bool = False) -> bool:
        """Whether the field has a value (JSON ``null`` counts as absent)."""
        if self.data.get(key) is not None:
            return True
        if required:
            self.error(key, "is required")
        return False

    def text(self, key: str, max_length: int, required: bool = False) -> str:
        if not self.given(key, required):
            return ""
        value = self.data[key]
        if not isinstance(value, str):
            self.error(key, "must be a string")
            return ""
        problem = text_problem(value)
        if problem:
            self.error(key, problem)
            return ""
        value = value.strip()
        if required and not value:
            self.error(key, "must not be empty")
        elif len(value) > max_length:
            self.error(key, f"must be at most {max_length} characters")
        return value

    def choice(self, key: str, allowed: Sequence[str], default: str | None = None) -> str | None:
        if not self.given(key, required=default is None):
            return default
        value = self.data[key]
        if not isinstance(value, str) or value not in allowed:
            self.error(key, f"must be one of {', '.join(allowed)}")
            return default
        return value

    def boolean(self, key: str) -> bool:
        if not self.given(key):
            return False
        if not isinstance(self.data[key], bool):
            self.error(key, "must be true or false")
            return False
        return self.data[key]

    def quantity(self, key: str, low: int = 1, required: bool = True) -> int | None:
        """A number of units from ``low`` to ``MAX_QUANTITY``."""
        if not self.given(key, required):
            return None
        value = self.data[key]
        if isinstance(value, bool) or not isinstance(value, int) or value < low:
            self.error(key, f"must be a whole number of at least {low}")
            return None
        if value > MAX_QUANTITY:
            self.error(key, f"must be at most {MAX_QUANTITY:,}")
            return None
        return value

    def identifier(self, key: str, required: bool = True) -> int | None:
        """The id of a row: a JSON integer that fits an id column (``MAX_ID``)."""
        if not self.given(key, required):
            return None
        value = self.data[key]
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_ID:
            self.error(key, f"must be an id: a whole number from 1 to {MAX_ID:,}")
            return None
        return value

    def amount(self, key: str, currency: str | None = None, required: bool = True,
               **limits) -> Decimal | None:  # fmt: skip
        """An amount (or rate), as ``app.money.parse_amount`` reads and checks it with
        ``currency`` and ``limits`` (``positive``, ``maximum``)."""
        if not self.given(key, required):
            return None
        try:
            return parse_amount(self.data[key], currency, **limits)
        except MoneyError as error:
            self.error(key, str(error))
            return None

    def reference(self, key: str) -> str | int | None:
        """A name or an integer id of something in the store."""
        if not self.given(key):
            return None
        value = self.data[key]
        if isinstance(value, bool) or not isinstance(value, str | int):
            self.error(key, "must be a name or an id")
            return None
        return value.strip() if isinstance(value, str) else value

    def moment(self, key: str) -> datetime | None:
        """An ISO 8601 date and time; one without a UTC offset is taken as UTC."""
        if not self.given(key):
            return None
        try:
            moment = datetime.fromisoformat(self.data[key])
            return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
        except (TypeError, ValueError, OverflowError):  # Overflow: 9999-12-31T23:00-05:00
            self.error(key, "must be an ISO 8601 date and time, such as 2024-05-01T14:30:00Z")
            return None

    def mapping(self, key: str) -> dict | None:
        """A JSON object as it is."""
        if not self.given(key):
            return None
        if not isinstance(self.data[key], dict):
            self.error(key, "must be an object")
            return None
        return self.data[key]

    def kept_object(self, key: str) -> dict | None:
        """A JSON object kept as it is (``metadata``), if it can be stored and sent back as
        JSON (``stored_json_problem``)."""
        data = self.mapping(key)
        if data is not None and (problem := stored_json_problem(data)):
            self.error(key, problem)
            return None
        return data

    def object(self, key: str) -> JsonFields | None:
        data = self.mapping(key)
        return JsonFields(data, self.path(key), self.errors) if data is not None else None

    def objects(self, key: str, required: bool = False) -> list[JsonFields]:
        """The objects of a list; entries that are not objects are reported and left out."""
        if not self.given(key, required):
            return []
        value = self.data[key]
        if not isinstance(value, list):
            self.error(key, "must be a list")
            return []
        if required and not value:
            self.error(key, "must have at least one entry")
        found = []
        for index, entry in enumerate(value):
            if isinstance(entry, dict):
                found.append(JsonFields(entry, f"{self.path(key)}[{index}]", self.errors))
            else:
                self.error(f"{key}[{index}]", "must be an object")
        return found


def text_problem(text: str) -> str | None:
    """Why a string from JSON cannot be stored as text, if it cannot: JSON's escapes can write
    a lone surrogate (``"\\ud800"``), which is no character at all, and a NUL, which
    PostgreSQL's text columns refuse."""
    if "\x00" in text:
        return "must not contain a NUL character"
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return "must be valid Unicode: it has a lone surrogate (such as \\ud800)"
    return None


def stored_json_problem(value: object) -> str | None:
    """Why a JSON value cannot be kept as it is, if it cannot: NaN and infinities (Python's
    reader takes them, but PostgreSQL's ``json`` refuses them and no JSON reader would take
    them back) and nesting deeper than ``MAX_METADATA_DEPTH``. Walked without recursion, so
    that no depth breaks the walk itself."""
    pending = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, dict | list):
            if depth > MAX_METADATA_DEPTH:
                return f"must nest objects and lists at most {MAX_METADATA_DEPTH} levels deep"
            children = item.values() if isinstance(item, dict) else item
            pending.extend((child, depth + 1) for child in children)
        elif isinstance(item, float) and not math.isfinite(item):
            return "must hold only finite numbers (no NaN or Infinity)"
    return None


def parse_order(payload: object) -> OrderInput | list[FieldError]:
    """One order's JSON, checked: the order in plain values, or every error found in it."""
    if not isinstance(payload, dict):
        return [FieldError("order", "must be a JSON object")]
    errors: list[FieldError] = []
    fields = JsonFields(payload, "", errors)

    email = fields.text("email", 254, required=True).lower()
    if email and not _EMAIL.match(email):
        fields.error("email", "is not a valid email address")
    currency = None
    if fields.given("currency_code", required=True):
        try:
            currency = normalize_currency(payload["currency_code"])
        except MoneyError as error:
            fields.error("currency_code", str(error))
    external_id = payload.get("external_id")
    if isinstance(external_id, int) and not isinstance(external_id, bool):
        external_id = str(external_id)  # numeric ids are common; they are kept as text
        if len(external_id) > 200:
            fields.error("external_id", "must be at most 200 characters")
    else:
        external_id = fields.text("external_id", 200) or None
    customer = fields.object("customer")

    order = OrderInput(
        email=email,
        currency_code=currency or "",
        external_id=external_id,
        region=fields.reference("region"),
        sales_channel=fields.reference("sales_channel"),
        status=OrderStatus(fields.choice("status", IMPORT_STATUSES, OrderStatus.PENDING)),
        customer=CustomerInput(
            first_name=customer.text("first_name", 100),
            last_name=customer.text("last_name", 100),
            phone=customer.text("phone", 50),
        ) if customer else CustomerInput(),
        shipping_address=_address(fields.object("shipping_address")),
        billing_address=_address(fields.object("billing_address")),
        items=tuple(_item(item, currency) for item in fields.objects("items", required=True)),
        shipping_methods=tuple(
            _shipping_method(method, currency) for method in fields.objects("shipping_methods")
        ),
        credit_lines=tuple(
            CreditLineInput(
                amount=line.amount("amount", currency, positive=True, maximum=MAX_ORDER_TOTAL),
                reference=line.text("reference", 200),
            )
            for line in fields.objects("credit_lines")
        ),
        payments=tuple(
            PaymentInput(
                amount=payment.amount("amount", currency, positive=True,
                                      maximum=MAX_ORDER_TOTAL),
                status=payment.choice("status", PAYMENT_STATUSES),
                provider_id=payment.text("provider_id", 50) or "manual",
            )
            for payment in fields.objects("payments")
        ),
        metadata=fields.kept_object("metadata"),
        no_notification=fields.boolean("no_notification"),
        created_at=fields.moment("created_at"),
        canceled_at=fields.moment("canceled_at"),
    )  # fmt: skip
    return errors or order


def _address(fields: JsonFields | None) -> dict[str, str] | None:
    if fields is None:
        return None
    address = {name: fields.text(name, length) for name, length in _ADDRESS_LENGTHS.items()}
    address["country_code"] = address["country_code"].lower()
    return address


def _tax_lines(fields: JsonFields) -> tuple[TaxLineInput, ...]:
    return tuple(
        TaxLineInput(
            code=line.text("code", 50, required=True),
            rate=line.amount("rate"),
            name=line.text("name", 100),
        )
        for line in fields.objects("tax_lines")
    )


def _adjustments(fields: JsonFields) -> tuple[AdjustmentInput, ...]:
    return tuple(
        AdjustmentInput(
            # Not in the currency's unit: an adjustment is rounded where it is summed.
            amount=line.amount("amount", positive=True, maximum=MAX_LINE_TOTAL),
            code=line.text("code", 100),
            description=line.text("description", 300),
        )
        for line in fields.objects("adjustments")
    )


def _check_discount(fields: JsonFields, currency: str | None,
                    line: ItemInput | ShippingMethodInput) -> None:  # fmt: skip
    """A line's adjustments may take off at most its subtotal."""
    charge = line.charge
    if not charge.adjustments or None in (currency, charge.unit_price, charge.quantity,
                                          *charge.tax_rates, *charge.adjustments):  # fmt: skip
        return  # nothing to check, or a figure is missing and an error already says why
    totals = charge_totals(charge, currency)
    if totals.discount_subtotal > totals.subtotal:
        fields.error(
            "adjustments",
            f"the adjustments ({totals.discount_subtotal}) exceed the line's subtotal "
            f"before tax ({totals.subtotal})",
        )


def _item(fields: JsonFields, currency: str | None) -> ItemInput:
    item = ItemInput(
        title=fields.text("title", 300, required=True),
        sku=fields.text("sku", 100),
        quantity=fields.quantity("quantity"),
        unit_price=fields.amount("unit_price", currency),
        is_tax_inclusive=fields.boolean("is_tax_inclusive"),
        tax_lines=_tax_lines(fields),
        adjustments=_adjustments(fields),
    )
    if item.unit_price is not None and item.quantity is not None:
        try:
            check_line(item.unit_price, item.quantity)
        except MoneyError as error:
            fields.error("quantity", str(error))
    _check_discount(fields, currency, item)
    return item


def _shipping_method(fields: JsonFields, currency: str | None) -> ShippingMethodInput:
    method = ShippingMethodInput(
        name=fields.text("name", 200, required=True),
        amount=fields.amount("amount", currency),
        is_tax_inclusive=fields.boolean("is_tax_inclusive"),
        tax_lines=_tax_lines(fields),
        adjustments=_adjustments(fields),
    )
    _check_discount(fields, currency, method)
    return method
