import re
from decimal import ROUND_HALF_UP, Decimal

import pytest
from sqlalchemy import func, select

from app.customers.models import Customer
from app.db_types import utcnow
from app.extensions import db
from app.orders.models import Order, OrderStatus
from tests.factories import make_region


def cents(amount: Decimal) -> Decimal:
    return amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@pytest.fixture
def regions(app):
    us = make_region("United States", "USD", inclusive=False, rate="10")
    de = make_region("Germany", "EUR", inclusive=True, rate="19")
    jp = make_region("Japan", "JPY", inclusive=True, rate="10")
    db.session.commit()
    return {"us": us, "de": de, "jp": jp}


def new_draft(client) -> Order:
    response = client.post("/draft-orders")
    assert response.status_code == 302
    draft_id = int(re.search(r"/draft-orders/(\d+)$", response.headers["Location"]).group(1))
    return db.session.get(Order, draft_id)


def version_of(draft_id: int) -> int:
    db.session.expire_all()
    return db.session.get(Order, draft_id).lock_version


def post(client, draft, path, data, htmx=True):
    headers = {"HX-Request": "true"} if htmx else {}
    return client.post(f"/draft-orders/{draft.id}{path}",
                       data={"lock_version": version_of(draft.id), **data},
                       headers=headers)  # fmt: skip


def test_a_new_draft_opens_in_the_builder_with_a_display_id(staff_client, regions):
    draft = new_draft(staff_client)
    assert draft.status == OrderStatus.DRAFT
    page = staff_client.get(f"/draft-orders/{draft.id}").get_data(as_text=True)
    assert f"Draft #{draft.display_id}" in page
    assert draft.region.name == "United States" and draft.currency_code == "USD"


def test_custom_items_are_added_taxed_and_totalled(staff_client, regions):
    draft = new_draft(staff_client)
    response = post(staff_client, draft, "/items",
                    {"title": "Gift wrapping", "unit_price": "4.50", "quantity": "3"})  # fmt: skip
    assert response.status_code == 200
    fragment = response.get_data(as_text=True)
    assert "<html" not in fragment
    subtotal = Decimal("4.50") * 3
    total = subtotal + cents(subtotal * Decimal("0.10"))
    assert f'<th scope="row">Total</th><td>${total}</td>' in fragment
    db.session.expire_all()
    assert db.session.get(Order, draft.id).total == total


def test_quantity_and_price_change_in_place_and_lines_can_be_removed(staff_client, regions):
    draft = new_draft(staff_client)
    post(staff_client, draft, "/items", {"title": "Tea", "unit_price": "8.00", "quantity": "1"})
    post(staff_client, draft, "/items", {"title": "Mug", "unit_price": "12.00", "quantity": "1"})
    tea, mug = db.session.get(Order, draft.id).items
    response = post(staff_client, draft, f"/items/{tea.id}",
                    {"quantity": "4", "unit_price": "7.50"})  # fmt: skip
    assert response.status_code == 200
    post(staff_client, draft, f"/items/{mug.id}/remove", {})
    db.session.expire_all()
    (line,) = db.session.get(Order, draft.id).items
    assert (line.title, line.quantity, line.unit_price) == ("Tea", 4, Decimal("7.50"))
    assert db.session.get(Order, draft.id).total == Decimal("30.00") + cents(Decimal("3.000"))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"title": "Tea", "unit_price": "-1", "quantity": "1"}, "Price: Must be zero or more."),
        ({"title": "Tea", "unit_price": "1", "quantity": "0"}, "The quantity must be at least 1."),
        ({"title": "", "unit_price": "1", "quantity": "1"}, "Name the item."),
        ({"title": "Tea", "unit_price": "abc", "quantity": "1"}, "Must be a number"),
        ({"title": "Tea", "unit_price": "1.005", "quantity": "1"}, "USD amounts have at most 2"),
    ],
)
def test_bad_items_are_refused_with_a_message_and_nothing_saved(
    staff_client, regions, data, message
):
    draft = new_draft(staff_client)
    before = version_of(draft.id)
    response = post(staff_client, draft, "/items", data)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Order, draft.id).items == []
    assert version_of(draft.id) == before


def test_yen_prices_take_no_decimals(staff_client, regions):
    draft = new_draft(staff_client)
    post(staff_client, draft, "/region", {"region": regions["jp"].id})
    response = post(staff_client, draft, "/items",
                    {"title": "Tea", "unit_price": "1500.5", "quantity": "1"})  # fmt: skip
    assert response.status_code == 422
    assert "JPY amounts have no decimals." in response.get_data(as_text=True)


