"""Staff edit an order through its pages: start an edit, stage each kind of step (with htmx,
which gets the edit panel back, and without JavaScript, post/redirect/get), read the lines and
totals now and proposed, then request the customer's confirmation, confirm for them after one
more click, or cancel. Refusals say why, with 422 (or 409 for a stale page), and save nothing.
The order page shows its version, an open edit and the button that starts one; the order list
finds the orders awaiting the customer."""

import re
from decimal import Decimal
from html import unescape

import pytest
from sqlalchemy import select

from app.changes import actions as edits
from app.changes.models import ActionType, ChangeStatus, OrderChange, OrderChangeAction
from app.events.models import OrderEvent
from app.extensions import db
from app.fulfillment.actions import create_fulfillment
from app.fulfillment.models import StockLocation
from app.money import format_money, round_money
from app.orders.models import OrderStatus
from tests.factories import make_order, make_region
from tests.order_pages import refusal, reload

HTMX = {"HX-Request": "true"}
STAFF = "staff@orderdesk.test"
TEN_PERCENT = Decimal("1.10")


def shop_order(shop, **overrides):
    """Three shirts at 40.00 with a 6.00 discount and two pairs of socks at 12.50, shipping
    5.00, all taxed 10 %, paid in full (158.40), in the shop's United States."""
    return make_order(region=shop.us, items=[
        {"title": "Linen shirt", "unit_price": "40.00", "quantity": 3, "tax": ["10"],
         "discounts": ["6.00"]},
        {"title": "Wool socks", "sku": "SOCK-1", "unit_price": "12.50", "quantity": 2,
         "tax": ["10"]},
    ], shipping=[{"name": "Courier", "amount": "5.00", "tax": ["10"]}], captured=["158.40"],
        **overrides)  # fmt: skip


@pytest.fixture
def order(shop):
    return shop_order(shop)


def begin(order) -> int:
    """An open edit of the order (started through the engine: the page's start is tested on
    its own)."""
    change = edits.begin_edit(order, reload(order.id).lock_version, STAFF)
    db.session.commit()
    return change.id


def post(client, order, path: str, htmx: bool = False, version: int | None = None, **data):
    """Send an edit page's form as it stands now (the order's current lock version)."""
    version = reload(order.id).lock_version if version is None else version
    return client.post(f"/orders/{order.id}/edit{path}", data={"lock_version": version, **data},
                       headers=HTMX if htmx else {})  # fmt: skip


def steps(change_id: int) -> list[tuple]:
    """The change's staged steps, in their order, as plain values."""
    db.session.expire_all()
    return [(a.action, a.item_id, a.shipping_method_id, a.variant_id, a.title, a.quantity,
             a.unit_price) for a in db.session.scalars(
        select(OrderChangeAction).where(OrderChangeAction.change_id == change_id)
        .order_by(OrderChangeAction.ordering))]  # fmt: skip


def saved(order) -> tuple:
    """What a refused form must leave as it was: the order's lock version, lines and total,
    and every change's status and steps."""
    order = reload(order.id)
    changes = db.session.scalars(select(OrderChange).where(OrderChange.order_id == order.id))
    return (order.lock_version, order.version, order.total,
            [(i.id, i.quantity, i.unit_price) for i in order.items],
            [(c.id, c.status, c.internal_note, steps(c.id)) for c in changes])  # fmt: skip


def text(response) -> str:
    return response.get_data(as_text=True)


def money(amount) -> str:
    return format_money(Decimal(amount), "USD")


def totals_rows(page: str) -> dict[str, tuple[str, str]]:
    """The comparison's totals as staff read them: label → (now, proposed)."""
    section = page[page.index('id="edit-totals"'):]
    rows = re.findall(r'<th scope="row">([^<]+)</th>\s*<td>([^<]*)</td>\s*<td[^>]*>([^<]*)</td>',
                      section[:section.index("</table>")])  # fmt: skip
    return {label: (unescape(now), unescape(then)) for label, now, then in rows}


def row(page: str, key: str) -> str:
    """The comparison's row of a line (``item-<id>`` or ``added-<action id>``)."""
    start = page.index(f'<tr id="row-{key}"')
    return page[start:page.index("</tr>", start)]


