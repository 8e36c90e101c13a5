"""Whatever is typed into the builder (a price, a quantity) or sent as an id or a version is
read strictly: a bad value is the builder's message with a 422 (or a 409 for a version that is
not the draft's), never a 500, and the draft is left as it was."""

from __future__ import annotations

from decimal import Decimal

import pytest

from app.extensions import db
from app.orders.models import LineItem
from tests.bad_amounts import BAD_AMOUNT_TEXTS, BAD_WHOLE_NUMBERS
from tests.draft_orders.test_catalog_lines import add, message_of, reload
from tests.draft_orders.test_draft_builder import new_draft, post, version_of
from tests.factories import make_region

PRICE_BAD_AMOUNTS = [*BAD_AMOUNT_TEXTS, ("-1", "Must be zero or more.")]
NOT_WHOLE = "Must be a whole number written with the digits 0-9."
QUANTITY_BAD = [
    (str(2**64), "Must be at most 1,000,000."),
    (str(10**30), "Must be at most 1,000,000."),
    ("1000001", "Must be at most 1,000,000."),
    ("١٢", NOT_WHOLE),
    ("１２", NOT_WHOLE),
    ("2.5", NOT_WHOLE),
    ("1e3", NOT_WHOLE),
]


@pytest.fixture
def draft(staff_client, shop):
    """A USD draft with one catalogue line: a mug at $22.00."""
    draft = new_draft(staff_client)
    add(staff_client, draft, shop.mug)
    return draft


def _line(draft_id: int) -> tuple:
    saved = reload(draft_id)
    return saved.version, saved.total, [(i.unit_price, i.quantity) for i in saved.items]


@pytest.mark.parametrize(("price", "message"), PRICE_BAD_AMOUNTS)
def test_a_custom_item_with_a_bad_price_is_refused(staff_client, draft, price, message):
    before = _line(draft.id)
    response = post(staff_client, draft, "/items",
                    {"title": "Tea", "unit_price": price, "quantity": "1"})  # fmt: skip
    assert response.status_code == 422
    assert message in message_of(response)
    assert _line(draft.id) == before


@pytest.mark.parametrize(
    ("quantity", "error"), [*QUANTITY_BAD, ("-1", "The quantity must be at least 1.")]
)
def test_a_custom_item_with_a_bad_quantity_is_refused(staff_client, draft, quantity, error):
    before = _line(draft.id)
    response = post(staff_client, draft, "/items",
                    {"title": "Tea", "unit_price": "1.00", "quantity": quantity})  # fmt: skip
    assert response.status_code == 422
    assert message_of(response) == f"Qty: {error}"
    assert _line(draft.id) == before


@pytest.mark.parametrize(("price", "message"), PRICE_BAD_AMOUNTS)
def test_a_line_update_with_a_bad_price_is_refused(staff_client, draft, price, message):
    before = _line(draft.id)
    (item,) = reload(draft.id).items
    response = post(staff_client, draft, f"/items/{item.id}",
                    {"unit_price": price, "quantity": "1"})  # fmt: skip
    assert response.status_code == 422
    assert message in message_of(response)
    assert _line(draft.id) == before


@pytest.mark.parametrize(
    ("quantity", "error"), [*QUANTITY_BAD, ("-1", "At least 1; remove the line instead.")]
)
def test_a_line_update_with_a_bad_quantity_is_refused(staff_client, draft, quantity, error):
    before = _line(draft.id)
    (item,) = reload(draft.id).items
    response = post(staff_client, draft, f"/items/{item.id}",
                    {"unit_price": "22.00", "quantity": quantity})  # fmt: skip
    assert response.status_code == 422
    # The line shows the quantity it keeps, so the message quotes what was typed.
    assert message_of(response) == f"Stoneware Mug stays at 1 × $22.00. Qty “{quantity}”: {error}"
    assert _line(draft.id) == before


def test_a_line_beyond_the_line_maximum_is_refused(staff_client, draft):
    before = _line(draft.id)
    (item,) = reload(draft.id).items
    # Each figure is within its own limit; together they come to $10,999,999,989.
    response = post(staff_client, draft, f"/items/{item.id}",
                    {"unit_price": "999999999.99", "quantity": "11"})  # fmt: skip
    assert response.status_code == 422
    assert message_of(response) == (
        "Stoneware Mug stays at 1 × $22.00. "
        "Qty “11”: A line must come to less than 10,000,000,000 (unit price × quantity)."
    )
    assert _line(draft.id) == before


def test_a_yen_line_price_with_decimals_is_refused(staff_client, shop):
    japan = make_region("Japan", "JPY", inclusive=True, rate="10")
    db.session.commit()
    draft = new_draft(staff_client)
    post(staff_client, draft, "/region", {"region": japan.id})
    post(staff_client, draft, "/items", {"title": "Tea", "unit_price": "1500", "quantity": "1"})
    before = _line(draft.id)
    (item,) = reload(draft.id).items
    response = post(staff_client, draft, f"/items/{item.id}",
                    {"unit_price": "1500.5", "quantity": "1"})  # fmt: skip
    assert response.status_code == 422
    assert message_of(response) == "Tea stays at 1 × ¥1,500. JPY amounts have no decimals."
    assert _line(draft.id) == before


def test_a_change_that_takes_the_total_beyond_the_order_maximum_is_refused(staff_client, draft):
    # Ninety lines just below the line maximum, then one more: with 10 % tax the total passes
    # 10**12, which the database could still hold, but no order may reach.
    saved = reload(draft.id)
    saved.items.extend(LineItem(title=f"Crate {n}", unit_price=Decimal("999999999.99"),
                                quantity=10, is_custom_price=True) for n in range(90))  # fmt: skip
    db.session.commit()
    before = _line(draft.id)
    response = post(staff_client, draft, "/items",
                    {"title": "Crate", "unit_price": "999999999.99", "quantity": "10"})  # fmt: skip
    assert response.status_code == 422
    assert message_of(response) == "An order's total must be less than 1,000,000,000,000."
    assert _line(draft.id) == before


@pytest.mark.parametrize("value", BAD_WHOLE_NUMBERS)
@pytest.mark.parametrize(
    ("path", "field"),
    [("/customer/choose", "customer_id"), ("/items/variant", "variant_id"),
     ("/shipping", "option_id")],
)  # fmt: skip
def test_an_id_that_is_not_one_is_refused(staff_client, draft, path, field, value):
    before = _line(draft.id)
    response = post(staff_client, draft, path, {field: value})
    assert response.status_code == 422
    assert message_of(response)
    assert _line(draft.id) == before
    assert reload(draft.id).customer is None


@pytest.mark.parametrize("version", BAD_WHOLE_NUMBERS)
def test_a_version_that_is_not_a_version_is_refused_as_stale(staff_client, draft, version):
    before = _line(draft.id)
    (item,) = reload(draft.id).items
    response = staff_client.post(f"/draft-orders/{draft.id}/items/{item.id}",
                                 data={"version": version, "unit_price": "1.00", "quantity": "2"},
                                 headers={"HX-Request": "true"})  # fmt: skip
    assert response.status_code == 409
    assert message_of(response).startswith("Someone else changed this order")
    assert _line(draft.id) == before
    assert version_of(draft.id) == before[0]
