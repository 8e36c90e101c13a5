"""The staff pages of returns, as staff use them: start a return from the order's page, read
the return's page (lines, reasons, what they refund), receive, refund the prefilled amount,
cancel, and find returns in the list; a refusal says why and saves nothing."""

import re
from decimal import Decimal
from html import unescape

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.money import round_money
from app.returns import actions as returns
from app.returns.actions import ReturnRequestLine
from app.returns.models import Return, ReturnItem, ReturnReason, ReturnStatus
from tests.factories import make_order
from tests.html_forms import page_forms
from tests.order_pages import refusal, reload
from tests.returns.test_return_flow import STAFF, reason, shipped, stocked  # noqa: F401

pytestmark = pytest.mark.usefixtures("app")


@pytest.fixture
def order(shipped):  # noqa: F811  (the flow tests' fixture)
    """The shipped order of 3 shirts and 2 pairs of socks, with "Too tight" detailing "Too
    small"; the warehouse that receives."""
    order, warehouse = shipped
    db.session.add(ReturnReason(value="too_tight", label="Too tight",
                                parent_id=reason("too_small")))  # fmt: skip
    db.session.commit()
    return reload(order.id), warehouse


def text(response) -> str:
    """The page as a person reads it: tags gone, spaces squeezed."""
    page = re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))
    return re.sub(r"\s+", " ", unescape(page))


def form_to(client, page: str, action: str, **typed: str) -> dict[str, list[str]]:
    """What the form of ``page`` that posts to ``action`` sends, with ``typed`` in it."""
    [form] = [f for f in page_forms(client.get(page).get_data(as_text=True), page)
              if f.action == action]  # fmt: skip
    data = {name: values for name, values in form.fields.items() if values}
    data.update((name, [value]) for name, value in typed.items())
    return data


def returns_of(order_id: int) -> list[Return]:
    db.session.expire_all()
    return list(db.session.scalars(select(Return).where(Return.order_id == order_id)))


def ask_back(order, warehouse, *lines, **options) -> int:
    return_ = returns.request_return(order, order.lock_version, list(lines),
                                     location_id=warehouse.id, actor=STAFF, **options)
    db.session.commit()
    return return_.id


def test_staff_start_a_return_from_the_order_page(staff_client, order):
    order, warehouse = order
    shirt, socks = order.items
    page = staff_client.get(f"/orders/{order.id}")
    assert "Start a return" in text(page)
    new = f"/orders/{order.id}/returns/new"
    assert f'href="{new}"' in page.get_data(as_text=True)
    form = staff_client.get(new).get_data(as_text=True)
    # Children grouped under their parent; the retired reason is not offered.
    assert re.search(r'<optgroup label="Too small">.*Too tight.*</optgroup>', form, re.S)
    assert "Old reason" not in form

    create = f"/orders/{order.id}/returns"
    data = form_to(staff_client, new, create, **{
        f"quantity-{shirt.id}": "2", f"reason-{shirt.id}": str(reason("too_tight")),
        "note": "Both too tight", "return_shipping_name": "Return label",
        "return_shipping_amount": "5.00", "deduct_shipping": "y",
    })  # fmt: skip
    response = staff_client.post(create, data=data)

    [return_] = returns_of(order.id)
    assert response.status_code == 302
    assert response.location.endswith(f"/returns/{return_.id}")
    assert [(p.item_id, p.quantity) for p in return_.items] == [(shirt.id, 2)]
    assert (return_.location_id, return_.note, return_.deduct_shipping) == (
        warehouse.id, "Both too tight", True)  # fmt: skip
    assert reload(order.id).items[0].return_requested_quantity == 2
    shown = text(staff_client.get(f"/orders/{order.id}"))
    assert f"Return #{return_.id} Requested" in shown.replace("requested", "Requested")


def test_the_return_page_shows_lines_reasons_and_what_they_refund(staff_client, order):
    order, warehouse = order
    shirt, socks = order.items
    return_id = ask_back(order, warehouse, ReturnRequestLine(shirt.id, 2, reason("too_tight")),
                         ReturnRequestLine(socks.id, 1, reason("damaged")),
                         return_shipping_amount=Decimal("7.50"), deduct_shipping=True)
    shown = text(staff_client.get(f"/returns/{return_id}"))
    # Nothing returned yet: each line can still refund what the customer paid for it.
    shirt_total, socks_total = (t.total for t in reload(order.id).totals.items)
    assert f"Linen shirt (SHIRT-1) 2 Too small: Too tight 0 0 ${shirt_total}" in shown
    assert f"Wool socks (SOCK-1) 1 Damaged or faulty 0 0 ${socks_total}" in shown
    assert "Order #" + str(order.display_id) in shown
    assert "receive at Leeds warehouse" in shown
    assert "Return shipping" in shown and "$7.50" in shown
    assert "Receive" in shown and "Cancel this return" in shown
    assert "Amount to refund" not in shown  # nothing received, nothing to refund


