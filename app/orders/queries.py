"""Finding orders: the list's filters, search and keyset (cursor) pagination.

Shared by the staff order list, the draft list and the API's list. Pages are cut by a
cursor on ``(sort column, id)``, never by OFFSET, so page 500 costs what page 1 costs.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, fields, replace
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from functools import cache

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import (
    Select,
    and_,
    bindparam,
    func,
    inspect,
    literal,
    literal_column,
    or_,
    select,
    true,
    tuple_,
    union_all,
)
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value

from app.bulk import one_of
from app.changes.models import ChangeStatus, OrderChange
from app.claims.models import Claim, ClaimItem
from app.customers.models import Customer
from app.events.models import OrderEvent  # noqa: F401  (mapper for Order.events)
from app.exchanges.models import Exchange
from app.extensions import db
from app.fulfillment.models import Fulfillment, FulfillmentItem
from app.money import MoneyError, normalize_currency
from app.numbers import whole_number
from app.orders.models import (
    FulfillmentStatus,
    LineItem,
    Order,
    OrderStatus,
    PaymentStatus,
    ShippingMethod,
)
from app.payments.models import Payment
from app.returns.models import Return, ReturnItem
from app.store.models import SalesChannel

#: Sort keys offered to staff; a leading ``-`` means newest / highest first.
SORTS = {
    "-created_at": "Newest first",
    "created_at": "Oldest first",
    "-display_id": "Order number, high to low",
    "display_id": "Order number, low to high",
    "-total": "Total in one currency, high to low",
    "total": "Total in one currency, low to high",
}
DEFAULT_SORT = "-created_at"
#: Sorts that compare amounts, so only within one currency (¥1,000 is not more than $100).
SORTS_NEEDING_CURRENCY = ("-total", "total")

#: The order-change filter: orders with a change (an edit now; returns, claims later) in this
#: status.
CHANGE_FILTERS = {
    ChangeStatus.REQUESTED.value: "Awaiting the customer",
    ChangeStatus.PENDING.value: "Change in progress",
}

_SORT_COLUMNS = {
    "created_at": Order.created_at,
    "display_id": Order.display_id,
    "total": Order.total,
}


@dataclass(frozen=True)
class OrderFilters:
    """What staff narrowed the list to. Empty fields filter nothing."""

    status: str = ""
    payment_status: str = ""
    fulfillment_status: str = ""
    sales_channel: int | None = None
    region: int | None = None
    currency: str = ""
    created_from: date | None = None
    created_to: date | None = None
    #: A key of ``CHANGE_FILTERS``.
    change: str = ""
    q: str = ""
    sort: str = DEFAULT_SORT

    def as_args(self) -> dict[str, str]:
        """The filters as URL query arguments, empty ones left out (for links and cursors)."""
        args = {}
        for name, value in asdict(self).items():
            if value in (None, "") or (name == "sort" and value == DEFAULT_SORT):
                continue
            args[name] = value.isoformat() if isinstance(value, date) else str(value)
        return args

    @property
    def is_filtered(self) -> bool:
        return any(k != "sort" for k in self.as_args())


def _one_of(value: str, allowed: Iterable[str]) -> str:
    allowed = list(allowed)
    if value not in allowed:
        raise ValueError(f"{value!r} is not one of: " + ", ".join(allowed))
    return value


def _currency(value: str) -> str:
    try:
        return normalize_currency(value)
    except MoneyError as error:
        raise ValueError(str(error)) from None


def search_text(value: str) -> str:
    """The search box's text, cut to 200 characters."""
    return value[:200]


_PARSERS = {
    "status": lambda v: _one_of(v, (m.value for m in OrderStatus if m != OrderStatus.DRAFT)),
    "payment_status": lambda v: _one_of(v, (m.value for m in PaymentStatus)),
    "fulfillment_status": lambda v: _one_of(v, (m.value for m in FulfillmentStatus)),
    "sales_channel": whole_number,
    "region": whole_number,
    "currency": _currency,
    "created_from": date.fromisoformat,
    "created_to": date.fromisoformat,
    "change": lambda v: _one_of(v, CHANGE_FILTERS),
    "q": search_text,
    "sort": lambda v: _one_of(v, SORTS),
}

_MESSAGES = {
    "sales_channel": "must be a sales channel id",
    "region": "must be a region id",
    "created_from": "must be a date like 2026-01-31",
    "created_to": "must be a date like 2026-01-31",
}


