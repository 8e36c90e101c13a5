"""Whatever price is typed into the builder is read strictly: a bad one is the builder's
message with a 422, never a 500, and the draft is left as it was."""

from __future__ import annotations

from decimal import Decimal

import pytest

from app.extensions import db
from app.orders.models import LineItem
from tests.bad_amounts import BAD_AMOUNT_TEXTS
from tests.draft_orders.test_catalog_lines import add, message_of, reload
from tests.draft_orders.test_draft_builder import new_draft, post
from tests.factories import make_region

PRICE_BAD_AMOUNTS = [*BAD_AMOUNT_TEXTS, ("-1", "Price: Must be zero or more.")]
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


@pytest.mark.parametrize(("price", "message"), PRICE_BAD_AMOUNTS)
def test_a_line_update_with_a_bad_price_is_refused(staff_client, draft, price, message):
    before = _line(draft.id)
    (item,) = reload(draft.id).items
    response = post(staff_client, draft, f"/items/{item.id}",
                    {"unit_price": price, "quantity": "1"})  # fmt: skip
    assert response.status_code == 422
    assert message in message_of(response)
    assert _line(draft.id) == before


def test_a_line_beyond_the_line_maximum_is_refused(staff_client, draft):
    before = _line(draft.id)
    (item,) = reload(draft.id).items
    # Each figure is within its own limit; together they come to $10,999,999,989.
    response = post(staff_client, draft, f"/items/{item.id}",
                    {"unit_price": "999999999.99", "quantity": "11"})  # fmt: skip
    assert response.status_code == 422
    assert message_of(response) == (
        "Qty: A line must come to less than 10,000,000,000 (unit price × quantity)."
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
    assert message_of(response) == "JPY amounts have no decimals."
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