# The order page


def test_the_order_page_shows_its_version_and_an_edit_button(staff_client, order):
    page = text(staff_client.get(f"/orders/{order.id}"))
    assert ">Version 1</a></span>" in page
    assert f'<a class="button" href="/orders/{order.id}/edit">Edit order</a>' in page
    assert "Edit in progress" not in page and "Awaiting the customer" not in page


def test_an_open_edit_shows_as_a_banner_instead_of_the_button(staff_client, order):
    change_id = begin(order)
    page = text(staff_client.get(f"/orders/{order.id}"))
    assert "Edit in progress" in page and f"started by {STAFF}" in page
    assert f'<a href="/orders/{order.id}/edit">Open the edit</a>' in page
    assert ">Edit order</a>" not in page

    edits.remove_item(order, reload(order.id).lock_version, change_id, order.items[1].id, STAFF)
    edits.request_confirmation(order, reload(order.id).lock_version, change_id, STAFF)
    db.session.commit()
    requested_at = db.session.get(OrderChange, change_id).requested_at
    page = text(staff_client.get(f"/orders/{order.id}"))
    assert "<strong>Awaiting the customer</strong> since " in page
    assert requested_at.strftime("%b %-d, %Y") in page
    assert "Edit in progress" not in page and ">Edit order</a>" not in page


@pytest.mark.parametrize("status", [OrderStatus.CANCELED, OrderStatus.ARCHIVED])
def test_an_order_that_cannot_be_edited_offers_no_edit(staff_client, shop, status):
    order = shop_order(shop, status=status)
    assert ">Edit order</a>" not in text(staff_client.get(f"/orders/{order.id}"))
    page = text(staff_client.get(f"/orders/{order.id}/edit"))
    assert f"A {status.value} order cannot be edited." in page
    assert "/edit/start" not in page
    before = saved(order)
    response = post(staff_client, order, "/start")
    assert response.status_code == 422
    assert refusal(response) == f"A {status.value} order cannot be edited."
    assert saved(order) == before


def test_unknown_orders_and_drafts_have_no_edit_page(staff_client, shop):
    draft = make_order(status=OrderStatus.DRAFT)
    assert staff_client.get(f"/orders/{draft.id}/edit").status_code == 404
    assert staff_client.get("/orders/999999/edit").status_code == 404


def test_a_change_of_another_order_is_not_found(staff_client, shop, order):
    other = shop_order(shop, email="grace@example.com")
    change_id = begin(other)
    before = saved(other)
    response = post(staff_client, order, f"/{change_id}/items/{other.items[0].id}/remove")
    assert response.status_code == 404
    assert saved(other) == before


# Starting


def test_staff_start_an_edit_with_a_note_and_the_page_shows_it(staff_client, order):
    page = text(staff_client.get(f"/orders/{order.id}/edit"))
    assert "Start an edit" in page and f'action="/orders/{order.id}/edit/start"' in page
    response = post(staff_client, order, "/start", internal_note="  Customer called  ")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/orders/{order.id}/edit"
    change = edits.open_change(order.id)
    assert (change.status, change.internal_note, change.created_by) == (
        ChangeStatus.PENDING, "Customer called", STAFF)  # fmt: skip
    page = text(staff_client.get(response.headers["Location"]))
    assert "Edit started: nothing changes on the order until it is confirmed." in page
    assert "Customer called</textarea>" in page
    assert "Stage a change first" in page and "Request confirmation" not in page
    assert reload(order.id).version == 1


def test_with_htmx_starting_answers_with_the_edit_panel(staff_client, order):
    response = post(staff_client, order, "/start", htmx=True)
    assert response.status_code == 200
    assert text(response).lstrip().startswith('<div id="edit-panel"')
    assert "<html" not in text(response)
    assert edits.open_change(order.id) is not None


def test_a_second_edit_is_refused_with_the_reason(staff_client, order):
    begin(order)
    before = saved(order)
    response = post(staff_client, order, "/start")
    assert response.status_code == 422
    assert refusal(response) == ("This order already has an open edit (pending); finish or "
                                 "cancel it first.")  # fmt: skip
    assert saved(order) == before


# Staging each kind of step


