"""The customer's side of an order edit: the email (plain text and HTML) with its link, the page
the link opens (no login, no staff navigation, not indexed, no referrer), Confirm and Decline
through it, and links that no longer work (tampered, expired, used, voided), which change
nothing."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app import config
from app.changes import actions as edits
from app.changes.models import ChangeStatus, OrderChange, OrderChangeLink
from app.db_types import utcnow
from app.events.outbox import OutboxEvent, deliver_pending
from app.extensions import db
from app.fulfillment.actions import create_fulfillment
from app.fulfillment.models import StockLocation
from app.money import format_money, round_money
from app.orders.models import OrderStatus
from app.security_headers import CONTENT_SECURITY_POLICY
from app.templating import format_when
from tests.changes.helpers import (
    PUBLIC_URL,
    STAFF,
    deliver,
    link_path,
    propose,
    send_again,
    shop_order,
)
from tests.order_pages import reload

TAX = Decimal("1.10")
#: The proposal's lines as the customer pays for them (``helpers.shop_order``, ``propose``):
#: the shirt's 6.00 discount on three units is two thirds of it on two.
SHIRTS_BEFORE = (3 * Decimal("40.00") - Decimal("6.00")) * TAX
SHIRTS_AFTER = (2 * Decimal("40.00") - Decimal("6.00") * 2 / 3) * TAX
SOCKS = 2 * Decimal("12.50") * TAX
WRAP = Decimal("3.00")  # the order has no region, so a new line takes no tax
SHIPPING = Decimal("5.00") * TAX
PAID = Decimal("158.40")
NEW_TOTAL = SHIRTS_AFTER + WRAP + SHIPPING


def usd(amount: Decimal) -> str:
    return format_money(round_money(amount, "USD"), "USD")


def text_of(message) -> str:
    # SMTP carries lines ended by CRLF.
    return message.get_body(preferencelist=("plain",)).get_content().replace("\r\n", "\n")


def html_of(message) -> str:
    return message.get_body(preferencelist=("html",)).get_content()


def links() -> list[OrderChangeLink]:
    db.session.expire_all()
    return list(db.session.scalars(select(OrderChangeLink).order_by(OrderChangeLink.id)))


def state(order_id: int, change_id: int) -> tuple:
    """What a link must not change when it is refused: the order's versions, lines and total,
    the change's status, and its links' use."""
    order = reload(order_id)
    change = db.session.get(OrderChange, change_id)
    return (order.version, order.lock_version, order.total,
            [(i.title, i.quantity) for i in order.items], change.status,
            [(link.used_at, link.voided_at) for link in links()])  # fmt: skip


@pytest.fixture
def proposal(app, smtp_inbox, public_url):
    """Ada's order with an edit sent to her; the path of the link in her email."""
    order = shop_order()
    change_id = propose(order)
    deliver()
    [mail] = smtp_inbox
    return order.id, change_id, link_path(mail)


