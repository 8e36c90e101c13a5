"""Odd values in every field of every staff form (and the customer's link pages) and in the
API's bodies: never a 5xx, and a refusal (4xx) saves nothing and says why.

The forms are read from the pages as a browser reads them (``tests/html_forms.py``; the
builder's search results swapped in as htmx swaps them), so a field added to a page is sent odd
values too, and a test holds that no POST route of the pages is left without a form here.
Each field gets the values issue 9 found (``BAD_VALUES``), or, where the app's form classes
read it as plain text or a tick box, the values that try those (``TEXT_VALUES``: to a name or
a note "NaN" is a word like any other, and spending a request on each such word would make the
module too slow to run with every change); hypothesis then sends generated odd text to fields
drawn at random. The hidden ``version`` is one field of every change (``VersionedForm``): it
gets the table in the first form of a page and in forms that have nothing else, generated
values in all.

The API's capture and refund bodies get the same values as JSON (strings and bare numbers,
lone surrogates as ``\\ud800`` escapes, NUL as ``\\u0000``, deep nesting), imports get odd JSON
anywhere in an order. "Nothing saved" compares the database's ``fingerprint`` before and after.
The lists' query arguments and the paths' ids are ``tests/test_query_arguments.py``'s.
"""

from __future__ import annotations

import copy
import json
import re
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from html import unescape

import pytest
import wtforms
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import String, func, literal, select, union_all
from wtforms.fields.core import UnboundField

from app.auth.models import StaffLogin
from app.catalog.models import VariantPrice
from app.changes import actions as edits
from app.changes.models import OrderChange, OrderChangeAction, OrderChangeLink, hash_link_token
from app.claims.actions import ClaimLine, create_claim
from app.claims.models import Claim, ClaimItem
from app.draft_orders import actions as drafts
from app.extensions import db
from app.forms import MoneyField
from app.fulfillment.actions import create_fulfillment, ship_fulfillment
from app.fulfillment.models import StockLocation
from app.inventory.actions import adjust_stock
from app.orders.models import LineItem, Order
from app.payments.models import Capture, Payment, Refund
from app.returns.actions import (
    ReasonValues,
    ReturnRequestLine,
    receive_return,
    request_return,
    save_return_reason,
)
from app.returns.links import issue_return_link
from app.returns.models import Return, ReturnItem, ReturnReason
from app.store.models import SalesChannel
from tests.api.helpers import IMPORT_URL, order_payload
from tests.catalog.factories_catalog import make_product, make_promotion, make_shipping_option
from tests.conftest import STAFF_EMAIL, STAFF_PASSWORD
from tests.draft_orders.conftest import shop  # noqa: F401  (a fixture of the builder tests)
from tests.factories import make_order, make_region
from tests.html_forms import PageForm, page_forms

#: What issue 9 typed into amounts, quantities, ids and versions, and spaces alone; ``None``
#: leaves the field out.
BAD_VALUES = [
    "NaN", "-NaN", "sNaN", "Infinity", "-Infinity", "1e309", "1e999999999", str(10**30),
    str(2**64), "-1", "0", "١٢", "１２", "0.335", "0.5", "9" * 5_000, "", " ", None,
]  # fmt: skip
#: What tries a field of plain text or a tick box.
TEXT_VALUES = ["x" * 100_000, "9" * 5_000, "", " ", "١٢", None]

FUZZ = settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

#: Generated text a person or a script could type or paste (a form post cannot carry a lone
#: surrogate: the test client cannot encode one, nor can a browser).
ODD_TEXT = st.one_of(
    st.sampled_from([v for v in BAD_VALUES if v is not None]),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.floats().map(repr),
    st.text(st.characters(categories=["Nd", "No", "Nl", "Zs", "Cc", "Cf", "Mn", "So"]),
            max_size=12),  # fmt: skip
    st.text(st.characters(exclude_categories=["Cs"]), max_size=60),
    st.integers(min_value=1, max_value=20_000).map(lambda n: "9" * n),
)


@cache
def _fingerprint_sql(dialect: str, leave_out: frozenset[str]) -> tuple[str, ...]:
    # Compiled once: building 40 SELECTs for every request cost more than running them.
    tables = [t for t in db.metadata.sorted_tables if t.name not in leave_out]
    counts = union_all(*(select(literal(t.name, String), func.count()).select_from(t)
                         for t in tables))  # fmt: skip
    orders = select(Order.id, Order.lock_version, Order.total).order_by(Order.id)
    return tuple(str(statement.compile(db.engine, compile_kwargs={"literal_binds": True}))
                 for statement in (counts, orders))  # fmt: skip


def fingerprint(leave_out: frozenset[str] = frozenset()) -> tuple:
    """Row counts of every table (but ``leave_out``), and each order's version and total."""
    with db.engine.connect() as connection:
        return tuple(tuple(connection.exec_driver_sql(sql))
                     for sql in _fingerprint_sql(db.engine.dialect.name, leave_out))  # fmt: skip