def _variant(shop, order, change_id):
    return f"/{change_id}/items/variant", {"variant_id": shop.mug.id}


def _scanned(shop, order, change_id):
    return f"/{change_id}/items/variant", {"q": "MUG-1"}


def _custom(shop, order, change_id):
    return f"/{change_id}/items", {"title": "Gift wrap", "unit_price": "3.00", "quantity": "2"}


def _quantity(shop, order, change_id):
    return f"/{change_id}/items/{order.items[0].id}", {"quantity": "2", "unit_price": "40.00"}


def _price(shop, order, change_id):
    return f"/{change_id}/items/{order.items[0].id}", {"quantity": "", "unit_price": "0"}


def _remove(shop, order, change_id):
    return f"/{change_id}/items/{order.items[1].id}/remove", {}


def _option(shop, order, change_id):
    return f"/{change_id}/shipping", {"option_id": shop.express.id}


def _named_shipping(shop, order, change_id):
    return f"/{change_id}/shipping", {"name": "Bike courier", "amount": "9.90"}


def _remove_shipping(shop, order, change_id):
    return f"/{change_id}/shipping/{order.shipping_methods[0].id}/remove", {}


#: (form, what it sends, the step it stages, the answer's message).
STEP_TABLE = [
    (_variant, lambda o, s: (ActionType.ITEM_ADD, None, None, s.mug.id, "Stoneware Mug", 1,
                             Decimal("22.00")), "Product added to the edit."),
    (_scanned, lambda o, s: (ActionType.ITEM_ADD, None, None, s.mug.id, "Stoneware Mug", 1,
                             Decimal("22.00")), "Product added to the edit."),
    (_custom, lambda o, s: (ActionType.ITEM_ADD, None, None, None, "Gift wrap", 2,
                            Decimal("3.00")), "Custom item added to the edit."),
    (_quantity, lambda o, s: (ActionType.ITEM_UPDATE, o.items[0].id, None, None, "", 2,
                              Decimal("40.00")), "Line changed in the edit."),
    (_price, lambda o, s: (ActionType.ITEM_UPDATE, o.items[0].id, None, None, "", None,
                           Decimal("0")), "Line changed in the edit."),
    (_remove, lambda o, s: (ActionType.ITEM_REMOVE, o.items[1].id, None, None, "", None, None),
     "Line removed in the edit."),
    (_option, lambda o, s: (ActionType.SHIPPING_ADD, None, None, None, "Express", None,
                            Decimal("14.50")), "Shipping added to the edit."),
    (_named_shipping, lambda o, s: (ActionType.SHIPPING_ADD, None, None, None, "Bike courier",
                                    None, Decimal("9.90")), "Shipping added to the edit."),
    (_remove_shipping, lambda o, s: (ActionType.SHIPPING_REMOVE, None, o.shipping_methods[0].id,
                                     None, "", None, None), "Shipping removed in the edit."),
]  # fmt: skip


@pytest.mark.parametrize(("form", "staged", "message"), STEP_TABLE,
                         ids=[f.__name__.strip("_") for f, _, _ in STEP_TABLE])  # fmt: skip
def test_each_step_is_staged_with_htmx_and_the_order_stays_as_it_is(
    staff_client, shop, order, form, staged, message
):
    change_id = begin(order)
    total, lines = order.total, [(i.quantity, i.unit_price) for i in order.items]
    path, data = form(shop, order, change_id)
    response = post(staff_client, order, path, htmx=True, **data)
    assert response.status_code == 200
    panel = text(response)
    assert panel.lstrip().startswith('<div id="edit-panel"') and "<html" not in panel
    assert f'<p class="flash flash-success" role="status">{message}</p>' in panel
    assert steps(change_id) == [staged(order, shop)]
    # the panel's forms carry the version the step left
    version = reload(order.id).lock_version
    assert f'name="lock_version" value="{version - 1}"' not in panel
    assert f'name="lock_version" value="{version}"' in panel
    order = reload(order.id)
    assert (order.total, [(i.quantity, i.unit_price) for i in order.items]) == (total, lines)
    assert order.version == 1