def test_receive_with_restock_and_damaged_then_refund_the_prefilled_amount(staff_client, order):
    order, warehouse = order
    shirt, socks = order.items
    return_id = ask_back(order, warehouse, ReturnRequestLine(shirt.id, 2, reason("too_small")),
                         ReturnRequestLine(socks.id, 2, reason("damaged")))
    shirt_part, socks_part = returns_of(order.id)[0].items
    page = f"/returns/{return_id}"
    action = f"{page}/receive"
    data = form_to(staff_client, page, action, **{
        f"restock-{shirt_part.id}": "2", f"damaged-{socks_part.id}": "1",
        f"restock-{socks_part.id}": "0"})  # fmt: skip
    response = staff_client.post(action, data=data)
    assert response.status_code == 302

    [return_] = returns_of(order.id)
    assert return_.status == ReturnStatus.PARTIALLY_RECEIVED
    assert [(p.restocked_quantity, p.damaged_quantity) for p in return_.items] == [(2, 0), (0, 1)]
    assert (stocked("SHIRT-1"), stocked("SOCK-1")) == (9, 8)
    # Two of three shirts and one of two socks: their shares of what the lines cost.
    totals = reload(order.id).totals.items
    due = round_money(totals[0].total * 2 / 3, "USD") + round_money(totals[1].total / 2, "USD")
    shown = staff_client.get(page).get_data(as_text=True)
    assert f'name="amount" inputmode="decimal" size="10" value="{due}"' in shown

    before = reload(order.id).lock_version
    wrong = form_to(staff_client, page, f"{page}/refund", amount=str(due - Decimal("0.01")))
    refused = staff_client.post(f"{page}/refund", data=wrong)
    assert refused.status_code == 422
    assert str(due) in refusal(refused)
    assert (reload(order.id).lock_version, returns_of(order.id)[0].refunded) == (before, 0)

    response = staff_client.post(f"{page}/refund", data=form_to(staff_client, page,
                                                                f"{page}/refund"))
    assert response.status_code == 302
    assert returns_of(order.id)[0].refunded == due
    refunds = reload(order.id).payments[0].refunds
    assert [(r.amount, r.reason) for r in refunds] == [(due, "return")]
    assert "Amount to refund" not in text(staff_client.get(page))


def test_receiving_more_than_expected_is_refused_with_the_reason(staff_client, order):
    order, warehouse = order
    return_id = ask_back(order, warehouse,
                         ReturnRequestLine(order.items[0].id, 1, reason("too_small")))
    [part] = returns_of(order.id)[0].items
    page = f"/returns/{return_id}"
    data = form_to(staff_client, page, f"{page}/receive", **{f"damaged-{part.id}": "1"})
    response = staff_client.post(f"{page}/receive", data=data)
    assert response.status_code == 422
    assert refusal(response) == "Linen shirt: 1 still expected, not 2."
    assert returns_of(order.id)[0].status == ReturnStatus.REQUESTED
    assert stocked("SHIRT-1") == 7


def test_a_return_with_nothing_received_is_canceled_behind_a_confirm(staff_client, order):
    order, warehouse = order
    return_id = ask_back(order, warehouse,
                         ReturnRequestLine(order.items[0].id, 2, reason("too_small")))
    page = f"/returns/{return_id}"
    html = staff_client.get(page).get_data(as_text=True)
    assert re.search(r"<details[^>]*>\s*<summary>Cancel this return…</summary>\s*<form", html)
    response = staff_client.post(f"{page}/cancel", data=form_to(staff_client, page,
                                                                f"{page}/cancel"))
    assert response.status_code == 302
    assert returns_of(order.id)[0].status == ReturnStatus.CANCELED
    assert reload(order.id).items[0].return_requested_quantity == 0
    shown = text(staff_client.get(page))
    assert "Cancel this return" not in shown and "Back on the shelf" not in shown


@pytest.mark.parametrize(("typed", "message"), [
    ({"quantity": "4"}, "Linen shirt: 3 can be returned, not 4."),
    ({"reason": ""}, "Linen shirt: pick a reason for the return."),
    ({"quantity": "0"}, "Pick at least one unit to return."),
    ({"quantity": "two"}, "“two” is not a number of units."),
    ({"return_shipping_amount": "NaN"}, "Return shipping cost:"),
])  # fmt: skip
def test_a_refused_return_says_why_and_saves_nothing(staff_client, order, typed, message):
    order, _ = order
    shirt = order.items[0]
    new = f"/orders/{order.id}/returns/new"
    fields = {"quantity": "1", "reason": str(reason("too_small")), **typed}
    data = form_to(staff_client, new, f"/orders/{order.id}/returns", **{
        name if name.startswith("return_") else f"{name}-{shirt.id}": value
        for name, value in fields.items()})  # fmt: skip
    response = staff_client.post(f"/orders/{order.id}/returns", data=data)
    assert response.status_code == 422
    assert refusal(response).startswith(message)
    assert returns_of(order.id) == []
    assert reload(order.id).version == 1
    assert db.session.scalar(select(func.count()).select_from(ReturnItem)) == 0