def test_the_email_says_what_changes_and_links_to_the_page(app, client, smtp_inbox, public_url):
    order = shop_order()
    propose(order)
    deliver()

    [mail] = smtp_inbox
    assert mail["To"] == "ada@example.com"
    assert mail["Subject"] == f"Please confirm a change to your order #{order.display_id}"
    assert mail.get_content_type() == "multipart/alternative"
    text, html = text_of(mail), html_of(mail)
    for said in [
        f"Changed: Linen shirt, 2 × $40.00: {usd(SHIRTS_AFTER)} (was 3 × $40.00: "
        f"{usd(SHIRTS_BEFORE)})",
        f"Removed: Wool socks, 2 × $12.50: {usd(SOCKS)}",
        f"Added: Gift wrap, 1 × $3.00: {usd(WRAP)}",
        f"New total: {usd(NEW_TOTAL)} (now {usd(PAID)})",
        f"Difference: {usd(PAID - NEW_TOTAL)} to be refunded",
    ]:  # fmt: skip
        assert said in text
    [link] = links()
    assert f"The link works until {format_when(link.expires_at)} (UTC)." in text
    assert abs(link.expires_at - (utcnow() + timedelta(days=7))) < timedelta(minutes=1)
    path = link_path(mail)
    assert f'<a href="{PUBLIC_URL}{path}">' in html
    assert f"{usd(NEW_TOTAL)}</strong> (now {usd(PAID)})" in html
    assert "Wool socks" in html and "Gift wrap" in html
    # Only the hash of the token is kept: the email holds the one copy.
    token = path.rpartition("/")[2]
    assert len(token) >= 43 and token not in link.token_hash

    page = client.get(path)
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert f"Order #{order.display_id}" in body
    for said in ["Linen shirt", "Wool socks", "Gift wrap", usd(SHIRTS_AFTER), usd(NEW_TOTAL),
                 f"Paid so far: {usd(PAID)}",
                 f"If you confirm: <strong>{usd(PAID - NEW_TOTAL)} to be refunded</strong>",
                 "Confirm the change", "Decline the change"]:  # fmt: skip
        assert said in body


def test_the_email_names_shipping_the_edit_swaps(app, client, smtp_inbox, public_url):
    order = shop_order()
    change = edits.begin_edit(order, order.lock_version, STAFF)
    edits.remove_shipping(order, order.lock_version, change.id, order.shipping_methods[0].id,
                          actor=STAFF)  # fmt: skip
    edits.add_shipping(order, order.lock_version, change.id, name="Express",
                       amount=Decimal("9.90"), actor=STAFF)  # fmt: skip
    edits.request_confirmation(order, order.lock_version, change.id, STAFF)
    db.session.commit()
    deliver()
    [mail] = smtp_inbox
    text = text_of(mail)
    assert f"- Shipping removed: Standard, {usd(SHIPPING)}\n" in text
    assert "- Shipping added: Express, $9.90\n" in text  # no region: no tax on what is added
    assert "Linen shirt" not in text
    page = client.get(link_path(mail)).get_data(as_text=True)
    assert "Shipping: Standard" in page and "Shipping: Express" in page


def test_an_edit_the_order_no_longer_fits_is_still_sent_to_be_declined(
    app, smtp_inbox, public_url
):
    order = shop_order()
    propose(order)
    location = StockLocation(name="Leeds warehouse")
    db.session.add(location)
    db.session.commit()
    order = reload(order.id)
    create_fulfillment(order, order.lock_version, location.id, {order.items[1].id: 2}, STAFF)
    db.session.commit()
    deliver()
    [mail] = smtp_inbox
    text = text_of(mail)
    assert ("The change no longer fits your order: Wool socks: 2 already fulfilled; a fulfilled "
            "line cannot be removed") in text
    assert "What changes" not in text and "Confirm or decline the change here:" in text


def test_the_customer_confirms_through_the_link(client, staff_client, smtp_inbox, proposal):
    order_id, change_id, path = proposal

    response = client.post(f"{path}/confirm")

    assert response.status_code == 302 and response.headers["Location"] == path
    order = reload(order_id)
    assert order.version == 2
    assert [(i.title, i.quantity) for i in order.items] == [("Linen shirt", 2), ("Gift wrap", 1)]
    assert order.total == round_money(NEW_TOTAL, "USD")
    change = db.session.get(OrderChange, change_id)
    assert (change.status, change.confirmed_by) == (ChangeStatus.CONFIRMED, "customer via link")
    timeline = staff_client.get(f"/orders/{order_id}").get_data(as_text=True)
    assert re.search(r"Edit confirmed</strong>\s*<span class=\"muted\">customer via link",
                     timeline)  # fmt: skip

    confirmed = smtp_inbox[-1]
    assert confirmed["Subject"] == f"Your order #{order.display_id} was updated"
    assert f"New total: {usd(NEW_TOTAL)}" in text_of(confirmed)
    assert f"Difference: {usd(PAID - NEW_TOTAL)} to be refunded" in text_of(confirmed)

    # The same link now shows what was done, and nothing to do.
    again = client.get(path)
    assert again.status_code == 200
    body = again.get_data(as_text=True)
    assert f"You confirmed this change on {format_when(change.confirmed_at)} (UTC)" in body
    assert "<form" not in body
    assert usd(SHIRTS_BEFORE) in body and usd(SHIRTS_AFTER) in body and usd(NEW_TOTAL) in body


