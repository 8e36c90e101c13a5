"""Odd values in every query argument of the lists and in every id of a path: never a 5xx.

The tables hold the values issue 9 found, each with the answer it must get; hypothesis then
sends generated odd strings (huge and negative numbers, other scripts' digits, NUL and other
control characters, lone surrogates, very long strings, nested JSON, dates at and beyond the
ends of the calendar) to every argument and path id.
"""

from __future__ import annotations

import base64
import re
from dataclasses import fields
from datetime import date
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from app.extensions import db
from app.numbers import MAX_ID
from app.orders.models import Order, OrderStatus
from app.orders.queries import OrderFilters
from tests.factories import make_order

#: The query arguments each list reads.
ORDER_LIST_ARGUMENTS = [field.name for field in fields(OrderFilters)] + ["cursor"]
LISTS = {
    "/orders": ORDER_LIST_ARGUMENTS,
    "/api/v1/orders": [*ORDER_LIST_ARGUMENTS, "limit"],
    "/draft-orders": ["state", "q", "cursor"],
    "/returns": ["status", "q", "cursor"],
}

HUGE = "9" * 23
NESTED_CURSOR = base64.urlsafe_b64encode(b"[" * 100_000 + b"]" * 100_000).decode()

#: (path, query, status, the argument the answer names): what each value must get.
QUERY_TABLE = [
    ("/orders", {"created_to": "9999-12-31"}, 200, None),
    ("/orders", {"created_from": "0001-01-01", "created_to": "9999-12-31"}, 200, None),
    ("/orders", {"created_from": "0000-01-01"}, 400, "created_from"),
    ("/orders", {"created_to": "10000-01-01"}, 400, "created_to"),
    ("/orders", {"sales_channel": HUGE}, 400, "sales_channel"),
    ("/orders", {"region": HUGE}, 400, "region"),
    ("/orders", {"region": str(MAX_ID + 1)}, 400, "region"),
    ("/orders", {"region": "١٢"}, 400, "region"),
    ("/orders", {"cursor": NESTED_CURSOR}, 400, "cursor"),
    ("/orders", {"q": "²"}, 200, None),  # a digit to str.isdigit, not to int()
    ("/orders", {"sort": "-total"}, 400, "sort"),
    ("/orders", {"sort": "-total", "currency": "JPY"}, 200, None),
    ("/api/v1/orders", {"created_to": "9999-12-31"}, 200, None),
    ("/api/v1/orders", {"created_from": "0001-01-01"}, 200, None),
    ("/api/v1/orders", {"created_from": "0000-01-01"}, 422, "created_from"),
    ("/api/v1/orders", {"sales_channel": HUGE}, 422, "sales_channel"),
    ("/api/v1/orders", {"region": HUGE}, 422, "region"),
    ("/api/v1/orders", {"limit": HUGE}, 422, "limit"),
    ("/api/v1/orders", {"limit": "١٢"}, 422, "limit"),
    ("/api/v1/orders", {"sort": "total"}, 422, "sort"),
    ("/api/v1/orders", {"cursor": NESTED_CURSOR}, 400, "cursor"),
    ("/draft-orders", {"cursor": NESTED_CURSOR}, 400, "cursor"),
    ("/draft-orders", {"q": "#²"}, 200, None),
    ("/draft-orders", {"state": HUGE}, 400, "state"),
    ("/returns", {"cursor": NESTED_CURSOR}, 400, "cursor"),
    ("/returns", {"status": HUGE}, 400, "status"),
    ("/returns", {"q": "#²"}, 200, None),
    ("/returns", {"q": HUGE}, 200, None),
]


@pytest.fixture
def get(staff_client, api_headers):
    """GET a path with a raw query (values percent-encoded as given, lone surrogates too), as
    staff and with an API token, in a store with an order and a draft."""
    make_order()
    make_order(status=OrderStatus.DRAFT)

    def request(path: str, query: dict[str, str]):
        encoded = "&".join(f"{name}={quote(value, safe='', errors='surrogatepass')}"
                           for name, value in query.items())  # fmt: skip
        separator = "&" if "?" in path else "?"
        return staff_client.get(f"{path}{separator}{encoded}", headers=api_headers)

    return request


def named_arguments(path: str, response) -> list[str]:
    """The arguments an answer names as wrong: the API's error fields, the page's alert."""
    if path.startswith("/api/"):
        return [error["field"] for error in (response.get_json() or {}).get("errors", [])]
    alert = re.search(r'role="alert">(.*?)</div>', response.get_data(as_text=True), re.S)
    names = re.findall(r"<strong>(.*?)</strong>", alert.group(1)) if alert else []
    return [name.replace(" ", "_") for name in names]


