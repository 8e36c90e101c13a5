"""The order list through the API: the staff list's filters and cursor pages."""


import pytest

from app.extensions import db
from app.numbers import MAX_ID
from tests.api.helpers import order_payload
from tests.cursors import FORGED_CURSORS
from tests.factories import make_channel, make_region

LIST_URL = "/api/v1/orders"


def _import(import_orders, *orders) -> list[int]:
    response = import_orders(*orders)
    assert response.status_code == 201, response.get_json()
    return [r["display_id"] for r in response.get_json()["results"]]


def _display_ids(response) -> list[int]:
    assert response.status_code == 200, response.get_json()
    return [o["display_id"] for o in response.get_json()["orders"]]


def test_the_list_shows_orders_newest_first_as_summaries(import_orders, api_get):
    older, newer = _import(
        import_orders,
        order_payload(external_id="a", created_at="2025-03-01T10:00:00Z"),
        order_payload(external_id="b", created_at="2025-03-02T10:00:00Z",
                      payments=[], status="completed"),
    )  # fmt: skip
    body = api_get(LIST_URL).get_json()
    assert [o["display_id"] for o in body["orders"]] == [newer, older]
    assert body["next_cursor"] is None and body["prev_cursor"] is None
    summary = body["orders"][0]
    assert set(summary) == {
        "id", "display_id", "status", "payment_status", "fulfillment_status", "email",
        "currency_code", "total", "created_at",
    }  # fmt: skip
    assert (summary["status"], summary["payment_status"]) == ("completed", "not_paid")
    assert summary["total"] == "100.04"  # 80 + 8.00 + 8 % tax on both, + 5 shipping
    assert summary["created_at"].startswith("2025-03-02T10:00:00")


@pytest.fixture
def store_orders(import_orders):
    """Orders that differ in one respect each, by name."""
    us, de = make_region(), make_region("Germany", "EUR", inclusive=True, rate="19")
    market = make_channel("Marketplace")
    db.session.commit()
    names = ["plain", "completed", "euro", "market", "early", "grace"]
    display_ids = _import(
        import_orders,
        order_payload(external_id="1", created_at="2025-05-10T12:00:00Z"),
        order_payload(external_id="2", created_at="2025-05-10T12:00:00Z", status="completed",
                      payments=[]),
        order_payload(external_id="3", created_at="2025-05-10T12:00:00Z", currency_code="EUR",
                      payments=[{"amount": 1, "status": "authorized"}]),
        order_payload(external_id="4", created_at="2025-05-10T12:00:00Z",
                      sales_channel="Marketplace"),
        order_payload(external_id="5", created_at="2025-04-01T12:00:00Z"),
        order_payload(external_id="6", created_at="2025-05-10T12:00:00Z",
                      email="grace@example.com", customer={"first_name": "Grace",
                                                           "last_name": "Hopper"}),
    )  # fmt: skip
    return dict(zip(names, display_ids, strict=True)) | {
        "$us_region": us.id, "$de_region": de.id, "$market_channel": market.id,
    }  # fmt: skip


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"status": "completed"}, ["completed"]),
        ({"payment_status": "authorized"}, ["euro"]),
        ({"payment_status": "not_paid"}, ["completed"]),
        ({"currency": "eur"}, ["euro"]),
        ({"region": "$de_region"}, ["euro"]),
        ({"region": "$us_region"}, ["plain", "completed", "market", "early", "grace"]),
        ({"sales_channel": "$market_channel"}, ["market"]),
        ({"created_to": "2025-04-30"}, ["early"]),
        ({"created_from": "2025-04-02", "created_to": "2025-05-10", "q": "hopper"}, ["grace"]),
        ({"q": "grace@example.com"}, ["grace"]),
        ({"q": "4"}, ["market"]),
    ],
)
def test_filters_narrow_the_list(store_orders, api_get, query, expected):
    # "$name" stands for the id of what the fixture made.
    query = {name: store_orders[value] if value.startswith("$") else value
             for name, value in query.items()}  # fmt: skip
    response = api_get(LIST_URL, **query)
    assert sorted(_display_ids(response)) == sorted(store_orders[name] for name in expected)


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"status": "lost"}, "status"),
        ({"region": "Germany"}, "region"),
        ({"created_from": "10/05/2025"}, "created_from"),
        ({"currency": "XYZ"}, "currency"),
        ({"sort": "email"}, "sort"),
        ({"limit": "0"}, "limit"),
        ({"limit": "many"}, "limit"),
        ({"limit": "201"}, "limit"),
        ({"limit": "99999999999999999999999"}, "limit"),
        ({"limit": "٥"}, "limit"),
        ({"region": "99999999999999999999999"}, "region"),
        ({"sales_channel": str(MAX_ID + 1)}, "sales_channel"),
        ({"created_to": "0000-12-31"}, "created_to"),
        ({"sort": "-total"}, "sort"),
        ({"sort": "total", "status": "pending"}, "sort"),
    ],
)
def test_arguments_that_make_no_sense_are_a_422_naming_the_argument(api_get, query, field):
    response = api_get(LIST_URL, **query)
    assert response.status_code == 422
    body = response.get_json()
    assert body["message"]
    assert [e["field"] for e in body["errors"]] == [field]