def test_the_currency_and_taxes_follow_the_region(staff_client, regions):
    draft = new_draft(staff_client)
    post(staff_client, draft, "/items", {"title": "Book", "unit_price": "11.90", "quantity": "1"})
    response = post(staff_client, draft, "/region", {"region": regions["de"].id})
    assert response.status_code == 200
    db.session.expire_all()
    draft = db.session.get(Order, draft.id)
    (item,) = draft.items
    assert draft.currency_code == "EUR"
    assert item.is_tax_inclusive and [t.rate for t in item.tax_lines] == [Decimal("19")]
    # A tax-inclusive price is what the customer pays.
    assert draft.total == Decimal("11.90")
    assert "€11.90" in response.get_data(as_text=True)


def test_the_customer_is_found_by_email_or_created(staff_client, regions):
    db.session.add(Customer(email="ada@example.com", first_name="Ada", last_name="Lovelace"))
    db.session.commit()
    draft = new_draft(staff_client)
    post(staff_client, draft, "/customer", {"email": "ADA@example.com", "first_name": "X"})
    other = new_draft(staff_client)
    post(staff_client, other, "/customer", {"email": "new@example.com", "first_name": "Neu"})
    db.session.expire_all()
    assert db.session.get(Order, draft.id).customer.first_name == "Ada"
    assert db.session.get(Order, other.id).customer.first_name == "Neu"
    assert db.session.scalar(select(func.count()).select_from(Customer)) == 2


def test_a_change_made_against_an_old_version_is_refused_not_applied(staff_client, regions):
    # given two tabs showing the same draft
    draft = new_draft(staff_client)
    seen = version_of(draft.id)
    # when the first tab adds an item, and the second one, still on the old version, too
    first = staff_client.post(f"/draft-orders/{draft.id}/items", headers={"HX-Request": "true"},
                              data={"lock_version": seen, "title": "Tea", "unit_price": "5",
                                    "quantity": "1"})  # fmt: skip
    second = staff_client.post(f"/draft-orders/{draft.id}/items", headers={"HX-Request": "true"},
                               data={"lock_version": seen, "title": "Cake", "unit_price": "9",
                                     "quantity": "1"})  # fmt: skip
    # then the second is told, and shown the current state, and nothing is overwritten
    assert first.status_code == 200
    assert second.status_code == 409
    assert "Someone else changed this order" in second.get_data(as_text=True)
    assert "Tea" in second.get_data(as_text=True)
    db.session.expire_all()
    assert [i.title for i in db.session.get(Order, draft.id).items] == ["Tea"]


def test_without_javascript_a_change_redirects_back_to_the_builder(staff_client, regions):
    draft = new_draft(staff_client)
    response = post(staff_client, draft, "/customer", {"email": "a@example.com"}, htmx=False)
    assert response.status_code == 302
    assert response.headers["Location"] == f"/draft-orders/{draft.id}"


def test_a_canceled_draft_is_listed_as_canceled_and_can_no_longer_change(staff_client, regions):
    draft = new_draft(staff_client)
    assert post(staff_client, draft, "/cancel", {}).status_code == 200
    response = post(staff_client, draft, "/items",
                    {"title": "Tea", "unit_price": "5", "quantity": "1"})  # fmt: skip
    assert response.status_code == 422
    assert "This draft is canceled" in response.get_data(as_text=True)
    listing = staff_client.get("/draft-orders?state=canceled").get_data(as_text=True)
    assert f"#{draft.display_id}" in listing
    assert f"#{draft.display_id}" not in staff_client.get("/draft-orders").get_data(as_text=True)


def test_a_deleted_draft_is_gone(staff_client, regions):
    draft = new_draft(staff_client)
    draft_id = draft.id
    response = post(staff_client, draft, "/delete", {}, htmx=False)
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Order, draft_id) is None
    assert staff_client.get(f"/draft-orders/{draft_id}").status_code == 404


def test_the_draft_list_separates_open_converted_and_canceled(staff_client, regions):
    open_draft, converted, canceled = (new_draft(staff_client) for _ in range(3))
    converted.status, converted.converted_at = OrderStatus.PENDING, utcnow()
    canceled.canceled_at = utcnow()
    db.session.commit()
    for state, expected in [("open", open_draft), ("converted", converted),
                            ("canceled", canceled)]:  # fmt: skip
        page = staff_client.get(f"/draft-orders?state={state}").get_data(as_text=True)
        assert re.findall(r">#(\d+)</a>", page) == [str(expected.display_id)]
    # a converted draft is an order: its builder link leads to the order
    response = staff_client.get(f"/draft-orders/{converted.id}")
    assert response.headers["Location"] == f"/orders/{converted.id}"