def refusal_message(response) -> str:
    """What an answer says went wrong: the API's ``message``, a page's alert or field error,
    or the text of a plain error page ("" when it says nothing)."""
    if response.is_json:
        return str((response.get_json(silent=True) or {}).get("message") or "")
    page = response.get_data(as_text=True)
    said = re.findall(r'role="alert"[^>]*>(.*?)</(?:p|div|span)>', page, re.S)
    said += re.findall(r"</h1>\s*<p>(.*?)</p>", page, re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", "", text)).strip() for text in said).strip()


def exchange(client: FlaskClient, method: str, path: str, what: str,
             leave_out: frozenset[str] = frozenset(), page: bool = False,
             **request) -> tuple[list[str], bool]:  # fmt: skip
    """Send the request; what is wrong with its answer (``what`` says what was sent), and
    whether anything was saved. An exception the app let through is a problem too. ``page``:
    a form a browser posts itself (not htmx), which a change answers with a redirect (post,
    redirect, get), so a page in answer is a refusal and must say so in its status."""
    before = fingerprint(leave_out)
    try:
        response = client.open(path, method=method, **request)
    except Exception as error:  # whatever escapes the app is the finding
        return [f"{what}: {type(error).__name__}: {str(error)[:300]}"], False
    saved = fingerprint(leave_out) != before
    what = f"{what} -> {response.status_code}"
    if response.status_code >= 500:
        return [f"{what}: server error"], saved
    problems = []
    if 400 <= response.status_code < 500:
        if saved:
            problems.append(f"{what}: refused, yet something was saved")
        if not refusal_message(response):
            problems.append(f"{what}: refused without a message")
    if page and method == "POST" and response.status_code < 300:
        problems.append(f"{what}: a page answered a post as if it had done it")
    if method == "GET" and saved:
        problems.append(f"{what}: a GET saved something")
    return problems, saved


# The store and the pages


@pytest.fixture
def store(request, staff_user):
    """The builder tests' shop (United States, Germany, a catalogue, Ada), with Japan (JPY,
    prices including tax) and a JPY price and shipping option, a warehouse holding the mugs,
    and the promotion code WELCOME10."""
    store = request.getfixturevalue("shop")
    store.jp = make_region("Japan", "JPY", inclusive=True, rate="10")
    store.mug.prices.append(VariantPrice(currency_code="JPY", amount=Decimal("2400")))
    store.warehouse = StockLocation(name="Leeds warehouse")
    db.session.add(store.warehouse)
    db.session.flush()
    adjust_stock("MUG-1", store.warehouse, 500, "Delivery", "test")
    db.session.commit()
    store.yamato = make_shipping_option(store.jp, "Yamato", "800")
    store.welcome = make_promotion("WELCOME10")
    return store


def _order_page(store, currency: str, fulfilled: bool) -> str:
    """An order with an authorized and a captured payment and lines left to fulfil; when
    ``fulfilled``, one unit packed and one shipped."""
    unit = {"USD": "50.00", "JPY": "5000"}[currency]
    order = make_order(
        currency=currency, region=store.us if currency == "USD" else store.jp,
        items=[{"title": "Desk lamp", "sku": "LAMP-1", "unit_price": unit, "quantity": 3},
               {"title": "Stoneware Mug", "sku": "MUG-1", "unit_price": unit, "quantity": 1}],
        authorized=[unit], captured=[unit],
    )  # fmt: skip
    if fulfilled:
        lamp = order.items[0].id
        for _ in range(2):
            create_fulfillment(order, order.lock_version, store.warehouse.id, {lamp: 1}, "test")
        ship_fulfillment(order, order.lock_version, order.fulfillments[1].id, carrier="DHL",
                         tracking_numbers=["JD0001"], actor="test")  # fmt: skip
        db.session.commit()
    return f"/orders/{order.id}"


def _edit_page(store, currency: str, begun: bool) -> str:
    """An order's edit page; ``begun``: an edit is open with a step of each kind staged (a
    line changed, a product and a shipping option added), so that every form of the edit
    shows (the others change, remove or undo them), else the form that starts one."""
    unit = {"USD": "50.00", "JPY": "5000"}[currency]
    jpy = currency == "JPY"
    order = make_order(
        currency=currency, region=store.jp if jpy else store.us,
        items=[{"title": "Desk lamp", "sku": "LAMP-1", "unit_price": unit, "quantity": 3},
               {"title": "Stoneware Mug", "sku": "MUG-1", "unit_price": unit, "quantity": 1}],
        shipping=[{"name": "Courier", "amount": unit}], captured=[unit],
    )  # fmt: skip
    if begun:
        change = edits.begin_edit(order, order.lock_version, "test")
        option = store.yamato if jpy else store.standard
        for step in (
            lambda: edits.update_item(order, order.lock_version, change.id, order.items[0].id,
                                      quantity=2, unit_price=None, actor="test"),
            lambda: edits.add_variant(order, order.lock_version, change.id, store.mug.id, 1,
                                      "test"),
            lambda: edits.add_shipping(order, order.lock_version, change.id, actor="test",
                                       option_id=option.id),
        ):  # fmt: skip
            step()
            db.session.flush()
        db.session.commit()
    return f"/orders/{order.id}/edit"


def _edited_order(store, currency: str, up: bool) -> str:
    """An order whose confirmed edit left money to settle: to collect (``up``: a lamp more
    than was paid for) or to refund (a lamp fewer)."""
    unit = {"USD": "50.00", "JPY": "5000"}[currency]
    order = make_order(currency=currency, captured=[unit] if up else [unit, unit],
                       items=[{"title": "Desk lamp", "unit_price": unit,
                               "quantity": 1 if up else 2}])  # fmt: skip
    change = edits.begin_edit(order, order.lock_version, "test")
    edits.update_item(order, order.lock_version, change.id, order.items[0].id,
                      quantity=2 if up else 1, unit_price=None, actor="test")  # fmt: skip
    edits.confirm_change(order, order.lock_version, change.id, "test")
    db.session.commit()
    return f"/orders/{order.id}"


def _builder(store, currency: str, paid: bool) -> str:
    """A draft for Ada with a mug and a custom line, WELCOME10 and shipping; ``paid``: paid
    now (so only converting or voiding is left). Made by the builder's actions, as its forms
    would make it, without rendering its pages."""
    jpy = currency == "JPY"
    draft = drafts.create_draft("test")
    db.session.flush()
    steps = [
        lambda: drafts.set_region(draft, draft.lock_version, store.jp if jpy else store.us, "test"),
        lambda: drafts.choose_customer(draft, draft.lock_version, store.ada.id, "test"),
        lambda: drafts.add_variant_item(draft, draft.lock_version, store.mug.id),
        lambda: drafts.add_custom_item(draft, draft.lock_version, title="Gift wrapping",
                                       unit_price=Decimal(400 if jpy else 4), quantity=1,
                                       actor="test"),  # fmt: skip
        lambda: drafts.apply_promotion(draft, draft.lock_version, "WELCOME10", "test"),
        lambda: drafts.set_shipping_option(draft, draft.lock_version,
                                           (store.yamato if jpy else store.standard).id, "test"),
    ]  # fmt: skip
    if paid:
        steps.append(lambda: drafts.register_payment(draft, draft.lock_version, captured=True,
                                                     actor="test"))  # fmt: skip
    for step in steps:
        step()
        db.session.flush()
    db.session.commit()
    return f"/draft-orders/{draft.id}"


def _with_search_results(client: FlaskClient, path: str, page: str) -> str:
    """The builder (or an order's edit) as a person sees it after searching: the results are
    radio buttons of the search forms (a customer to choose, a product to add), swapped in as
    htmx swaps them."""
    for results, search in (("customer-results", "customers?q=ada"),
                            ("variant-results", "variants?q=mug")):  # fmt: skip
        if opened := re.search(rf'id="{results}"[^>]*>', page):
            found = client.get(f"{path}/{search}").get_data(as_text=True)
            page = page[:opened.end()] + found + page[opened.end():]
    return page


def _order_id(path: str) -> int:
    if found := re.fullmatch(r"/returns/(\d+)", path):
        return db.session.get(Return, int(found[1])).order_id
    if found := re.fullmatch(r"/claims/(\d+)", path):
        return db.session.get(Claim, int(found[1])).order_id
    return int(re.fullmatch(
        r"/(?:draft-)?orders/(\d+)(?:/edit|/returns/new|/exchanges/new|/claims/new)?", path
    )[1])


def _order_state(path: str) -> tuple:
    """What the forms of an order's (or a draft's) page follow besides its version: its
    statuses, and how much of it is paid, refunded, packed, shipped and delivered."""
    order_id = _order_id(path)
    payments = select(Payment.id).where(Payment.order_id == order_id)
    with db.engine.connect() as connection:
        return (
            *connection.execute(select(
                Order.status, Order.payment_status, Order.fulfillment_status, Order.canceled_at,
                Order.converted_at).where(Order.id == order_id)).all(),
            *connection.execute(select(
                func.count(), func.sum(LineItem.fulfilled_quantity),
                func.sum(LineItem.shipped_quantity), func.sum(LineItem.delivered_quantity),
            ).where(LineItem.order_id == order_id)).all(),
            connection.scalar(select(func.count()).select_from(payments.subquery())),
            connection.scalar(select(func.count()).where(Capture.payment_id.in_(payments))),
            connection.scalar(select(func.count()).where(Refund.payment_id.in_(payments))),
        )  # fmt: skip


def _customer_link(store) -> str:
    """The emailed link's page of an order edit sent to Ada (one lamp fewer)."""
    order = make_order(region=store.us, captured=["100.00"], items=[
        {"title": "Desk lamp", "sku": "LAMP-1", "unit_price": "50.00", "quantity": 2}])
    change = edits.begin_edit(order, order.lock_version, "test")
    edits.update_item(order, order.lock_version, change.id, order.items[0].id, quantity=1,
                      unit_price=None, actor="test")  # fmt: skip
    edits.request_confirmation(order, order.lock_version, change.id, "test")
    token = edits.issue_link(change, change.requested_at.isoformat())
    db.session.commit()
    return f"/c/order-edits/{token}"


def _return_link(store) -> str:
    """The page of the return link in a shipped order's email (3 lamps and a mug)."""
    order = _shipped_order(store)
    token = issue_return_link(order, order.fulfillments[0])
    db.session.commit()
    return f"/c/returns/{token}"


def _link_used(path: str) -> tuple:
    """Whether the link was answered: its page then shows the outcome, without forms."""
    token_hash = hash_link_token(path.rpartition("/")[2])
    with db.engine.connect() as connection:
        return (connection.scalar(select(OrderChangeLink.used_at).where(
            OrderChangeLink.token_hash == token_hash)),)  # fmt: skip


def _edit_state(path: str) -> tuple:
    """What an edit page's forms follow: its order's, and its changes' statuses and steps."""
    steps = (select(OrderChange.status, func.count(OrderChangeAction.id),
                    func.max(OrderChangeAction.id))
             .outerjoin(OrderChangeAction).where(OrderChange.order_id == _order_id(path))
             .group_by(OrderChange.id, OrderChange.status).order_by(OrderChange.id))  # fmt: skip
    with db.engine.connect() as connection:
        return (*_order_state(path), *connection.execute(steps).all())


def _logins(path: str) -> tuple:
    with db.engine.connect() as connection:
        return (connection.scalar(select(func.count()).select_from(StaffLogin)),)


@dataclass(frozen=True)
class Target:
    """A page whose forms get odd values: ``make`` builds what it shows and answers its path."""

    make: Callable[[object], str]
    #: Only the forms sent to these endpoints, only the fields of these names (the others are
    #: another target's): None for all.
    endpoints: frozenset[str] | None = None
    fields: frozenset[str] | None = None
    #: What the page's forms follow, read after a change was saved: when it changed, the page
    #: is read again. None: the forms stay as they were. (An order's version is read before
    #: each request, as the builder's script does.)
    state: Callable[[str], tuple] | None = None
    anonymous: bool = False
    #: What a person types that the page does not hold (a password), by field name.
    fill: tuple[tuple[str, str], ...] = ()
    #: Tables a refusal may write to (a wrong password is counted, to throttle logins).
    may_write: frozenset[str] = frozenset()


def _order(currency: str, fulfilled: bool = False, endpoints=(), fields=()) -> Target:
    return Target(lambda store: _order_page(store, currency, fulfilled),
                  frozenset(endpoints) or None, frozenset(fields) or None, _order_state)


def _draft(currency: str, paid: bool = False, endpoints=(), fields=()) -> Target:
    return Target(lambda store: _builder(store, currency, paid),
                  frozenset(endpoints) or None, frozenset(fields) or None, _order_state)


def _edit(currency: str, begun: bool = True, fields=()) -> Target:
    return Target(lambda store: _edit_page(store, currency, begun), None,
                  frozenset(fields) or None, _edit_state)


def _settle(currency: str, up: bool, fields=()) -> Target:
    return Target(lambda store: _edited_order(store, currency, up),
                  frozenset({"orders.collect_edit_difference" if up
                             else "orders.refund_edit_difference"}),
                  frozenset(fields) or None, _order_state)  # fmt: skip


def _return_reasons(store) -> str:
    """The return reasons' list: Wrong size with an active child and a retired one, so that
    both Retire and Reactivate show (made once: the page may be made anew in a test)."""
    if db.session.scalar(select(ReturnReason).filter_by(value="wrong_size")) is None:
        parent = save_return_reason(None, ReasonValues("wrong_size", "Wrong size", "", None))
        save_return_reason(None, ReasonValues("too_small", "Too small", "", parent.id))
        save_return_reason(None, ReasonValues("too_large", "Too large", "", parent.id)
                           ).is_active = False  # fmt: skip
        db.session.commit()
    return "/settings/return-reasons"


def _shipped_order(store) -> Order:
    """An order of 3 lamps and a mug, paid, all shipped from the warehouse; the reasons."""
    _return_reasons(store)
    order = make_order(region=store.us, captured=["200.00"], items=[
        {"title": "Desk lamp", "sku": "LAMP-1", "unit_price": "50.00", "quantity": 3},
        {"title": "Stoneware Mug", "sku": "MUG-1", "unit_price": "50.00", "quantity": 1}])
    fulfillment = create_fulfillment(order, order.lock_version, store.warehouse.id,
                                     {item.id: item.quantity for item in order.items}, "test")
    ship_fulfillment(order, order.lock_version, fulfillment.id, carrier="DHL",
                     tracking_numbers=["JD0001"], actor="test")  # fmt: skip
    db.session.commit()
    return order


def _start_return(store) -> str:
    """The form that asks a shipped order's units back."""
    return f"/orders/{_shipped_order(store).id}/returns/new"


def _start_exchange(store) -> str:
    """The form that exchanges a shipped order's units for new items."""
    return f"/orders/{_shipped_order(store).id}/exchanges/new"


def _return_page(store, received: bool) -> str:
    """A return of 2 lamps: nothing received (Receive and Cancel show) or one lamp back on
    the shelf (Receive and Refund show)."""
    order = _shipped_order(store)
    reason = db.session.scalar(select(ReturnReason.id).filter_by(value="too_small"))
    return_ = request_return(order, order.lock_version,
                             [ReturnRequestLine(order.items[0].id, 2, reason)],
                             location_id=store.warehouse.id, actor="test")  # fmt: skip
    if received:
        receive_return(order, order.lock_version, return_.id, {return_.items[0].id: (1, 0)},
                       "test")  # fmt: skip
    db.session.commit()
    return f"/returns/{return_.id}"


def _return_state(path: str) -> tuple:
    """What a return page's forms follow: its order's, and the return's status and units."""
    return_id = int(path.rpartition("/")[2])
    with db.engine.connect() as connection:
        return (*_order_state(path), *connection.execute(select(
            Return.status, Return.refunded).where(Return.id == return_id)).all(),
            connection.scalar(select(func.sum(ReturnItem.restocked_quantity
                                              + ReturnItem.damaged_quantity))
                              .where(ReturnItem.return_id == return_id)))  # fmt: skip


def _start_claim(store) -> str:
    """The form that claims a shipped order's units."""
    return f"/orders/{_shipped_order(store).id}/claims/new"


def _claim_page(store) -> str:
    """A refund claim of 2 lamps written off: Reinstate and Refund show."""
    order = _shipped_order(store)
    claim = create_claim(order, order.lock_version, "refund",
                         [ClaimLine(order.items[0].id, 2, "missing_item")], actor="test")
    db.session.commit()
    return f"/claims/{claim.id}"


def _claim_state(path: str) -> tuple:
    """What a claim page's forms follow: its order's, and what the claim refunded and has
    written off."""
    claim_id = int(path.rpartition("/")[2])
    with db.engine.connect() as connection:
        return (*_order_state(path), *connection.execute(
            select(Claim.refunded, func.sum(ClaimItem.written_off_quantity)).join(ClaimItem)
            .where(Claim.id == claim_id).group_by(Claim.id, Claim.refunded)).all())  # fmt: skip


def _return_reason(store) -> str:
    """A child reason's page, its parent among the choices."""
    path = _return_reasons(store)
    parent = db.session.scalar(select(ReturnReason).filter_by(value="wrong_size"))
    return f"{path}/{parent.children[0].id}"


def _page(path: str) -> Target:
    return Target(lambda store: path.format(store=store, rate=store.us.tax_rates[0]))


TARGETS = {
    "order": _order("USD"),
    "order in JPY": _order("JPY", fields={"amount"}),
    "fulfillments": _order("USD", fulfilled=True,
                           endpoints={"orders.ship", "orders.fulfillment_step"}),  # fmt: skip
    "order edit": _edit("USD"),
    "order edit in JPY": _edit("JPY", fields={"unit_price", "amount"}),
    "start an edit": _edit("USD", begun=False),
    "edit to collect": _settle("USD", up=True),
    "edit to refund in JPY": _settle("JPY", up=False),
    "builder": _draft("USD"),
    "builder in JPY": _draft("JPY", fields={"unit_price", "option_id"}),
    "paid draft": _draft("USD", paid=True,
                         endpoints={"draft_orders.convert", "draft_orders.void_payment"}),
    "draft list": _page("/draft-orders"),
    "products": _page("/settings/products"),
    "new product": _page("/settings/products/new"),
    "product": _page("/settings/products/{store.mug.product_id}"),
    "new variant": _page("/settings/products/{store.mug.product_id}/variants/new"),
    "variant": _page("/settings/products/{store.mug.product_id}/variants/{store.mug.id}"),
    "new promotion": _page("/settings/promotions/new"),
    "promotion": _page("/settings/promotions/{store.welcome.id}"),
    "new tax rate": _page("/settings/tax-rates/new"),
    "tax rate": _page("/settings/tax-rates/{rate.id}"),
    "new shipping option": _page("/settings/shipping-options/new"),
    "shipping option in JPY": _page("/settings/shipping-options/{store.yamato.id}"),
    "inventory": _page("/settings/inventory"),
    "return reasons": Target(_return_reasons),
    "return reason": Target(_return_reason),
    "start a return": Target(_start_return, state=_order_state),
    "exchange items": Target(_start_exchange, state=_order_state),
    "return": Target(lambda store: _return_page(store, received=False), state=_return_state),
    "received return": Target(lambda store: _return_page(store, received=True),
                              state=_return_state),  # fmt: skip
    "start a claim": Target(_start_claim, state=_order_state),
    "claim": Target(_claim_page, state=_claim_state),
    # The customer's page of an order edit: no login, its forms need the emailed link's token.
    "customer link": Target(_customer_link, state=_link_used, anonymous=True),
    # The customer's return link from a shipment email: no login either.
    "customer return link": Target(_return_link, state=_link_used, anonymous=True),
    # A login that succeeds (odd "remember" with the right password) starts afresh.
    "login": Target(lambda store: "/login", state=_logins, anonymous=True,
                    fill=(("email", STAFF_EMAIL), ("password", STAFF_PASSWORD)),
                    may_write=frozenset({"login_attempt"})),  # fmt: skip
}
#: Targets hypothesis draws from together; the settings pages are the rest.
GROUPS = {
    "orders": ["order", "order in JPY", "fulfillments"],
    "edits": ["order edit", "order edit in JPY", "start an edit", "edit to collect",
              "edit to refund in JPY"],
    "builder": ["builder", "builder in JPY", "paid draft", "draft list"],
    "login": ["login"],
    "customer": ["customer link", "customer return link"],
    "returns": ["start a return", "exchange items", "return", "received return"],
    "claims": ["start a claim", "claim"],
}
GROUPS["settings"] = [name for name in TARGETS
                      if not any(name in group for group in GROUPS.values())]  # fmt: skip

#: Changes saved on one page before it is made anew: every change adds to its timeline, and a
#: long timeline makes every answer slower.
CHANGES_PER_PAGE = 20


def _unbound_fields(form_class: type) -> Iterator[tuple[str, UnboundField]]:
    """(name, field) of a form class, sub-forms' and list entries' fields by their own name."""
    for name in dir(form_class):
        field = getattr(form_class, name)
        if not isinstance(field, UnboundField):
            continue
        inner = field
        while issubclass(inner.field_class, wtforms.FieldList):
            inner = inner.args[0]
        if issubclass(inner.field_class, wtforms.FormField):
            yield from _unbound_fields(inner.args[0])
        else:
            yield name, field


def _subclasses(cls: type) -> Iterator[type]:
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def _reads_text(field: UnboundField) -> bool:
    """Whether the field takes any text (of some length) or just a tick, not a number or a
    choice."""
    kind = field.field_class
    return issubclass(kind, wtforms.BooleanField) or (
        issubclass(kind, wtforms.StringField)
        and not issubclass(kind, MoneyField | wtforms.HiddenField))  # fmt: skip


@cache
def text_fields() -> frozenset[str]:
    """Names of the fields the app's form classes read as text or a tick wherever they appear
    (a name read as a number or a choice anywhere is not one)."""
    kinds = defaultdict(set)
    for form_class in _subclasses(wtforms.Form):
        if form_class.__module__.startswith("app."):
            for name, field in _unbound_fields(form_class):
                kinds[name].add(_reads_text(field))
    return frozenset(name for name, found in kinds.items() if found == {True})


def _shape(name: str) -> str:
    """One name for the fields of repeated rows (quantity-17, quantity-18) and of a repeated
    sub-form (shipping-city, billing-city): each gets odd values once."""
    return re.sub(r"^[a-z]+-", "", re.sub(r"(?<=-)\d+(?=-|$)", "N", name))


class FormsUnderTest:
    """The forms of one target's page, kept as a browser has them: a form carries the page's
    version as it is now; after a change was saved the page is read again if what its forms
    follow changed, and made anew once a form is gone (a shipped fulfillment has no Ship form
    any more) or the page has taken ``CHANGES_PER_PAGE`` changes."""

    def __init__(self, app, store, staff_client: FlaskClient, target: Target) -> None:
        self.app, self.store, self.staff_client, self.target = app, store, staff_client, target
        self._make()
        #: Every (form, field's place in it), as the page first had them.
        self.fields = [(key, place) for key, (_, names) in self.forms.items()
                       for place in range(len(names))]  # fmt: skip

    def _make(self) -> None:
        self.client = self.app.test_client() if self.target.anonymous else self.staff_client
        self.path = self.target.make(self.store)
        self.changes = 0
        self._read()

    def _read(self) -> None:
        self.state = self.target.state(self.path) if self.target.state else None
        page = self.client.get(self.path).get_data(as_text=True)
        if "/draft-orders/" in self.path or self.path.endswith("/edit"):
            page = _with_search_results(self.client, self.path, page)
        routes = self.app.url_map.bind("localhost")
        self.forms: dict[tuple, tuple[PageForm, list[str]]] = {}
        for form in page_forms(page, self.path):
            form.fields.update((name, [value]) for name, value in self.target.fill
                               if name in form.fields)  # fmt: skip
            endpoint, _ = routes.match(form.action.partition("?")[0], method=form.method)
            if endpoint == "auth.logout" or (self.target.endpoints is not None
                                             and endpoint not in self.target.endpoints):
                continue
            # CSRF is off in tests (its token is tested elsewhere).
            names: dict[str, str] = {}
            for name in form.fields:
                if name != "csrf_token" and (self.target.fields is None
                                             or _shape(name) in self.target.fields):
                    names.setdefault(_shape(name), name)
            if names or self.target.fields is None:
                key = (form.method, endpoint, tuple(names))
                self.forms.setdefault(key, (form, list(names.values())))

    def table(self) -> list[tuple[tuple, int, list[str | None]]]:
        """(form, field's place, values) of the issue's table (see the module's docstring)."""
        rows, version_done = [], False
        for key, place in self.fields:
            name = key[2][place].rpartition("-")[2]
            if name == "lock_version":
                if version_done and len(key[2]) > 1:
                    continue
                version_done = True
            rows.append((key, place, TEXT_VALUES if name in text_fields() else BAD_VALUES))
        return rows

    def send(self, key: tuple, place: int, value: str | None) -> list[str]:
        """Send the form ``key`` with ``value`` in its field at ``place``; what is wrong with
        the answer."""
        if key not in self.forms or self.changes >= CHANGES_PER_PAGE:
            self._make()
        form, names = self.forms[key]
        data = form.data_with(names[place], value)
        if "lock_version" in form.fields and names[place] != "lock_version":
            data["lock_version"] = [str(self._version())]
        what = f"{form.method} {form.action} {names[place]}={value!r:.60}"
        request = {"query_string": data} if form.method == "GET" else {"data": data}
        headers = {"HX-Request": "true"} if form.htmx else {}
        problems, saved = exchange(self.client, form.method, form.action, what,
                                   self.target.may_write, not form.htmx, headers=headers,
                                   **request)  # fmt: skip
        if saved and self.target.state:
            self.changes += 1
            if self.target.state(self.path) != self.state:
                self._read()
        return problems

    def _version(self) -> int:
        with db.engine.connect() as connection:
            return connection.scalar(select(Order.lock_version).where(
                Order.id == _order_id(self.path)))  # fmt: skip


@pytest.fixture
def forms_of(app, store, staff_client):
    """The forms of a target's page (made once per test: hypothesis's examples share it)."""
    made: dict[str, FormsUnderTest] = {}

    def forms(name: str) -> FormsUnderTest:
        if name not in made:
            made[name] = FormsUnderTest(app, store, staff_client, TARGETS[name])
        return made[name]

    return forms


def test_every_staff_post_route_has_a_form_here(app, forms_of):
    # Odd values reach a route only through a form on a page read here: a new route (or a form
    # that vanished from its page) must be seen to.
    found = {key[1] for name in TARGETS for key in forms_of(name).forms if key[0] == "POST"}
    routes = {rule.endpoint for rule in app.url_map.iter_rules()
              if "POST" in rule.methods and not rule.endpoint.startswith("api.")}  # fmt: skip
    assert routes - found == {"auth.logout"}


def test_text_fields_are_read_from_the_forms(app):
    # The table sends numbers only to fields that read them; a name read as plain text here
    # is one, and an amount is not.
    assert {"title", "note", "carrier", "city", "email", "no_notification"} <= text_fields()
    numbers = {"amount", "unit_price", "quantity", "lock_version", "reason", "region"}
    assert not numbers & text_fields()


@pytest.mark.parametrize("target", TARGETS)
def test_the_issues_values_in_every_field_never_fail_and_a_refusal_saves_nothing(
    forms_of, target
):
    forms = forms_of(target)
    problems = [problem for key, place, values in forms.table() for value in values
                for problem in forms.send(key, place, value)]  # fmt: skip
    assert forms.fields
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("group", GROUPS)
@FUZZ
@given(data=st.data())
def test_odd_text_in_any_field_never_fails_and_a_refusal_saves_nothing(forms_of, group, data):
    forms = forms_of(data.draw(st.sampled_from(GROUPS[group])))
    key, place = data.draw(st.sampled_from(forms.fields))
    problems = forms.send(key, place, data.draw(ODD_TEXT))
    assert not problems, "\n".join(problems)


# The JSON API


def _nested(depth: int) -> str:
    return "[" * depth + "]" * depth


#: JSON text only JSON can send: bare numbers, lone surrogates, NUL, other types, nesting.
ONLY_JSON = [
    "NaN", "Infinity", "-Infinity", "1e309", "1e999999999", "-1e999999999", str(10**30),
    str(2**64), "-1", "0", "0.335", "0.5", "9" * 5_000, "true", "null", "[]", "{}",
    '"\\ud800"', '"\\udfff\\ud800"', '"a\\u0000b"', _nested(900), _nested(100_000),
]  # fmt: skip
#: JSON text for an amount and for a text field: the values above as strings, and the rest.
RAW_JSON = [json.dumps(v) for v in BAD_VALUES if v is not None] + ONLY_JSON
RAW_JSON_TEXT = [json.dumps(v) for v in TEXT_VALUES if v is not None] + ONLY_JSON

#: Whole bodies that are no JSON object of the right shape.
RAW_BODIES = ["", "not json", "[]", "null", '"amount"', "{", _nested(100_000),
              '{"a":' * 50_000 + "1" + "}" * 50_000, '{"amount": "1"}' * 2]  # fmt: skip

def _json_containers(inner: st.SearchStrategy) -> st.SearchStrategy:
    return st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)