def test_a_form_from_an_older_version_is_refused_as_stale(staff_client, order):
    order, warehouse = order
    new = f"/orders/{order.id}/returns/new"
    shirt = order.items[0].id
    data = form_to(staff_client, new, f"/orders/{order.id}/returns", **{f"quantity-{shirt}": "1",
                                              f"reason-{shirt}": str(reason("damaged"))})
    ask_back(order, warehouse, ReturnRequestLine(order.items[1].id, 1, reason("damaged")))
    response = staff_client.post(f"/orders/{order.id}/returns", data=data)
    assert response.status_code == 409
    assert refusal(response)
    assert len(returns_of(order.id)) == 1


def test_an_order_without_shipped_units_offers_no_return(staff_client):
    unshipped = make_order()
    page = text(staff_client.get(f"/orders/{unshipped.id}"))
    assert "Start a return" not in page and "No returns." in page
    shown = text(staff_client.get(f"/orders/{unshipped.id}/returns/new"))
    assert "No units of this order have shipped and are left to return." in shown
    assert "Request the return" not in shown


@pytest.mark.parametrize(("page", "button"), [("returns", "Request the return"),
                                              ("exchanges", "Create the exchange")])
def test_units_are_not_asked_back_without_a_return_reason_to_pick(staff_client, order, page,
                                                                  button):  # fmt: skip
    order, _ = order
    for offered in db.session.scalars(select(ReturnReason)):
        offered.is_active = False
    db.session.commit()
    shown = text(staff_client.get(f"/orders/{order.id}/{page}/new"))
    assert "No return reason is offered: add one in the settings first." in shown
    assert button not in shown


def test_the_list_filters_by_status_and_finds_by_order_number_or_email(staff_client, order):
    order, warehouse = order
    shirt, socks = order.items
    first = ask_back(order, warehouse, ReturnRequestLine(shirt.id, 1, reason("too_small")))
    order = reload(order.id)
    second = ask_back(order, warehouse, ReturnRequestLine(socks.id, 1, reason("damaged")))
    order = reload(order.id)
    returns.cancel_return(order, order.lock_version, second, STAFF)
    db.session.commit()

    def listed(**query) -> list[str]:
        response = staff_client.get("/returns", query_string=query)
        assert response.status_code == 200
        return re.findall(r"Return #(\d+)", text(response))

    assert listed() == [str(second), str(first)]  # newest first
    assert listed(status="canceled") == [str(second)]
    assert listed(status="requested") == [str(first)]
    assert listed(q=f"#{order.display_id}") == listed(q=str(order.display_id)) == [
        str(second), str(first)]  # fmt: skip
    assert listed(q=order.email.upper()[:5]) == [str(second), str(first)]
    assert listed(q=str(order.display_id + 1)) == []
    assert listed(q="nobody@example.com") == []
    row = text(staff_client.get("/returns"))
    assert f"#{order.display_id} {order.email} Requested" in row.replace("requested", "Requested")
    bad = staff_client.get("/returns", query_string={"status": "lost"})
    assert bad.status_code == 400 and "status" in text(bad)


def test_the_list_is_cut_in_pages_with_cursors(app, staff_client, order):
    order, warehouse = order
    app.config["ORDERS_PAGE_SIZE"] = 1
    try:
        ids = [ask_back(reload(order.id), warehouse,
                        ReturnRequestLine(order.items[1].id, 1, reason("damaged")))
               for _ in range(2)]  # fmt: skip
        first = staff_client.get("/returns").get_data(as_text=True)
        assert f"Return #{ids[1]}" in first and f"Return #{ids[0]}" not in first
        next_url = unescape(re.search(r'rel="next" href="([^"]+)"', first)[1])
        second = staff_client.get(next_url).get_data(as_text=True)
        assert f"Return #{ids[0]}" in second and 'rel="next"' not in second
        forged = staff_client.get("/returns", query_string={"cursor": "x"})
        assert forged.status_code == 400
    finally:
        app.config["ORDERS_PAGE_SIZE"] = 50


@pytest.mark.parametrize("path", ["/returns", "/returns/1", "/orders/1/returns/new"])
def test_the_return_pages_are_for_staff_only(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert "/login" in response.location
