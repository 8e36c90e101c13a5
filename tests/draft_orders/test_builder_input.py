"""Whatever is typed into the builder (a price, a quantity) or sent as an id or a version is
read strictly: a bad value is the builder's message with a 422 (or a 409 for a version that is
not the draft's), never a 500, and the draft is left as it was."""

from __future__ import annotations

from decimal import Decimal

import pytest

from app.extensions import db
from app.orders.models import LineItem
from tests.bad_amounts import BAD_AMOUNT_TEXTS, BAD_WHOLE_NUMBERS, opens_with, said
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
    return saved.lock_version, saved.total, [(i.unit_price, i.quantity) for i in saved.items]


# The tests of a table send every row in one test, to one draft: setting a store and a draft up
# per row cost far more than the requests. A refusal leaves the draft as it was, so every row
# meets the draft the first did; each row compares the draft with how it found it (not with the
# fixture), so a row wrongly taken fails alone instead of every row after it. Each row's answer
# goes in a dict compared in one assert, so a failure names each wrong row.


def test_adding_a_custom_item_refuses_every_bad_price_and_quantity(staff_client, draft):
    answers, expected = {}, {}
    for price, message in PRICE_BAD_AMOUNTS:
        before = _line(draft.id)
        response = post(staff_client, draft, "/items",
                        {"title": "Tea", "unit_price": price, "quantity": "1"})  # fmt: skip
        row = f"price {price}"
        answers[row] = (response.status_code, said(message_of(response), message), _line(draft.id))
        expected[row] = (422, message, before)
    for quantity, error in [*QUANTITY_BAD, ("-1", "The quantity must be at least 1.")]:
        before = _line(draft.id)
        response = post(staff_client, draft, "/items",
                        {"title": "Tea", "unit_price": "1.00", "quantity": quantity})  # fmt: skip
        row = f"quantity {quantity}"
        answers[row] = (response.status_code, message_of(response), _line(draft.id))
        expected[row] = (422, f"Qty: {error}", before)
    assert answers == expected


def test_changing_a_line_refuses_every_bad_price_and_quantity(staff_client, draft):
    (item,) = reload(draft.id).items
    assert _line(draft.id)[2] == [(Decimal("22.00"), 1)]
    answers, expected = {}, {}
    for price, message in PRICE_BAD_AMOUNTS:
        before = _line(draft.id)
        response = post(staff_client, draft, f"/items/{item.id}",
                        {"unit_price": price, "quantity": "1"})  # fmt: skip
        row = f"price {price}"
        answers[row] = (response.status_code, said(message_of(response), message), _line(draft.id))
        expected[row] = (422, message, before)
    for quantity, error in [*QUANTITY_BAD, ("-1", "At least 1; remove the line instead.")]:
        before = _line(draft.id)
        response = post(staff_client, draft, f"/items/{item.id}",
                        {"unit_price": "22.00", "quantity": quantity})  # fmt: skip
        row = f"quantity {quantity}"
        answers[row] = (response.status_code, message_of(response), _line(draft.id))
        # The line shows the quantity it keeps, so the message quotes what was typed. What it
        # keeps is the line as this row found it (1 × $22.00 unless a row before was taken).
        [(unit_price, kept)] = before[2]
        expected[row] = (422, f"Stoneware Mug stays at {kept} × ${unit_price:.2f}. "
                              f"Qty “{quantity}”: {error}", before)  # fmt: skip
    assert answers == expected


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


def test_the_builder_refuses_every_id_that_is_not_one(staff_client, draft):
    answers, expected = {}, {}
    for path, field in [("/customer/choose", "customer_id"), ("/items/variant", "variant_id"),
                        ("/shipping", "option_id")]:  # fmt: skip
        for value in BAD_WHOLE_NUMBERS:
            before = _line(draft.id)
            response = post(staff_client, draft, path, {field: value})
            row = f"{field} {value}"
            # Any message will do: what matters is that the builder says why, and keeps the draft.
            answers[row] = (response.status_code, bool(message_of(response)), _line(draft.id),
                            reload(draft.id).customer)  # fmt: skip
            expected[row] = (422, True, before, None)
    assert answers == expected


def test_the_line_form_refuses_every_version_that_is_not_one_as_stale(staff_client, draft):
    stale = "Someone else changed this order"
    (item,) = reload(draft.id).items
    answers, expected = {}, {}
    for version in BAD_WHOLE_NUMBERS:
        before = _line(draft.id)
        response = staff_client.post(f"/draft-orders/{draft.id}/items/{item.id}",
                                     data={"lock_version": version, "unit_price": "1.00",
                                           "quantity": "2"},
                                     headers={"HX-Request": "true"})  # fmt: skip
        answers[version] = (response.status_code, opens_with(message_of(response), stale),
                            _line(draft.id), version_of(draft.id))  # fmt: skip
        expected[version] = (409, stale, before, before[0])
    assert answers == expected