#: Odd JSON values as generated: NaN and infinities as bare words, lone surrogates and NUL as
#: escapes (``json.dumps`` writes every character outside ASCII as one).
ODD_JSON = st.one_of(
    st.sampled_from(RAW_JSON),
    st.integers(min_value=1, max_value=1_100).map(_nested),
    st.recursive(
        st.none() | st.booleans() | st.integers(min_value=-(2**80), max_value=2**80)
        | st.floats() | st.text(max_size=20),
        _json_containers, max_leaves=8,
    ).map(json.dumps),
)


def _body(fields: dict[str, str]) -> str:
    """A JSON object of the given field names and JSON texts."""
    return "{" + ", ".join(f"{json.dumps(name)}: {text}" for name, text in fields.items()) + "}"


#: The fields of each payment request with a valid value (JSON text; "1" is an amount in
#: every currency).
PAYMENT_BODIES = {
    "captures": {"amount": '"1"'},
    "refunds": {"amount": '"1"', "reason": '"return"', "note": '"Scratched in transit"'},
}


class PaymentsUnderTest:
    """An order with an authorized and a captured payment, made anew once a capture or a
    refund went through (so every request meets the same order)."""

    def __init__(self, client: FlaskClient, headers: dict[str, str], currency: str) -> None:
        self.client, self.headers, self.currency = client, headers, currency
        self.order = None

    def send(self, kind: str, body: str) -> list[str]:
        if self.order is None:
            unit = {"USD": "50.00", "JPY": "5000"}[self.currency]
            self.order = make_order(currency=self.currency, authorized=[unit], captured=[unit],
                                    items=[{"unit_price": unit}])  # fmt: skip
        payment = self.order.payments[1 if kind == "captures" else 0]  # captured, authorized
        path = f"/api/v1/orders/{self.order.id}/payments/{payment.id}/{kind}"
        problems, saved = exchange(self.client, "POST", path, f"POST {path} {body[:80]!r}",
                                   data=body.encode(), headers={
                                       **self.headers, "Content-Type": "application/json"})
        if saved:
            self.order = None
        return problems


