"""The customer's own return link: the shipment email carries it, its page lists the units
that can still be sent back with a reason, and sending it asks for a return that staff see in
the returns list. Links that do not work (tampered, expired, used, the window closed) and
refused answers change nothing."""

import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select

from app.changes.models import LinkPurpose, OrderChangeLink
from app.db_types import utcnow
from app.events.outbox import OutboxEvent
from app.extensions import db
from app.fulfillment.actions import deliver_fulfillment
from app.returns.models import Return, ReturnStatus
from app.templating import format_when
from tests.changes.helpers import PUBLIC_URL, deliver, link_path, propose, shop_order
from tests.order_pages import reload
from tests.returns.test_return_flow import STAFF, reason, shipped  # noqa: F401

pytestmark = pytest.mark.usefixtures("app")


@pytest.fixture
def public_url(app):
    """Emails link under PUBLIC_URL, as the outbox worker's do."""
    app.config["PUBLIC_URL"] = PUBLIC_URL
    yield PUBLIC_URL
    app.config["PUBLIC_URL"] = ""


def text_of(message) -> str:
    return message.get_content().replace("\r\n", "\n")


def return_path(message) -> str:
    [url] = re.findall(r"https?://\S+/c/returns/\S+", text_of(message))
    return urlsplit(url).path


def return_links() -> list[OrderChangeLink]:
    db.session.expire_all()
    return list(db.session.scalars(select(OrderChangeLink).where(
        OrderChangeLink.purpose == LinkPurpose.RETURN_REQUEST).order_by(OrderChangeLink.id)))


def state(order_id: int) -> tuple:
    """What a refused answer must not change: the order's version, the returns, the links."""
    order = reload(order_id)
    count = db.session.scalar(select(func.count()).select_from(Return))
    return (order.version, order.lock_version, count,
            [(i.return_requested_quantity) for i in order.items],
            [(link.used_at, link.voided_at) for link in return_links()])  # fmt: skip


def page_text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))


@pytest.fixture
def emailed(shipped, smtp_inbox, public_url):  # noqa: F811  (the flow tests' fixture)
    """The shipped order (3 shirts, 2 pairs of socks), its shipment email delivered; the path
    of the return link in it."""
    order, _ = shipped
    deliver()
    [mail] = smtp_inbox
    return reload(order.id), return_path(mail)


def ask(client, path, order, **typed):
    """Send the return form as the page has it: ``quantity_shirt="1"`` types 1 in the
    shirt's row, ``reason_socks=...`` picks the socks' reason."""
    rows = {"shirt": order.items[0].id, "socks": order.items[1].id}
    data = {f"{field}-{item_id}": "" for item_id in rows.values()
            for field in ("quantity", "reason")}  # fmt: skip
    data["note"] = ""
    for key, value in typed.items():
        field, _, row = key.partition("_")
        data[f"{field}-{rows[row]}" if row in rows else key] = value
    return client.post(path, data=data)


def test_the_shipment_email_carries_a_link_to_start_a_return(client, smtp_inbox, emailed):
    order, path = emailed
    [mail] = smtp_inbox
    text = text_of(mail)
    assert mail["Subject"] == f"Your order #{order.display_id} is on its way"
    assert "Tracking: JD1" in text
    [link] = return_links()
    shipped_at = order.fulfillments[0].shipped_at
    assert link.expires_at == shipped_at + timedelta(days=30)
    assert f"You can send items back until {format_when(link.expires_at)} (UTC)" in text
    assert f"{PUBLIC_URL}{path}" in text
    token = path.rpartition("/")[2]
    assert len(token) >= 43 and token not in link.token_hash

    page = client.get(path)
    assert page.status_code == 200
    said = page_text(page)
    assert f"Order #{order.display_id}" in said
    assert "Linen shirt" in said and "3 can be returned" in said
    assert "Wool socks" in said and "2 can be returned" in said
    body = page.get_data(as_text=True)
    assert 'class="table-scroll"' in body and "<script" not in body
    assert '<option value="">Pick a reason</option>' in body
    assert "Old reason" not in body  # retired: not offered


