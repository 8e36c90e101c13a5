import re
from datetime import UTC, datetime, timedelta

import pytest

from app.extensions import db
from app.numbers import MAX_ID
from app.orders.models import OrderStatus
from tests.cursors import FORGED_CURSORS
from tests.factories import make_channel, make_order, make_region


def shown_order_numbers(response) -> list[int]:
    """The order numbers in the list, top to bottom, as staff read them."""
    return [int(n) for n in re.findall(r">#(\d+)</a></td>", response.get_data(as_text=True))]


def test_the_list_shows_orders_newest_first_with_their_totals(staff_client):
    now = datetime.now(UTC)
    old = make_order(email="old@example.com", created_at=now - timedelta(days=3))
    new = make_order(email="new@example.com", created_at=now,
                     items=[{"title": "Mug", "unit_price": "1234.50"}])  # fmt: skip
    response = staff_client.get("/orders")
    assert response.status_code == 200
    assert shown_order_numbers(response) == [new.display_id, old.display_id]
    assert "$1,234.50" in response.get_data(as_text=True)


def test_an_empty_store_says_there_are_no_orders_yet(staff_client):
    response = staff_client.get("/orders")
    assert "No orders yet" in response.get_data(as_text=True)


def test_filters_that_match_nothing_say_so(staff_client):
    make_order()
    response = staff_client.get("/orders?status=archived")
    assert shown_order_numbers(response) == []
    assert "No orders match these filters" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("status=completed", ["completed"]),
        ("payment_status=captured", ["paid"]),
        ("payment_status=not_paid", ["completed", "euro"]),
        ("currency=eur", ["euro"]),
        ("q=euro%40example.com", ["euro"]),
        ("q=EURO", ["euro"]),
        ("q=lovelace", ["completed", "paid"]),
        ("q=ext-77", ["paid"]),
    ],
)
def test_filters_and_search_narrow_the_list(staff_client, query, expected):
    orders = {
        "completed": make_order(email="done@example.com", status=OrderStatus.COMPLETED),
        "paid": make_order(email="paid@example.com", captured=["40.00"], external_id="ext-77"),
        "euro": make_order(email="euro@example.com", currency="EUR", customer=("Émile", "Zola")),
    }
    response = staff_client.get(f"/orders?{query}")
    assert sorted(shown_order_numbers(response)) == sorted(orders[k].display_id for k in expected)


def test_search_by_order_number_with_or_without_hash(staff_client):
    first, second = make_order(), make_order()
    assert shown_order_numbers(staff_client.get(f"/orders?q={second.display_id}")) == [
        second.display_id
    ]
    assert shown_order_numbers(staff_client.get(f"/orders?q=%23{first.display_id}")) == [
        first.display_id
    ]


def test_region_channel_and_date_filters(staff_client):
    us, de = make_region(), make_region("Germany", "EUR", inclusive=True, rate="19")
    web, pos = make_channel("Web"), make_channel("Counter")
    day = datetime(2026, 3, 10, 12, tzinfo=UTC)
    early = make_order(region=us, sales_channel=web, created_at=day - timedelta(days=5))
    late = make_order(region=de, sales_channel=pos, currency="EUR", created_at=day)
    assert shown_order_numbers(staff_client.get(f"/orders?region={de.id}")) == [late.display_id]
    assert shown_order_numbers(staff_client.get(f"/orders?sales_channel={web.id}")) == [
        early.display_id
    ]
    response = staff_client.get("/orders?created_from=2026-03-10&created_to=2026-03-10")
    assert shown_order_numbers(response) == [late.display_id]


@pytest.mark.parametrize("sort", ["-total", "total"])
def test_sorting_by_total_needs_a_currency(staff_client, sort):
    newer = make_order(currency="JPY", items=[{"title": "Soap", "unit_price": "990"}])
    older = make_order(created_at=datetime.now(UTC) - timedelta(days=1),
                       items=[{"title": "Mug", "unit_price": "22.00"}])  # fmt: skip
    response = staff_client.get(f"/orders?sort={sort}")
    assert response.status_code == 400
    assert ("sorting by total needs a currency: totals in different currencies cannot be "
            "compared") in response.get_data(as_text=True)  # fmt: skip
    assert shown_order_numbers(response) == [newer.display_id, older.display_id]