@pytest.mark.parametrize(("currency", "kinds"), [("USD", ["captures", "refunds"]),
                                                 ("JPY", ["captures"])])  # fmt: skip
def test_the_issues_values_in_every_field_of_a_capture_or_refund(client, api_headers, currency,
                                                                 kinds):  # fmt: skip
    payments, problems = PaymentsUnderTest(client, api_headers, currency), []
    for kind in kinds:
        fields = PAYMENT_BODIES[kind]
        for body in RAW_BODIES:
            problems += payments.send(kind, body)
        for name in fields:
            problems += payments.send(kind, _body({k: v for k, v in fields.items() if k != name}))
            for text in RAW_JSON if name == "amount" else RAW_JSON_TEXT:
                problems += payments.send(kind, _body({**fields, name: text}))
    assert not problems, "\n".join(problems)


@FUZZ
@given(data=st.data())
def test_odd_json_in_a_capture_or_refund(client, api_headers, data):
    payments = PaymentsUnderTest(client, api_headers, "USD")
    kind = data.draw(st.sampled_from(list(PAYMENT_BODIES)))
    fields = PAYMENT_BODIES[kind]
    name = data.draw(st.sampled_from([*fields, "extra"]))
    problems = payments.send(kind, _body({**fields, name: data.draw(ODD_JSON)}))
    assert not problems, "\n".join(problems)