def test_the_customer_declines_with_a_reason(client, smtp_inbox, proposal):
    order_id, change_id, path = proposal
    before = reload(order_id)
    untouched = (before.version, before.total, [(i.title, i.quantity) for i in before.items])

    response = client.post(f"{path}/decline", data={"reason": "I need the socks after all."})

    assert response.status_code == 302
    order = reload(order_id)
    assert (order.version, order.total, [(i.title, i.quantity) for i in order.items]) == untouched
    change = db.session.get(OrderChange, change_id)
    assert (change.status, change.declined_by, change.declined_reason) == (
        ChangeStatus.DECLINED, "customer via link", "I need the socks after all.")
    assert smtp_inbox[-1]["Subject"] == (
        f"You declined the change to your order #{order.display_id}")
    body = client.get(path).get_data(as_text=True)
    assert f"You declined this change on {format_when(change.declined_at)} (UTC)" in body
    assert "Your reason: I need the socks after all." in body
    assert "<form" not in body


def test_a_reason_longer_than_two_thousand_characters_is_refused(client, proposal):
    order_id, change_id, path = proposal
    before = state(order_id, change_id)
    response = client.post(f"{path}/decline", data={"reason": "x" * 2001})
    assert response.status_code == 422
    assert "Keep the reason to 2,000 characters or fewer." in response.get_data(as_text=True)
    assert state(order_id, change_id) == before
    assert client.post(f"{path}/decline", data={"reason": "y" * 2000}).status_code == 302


@pytest.mark.parametrize("tamper", [
    lambda token: token[:-1] + ("A" if token[-1] != "A" else "B"),
    lambda token: token[:-1],
    lambda token: token + "x",
    lambda token: token[::-1],
])  # fmt: skip
def test_a_tampered_link_is_not_found_and_changes_nothing(client, proposal, tamper):
    order_id, change_id, path = proposal
    before = state(order_id, change_id)
    token = path.rpartition("/")[2]
    tampered = f"/c/order-edits/{tamper(token)}"
    for response in (client.get(tampered), client.post(f"{tampered}/confirm"),
                     client.post(f"{tampered}/decline", data={"reason": ""})):  # fmt: skip
        assert response.status_code == 404
    assert state(order_id, change_id) == before


def test_a_tampered_link_answers_with_a_page_that_says_so(client, proposal):
    response = client.get("/c/order-edits/" + "A" * 43)
    assert response.status_code == 404
    body = response.get_data(as_text=True)
    assert "This link does not work" in body
    assert "This link is not valid. Check that it was copied whole." in body


def test_a_token_longer_than_any_issued_is_refused_without_looking_it_up(
    client, proposal, count_queries
):
    count_queries.clear()
    assert client.get("/c/order-edits/" + "A" * 101).status_code == 404
    assert client.post("/c/order-edits/" + "A" * 5000 + "/confirm").status_code == 404
    assert not [s for s in count_queries if "order_change_link" in s]


def test_an_expired_link_is_gone_and_changes_nothing(client, proposal):
    order_id, change_id, path = proposal
    [link] = links()
    link.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    before = state(order_id, change_id)
    for response in (client.get(path), client.post(f"{path}/confirm"),
                     client.post(f"{path}/decline", data={"reason": ""})):  # fmt: skip
        assert response.status_code == 410
        assert "This link has expired. Ask the store to send the proposal again." in (
            response.get_data(as_text=True))
    assert state(order_id, change_id) == before