@pytest.mark.parametrize(("form", "staged", "message"), STEP_TABLE,
                         ids=[f.__name__.strip("_") for f, _, _ in STEP_TABLE])  # fmt: skip
def test_without_javascript_each_step_posts_and_comes_back_to_the_page(
    staff_client, shop, order, form, staged, message
):
    change_id = begin(order)
    path, data = form(shop, order, change_id)
    response = post(staff_client, order, path, **data)
    assert response.status_code == 302
    assert response.headers["Location"] == f"/orders/{order.id}/edit"
    assert steps(change_id) == [staged(order, shop)]
    assert message in text(staff_client.get(response.headers["Location"]))


def test_an_added_line_changes_and_goes_and_any_step_can_be_undone(staff_client, shop, order):
    change_id = begin(order)
    post(staff_client, order, f"/{change_id}/items/variant", htmx=True, variant_id=shop.mug.id)
    post(staff_client, order, f"/{change_id}/items/{order.items[0].id}/remove", htmx=True)
    mug_step, removal_step = [a.id for a in db.session.get(OrderChange, change_id).actions]

    response = post(staff_client, order, f"/{change_id}/added/{mug_step}", htmx=True,
                    quantity="4", unit_price="20.00")  # fmt: skip
    assert response.status_code == 200 and "Added line changed." in text(response)
    assert steps(change_id)[0][5:] == (4, Decimal("20.00"))
    assert 'value="4"' in row(text(response), f"added-{mug_step}")

    response = post(staff_client, order, f"/{change_id}/steps/{removal_step}/undo", htmx=True)
    assert response.status_code == 200 and "Step undone." in text(response)
    assert [s[0] for s in steps(change_id)] == [ActionType.ITEM_ADD]
    assert "badge-changed" not in row(text(response), f"item-{order.items[0].id}")

    response = post(staff_client, order, f"/{change_id}/added/{mug_step}", htmx=True,
                    quantity="0", unit_price="20.00")  # fmt: skip
    assert response.status_code == 200
    assert steps(change_id) == []
    assert f'id="row-added-{mug_step}"' not in text(response)


def test_enter_without_a_match_is_refused_with_what_was_typed(staff_client, order):
    change_id = begin(order)
    before = saved(order)
    response = post(staff_client, order, f"/{change_id}/items/variant", q="  kettle ")
    assert response.status_code == 422
    assert refusal(response) == "No product matches “kettle”."
    assert saved(order) == before


def test_a_step_needs_the_csrf_token(staff_client, order, csrf_enabled):
    change_id = begin(order)
    before = saved(order)
    response = post(staff_client, order, f"/{change_id}/items/{order.items[1].id}/remove")
    assert response.status_code == 400
    assert saved(order) == before


def test_a_line_changed_twice_in_a_row_keeps_the_last_figures(staff_client, order):
    # The second change replaces the first, which was the latest step: it takes its place.
    change_id = begin(order)
    shirt = order.items[0].id
    for quantity in ("2", "1"):
        response = post(staff_client, order, f"/{change_id}/items/{shirt}", htmx=True,
                        quantity=quantity, unit_price="40.00")  # fmt: skip
        assert response.status_code == 200
    assert [(s[0], s[5]) for s in steps(change_id)] == [(ActionType.ITEM_UPDATE, 1)]


def test_the_internal_note_is_saved(staff_client, order):
    change_id = begin(order)
    response = post(staff_client, order, f"/{change_id}/note", htmx=True,
                    internal_note="Swap agreed by phone")  # fmt: skip
    assert response.status_code == 200 and "Internal note saved." in text(response)
    assert db.session.get(OrderChange, change_id).internal_note == "Swap agreed by phone"
    assert "Swap agreed by phone</textarea>" in text(response)


# What the page shows