def test_sorting_by_total_within_a_currency_never_shows_another(staff_client):
    dollars = [make_order(items=[{"title": "Mug", "unit_price": price}])
               for price in ("22.00", "140.00", "9.50")]  # fmt: skip
    make_order(currency="JPY", items=[{"title": "Soap", "unit_price": "990"}])
    response = staff_client.get("/orders?sort=-total&currency=usd")
    assert response.status_code == 200
    by_total = sorted(dollars, key=lambda order: order.total, reverse=True)
    assert shown_order_numbers(response) == [order.display_id for order in by_total]


@pytest.fixture
def customers_named():
    """Orders of John Smith, John Williams and Jane Williams, by first name and initial."""
    return {
        "john s": make_order(email="js@example.com", customer=("John", "Smith")),
        "john w": make_order(email="jw@example.com", customer=("John", "Williams")),
        "jane w": make_order(email="jane@example.com", customer=("Jane", "Williams")),
    }


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("john williams", ["john w"]),
        ("Williams John", ["john w"]),
        ("jo wil", ["john w"]),
        ("  JOHN   smith ", ["john s"]),
        ("williams", ["john w", "jane w"]),
        ("j williams", ["john w", "jane w"]),
        ("john", ["john s", "john w"]),
        ("john jones", []),
        ("john williams smith", []),
    ],
)
@pytest.mark.parametrize("probe", [2000, 1], ids=["ids found first", "too many to find first"])
def test_search_by_name_matches_every_word_in_either_order(
    staff_client, customers_named, q, expected, probe, monkeypatch
):
    # A search matching more orders than the probe takes finds them in date order instead:
    # the same orders either way.
    monkeypatch.setattr("app.orders.queries.SEARCH_PROBE", probe)
    response = staff_client.get("/orders", query_string={"q": q})
    assert response.status_code == 200
    assert sorted(shown_order_numbers(response)) == sorted(
        customers_named[name].display_id for name in expected
    )


@pytest.mark.parametrize(
    ("query", "shown"),
    [
        ("created_to=9999-12-31", True),
        ("created_from=0001-01-01", True),
        ("created_from=0001-01-01&created_to=9999-12-31", True),
        ("created_from=9999-12-31", False),
        ("created_to=0001-01-01", False),
    ],
)
def test_the_first_and_last_dates_a_date_field_takes_work(staff_client, query, shown):
    order = make_order()
    response = staff_client.get(f"/orders?{query}")
    assert response.status_code == 200
    assert shown_order_numbers(response) == ([order.display_id] if shown else [])


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("created_to=0000-01-01", "must be a date like 2026-01-31"),
        ("created_from=10000-01-01", "must be a date like 2026-01-31"),
        ("sales_channel=99999999999999999999999", "must be a sales channel id"),
        (f"region={MAX_ID + 1}", "must be a region id"),
        ("region=%D9%A1%D9%A2", "must be a region id"),  # Arabic-Indic digits
        ("region=-1", "must be a region id"),
    ],
)
def test_values_no_order_can_have_are_refused_with_the_fields_message(staff_client, query,
                                                                      message):  # fmt: skip
    order = make_order()
    response = staff_client.get(f"/orders?{query}")
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert shown_order_numbers(response) == [order.display_id]


def test_the_largest_id_is_a_filter_that_matches_nothing(staff_client):
    make_order()
    response = staff_client.get(f"/orders?region={MAX_ID}")
    assert response.status_code == 200
    assert shown_order_numbers(response) == []


def test_nonsense_filters_get_a_clear_message_and_status_400(staff_client):
    response = staff_client.get("/orders?status=lost&created_from=yesterday")
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert "&#39;lost&#39; is not one of" in text
    assert "must be a date like 2026-01-31" in text


@pytest.mark.parametrize("cursor", FORGED_CURSORS)
def test_a_forged_cursor_is_refused_and_the_first_page_shown(staff_client, cursor):
    order = make_order()
    response = staff_client.get("/orders", query_string={"cursor": cursor})
    assert response.status_code == 400
    assert ("This page link is no longer valid; start again from the first page."
            in response.get_data(as_text=True))  # fmt: skip
    assert shown_order_numbers(response) == [order.display_id]


def test_a_cursor_of_one_sort_is_refused_for_another(app, staff_client):
    app.config["ORDERS_PAGE_SIZE"] = 1
    for _ in range(2):
        make_order(commit=False)
    db.session.commit()
    page = staff_client.get("/orders?sort=display_id").get_data(as_text=True)
    cursor = re.search(r'rel="next" href="[^"]*cursor=([^&"]+)', page).group(1)
    response = staff_client.get(f"/orders?sort=total&currency=USD&cursor={cursor}")
    assert response.status_code == 400
    assert "no longer valid" in response.get_data(as_text=True)
    app.config["ORDERS_PAGE_SIZE"] = 50