def test_known_bad_values_get_their_answer_naming_the_argument(get):
    # One request per row, in one test: setting the store up per row cost more than the rows.
    answers, expected = {}, {}
    for path, query, status, field in QUERY_TABLE:
        response = get(path, query)
        row = f"{path} {query!r:.60}"
        answers[row] = (response.status_code, named_arguments(path, response))
        expected[row] = (status, [field] if field else [])
    assert answers == expected


@pytest.mark.parametrize(
    ("path", "shows"),
    [
        ("/settings/products?page=" + HUGE, "No products yet."),
    ],
)
def test_other_searches_and_pages_take_odd_values_too(get, path, shows):
    # A page past the end is the last page.
    draft = make_order(status=OrderStatus.DRAFT)
    response = get(path.format(draft=draft.id), {})
    assert response.status_code == 200
    assert shows in response.get_data(as_text=True)


def _nested(depth: int) -> str:
    return "[" * depth + "]" * depth


#: Strings that are no sensible value of anything.
ODD_VALUES = st.one_of(
    st.integers(min_value=MAX_ID - 1, max_value=2**80).map(str),
    st.integers(max_value=0).map(str),
    st.text(st.characters(categories=["Nd"]), min_size=1, max_size=25),
    st.text(st.characters(categories=["Cc", "Cs", "Zs", "Nd", "Lo", "So"]), max_size=12),
    st.text(max_size=40),
    st.integers(min_value=1, max_value=20_000).map(lambda n: "x" * n),
    st.integers(min_value=1, max_value=50_000).map(_nested),
    st.integers(min_value=1, max_value=50_000).map(
        lambda n: base64.urlsafe_b64encode(_nested(n).encode()).decode()
    ),
    st.dates().map(date.isoformat),
    st.sampled_from(["0000-01-01", "9999-12-31", "10000-01-01", "2026-02-30", "-2026-01-01",
                     "2026-W05-1", "+002026-01-31", "NaN", "Infinity", "-total", "total"]),
)  # fmt: skip

FUZZ = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.mark.parametrize("path", list(LISTS))
@FUZZ
@given(data=st.data())
def test_odd_query_arguments_are_never_a_server_error(get, path, data):
    arguments = st.sampled_from(LISTS[path])
    query = data.draw(st.dictionaries(arguments, ODD_VALUES, min_size=1, max_size=3))
    response = get(path, query)
    assert response.status_code < 500
    if path.startswith("/api/") and response.status_code != 200:
        assert response.status_code in (400, 422)
        assert response.get_json()["errors"]


def id_routes(app) -> list[tuple[str, str]]:
    """(method, rule) of every route with an ``<int:...>`` part."""
    return sorted(
        (method, rule.rule)
        for rule in app.url_map.iter_rules()
        if "<int:" in rule.rule
        for method in rule.methods - {"HEAD", "OPTIONS"}
    )


def fill(rule: str, number: str) -> str:
    """The rule's path with every id ``number`` and any other part a value it takes."""
    path = re.sub(r"<int:\w+>", number, rule)
    path = re.sub(r"<any\((\w+)[^>]*>", r"\1", path)
    return re.sub(r"<\w+>", "cancel", path)


def test_every_id_route_is_there(app):
    # The routes the tests below walk: a refactoring that renames them all would leave nothing.
    routes = id_routes(app)
    assert ("GET", "/orders/<int:order_id>") in routes
    assert ("POST", "/api/v1/orders/<int:order_id>/payments/<int:payment_id>/captures") in routes
    assert len(routes) > 30


@pytest.mark.parametrize("number", [HUGE, str(MAX_ID + 1), "0", "١٢", "-1", "1.0"])
def test_ids_no_row_can_have_are_a_plain_404_on_every_route(app, staff_client, api_headers,
                                                              number):  # fmt: skip
    answers = {
        (method, rule): staff_client.open(fill(rule, number), method=method,
                                          headers=api_headers).status_code
        for method, rule in id_routes(app)
    }  # fmt: skip
    assert {route for route, status in answers.items() if status != 404} == set()


@pytest.mark.parametrize("path", ["/orders/{}", "/draft-orders/{}", "/api/v1/orders/{}"])
def test_the_largest_id_is_looked_for_and_not_found(staff_client, api_headers, path):
    response = staff_client.get(path.format(MAX_ID), headers=api_headers)
    assert response.status_code == 404


@FUZZ
@given(data=st.data(), number=ODD_VALUES)
def test_odd_path_ids_are_never_a_server_error(app, staff_client, api_headers, data, number):
    method, rule = data.draw(st.sampled_from(id_routes(app)))
    path = fill(rule, quote(number, safe="", errors="surrogatepass"))
    response = staff_client.open(path, method=method, headers=api_headers)
    assert response.status_code < 500
    assert db.session.scalar(select(func.count()).select_from(Order)) == 0