def test_a_used_link_answers_once(client, proposal):
    order_id, change_id, path = proposal
    assert client.post(f"{path}/confirm").status_code == 302
    after = state(order_id, change_id)
    for response in (client.post(f"{path}/confirm"),
                     client.post(f"{path}/decline", data={"reason": "changed my mind"})):
        assert response.status_code == 410
        assert "You have already answered this proposal." in response.get_data(as_text=True)
    assert state(order_id, change_id) == after
    assert reload(order_id).version == 2
    assert client.get(path).status_code == 200


def test_a_new_request_voids_the_older_link(client, smtp_inbox, proposal):
    order_id, change_id, old_path = proposal
    send_again(order_id, change_id)
    deliver()
    assert len(smtp_inbox) == 2
    new_path = link_path(smtp_inbox[1])
    assert new_path != old_path
    before = state(order_id, change_id)

    for response in (client.get(old_path), client.post(f"{old_path}/confirm")):
        assert response.status_code == 410
        assert ("The store replaced this proposal with a newer one: use the link in its latest "
                "email.") in response.get_data(as_text=True)
    assert state(order_id, change_id) == before

    assert client.post(f"{new_path}/confirm").status_code == 302
    assert reload(order_id).version == 2


def test_the_email_of_a_request_replaced_before_it_was_sent_is_not_sent(
    app, smtp_inbox, public_url
):
    order = shop_order()
    change_id = propose(order)
    send_again(order.id, change_id)
    deliver()
    [mail] = smtp_inbox  # the second request's only
    [link] = links()
    assert link.voided_at is None
    assert all(row.delivered_at for row in db.session.scalars(select(OutboxEvent)))
    assert mail["Subject"].startswith("Please confirm a change")


def test_a_staff_cancel_voids_the_link_and_tells_the_customer(client, smtp_inbox, proposal):
    order_id, change_id, path = proposal
    order = reload(order_id)
    edits.cancel_change(order, order.lock_version, change_id, STAFF)
    db.session.commit()
    deliver()
    assert smtp_inbox[-1]["Subject"] == (
        f"The proposed change to your order #{order.display_id} was withdrawn")
    before = state(order_id, change_id)
    for response in (client.get(path), client.post(f"{path}/confirm"),
                     client.post(f"{path}/decline", data={"reason": ""})):  # fmt: skip
        assert response.status_code == 410
        assert "The store withdrew this proposal; your order stays as it was." in (
            response.get_data(as_text=True))
    assert state(order_id, change_id) == before


def test_an_edit_canceled_before_it_was_sent_sends_nothing(app, smtp_inbox, public_url):
    order = shop_order()
    change_id = propose(order, request=False)
    order = reload(order.id)
    edits.cancel_change(order, order.lock_version, change_id, STAFF)
    db.session.commit()
    deliver()
    assert smtp_inbox == []


def test_a_staff_confirmation_closes_the_link(client, smtp_inbox, proposal):
    order_id, change_id, path = proposal
    order = reload(order_id)
    edits.confirm_change(order, order.lock_version, change_id, STAFF)
    db.session.commit()
    response = client.get(path)
    assert response.status_code == 410
    assert "This change was already confirmed, and your order updated." in (
        response.get_data(as_text=True))


def test_an_answer_without_the_pages_csrf_token_is_refused(client, proposal, csrf_enabled):
    order_id, change_id, path = proposal
    page = client.get(path).get_data(as_text=True)
    before = state(order_id, change_id)

    for answer in ("confirm", "decline"):
        response = client.post(f"{path}/{answer}", data={"reason": "no"})
        assert response.status_code == 400
        assert "Your answer could not be checked, so nothing was changed." in (
            response.get_data(as_text=True))
    assert state(order_id, change_id) == before

    [token] = set(re.findall(r'name="csrf_token" type="hidden" value="([^"]+)"', page))
    assert client.post(f"{path}/confirm", data={"csrf_token": token}).status_code == 302
    assert reload(order_id).version == 2