def parse_filters(args: Mapping[str, str]) -> tuple[OrderFilters, dict[str, str]]:
    """Filters from query arguments, and an error message per argument that made no sense
    (that argument is then ignored)."""
    values: dict[str, object] = {}
    errors: dict[str, str] = {}
    for field in fields(OrderFilters):
        raw = (args.get(field.name) or "").strip()
        if not raw:
            continue
        try:
            values[field.name] = _PARSERS[field.name](raw)
        except ValueError as error:
            errors[field.name] = _MESSAGES.get(field.name) or str(error)
    filters = OrderFilters(**values)
    if filters.created_from and filters.created_to and filters.created_from > filters.created_to:
        errors["created_to"] = "must not be before the start date"
        filters = replace(filters, created_to=None)
    if filters.sort in SORTS_NEEDING_CURRENCY and not filters.currency:
        errors["sort"] = ("sorting by total needs a currency: totals in different currencies "
                          "cannot be compared")  # fmt: skip
        filters = replace(filters, sort=DEFAULT_SORT)
    return filters, errors


def _start_of(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


#: A search matching at most this many orders is narrowed to their ids, found first.
SEARCH_PROBE = 2000


def search(stmt: Select, q: str) -> Select:
    """Search box: an order number (``1042`` or ``#1042``), an external id, an email (or its
    beginning), or a customer's name: every word the beginning of their first or last name,
    in either order (``john wil`` finds John Williams, not John Smith).

    Each way to match has its own index, but PostgreSQL cannot tell how many orders their OR
    matches, guesses half the table and reads every order in date order looking for them: a
    word that matches nothing read all 1,000,000. So the matching ids are found first, each
    way from its index, up to ``SEARCH_PROBE``: a search that matches that few (nearly every
    search) is narrowed to those ids; one that matches more finds its first page soon enough
    in date order."""
    text = q.strip()
    number = text.removeprefix("#")
    if number.isascii() and number.isdigit():
        # A number is an order number or an external id, both found from their index.
        by_number = [Order.external_id == text]
        if len(number) < 10:
            by_number.append(Order.display_id == int(number))
        return stmt.where(or_(*by_number))
    conditions = [Order.external_id == text]
    lowered = text.lower()
    words = lowered.split()
    if len(words) == 1:
        # An email has no spaces, so only a single word can be the beginning of one.
        conditions.append(Order.email.startswith(lowered, autoescape=True))
    if words and "@" not in text:
        conditions.append(Order.customer_id.in_(_customers_named(words)))
    # UNION ALL, not UNION: the limit then stops each way early; duplicates go in Python.
    matching = union_all(*(select(Order.id).where(c) for c in conditions)).subquery()
    ids = list(dict.fromkeys(db.session.scalars(
        select(matching.c.id).limit(SEARCH_PROBE + 1))))  # fmt: skip
    if len(ids) > SEARCH_PROBE:
        return stmt.where(or_(*conditions))
    return stmt.where(one_of(Order.id, ids))


def _customers_named(words: list[str]) -> Select:
    """Ids of the customers whose first or last name begins with each of ``words``."""
    first, last = func.lower(Customer.first_name), func.lower(Customer.last_name)
    return select(Customer.id).where(and_(*(
        or_(first.startswith(word, autoescape=True), last.startswith(word, autoescape=True))
        for word in dict.fromkeys(words)
    )))  # fmt: skip


def filtered(stmt: Select, filters: OrderFilters) -> Select:
    """What ``stmt`` reads of the orders that match the filters, unsorted. Drafts are not
    orders and never show."""
    stmt = stmt.where(Order.status != OrderStatus.DRAFT)
    if filters.status:
        stmt = stmt.where(Order.status == OrderStatus(filters.status))
    if filters.payment_status:
        stmt = stmt.where(Order.payment_status == PaymentStatus(filters.payment_status))
    if filters.fulfillment_status:
        stmt = stmt.where(
            Order.fulfillment_status == FulfillmentStatus(filters.fulfillment_status)
        )
    if filters.sales_channel:
        stmt = stmt.where(Order.sales_channel_id == filters.sales_channel)
    if filters.region:
        stmt = stmt.where(Order.region_id == filters.region)
    if filters.currency:
        stmt = stmt.where(Order.currency_code == filters.currency)
    if filters.created_from:
        stmt = stmt.where(Order.created_at >= _start_of(filters.created_from))
    if filters.created_to and filters.created_to < date.max:
        # The last day a date can name has no next day to stop before; it ends after every
        # order anyway.
        stmt = stmt.where(Order.created_at < _start_of(filters.created_to + timedelta(days=1)))
    if filters.change:
        # Few orders have a change open: read from (status, order_id) of order_change.
        stmt = stmt.where(Order.id.in_(select(OrderChange.order_id).where(
            OrderChange.status == ChangeStatus(filters.change))))  # fmt: skip
    if filters.q:
        stmt = search(stmt, filters.q)
    return stmt


#: What a row of the list shows, read as plain rows (``order.customer_name``): building fifty
#: orders, each with its customer and sales channel, cost more than the query that read them.
LIST_ROW = (
    select(
        Order.id, Order.display_id, Order.status, Order.payment_status,
        Order.fulfillment_status, Order.email, Order.currency_code, Order.total,
        Order.created_at, Customer.full_name.label("customer_name"),
        SalesChannel.name.label("sales_channel_name"),
    )
    .outerjoin(Customer, Customer.id == Order.customer_id)
    .outerjoin(SalesChannel, SalesChannel.id == Order.sales_channel_id)
)  # fmt: skip


@dataclass(frozen=True)
class OrderPage:
    """One page of the list, with cursors to the pages beside it (``None`` at either end)."""

    #: Orders, or the rows of ``LIST_ROW``.
    orders: list
    next_cursor: str | None
    prev_cursor: str | None


ORDERS_CURSOR = "orders.list-cursor"


def _cursor_serializer(salt: str) -> URLSafeSerializer:
    # Signed with the app's key, so only cursors this app handed out are ever parsed: a forged
    # one (deeply nested JSON exhausts the parser's recursion) fails the signature first. The
    # salt names the list, so one list's cursor is no cursor of another.
    return URLSafeSerializer(current_app.secret_key, salt=salt)


def _encode_cursor(row, sort_field: str, direction: str, salt: str) -> str:
    value = getattr(row, sort_field)
    if isinstance(value, datetime):
        value = value.isoformat()
    elif isinstance(value, Decimal):
        value = str(value)
    return _cursor_serializer(salt).dumps([sort_field, direction, value, row.id])


class CursorError(ValueError):
    """A cursor that this list did not hand out."""


def _decode_cursor(cursor: str, sort_field: str, salt: str) -> tuple[str, object, int]:
    try:
        field, direction, value, order_id = _cursor_serializer(salt).loads(cursor)
        if (field != sort_field or direction not in ("next", "prev")
                or not isinstance(order_id, int)):  # fmt: skip
            raise ValueError
        if sort_field == "created_at":
            value = datetime.fromisoformat(value)
        elif sort_field == "total":
            value = Decimal(value)
        elif not isinstance(value, int):
            raise ValueError
    except (BadSignature, ValueError, TypeError, ArithmeticError):
        raise CursorError(
            "This page link is no longer valid; start again from the first page."
        ) from None
    return direction, value, order_id


def find_orders(filters: OrderFilters, cursor: str | None = None, limit: int = 50) -> OrderPage:
    """A page of the orders matching ``filters`` as rows of ``LIST_ROW``, sorted by
    ``filters.sort`` then id.

    ``cursor`` comes from a previous page's ``next_cursor`` or ``prev_cursor``. Raises
    ``CursorError`` for a cursor that cannot be read.
    """
    return paginate(filtered(LIST_ROW, filters), filters.sort, cursor, limit)


def paginate(stmt: Select, sort: str, cursor: str | None, limit: int) -> OrderPage:
    """One page of the orders ``stmt`` selects, in ``sort`` order (a key of ``SORTS``), cut by
    a keyset cursor on ``(sort column, id)``."""
    sort_field = sort.lstrip("-")
    rows, next_cursor, prev_cursor = keyset_page(
        stmt, _SORT_COLUMNS[sort_field], Order.id, descending=sort.startswith("-"),
        cursor=cursor, limit=limit, salt=ORDERS_CURSOR,
    )  # fmt: skip
    return OrderPage(orders=rows, next_cursor=next_cursor, prev_cursor=prev_cursor)


def keyset_page(stmt: Select, column, id_column, *, descending: bool, cursor: str | None,
                limit: int, salt: str) -> tuple[list, str | None, str | None]:  # fmt: skip
    """One page of the rows ``stmt`` selects, ordered by ``(column, id_column)``, and the
    cursors to the pages beside it (``None`` at either end), signed with ``salt`` (the list's
    name). Raises ``CursorError`` for a cursor that cannot be read."""
    sort_field = column.key
    key = tuple_(column, id_column)

    direction, after = "next", None
    if cursor:
        direction, value, row_id = _decode_cursor(cursor, sort_field, salt)
        # Typed literals, so the value is stored-format (UTC, exact decimal) like the column.
        after = tuple_(literal(value, column.type), literal(row_id, id_column.type))
    # Walking backwards means reading in the opposite order, then turning the page around.
    reading_descending = descending if direction == "next" else not descending

    if after is not None:
        stmt = stmt.where(key < after if reading_descending else key > after)
    order_by = (column.desc(), id_column.desc()) if reading_descending else (column, id_column)
    result = db.session.execute(stmt.order_by(*order_by).limit(limit + 1))
    # A statement of one entity gives the entities, one of several columns their rows.
    one_entity = len(stmt.column_descriptions) == 1
    rows = list(result.scalars().unique()) if one_entity else result.all()

    more = len(rows) > limit
    rows = rows[:limit]
    if direction == "prev":
        rows.reverse()
        has_next, has_prev = bool(rows), more
    else:
        has_next, has_prev = more, cursor is not None
    return (
        rows,
        _encode_cursor(rows[-1], sort_field, "next", salt) if has_next and rows else None,
        _encode_cursor(rows[0], sort_field, "prev", salt) if has_prev and rows else None,
    )


# The statements are built once, on first use, when the mappers can be configured: SQLAlchemy
# works out the cache key of a statement's loader options once per statement object, and
# building them on every call cost more than a query.


@cache
def _order_statement() -> Select:
    """The order with its to-ones: who, where, through which channel, and the changes open
    or left to settle (at most one each, so joining them adds no rows; what they stage loads
    only if asked)."""
    return select(Order).where(Order.id == bindparam("order_id")).options(
        joinedload(Order.customer),
        joinedload(Order.region),
        joinedload(Order.sales_channel),
        joinedload(Order.shipping_address),
        joinedload(Order.billing_address),
        joinedload(Order.open_change).lazyload(OrderChange.actions),
        joinedload(Order.unsettled_change).lazyload(OrderChange.actions),
    )


@cache
def _collections() -> tuple[tuple[tuple, ...], ...]:
    """The collections of the order that its pages show, in groups loaded by one query each,
    each collection with what of its members comes along: their own small collections and
    their to-ones (joined, so no query of their own). The lines and returns that
    fulfillments, returns, exchanges and claims name are the order's own, loaded with their
    collections before them (``lazyload``: not again on the way). Three groups, not one:
    PostgreSQL's time to plan a statement grows fast with its joins (all in one took 15 ms
    to plan; these take about 1, 1 and 2 ms, and once prepared, none)."""
    return (
        ((Order.items, joinedload(LineItem.tax_lines), joinedload(LineItem.adjustments)),
         (Order.shipping_methods,
          joinedload(ShippingMethod.tax_lines), joinedload(ShippingMethod.adjustments))),
        ((Order.payments, joinedload(Payment.captures), joinedload(Payment.refunds)),
         (Order.credit_lines,),
         (Order.gift_card_uses,),
         (Order.promotions,),
         (Order.events,)),
        ((Order.fulfillments,
          joinedload(Fulfillment.items).joinedload(FulfillmentItem.item).lazyload("*")),
         (Order.returns, joinedload(Return.items).joinedload(ReturnItem.item).lazyload("*")),
         (Order.exchanges, joinedload(Exchange.return_).lazyload("*")),
         (Order.claims, joinedload(Claim.items).joinedload(ClaimItem.item).lazyload("*"),
          joinedload(Claim.return_).lazyload("*"))),
    )  # fmt: skip


@cache
def _collections_statement(group: int) -> Select:
    """One query for a group of ``_collections()``: each collection is outer-joined on the
    order under its own number from a list of numbers, so that a row holds a member of one
    collection and the rows of the collections add up instead of multiplying. Numbered rows
    of the group's collections, in each collection's order (returns before the exchanges
    and claims that name them)."""
    collections = _collections()[group]
    # Numbers written into the SQL, not bound: the planner sees which join each row takes.
    numbers = [literal_column(str(number)) for number in range(len(collections))]
    numbered = union_all(*(select(number.label("collection")) for number in numbers)).subquery()
    stmt = select(numbered.c.collection).select_from(Order).join(numbered, true())
    ordering = [numbered.c.collection]
    for number, (attribute, *_) in zip(numbers, collections, strict=True):
        relation = attribute.property
        member = relation.entity.class_
        stmt = stmt.add_columns(member).outerjoin(
            member, (numbered.c.collection == number) & relation.primaryjoin)
        ordering.extend(relation.order_by)
    return stmt.where(Order.id == bindparam("order_id")).order_by(*ordering).options(
        *(option for _, *options in collections for option in options))  # fmt: skip


def order_with_details(order_id: int) -> Order | None:
    """An order with everything its detail page and API answer show, in a fixed number of
    queries whatever its size: the order with its to-ones, then its collections by groups
    (``_collections()``). An order already in the session keeps the collections it holds,
    as with SQLAlchemy's own eager loading."""
    order = db.session.scalar(_order_statement(), {"order_id": order_id})
    if order is None:
        return None
    for group, collections in enumerate(_collections()):
        keys = [attribute.key for attribute, *_ in collections]
        unloaded = [key for key in keys if key in inspect(order).unloaded]
        if not unloaded:
            continue
        found = {key: [] for key in keys}
        rows = db.session.execute(_collections_statement(group), {"order_id": order_id})
        for number, *members in rows.unique():
            if members[number] is not None:  # None: the collection is empty
                found[keys[number]].append(members[number])
        for key in unloaded:
            set_committed_value(order, key, found[key])
    return order