def test_the_page_shows_lines_and_totals_now_and_proposed_and_the_difference(staff_client,
                                                                            order):  # fmt: skip
    change_id = begin(order)
    shirt, socks = order.items
    post(staff_client, order, f"/{change_id}/items/{shirt.id}", quantity="2", unit_price="40.00")
    post(staff_client, order, f"/{change_id}/items/{socks.id}/remove")
    post(staff_client, order, f"/{change_id}/items", title="Gift wrap", unit_price="3.00",
         quantity="1")  # fmt: skip
    page = text(staff_client.get(f"/orders/{order.id}/edit"))

    # Now: 3 shirts 120.00 less 6.00, socks 25.00, shipping 5.00, all +10 %.
    # Proposed: the shirt's discount shrinks with its quantity (6.00 × 2 / 3), the wrap takes
    # the region's 10 %, the socks go.
    shirt_now = (Decimal("120.00") - Decimal("6.00")) * TEN_PERCENT
    discount = round_money(Decimal("6.00") * 2 / 3, "USD")
    shirt_then = (Decimal("80.00") - discount) * TEN_PERCENT
    wrap = Decimal("3.00") * TEN_PERCENT
    shipping = Decimal("5.00") * TEN_PERCENT
    total_now = shirt_now + Decimal("25.00") * TEN_PERCENT + shipping
    total_then = shirt_then + wrap + shipping
    assert total_now == Decimal("158.40")

    assert "changed" in row(page, f"item-{shirt.id}")
    assert money(shirt_now) in row(page, f"item-{shirt.id}")
    assert money(shirt_then) in row(page, f"item-{shirt.id}")
    assert f"PROMO −{money(discount)}" in row(page, f"item-{shirt.id}")
    assert "removed" in row(page, f"item-{socks.id}")
    wrap_step = db.session.get(OrderChange, change_id).actions[-1].id
    assert "added" in row(page, f"added-{wrap_step}") and money(wrap) in row(
        page, f"added-{wrap_step}")  # fmt: skip

    # tax is what the total holds beyond items less discounts plus shipping
    tax_now = total_now - (Decimal("145.00") - Decimal("6.00") + Decimal("5.00"))
    tax_then = total_then - (Decimal("83.00") - discount + Decimal("5.00"))
    assert totals_rows(page) == {
        "Items": (money("145.00"), money("83.00")),
        "Discounts": ("−" + money("6.00"), "−" + money(discount)),
        "Shipping": (money("5.00"), money("5.00")),
        "Tax": (money(tax_now), money(tax_then)),
        "Total": (money(total_now), money(total_then)),
        "Paid": (money("158.40"), money("158.40")),
        "Refunded": (money("0"), money("0")),
    }
    assert f"Difference: {money(total_now - total_then)} to be refunded" in page


def test_the_line_tables_scroll_inside_their_cards_on_a_phone(staff_client, order):
    change_id = begin(order)
    post(staff_client, order, f"/{change_id}/items/{order.items[0].id}/remove")
    page = text(staff_client.get(f"/orders/{order.id}/edit"))
    assert page.count('<table class="lines compare">') == 2  # items and shipping
    assert page.count('<div class="table-scroll"><table class="lines compare">') == 2


def test_the_search_offers_products_at_the_orders_prices_the_first_picked(staff_client, shop,
                                                                        order):  # fmt: skip
    response = staff_client.get(f"/orders/{order.id}/edit/variants?q=mug", headers=HTMX)
    assert response.status_code == 200
    results = text(response)
    assert re.findall(r'value="(\d+)"[^>]*?( checked)?>', results) == [
        (str(shop.espresso.id), " checked"), (str(shop.mug.id), "")]  # fmt: skip
    assert money("12.00") in results and money("22.00") in results
    begin(order)
    page = text(staff_client.get(f"/orders/{order.id}/edit"))
    assert 'data-results="variant-results"' in page and "js/keyboard.js" in page


def test_a_step_made_impossible_since_is_listed_to_undo(staff_client, order):
    change_id = begin(order)
    socks = order.items[1]
    post(staff_client, order, f"/{change_id}/items/{socks.id}/remove")
    location = StockLocation(name="Back room")
    db.session.add(location)
    db.session.commit()
    order = reload(order.id)
    create_fulfillment(order, order.lock_version, location.id, {socks.id: 1}, STAFF)
    db.session.commit()
    page = text(staff_client.get(f"/orders/{order.id}/edit"))
    assert "Staged steps" in page
    assert ("Wool socks: 1 already fulfilled; a fulfilled line cannot be removed (lower it to "
            "the fulfilled quantity instead).") in page  # fmt: skip
    step = db.session.get(OrderChange, change_id).actions[0].id
    response = post(staff_client, order, f"/{change_id}/steps/{step}/undo", htmx=True)
    assert response.status_code == 200
    assert "Staged steps" not in text(response) and 'id="edit-totals"' in text(response)