def test_the_customer_asks_one_unit_back_and_staff_see_it(client, staff_client, smtp_inbox,
                                                          emailed):  # fmt: skip
    order, path = emailed
    shirt = order.items[0]
    response = client.post(path, data={f"quantity-{shirt.id}": "1",
                                       f"reason-{shirt.id}": str(reason("too_small")),
                                       "note": "A size up fits."})  # fmt: skip
    assert response.status_code == 302 and response.headers["Location"] == path

    [return_] = db.session.scalars(select(Return))
    assert return_.status == ReturnStatus.REQUESTED
    assert return_.created_by == "customer via link"
    assert return_.note == "A size up fits."
    assert return_.location_id == order.fulfillments[0].location_id
    assert [(p.item.title, p.quantity, p.reason.label) for p in return_.items] == [
        ("Linen shirt", 1, "Too small")]
    assert reload(order.id).items[0].return_requested_quantity == 1
    [link] = return_links()
    assert link.used_at is not None and link.return_id == return_.id

    confirmation = page_text(client.get(path))
    assert (f"Return #{return_.id} requested: 1 × Linen shirt. We'll email you when it "
            "arrives.") in confirmation
    assert "<form" not in client.get(path).get_data(as_text=True)

    listed = page_text(staff_client.get("/returns"))
    assert f"#{return_.id}" in listed and "requested" in listed
    detail = page_text(staff_client.get(f"/returns/{return_.id}"))
    assert "Linen shirt" in detail and "Too small" in detail
    assert "customer via link" in page_text(staff_client.get(f"/orders/{order.id}"))
    assert smtp_inbox[-1]["Subject"] == f"Your return for order #{order.display_id}"


@pytest.mark.parametrize(("typed", "message"), [
    ({"quantity_shirt": "4", "reason_shirt": "too_small"},
     "Linen shirt: 3 can be returned, not 4."),
    ({"quantity_shirt": "1"}, "Linen shirt: pick a reason for the return."),
    ({"quantity_shirt": "1", "reason_shirt": "old"}, "Linen shirt: pick a reason"),
    ({}, "Pick at least one unit to return."),
    ({"quantity_shirt": "two"}, "“two” is not a number of units."),
    ({"quantity_shirt": "1", "reason_shirt": "too_small", "note": "x" * 5001},
     "Keep the note to 5,000 characters or fewer."),
])  # fmt: skip
def test_a_refused_return_shows_the_form_again_and_saves_nothing(client, emailed, typed,
                                                                 message):  # fmt: skip
    order, path = emailed
    if "reason_shirt" in typed:
        typed["reason_shirt"] = str(reason(typed["reason_shirt"]))
    before = state(order.id)
    response = ask(client, path, order, **typed)
    assert response.status_code == 422
    body = response.get_data(as_text=True)
    assert message in body and 'role="alert"' in body
    assert "Request the return" in body
    assert state(order.id) == before


@pytest.mark.parametrize("tamper", [
    lambda token: token[:-1] + ("A" if token[-1] != "A" else "B"),
    lambda token: token[:-1],
    lambda token: token + "x",
])  # fmt: skip
def test_a_tampered_link_is_not_found_and_changes_nothing(client, emailed, tamper):
    order, path = emailed
    before = state(order.id)
    tampered = f"/c/returns/{tamper(path.rpartition('/')[2])}"
    for response in (client.get(tampered), ask(client, tampered, order, quantity_shirt="1")):
        assert response.status_code == 404
        assert "This link is not valid." in response.get_data(as_text=True)
    assert state(order.id) == before


def test_an_order_edit_link_does_not_open_the_return_page(client, smtp_inbox, public_url):
    order = shop_order()
    propose(order)
    deliver()
    edit_token = link_path(smtp_inbox[-1]).rpartition("/")[2]
    assert client.get(f"/c/returns/{edit_token}").status_code == 404


def test_an_expired_link_is_gone_and_changes_nothing(client, emailed):
    order, path = emailed
    [link] = return_links()
    fulfillment = order.fulfillments[0]
    fulfillment.shipped_at = utcnow() - timedelta(days=31)
    link.expires_at = fulfillment.shipped_at + timedelta(days=30)
    db.session.commit()
    before = state(order.id)
    for response in (client.get(path), ask(client, path, order, quantity_shirt="1",
                                           reason_shirt=str(reason("too_small")))):
        assert response.status_code == 410
        assert (f"This link expired on {format_when(link.expires_at)} (UTC), at the end of the "
                "return window.") in response.get_data(as_text=True)
    assert state(order.id) == before