@pytest.mark.parametrize("cursor", FORGED_CURSORS)
def test_a_cursor_the_api_did_not_hand_out_is_a_400_naming_it(api_get, cursor):
    response = api_get(LIST_URL, cursor=cursor)
    assert response.status_code == 400
    assert response.get_json()["errors"] == [{
        "field": "cursor",
        "message": "This page link is no longer valid; start again from the first page.",
    }]  # fmt: skip


@pytest.mark.parametrize("created", [{"created_to": "9999-12-31"},
                                     {"created_from": "0001-01-01"}])  # fmt: skip
def test_the_first_and_last_dates_are_filters_like_any_other(import_orders, api_get, created):
    display_ids = _import(import_orders, order_payload())
    assert _display_ids(api_get(LIST_URL, **created)) == display_ids


def test_an_id_beyond_any_order_is_not_found(api_get):
    response = api_get(f"{LIST_URL}/{10**22}")
    assert response.status_code == 404
    assert response.get_json()["message"]


def test_cursors_walk_forwards_and_back_through_every_order(import_orders, api_get):
    display_ids = _import(
        import_orders,
        *(order_payload(external_id=str(n), created_at=f"2025-06-{n + 1:02d}T08:00:00Z")
          for n in range(7)),
    )  # fmt: skip
    newest_first = list(reversed(display_ids))

    pages, cursor = [], None
    while True:
        body = api_get(LIST_URL, limit=3, **({"cursor": cursor} if cursor else {})).get_json()
        pages.append([o["display_id"] for o in body["orders"]])
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert pages == [newest_first[0:3], newest_first[3:6], newest_first[6:]]

    second = api_get(LIST_URL, limit=3, cursor=api_get(LIST_URL, limit=3).get_json()
                     ["next_cursor"]).get_json()  # fmt: skip
    back = api_get(LIST_URL, limit=3, cursor=second["prev_cursor"]).get_json()
    assert [o["display_id"] for o in back["orders"]] == newest_first[0:3]
    assert back["prev_cursor"] is None


def test_cursors_keep_to_the_sort_and_filters_they_were_given_with(import_orders, api_get):
    display_ids = _import(
        import_orders,
        *(order_payload(external_id=str(n), items=[{"title": "Pin", "quantity": n + 1,
                                                    "unit_price": "2.00"}], payments=[])
          for n in range(5)),
    )  # fmt: skip
    first = api_get(LIST_URL, sort="-total", currency="USD", limit=2).get_json()
    rest = api_get(LIST_URL, sort="-total", currency="USD", limit=2,
                   cursor=first["next_cursor"]).get_json()  # fmt: skip
    shown = [o["display_id"] for o in first["orders"] + rest["orders"]]
    assert shown == list(reversed(display_ids))[:4]