# Refusals


@pytest.mark.parametrize(("path", "data", "message", "field_error"), [
    ("/items", {"title": "Gift wrap", "unit_price": "3.005", "quantity": "1"},
     "Price: USD amounts have at most 2 decimals.", "Price: USD amounts have at most 2 decimals."),
    ("/items", {"title": " ", "unit_price": "3.00", "quantity": "1"},
     "Item: Name the item.", "Item: Name the item."),
    ("/items", {"title": "Gift wrap", "unit_price": "3", "quantity": "0"},
     "Qty: The quantity must be at least 1.", "Qty: The quantity must be at least 1."),
    ("/shipping", {"name": "", "amount": ""},
     "Name: Pick a shipping option, or name the method. Amount: Give an amount.",
     "Amount: Give an amount."),
    ("/shipping", {"name": "Courier", "amount": "-1"},
     "Amount: Must be zero or more.", "Amount: Must be zero or more."),
    ("/items/{shirt}", {"quantity": "١٢", "unit_price": "40.00"},
     "Qty: Must be a whole number written with the digits 0-9.", None),
    ("/items/{shirt}", {"quantity": "", "unit_price": ""},
     "Qty: Give a quantity or a unit price.", None),
    ("/items/{shirt}", {"quantity": "2", "unit_price": "NaN"},
     "Unit price: Must be a number written with the digits 0-9, like 12.50.", None),
])  # fmt: skip
def test_bad_input_is_refused_beside_its_field_and_saves_nothing(
    staff_client, order, path, data, message, field_error
):
    change_id = begin(order)
    before = saved(order)
    path = path.format(shirt=order.items[0].id)
    response = post(staff_client, order, f"/{change_id}{path}", htmx=True, **data)
    assert response.status_code == 422
    assert refusal(response) == message
    page = text(response)
    if field_error:
        assert f'<p class="field-error" role="alert">{field_error}</p>' in page
    else:
        # a line's refusal is said on its row, where what was typed is shown again
        assert f'<p class="field-error" id="problem-item-{order.items[0].id}">{message}</p>' in page
        assert f'value="{data["quantity"]}"' in row(page, f"item-{order.items[0].id}")
    assert saved(order) == before


def test_yen_amounts_have_no_decimals(staff_client):
    japan = make_region("Japan", "JPY", rate="10")
    order = make_order(currency="JPY", region=japan, captured=["3300"],
                       items=[{"title": "Teapot", "unit_price": "3000", "tax": ["10"]}])
    change_id = begin(order)
    before = saved(order)
    response = post(staff_client, order, f"/{change_id}/items", title="Gift wrap",
                    unit_price="0.5", quantity="1")  # fmt: skip
    assert response.status_code == 422
    assert refusal(response) == "Price: JPY amounts have no decimals."
    assert saved(order) == before
    response = post(staff_client, order, f"/{change_id}/items", htmx=True, title="Gift wrap",
                    unit_price="300", quantity="1")  # fmt: skip
    assert response.status_code == 200
    assert "Difference: ¥330 to pay" in text(response)


def test_the_engines_refusal_is_said_and_saves_nothing(staff_client, shop, order):
    change_id = begin(order)
    location = StockLocation(name="Back room")
    db.session.add(location)
    db.session.commit()
    shirt, current = order.items[0], reload(order.id)
    create_fulfillment(current, current.lock_version, location.id, {shirt.id: 2}, STAFF)
    db.session.commit()
    before = saved(order)
    response = post(staff_client, order, f"/{change_id}/items/{shirt.id}", htmx=True,
                    quantity="1", unit_price="40.00")  # fmt: skip
    assert response.status_code == 422
    assert refusal(response) == ("Linen shirt: 2 already fulfilled; the quantity cannot go "
                                 "below that (asked for 1).")  # fmt: skip
    assert "2 fulfilled: the quantity cannot go below that" in row(text(response),
                                                                   f"item-{shirt.id}")
    assert saved(order) == before