#: An order with every field the import reads (values valid), to put odd values anywhere in.
FULL_ORDER = order_payload(
    metadata={"source": "pos", "tags": ["gift"]},
    billing_address={"first_name": "Ada", "address_1": "1 Main St", "country_code": "US"},
    credit_lines=[{"amount": "1.00", "reference": "GC-1"}],
    created_at="2026-01-02T03:04:05Z", no_notification=False, status="pending",
    region="United States", sales_channel="Default Sales Channel",
)  # fmt: skip
FULL_ORDER["items"][0]["is_tax_inclusive"] = False
FULL_ORDER["payments"][0]["provider_id"] = "manual"


def _paths(value, path=()) -> list[tuple]:
    """Every place in a JSON value: keys of objects and indexes of lists, depth first."""
    children = value.items() if isinstance(value, dict) else (
        enumerate(value) if isinstance(value, list) else ())  # fmt: skip
    found = [path] if path else []
    for key, child in children:
        found += _paths(child, (*path, key))
    return found


IMPORT_PATHS = _paths(FULL_ORDER) + [("canceled_at",), ("items", 0, "metadata")]

#: The values that went wrong somewhere once; every place of an import gets them.
IMPORT_RAW = ["NaN", "1e309", str(2**64), '"\\ud800"', '"a\\u0000b"', _nested(930), '{"a": NaN}']
#: Metadata nested about as deep as Python's JSON reader goes: read at one depth of the stack,
#: written out (to be saved) at a deeper one.
DEEP_METADATA = ['{"a": ' + _nested(depth) + "}" for depth in range(850, 1000, 5)]


