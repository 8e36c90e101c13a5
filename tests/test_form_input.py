"""Odd input the app once failed on (a 5xx, or a refusal answered as if it had been done),
each with the answer it gets now: a refusal that says why and saves nothing."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from functools import cache
from html import unescape

import pytest
from flask.testing import FlaskClient
from sqlalchemy import String, func, literal, select, union_all

from app.catalog.models import VariantPrice
from app.draft_orders import actions as drafts
from app.extensions import db
from app.fulfillment.actions import create_fulfillment, ship_fulfillment
from app.fulfillment.models import StockLocation
from app.inventory.actions import adjust_stock
from app.orders.models import Order
from app.store.models import SalesChannel
from tests.api.helpers import IMPORT_URL, order_payload
from tests.catalog.factories_catalog import make_product, make_promotion, make_shipping_option
from tests.conftest import STAFF_EMAIL
from tests.draft_orders.conftest import shop  # noqa: F401  (a fixture of the builder tests)
from tests.factories import make_order, make_region
from tests.html_forms import page_forms


@cache
def _fingerprint_sql(dialect: str, leave_out: frozenset[str]) -> tuple[str, ...]:
    # Compiled once: building 40 SELECTs for every request cost more than running them.
    tables = [t for t in db.metadata.sorted_tables if t.name not in leave_out]
    counts = union_all(*(select(literal(t.name, String), func.count()).select_from(t)
                         for t in tables))  # fmt: skip
    orders = select(Order.id, Order.version, Order.total).order_by(Order.id)
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
            create_fulfillment(order, order.version, store.warehouse.id, {lamp: 1}, "test")
        ship_fulfillment(order, order.version, order.fulfillments[1].id, carrier="DHL",
                         tracking_numbers=["JD0001"], actor="test")  # fmt: skip
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
        lambda: drafts.set_region(draft, draft.version, store.jp if jpy else store.us, "test"),
        lambda: drafts.choose_customer(draft, draft.version, store.ada.id, "test"),
        lambda: drafts.add_variant_item(draft, draft.version, store.mug.id),
        lambda: drafts.add_custom_item(draft, draft.version, title="Gift wrapping",
                                       unit_price=Decimal(400 if jpy else 4), quantity=1,
                                       actor="test"),  # fmt: skip
        lambda: drafts.apply_promotion(draft, draft.version, "WELCOME10", "test"),
        lambda: drafts.set_shipping_option(draft, draft.version,
                                           (store.yamato if jpy else store.standard).id, "test"),
    ]  # fmt: skip
    if paid:
        steps.append(lambda: drafts.register_payment(draft, draft.version, captured=True,
                                                     actor="test"))  # fmt: skip
    for step in steps:
        step()
        db.session.flush()
    db.session.commit()
    return f"/draft-orders/{draft.id}"


def _with_search_results(client: FlaskClient, path: str, page: str) -> str:
    """The builder as a person sees it after searching: the results are radio buttons of the
    search forms (a customer to choose, a product to add), swapped in as htmx swaps them."""
    for results, search in (("customer-results", "customers?q=ada"),
                            ("variant-results", "variants?q=mug")):  # fmt: skip
        if opened := re.search(rf'id="{results}"[^>]*>', page):
            found = client.get(f"{path}/{search}").get_data(as_text=True)
            page = page[:opened.end()] + found + page[opened.end():]
    return page


def _order_id(path: str) -> int:
    return int(re.fullmatch(r"/(?:draft-)?orders/(\d+)", path)[1])



def _nested(depth: int) -> str:
    return "[" * depth + "]" * depth


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