def walk(client, url):
    """Follow the Next links from ``url``; the order numbers of every page."""
    pages = []
    while url and len(pages) < 20:
        response = client.get(url)
        pages.append(shown_order_numbers(response))
        found = re.search(r'<a rel="next" href="([^"]+)"', response.get_data(as_text=True))
        url = found.group(1).replace("&amp;", "&") if found else None
    return pages


@pytest.mark.parametrize("sort", ["-created_at", "created_at", "total", "-total", "display_id"])
def test_cursor_pages_cover_every_order_once_in_order(app, staff_client, sort):
    app.config["ORDERS_PAGE_SIZE"] = 4
    base = datetime(2026, 1, 1, tzinfo=UTC)
    # Equal dates and equal totals on purpose: the id breaks ties so no order is lost.
    orders = [
        make_order(created_at=base + timedelta(hours=i // 2), commit=False,
                   items=[{"title": "Tea", "unit_price": f"{10 + i % 3}.00"}])
        for i in range(10)
    ]  # fmt: skip
    db.session.commit()
    pages = walk(staff_client, f"/orders?sort={sort}&currency=USD")
    assert [len(p) for p in pages] == [4, 4, 2]
    seen = [n for page in pages for n in page]
    key = sort.lstrip("-")
    by = {o.display_id: (getattr(o, key), o.id) for o in orders}
    assert seen == sorted(by, key=lambda n: by[n], reverse=sort.startswith("-"))
    app.config["ORDERS_PAGE_SIZE"] = 50


def test_previous_links_walk_back_to_the_same_pages(app, staff_client):
    app.config["ORDERS_PAGE_SIZE"] = 3
    for _ in range(7):
        make_order(commit=False)
    db.session.commit()
    first = staff_client.get("/orders").get_data(as_text=True)
    second_url = re.search(r'rel="next" href="([^"]+)"', first).group(1).replace("&amp;", "&")
    second = staff_client.get(second_url).get_data(as_text=True)
    prev_url = re.search(r'rel="prev" href="([^"]+)"', second).group(1).replace("&amp;", "&")
    back = staff_client.get(prev_url)
    assert shown_order_numbers(back) == [int(n) for n in re.findall(r">#(\d+)</a></td>", first)]
    app.config["ORDERS_PAGE_SIZE"] = 50


def test_htmx_gets_only_the_results_and_caches_keep_them_apart(staff_client):
    make_order()
    response = staff_client.get("/orders?status=pending", headers={"HX-Request": "true"})
    text = response.get_data(as_text=True)
    assert "<html" not in text and "<table" in text
    assert "HX-Request" in response.headers["Vary"]


def test_drafts_are_not_orders_and_never_show(staff_client):
    make_order(status=OrderStatus.DRAFT)
    assert shown_order_numbers(staff_client.get("/orders")) == []


def test_the_list_costs_the_same_queries_for_few_or_many_orders(staff_client, count_queries):
    make_order()
    count_queries.clear()
    staff_client.get("/orders")
    few = len(count_queries)
    for i in range(12):
        make_order(email=f"c{i}@example.com", commit=False)
    db.session.commit()
    count_queries.clear()
    staff_client.get("/orders")
    assert len(count_queries) == few


def test_a_history_restore_gets_the_whole_page(staff_client):
    headers = {"HX-Request": "true", "HX-History-Restore-Request": "true"}
    assert "<html" in staff_client.get("/orders", headers=headers).get_data(as_text=True)


def test_each_row_names_the_customer_and_the_sales_channel(staff_client):
    shop = make_channel("Web shop")
    make_order(email="both@example.com", customer=("Ada", "Lovelace"), sales_channel=shop)
    make_order(email="last@example.com", customer=("", "Zola"))
    make_order(email="first@example.com", customer=("Émile", ""))
    make_order(email="guest@example.com", customer=None)
    rows = {
        re.search(r'<span class="muted">([^<]+)</span>', row).group(1): row
        for row in re.findall(r"<tr>(.*?)</tr>", staff_client.get("/orders").get_data(as_text=True),
                              re.S)
        if "muted" in row
    }  # fmt: skip
    cells = {email: re.findall(r"<td>([^<]*)", row)[2:4] for email, row in rows.items()}
    assert cells == {
        "both@example.com": ["Ada Lovelace", "Web shop"],
        "last@example.com": ["Zola", ""],
        "first@example.com": ["Émile", ""],
        "guest@example.com": ["", ""],
    }