class Imports:
    """Imports of ``FULL_ORDER`` with odd JSON in one place, each under its own external id
    (unless the odd value is the id), so that every valid one is saved, not found existing."""

    def __init__(self, client: FlaskClient, headers: dict[str, str]) -> None:
        self.client, self.headers, self.sent = client, headers, 0
        make_region("United States", "USD")
        db.session.commit()

    def send(self, path: tuple, text: str) -> list[str]:
        order = copy.deepcopy(FULL_ORDER)
        self.sent += 1
        order["external_id"] = f"odd-{self.sent}"
        place = order
        for key in path[:-1]:
            place = place[key]
        marker = "\x01odd\x01"
        place[path[-1]] = marker
        body = json.dumps({"orders": [order]}).replace(json.dumps(marker), text, 1)
        return exchange(self.client, "POST", IMPORT_URL, f"POST {IMPORT_URL} {body[:120]!r}",
                        data=body.encode(),
                        headers={**self.headers, "Content-Type": "application/json"})[0]


@pytest.fixture
def imports(client, api_headers) -> Imports:
    imports = Imports(client, api_headers)
    assert imports.send(("email",), '"ada@example.com"') == []
    assert db.session.scalar(select(func.count()).select_from(Order)) == 1  # valid as it is
    return imports


def test_the_values_that_failed_once_anywhere_in_an_import(imports):
    sent = [(path, text) for path in IMPORT_PATHS for text in IMPORT_RAW]
    sent += [(("metadata",), text) for text in DEEP_METADATA]
    problems = [problem for path, text in sent for problem in imports.send(path, text)]
    assert not problems, "\n".join(problems)