def test_a_stale_page_gets_409_with_the_current_state_and_saves_nothing(staff_client, shop,
                                                                       order):  # fmt: skip
    change_id = begin(order)
    seen = reload(order.id).lock_version
    # another tab adds a mug meanwhile
    post(staff_client, order, f"/{change_id}/items/variant", variant_id=shop.mug.id)
    before = saved(order)
    response = post(staff_client, order, f"/{change_id}/items/{order.items[1].id}/remove",
                    htmx=True, version=seen)  # fmt: skip
    assert response.status_code == 409
    assert refusal(response).startswith("Someone else changed this order")
    assert "Stoneware Mug" in text(response)
    assert f'name="lock_version" value="{seen + 1}"' in text(response)
    assert saved(order) == before


def test_a_request_with_nothing_staged_is_refused(staff_client, order):
    change_id = begin(order)
    before = saved(order)
    response = post(staff_client, order, f"/{change_id}/request", htmx=True)
    assert response.status_code == 422
    assert refusal(response) == "Stage at least one change before asking the customer."
    assert saved(order) == before


# Request, confirm, cancel


def test_requesting_confirmation_leaves_the_page_read_only(staff_client, order):
    change_id = begin(order)
    post(staff_client, order, f"/{change_id}/items/{order.items[1].id}/remove")
    response = post(staff_client, order, f"/{change_id}/request", htmx=True)
    assert response.status_code == 200
    panel = text(response)
    assert "Sent to ada@example.com to confirm." in panel
    change = db.session.get(OrderChange, change_id)
    assert (change.status, change.requested_by) == (ChangeStatus.REQUESTED, STAFF)
    events = db.session.scalars(select(OrderEvent).where(
        OrderEvent.order_id == order.id, OrderEvent.event_type == "order-edit.requested"))
    assert [(e.actor, e.data["difference_text"]) for e in events] == [
        (STAFF, f"{money(Decimal('25.00') * TEN_PERCENT)} to be refunded")]  # fmt: skip

    assert "Awaiting the customer since" in panel
    assert 'name="quantity"' not in panel and "Add a custom item" not in panel
    assert "/remove" not in panel and "/undo" not in panel and "/note" not in panel
    assert "Send the request again" in panel and "Confirm now…" in panel
    assert ">Cancel edit</button>" in panel

    before = saved(order)
    response = post(staff_client, order, f"/{change_id}/items", htmx=True, title="Gift wrap",
                    unit_price="3.00", quantity="1")  # fmt: skip
    assert response.status_code == 422
    assert refusal(response) == "This edit was sent to the customer; cancel it to change it."
    assert saved(order) == before


def test_confirm_now_asks_once_more_then_applies_the_edit(staff_client, order):
    change_id = begin(order)
    post(staff_client, order, f"/{change_id}/items/{order.items[1].id}/remove")
    page = text(staff_client.get(f"/orders/{order.id}/edit"))
    # the button that applies is behind the question, never on the page's face
    confirm_url = f"/orders/{order.id}/edit/{change_id}/confirm"
    details = re.search(r'<details class="confirm-now">.*?</details>', page, re.S).group(0)
    assert "<summary>Confirm now…</summary>" in details
    assert "Confirm now without the customer?" in details
    assert f'action="{confirm_url}"' in details and 'type="submit"' in details
    assert page.count(confirm_url) == 1

    response = post(staff_client, order, f"/{change_id}/confirm")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/orders/{order.id}"
    change = db.session.get(OrderChange, change_id)
    assert (change.status, change.confirmed_by) == (ChangeStatus.CONFIRMED, STAFF)
    order = reload(order.id)
    assert order.version == 2 and [i.title for i in order.items] == ["Linen shirt"]
    page = text(staff_client.get(f"/orders/{order.id}"))
    assert "Edit confirmed: the order is now version 2." in page
    assert ">Version 2</a></span>" in page and ">Edit order</a>" in page


def test_confirm_now_twice_applies_once(staff_client, order):
    change_id = begin(order)
    post(staff_client, order, f"/{change_id}/items/{order.items[1].id}/remove")
    seen = reload(order.id).lock_version
    assert post(staff_client, order, f"/{change_id}/confirm", version=seen).status_code == 302
    before = saved(order)
    response = post(staff_client, order, f"/{change_id}/confirm", version=seen)
    assert response.status_code == 409
    assert saved(order) == before and reload(order.id).version == 2