def test_no_email_and_no_link_when_the_order_asks_for_no_notification(
    app, smtp_inbox, public_url
):
    order = shop_order()
    order.no_notification = True
    db.session.commit()
    propose(order)
    deliver()
    assert smtp_inbox == []
    assert links() == []


def test_the_worker_without_public_url_retries_rather_than_send_a_broken_link(
    app, smtp_inbox
):
    order = shop_order()
    propose(order)
    deliver_pending()
    db.session.expire_all()
    [row] = db.session.scalars(select(OutboxEvent).where(
        OutboxEvent.event_type == "order-edit.requested"))  # fmt: skip
    assert row.delivered_at is None and row.attempts == 1
    assert "PUBLIC_URL is not set" in row.last_error
    assert smtp_inbox == [] and links() == []


@pytest.mark.parametrize(("public", "base"), [
    ("", "http://orders.test:8080"),
    ("https://example.com/shop/", "https://example.com/shop"),
])  # fmt: skip
def test_the_link_is_at_public_url_else_at_the_requests_host(app, smtp_inbox, public, base):
    app.config["PUBLIC_URL"] = public
    try:
        order = shop_order()
        propose(order)
        with app.test_request_context(base_url="http://orders.test:8080"):
            deliver_pending()
    finally:
        app.config["PUBLIC_URL"] = ""
    [mail] = smtp_inbox
    assert re.search(rf"^{re.escape(base)}/c/order-edits/[\w-]{{43}}$", text_of(mail), re.M)


def test_the_page_shows_no_staff_navigation_and_keeps_the_link_private(
    staff_client, proposal
):
    _, _, path = proposal
    for response in (staff_client.get(path), staff_client.get(path + "x")):
        body = response.get_data(as_text=True)
        assert '<meta name="robots" content="noindex">' in body
        assert response.headers["Referrer-Policy"] == "no-referrer"
        assert response.headers["X-Robots-Tag"] == "noindex"
        assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
        assert response.headers["Cache-Control"] == "no-store"
        for staff_only in ("Log out", "Draft orders", "Settings", 'href="/orders',
                           "staff@orderdesk.test", "<script"):  # fmt: skip
            assert staff_only not in body


def test_a_refused_answer_keeps_the_page_and_says_why(client, proposal):
    order_id, change_id, path = proposal
    order = reload(order_id)
    order.status = OrderStatus.CANCELED
    db.session.commit()
    before = state(order_id, change_id)
    response = client.post(f"{path}/confirm")
    assert response.status_code == 422
    assert "A canceled order cannot be edited." in response.get_data(as_text=True)
    assert state(order_id, change_id) == before
    assert db.session.scalar(select(func.count()).select_from(OrderChangeLink)) == 1


@pytest.mark.parametrize("public", ["orders.example.com", "ftp://orders.example.com", "https://",
                                    "https://orders.example.com/?shop=1", "/c/order-edits"])
def test_a_public_url_that_is_not_a_web_address_stops_the_app_from_starting(public):
    with pytest.raises(config.ConfigurationError, match="is not a web address"):
        config.check({"PRODUCTION": False, "PUBLIC_URL": public})


@pytest.mark.parametrize("public", ["", "https://orders.example.com",
                                    "http://127.0.0.1:5000/shop/"])
def test_a_web_address_or_none_is_a_public_url(public):
    config.check({"PRODUCTION": False, "PUBLIC_URL": public})


@pytest.mark.parametrize("days", [0, -7])
def test_links_that_would_expire_as_they_are_sent_stop_the_app_from_starting(days):
    with pytest.raises(config.ConfigurationError, match="ORDER_EDIT_LINK_DAYS must be 1 or more"):
        config.check({"PRODUCTION": False, "PUBLIC_URL": "", "ORDER_EDIT_LINK_DAYS": days})