def test_the_window_closed_before_the_links_expiry_says_so(app, client, emailed):
    order, path = emailed
    app.config["RETURN_WINDOW_DAYS"] = 1
    try:
        fulfillment = order.fulfillments[0]
        fulfillment.shipped_at = utcnow() - timedelta(days=2)
        db.session.commit()
        before = state(order.id)
        closed = fulfillment.shipped_at + timedelta(days=1)
        for response in (client.get(path), ask(client, path, order, quantity_shirt="1",
                                               reason_shirt=str(reason("too_small")))):
            assert response.status_code == 410
            assert (f"The return window for this order closed on {format_when(closed)} (UTC)"
                    in response.get_data(as_text=True))  # fmt: skip
        assert state(order.id) == before
    finally:
        app.config["RETURN_WINDOW_DAYS"] = 30


def test_delivery_moves_the_window_to_thirty_days_after_it(client, emailed):
    order, path = emailed
    deliver_fulfillment(order, order.lock_version, order.fulfillments[0].id, STAFF)
    db.session.commit()
    [link] = return_links()
    delivered_at = reload(order.id).fulfillments[0].delivered_at
    assert link.expires_at == delivered_at + timedelta(days=30)
    assert client.get(path).status_code == 200


def test_a_used_link_asks_once(client, emailed):
    order, path = emailed
    too_small = str(reason("too_small"))
    assert ask(client, path, order, quantity_shirt="1", reason_shirt=too_small).status_code == 302
    before = state(order.id)
    response = ask(client, path, order, quantity_socks="1", reason_socks=too_small)
    assert response.status_code == 410
    assert "You already asked for a return through this link" in response.get_data(as_text=True)
    assert state(order.id) == before


def test_a_new_shipment_email_brings_a_new_link_and_voids_the_old(client, smtp_inbox,
                                                                  emailed):  # fmt: skip
    order, old_path = emailed
    # The same shipment's email sent again (a second shipment's would do the same).
    [row] = db.session.scalars(select(OutboxEvent).where(
        OutboxEvent.event_type == "order.shipment_created"))  # fmt: skip
    row.delivered_at = None
    db.session.commit()
    deliver()
    new_path = return_path(smtp_inbox[-1])
    assert new_path != old_path
    response = client.get(old_path)
    assert response.status_code == 410
    assert "A newer shipment email has a newer link" in response.get_data(as_text=True)
    assert client.get(new_path).status_code == 200


def test_nothing_left_to_return_says_so(client, emailed):
    order, path = emailed
    too_small = str(reason("too_small"))
    for item in order.items:
        item.returned_quantity = item.quantity
    db.session.commit()
    response = client.get(path)
    assert response.status_code == 200
    assert "There is nothing on this order that can be returned now" in page_text(response)
    assert "<form" not in response.get_data(as_text=True)
    assert ask(client, path, order, quantity_shirt="1",
               reason_shirt=too_small).status_code == 422


def test_a_return_without_the_pages_csrf_token_is_refused(client, emailed, csrf_enabled):
    order, path = emailed
    page = client.get(path).get_data(as_text=True)
    before = state(order.id)
    too_small = str(reason("too_small"))
    response = ask(client, path, order, quantity_shirt="1", reason_shirt=too_small)
    assert response.status_code == 400
    assert "nothing was changed" in response.get_data(as_text=True)
    assert state(order.id) == before
    [token] = set(re.findall(r'name="csrf_token" type="hidden" value="([^"]+)"', page))
    assert ask(client, path, order, quantity_shirt="1", reason_shirt=too_small,
               csrf_token=token).status_code == 302


def test_the_page_is_not_indexed_and_sends_no_referrer(client, emailed):
    _, path = emailed
    for response in (client.get(path), client.get(path + "x")):
        assert '<meta name="robots" content="noindex">' in response.get_data(as_text=True)
        assert response.headers["Referrer-Policy"] == "no-referrer"
        assert response.headers["X-Robots-Tag"] == "noindex"


def test_no_notification_sends_nothing_and_makes_no_link(shipped, smtp_inbox,  # noqa: F811
                                                         public_url):  # fmt: skip
    order, _ = shipped
    order.no_notification = True
    db.session.commit()
    deliver()
    assert smtp_inbox == [] and return_links() == []