def test_canceling_leaves_the_order_as_it_was(staff_client, order):
    change_id = begin(order)
    post(staff_client, order, f"/{change_id}/items/{order.items[1].id}/remove")
    post(staff_client, order, f"/{change_id}/request")
    total = reload(order.id).total
    response = post(staff_client, order, f"/{change_id}/cancel")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/orders/{order.id}"
    change = db.session.get(OrderChange, change_id)
    assert (change.status, change.canceled_by) == (ChangeStatus.CANCELED, STAFF)
    order = reload(order.id)
    assert (order.version, order.total, len(order.items)) == (1, total, 2)
    page = text(staff_client.get(f"/orders/{order.id}"))
    assert "Edit canceled; the order is unchanged." in page and ">Edit order</a>" in page
    assert "Start an edit" in text(staff_client.get(f"/orders/{order.id}/edit"))


# The order list


@pytest.fixture
def three_orders(shop):
    """Orders with an edit awaiting the customer, an edit in progress, and none."""
    awaiting, editing, plain = (shop_order(shop, email=f"{name}@example.com")
                                for name in ("awaiting", "editing", "plain"))  # fmt: skip
    for order in (awaiting, editing):
        change_id = begin(order)
        edits.remove_item(order, reload(order.id).lock_version, change_id, order.items[1].id,
                          STAFF)  # fmt: skip
        db.session.commit()
    edits.request_confirmation(awaiting, reload(awaiting.id).lock_version,
                               edits.open_change(awaiting.id).id, STAFF)  # fmt: skip
    db.session.commit()
    return awaiting, editing, plain


def listed(page: str) -> list[str]:
    return re.findall(r">#(\d+)</a></td>", page)


@pytest.mark.parametrize(("change", "which"), [("requested", [0]), ("pending", [1]),
                                               ("", [2, 1, 0])])  # fmt: skip
def test_the_list_finds_orders_awaiting_the_customer(staff_client, three_orders, change, which):
    page = text(staff_client.get(f"/orders?change={change}"))
    assert listed(page) == [str(three_orders[i].display_id) for i in which]
    chosen = re.search(r'<select id="change" name="change">.*?</select>', page, re.S).group(0)
    assert re.findall(r'<option value="(\w*)" selected>', chosen) == ([change] if change else [])


def test_the_api_list_takes_the_same_filter(client, api_headers, three_orders):
    body = client.get("/api/v1/orders?change=requested", headers=api_headers).get_json()
    assert [o["display_id"] for o in body["orders"]] == [three_orders[0].display_id]
    response = client.get("/api/v1/orders?change=soon", headers=api_headers)
    assert response.status_code == 422
    assert [e["field"] for e in response.get_json()["errors"]] == ["change"]


def test_a_change_filter_that_is_not_one_is_named(staff_client, three_orders):
    response = staff_client.get("/orders?change=soon")
    assert response.status_code == 400
    assert ("<strong>change</strong>: 'soon' is not one of: requested, pending"
            in unescape(text(response)))


def awaiting_orders(shop, count: int, email: str) -> None:
    for i in range(count):
        order = shop_order(shop, email=f"{email}{i}@example.com")
        change_id = begin(order)
        edits.remove_item(order, reload(order.id).lock_version, change_id, order.items[1].id,
                          STAFF)  # fmt: skip
        edits.request_confirmation(order, reload(order.id).lock_version, change_id, STAFF)
        db.session.commit()


def test_the_filtered_list_costs_the_same_queries_for_few_or_many_orders(staff_client, shop,
                                                                        count_queries):  # fmt: skip
    awaiting_orders(shop, 1, "few")
    count_queries.clear()
    assert len(listed(text(staff_client.get("/orders?change=requested")))) == 1
    few = len(count_queries)
    awaiting_orders(shop, 6, "many")
    count_queries.clear()
    assert len(listed(text(staff_client.get("/orders?change=requested")))) == 7
    assert len(count_queries) == few