def test_drafts_need_a_login(client):
    assert client.get("/draft-orders").status_code == 302
    assert client.post("/draft-orders").status_code == 302


def ready_draft(client, regions) -> Order:
    draft = new_draft(client)
    post(client, draft, "/customer", {"email": "ada@example.com", "first_name": "Ada"})
    post(client, draft, "/items", {"title": "Tea", "unit_price": "8.00", "quantity": "2"})
    return draft


@pytest.mark.parametrize(("mode", "payment_status"), [("now", "captured"),
                                                      ("later", "authorized")])  # fmt: skip
def test_a_paid_draft_converts_into_an_order_with_the_same_number_and_totals(
    staff_client, regions, mode, payment_status
):
    draft = ready_draft(staff_client, regions)
    total = Decimal("16.00") + cents(Decimal("16.00") * Decimal("0.10"))
    assert post(staff_client, draft, "/payment", {"mode": mode}).status_code == 200
    response = post(staff_client, draft, "/convert", {})
    assert response.headers["HX-Redirect"] == f"/orders/{draft.id}"
    db.session.expire_all()
    order = db.session.get(Order, draft.id)
    assert (order.status, order.payment_status.value) == (OrderStatus.PENDING, payment_status)
    assert order.total == total
    page = staff_client.get(f"/orders/{draft.id}").get_data(as_text=True)
    assert f"Order #{draft.display_id}" in page
    assert f'<th scope="row">Total</th><td>${total}</td>' in page
    assert "Draft converted to an order" in page and "Order placed" in page
    listing = staff_client.get("/orders").get_data(as_text=True)
    assert f">#{draft.display_id}</a>" in listing


def test_a_draft_without_payment_is_not_converted(staff_client, regions):
    draft = ready_draft(staff_client, regions)
    response = post(staff_client, draft, "/convert", {})
    assert response.status_code == 422
    assert "Register a payment" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Order, draft.id).status == OrderStatus.DRAFT


def test_a_draft_needs_a_customer_email_to_convert(staff_client, regions):
    draft = new_draft(staff_client)
    post(staff_client, draft, "/items", {"title": "Tea", "unit_price": "8.00", "quantity": "1"})
    post(staff_client, draft, "/payment", {"mode": "now"})
    response = post(staff_client, draft, "/convert", {})
    assert response.status_code == 422
    assert "Set the customer" in response.get_data(as_text=True)


def test_once_paid_the_contents_are_fixed_and_once_converted_nothing_changes(
    staff_client, regions
):
    draft = ready_draft(staff_client, regions)
    post(staff_client, draft, "/payment", {"mode": "now"})
    response = post(staff_client, draft, "/items", {"title": "Cake", "unit_price": "3",
                                                     "quantity": "1"})  # fmt: skip
    assert response.status_code == 422
    assert "contents are fixed" in response.get_data(as_text=True)
    post(staff_client, draft, "/convert", {})
    response = post(staff_client, draft, "/cancel", {})
    assert response.status_code == 422
    assert "This draft is converted and can no longer change." in response.get_data(as_text=True)


def test_addresses_billing_same_as_shipping_and_no_notification(staff_client, regions):
    draft = new_draft(staff_client)
    shipping = {"shipping-first_name": "Ada", "shipping-address_1": "1 Main St",
                "shipping-city": "Springfield", "shipping-country_code": "US"}  # fmt: skip
    response = post(staff_client, draft, "/delivery",
                    {**shipping, "billing_same": "y", "no_notification": "y"})  # fmt: skip
    assert response.status_code == 200
    db.session.expire_all()
    saved = db.session.get(Order, draft.id)
    assert saved.shipping_address.lines == ["Ada", "1 Main St", "Springfield", "US"]
    assert saved.billing_address.lines == saved.shipping_address.lines
    assert saved.no_notification is True


def test_a_bad_country_code_is_refused_next_to_the_field(staff_client, regions):
    draft = new_draft(staff_client)
    response = post(staff_client, draft, "/delivery", {"shipping-country_code": "USA"})
    assert response.status_code == 422
    assert "Use the two-letter country code" in response.get_data(as_text=True)