@FUZZ
@given(path=st.sampled_from(IMPORT_PATHS), text=ODD_JSON)
def test_odd_json_anywhere_in_an_import(imports, path, text):
    problems = imports.send(path, text)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("key", ["", " ", "x" * 256, "a\x00b", "\x7f", "é" * 255])
def test_odd_idempotency_keys(client, api_headers, key):
    problems, _ = exchange(
        client, "POST", IMPORT_URL, f"POST {IMPORT_URL} Idempotency-Key {key!r:.40}",
        data=json.dumps({"orders": [order_payload()]}).encode(),
        headers={**api_headers, "Content-Type": "application/json", "Idempotency-Key": key},
    )  # fmt: skip
    assert not problems, "\n".join(problems)


# What sending odd values found: each was a 5xx, or a refusal answered as if it had been done


def submit(client: FlaskClient, page: str, action: str, **typed: str):
    """Send the form of ``page`` that goes to ``action`` as the page has it, with ``typed`` in
    its fields."""
    html = client.get(page).get_data(as_text=True)
    if "/draft-orders/" in page:
        html = _with_search_results(client, page, html)
    [form] = [form for form in page_forms(html, page) if form.action == action]
    data = {name: values for name, values in form.fields.items() if values}
    data.update((name, [value]) for name, value in typed.items())
    return client.post(action, data=data, headers={"HX-Request": "true"} if form.htmx else {})


def test_spaces_alone_are_no_amount_and_no_number(staff_client, store):
    # They were taken for a value that was given and then read as none: a 500 from the action
    # (a capture of None, a line of None units) or the database (a price of NULL).
    order = _order_page(store, "USD", fulfilled=False)
    captured, authorized = db.session.get(Order, _order_id(order)).payments  # make_order's order
    draft = _builder(store, "USD", paid=False)
    line = db.session.get(Order, _order_id(draft)).items[0]
    promotion = f"/settings/promotions/{store.welcome.id}"
    rate = f"/settings/tax-rates/{store.us.tax_rates[0].id}"
    option = f"/settings/shipping-options/{store.yamato.id}"
    asked = {
        (order, f"{order}/payments/{authorized.id}/capture", "amount"): "Give an amount.",
        (order, f"{order}/payments/{captured.id}/refund", "amount"): "Give an amount.",
        (draft, f"{draft}/items/{line.id}", "quantity"): "Give a quantity.",
        (draft, f"{draft}/items/{line.id}", "unit_price"): "Give a price.",
        (draft, f"{draft}/customer/choose", "customer_id"): "Pick a customer.",
        (promotion, promotion, "value"): "Enter the percentage or the amount off.",
        (rate, rate, "rate"): "Enter the rate in percent.",
        (option, option, "amount"): "Enter the price (0 for free).",
    }
    before = fingerprint()
    answers = {}
    for (page, action, field), message in asked.items():
        response = submit(staff_client, page, action, **{field: "  "})
        answers[action, field] = (response.status_code, message in refusal_message(response))
    assert answers == {(action, field): (422, True) for _, action, field in asked}
    assert fingerprint() == before


def test_a_product_search_longer_than_any_title_finds_nothing(staff_client):
    # SQLite refuses a LIKE pattern over 50,000 characters: the search was a 500.
    make_product("Stoneware Mug")
    response = staff_client.get("/settings/products", query_string={"q": "Stone" + "x" * 60_000})
    assert response.status_code == 200
    assert "No product matches" in response.get_data(as_text=True)
    found = staff_client.get("/settings/products", query_string={"q": "Stone"})
    assert "Stoneware Mug" in found.get_data(as_text=True)


@pytest.mark.parametrize("location", ["²", "١٢", "9" * 5_000, str(2**31), "-1", "0"])
def test_a_sales_channel_ships_only_from_locations_listed(staff_client, location):
    # "²" passed str.isdigit and failed int() (a 500), as did 5,000 digits; "١٢" was taken as 12.
    warehouse = StockLocation(name="Leeds warehouse")
    db.session.add(warehouse)
    db.session.commit()
    channel = db.session.scalar(select(SalesChannel).where(SalesChannel.is_default))
    before = fingerprint()
    response = staff_client.post(f"/settings/sales-channels/{channel.id}/locations",
                                 data={"location": [str(warehouse.id), location]})
    assert response.status_code == 422
    assert refusal_message(response) == ("Tick locations from the list; reload the page if one "
                                         "is missing.")  # fmt: skip
    assert fingerprint() == before


@pytest.mark.parametrize("kind", ["captures", "refunds"])
def test_a_payment_body_nested_deeper_than_json_is_read_is_not_json(client, api_headers, kind):
    # Python's reader raises RecursionError, not the ValueError Flask's get_json catches: a 500.
    order = make_order(authorized=["10.00"], captured=["10.00"])
    payment = order.payments[1 if kind == "captures" else 0]  # captured, then authorized
    before = fingerprint()
    response = client.post(f"/api/v1/orders/{order.id}/payments/{payment.id}/{kind}",
                           data='{"amount": ' + _nested(100_000) + "}",
                           headers={**api_headers, "Content-Type": "application/json"})
    assert (response.status_code, response.get_json()["message"]) == (
        400, "The body is not valid JSON.")  # fmt: skip
    assert fingerprint() == before


def test_an_idempotency_key_with_a_nul_is_refused_naming_the_header(client, api_headers):
    # PostgreSQL cannot store a NUL in text: keeping the key was a 500 there.
    response = client.post(IMPORT_URL, json={"orders": [order_payload()]},
                           headers={**api_headers, "Idempotency-Key": "retry\x00-1"})
    assert response.status_code == 400
    assert response.get_json()["errors"] == [
        {"field": "Idempotency-Key", "message": "must not contain a NUL character"}]
    assert db.session.scalar(select(func.count()).select_from(Order)) == 0


LEVELS = "must nest objects and lists at most 32 levels deep"


@pytest.mark.parametrize(("metadata", "message"), [
    ('{"weight": NaN}', "must hold only finite numbers (no NaN or Infinity)"),
    ('{"sizes": [1, -Infinity]}', "must hold only finite numbers (no NaN or Infinity)"),
    ('{"a": ' + _nested(31) + "}", None),
    ('{"a": ' + _nested(32) + "}", LEVELS),
    ('{"a": ' + _nested(930) + "}", LEVELS),
])  # fmt: skip
def test_metadata_is_kept_only_when_it_can_be_stored_and_sent_back(client, api_headers,
                                                                   metadata, message):  # fmt: skip
    # NaN was a 500 on PostgreSQL (its json refuses it) and went back out of the API as NaN,
    # which no JSON reader takes; 930 levels were read and then failed to be written (a 500).
    body = json.dumps({"orders": [order_payload(metadata="\x01")]}).replace('"\\u0001"', metadata)
    response = client.post(IMPORT_URL, data=body,
                           headers={**api_headers, "Content-Type": "application/json"})
    if message is None:
        assert response.status_code == 201
    else:
        assert response.status_code == 422
        assert response.get_json()["results"][0]["errors"] == [
            {"field": "metadata", "message": message}]


def test_a_login_form_with_a_field_missing_is_refused_as_such(client, staff_user):
    # It was answered 200, as if the login had gone through.
    response = client.post("/login", data={"email": STAFF_EMAIL})
    assert response.status_code == 422
    assert refusal_message(response) == "This field is required."
