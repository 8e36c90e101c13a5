"""The staff pages of claims, as staff use them: make a claim from the order's page (refund or
replace, written off or sent back), read the claim's page (lines, reasons, what was sent out
in their place), refund the prefilled amount and reinstate written-off units; a refusal says
why, keeps what was typed and saves nothing."""

import re
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.claims import actions as claims
from app.claims.actions import ClaimLine
from app.claims.models import Claim, ClaimItem
from app.extensions import db
from app.money import round_money
from app.returns.models import ReturnStatus
from tests.factories import make_order
from tests.order_pages import refusal, reload
from tests.returns.test_return_flow import STAFF, stocked
from tests.returns.test_return_pages import form_to, text

pytestmark = pytest.mark.usefixtures("app")


def claims_of(order_id: int) -> list[Claim]:
    db.session.expire_all()
    return list(db.session.scalars(select(Claim).where(Claim.order_id == order_id)))


def claim(order, claim_type, *lines, **options) -> int:
    made = claims.create_claim(order, order.lock_version, claim_type, list(lines), actor=STAFF,
                               **options)  # fmt: skip
    db.session.commit()
    return made.id


def claim_form(client, order, **typed: str) -> dict[str, list[str]]:
    """What the claim form of the order sends, with ``typed`` in it."""
    return form_to(client, f"/orders/{order.id}/claims/new", f"/orders/{order.id}/claims",
                   **typed)  # fmt: skip


def test_staff_claim_a_missing_pair_for_a_refund_and_refund_it(staff_client, shipped):
    order, _ = shipped
    socks = order.items[1]
    page = staff_client.get(f"/orders/{order.id}")
    new = f"/orders/{order.id}/claims/new"
    assert "No claims." in text(page)
    assert f'href="{new}"' in page.get_data(as_text=True)
    form = text(staff_client.get(new))
    assert "Linen shirt (SHIRT-1) 3 of 3" in form and "Wool socks (SOCK-1) 2 of 2" in form
    assert "Missing item Wrong item Production failure Other" in form

    response = staff_client.post(f"/orders/{order.id}/claims", data=claim_form(
        staff_client, order, claim_type="refund", note="Parcel arrived open", **{
            f"quantity-{socks.id}": "1", f"reason-{socks.id}": "missing_item",
            f"note-{socks.id}": "Only one pair inside"}))  # fmt: skip

    [made] = claims_of(order.id)
    assert response.status_code == 302
    assert response.location.endswith(f"/claims/{made.id}")
    assert [(p.item_id, p.quantity, p.reason.value, p.note, p.written_off_quantity)
            for p in made.items] == [(socks.id, 1, "missing_item", "Only one pair inside", 1)]
    assert (made.type.value, made.note, made.return_id) == ("refund", "Parcel arrived open", None)
    order = reload(order.id)
    # One of two pairs: half of what the socks line cost comes off the total.
    due = round_money(order.totals.items[1].total / 2, "USD")
    assert order.total == Decimal("148.50") - due
    page = f"/claims/{made.id}"
    shown = text(staff_client.get(page))
    assert f"Claim #{made.id}" in shown and f"Order #{order.display_id}" in shown
    assert "Wool socks (SOCK-1) Only one pair inside 1 Missing item 1" in shown
    assert f"Refund due ${due} · refunded $0.00" in shown
    assert "the units are written off where they are" in shown
    assert "Claim created" in shown and "Replacement" not in shown
    html = staff_client.get(page).get_data(as_text=True)
    assert f'name="amount" inputmode="decimal" size="10" value="{due}"' in html

    response = staff_client.post(f"{page}/refund", data=form_to(staff_client, page,
                                                                f"{page}/refund"))
    assert response.status_code == 302
    assert claims_of(order.id)[0].refunded == due
    assert [(r.amount, r.reason) for r in reload(order.id).payments[0].refunds] == [
        (due, "claim")]  # fmt: skip
    assert "Amount to refund" not in text(staff_client.get(page))
    listed = text(staff_client.get(f"/orders/{order.id}"))
    assert f"Claim #{made.id}" in listed
    assert f"refund Missing item ${due} ${due}" in listed


def test_staff_replace_a_faulty_shirt_sent_back_with_its_shipping(staff_client, shipped):
    order, warehouse = shipped
    shirt = order.items[0]
    response = staff_client.post(f"/orders/{order.id}/claims", data=claim_form(
        staff_client, order, claim_type="replace", return_units="y", location=str(warehouse.id),
        shipping_name="Courier", shipping_amount="0.00", **{
            f"quantity-{shirt.id}": "1", f"reason-{shirt.id}": "production_failure"}))

    [made] = claims_of(order.id)
    assert response.status_code == 302
    order = reload(order.id)
    replacement = order.items[-1]
    assert (replacement.title, replacement.quantity, replacement.unit_price) == (
        "Linen shirt", 1, Decimal("0"))  # fmt: skip
    assert made.items[0].replacement_item_id == replacement.id
    assert order.shipping_methods[-1].name == "Courier"
    assert order.total == Decimal("148.50")
    assert made.return_.items[0].quantity == 1 and made.items[0].written_off_quantity == 0
    assert stocked("SHIRT-1") == 7  # held for the replacement, not yet shipped

    shown = text(staff_client.get(f"/claims/{made.id}"))
    assert "Linen shirt (SHIRT-1) 1 Production failure 0" in shown
    assert f"The units come back in Return #{made.return_id} Requested" in shown.replace(
        "requested", "Requested")  # fmt: skip
    # The replacement line, not fulfilled nor shipped yet, and where to fulfil it.
    assert "Linen shirt (SHIRT-1) 1 $0.00 0 0" in shown
    html = staff_client.get(f"/claims/{made.id}").get_data(as_text=True)
    assert f'href="/returns/{made.return_id}"' in html
    assert f'href="/orders/{order.id}#fulfillments"' in html
    assert "Reinstate" not in shown and "Amount to refund" not in shown


def test_units_written_off_that_turn_up_are_reinstated(staff_client, shipped):
    order, _ = shipped
    socks = order.items[1]
    claim_id = claim(order, "refund", ClaimLine(socks.id, 2, "missing_item"))
    [part] = claims_of(order.id)[0].items
    page = f"/claims/{claim_id}"
    assert "Units of Wool socks to reinstate" in text(staff_client.get(page))

    too_many = form_to(staff_client, page, f"{page}/reinstate", quantity="3")
    before = reload(order.id).lock_version
    refused = staff_client.post(f"{page}/reinstate", data=too_many)
    assert refused.status_code == 422
    assert refusal(refused) == "Wool socks: 2 written off can be reinstated, not 3."
    assert reload(order.id).lock_version == before

    response = staff_client.post(f"{page}/reinstate", data=form_to(
        staff_client, page, f"{page}/reinstate", quantity="1"))  # fmt: skip
    assert response.status_code == 302
    assert claims_of(order.id)[0].items[0].written_off_quantity == 1
    order = reload(order.id)
    assert (order.items[1].written_off_quantity, order.items[1].credited_quantity) == (1, 1)
    assert order.total == Decimal("148.50") - round_money(order.totals.items[1].total / 2, "USD")
    assert f"Claim #{claim_id}: 1 × Wool socks reinstated" in text(staff_client.get(page))
    assert part.id == claims_of(order.id)[0].items[0].id


def test_a_wrong_refund_amount_is_refused_and_refunds_nothing(staff_client, shipped):
    order, _ = shipped
    claim_id = claim(order, "refund", ClaimLine(order.items[1].id, 1, "wrong_item"))
    page = f"/claims/{claim_id}"
    due = claims.claim_refund_to_offer(reload(order.id), claims_of(order.id)[0])
    wrong = form_to(staff_client, page, f"{page}/refund", amount=str(due + Decimal("0.01")))
    response = staff_client.post(f"{page}/refund", data=wrong)
    assert response.status_code == 422
    assert str(due) in refusal(response)
    assert claims_of(order.id)[0].refunded == 0
    assert reload(order.id).payments[0].refunds == []


@pytest.mark.parametrize(("typed", "message"), [
    ({"claim_type": None}, "Claim: Pick a refund or a replacement."),
    ({"quantity": "4"}, "Linen shirt: 3 can be claimed, not 4."),
    ({"reason": ""}, "Linen shirt: pick a reason"),
    ({"quantity": "0"}, "Pick at least one unit to claim."),
    ({"quantity": "two"}, "“two” is not a number of units."),
    ({"shipping_name": "Courier", "shipping_amount": "NaN"}, "Replacement shipping cost:"),
    ({"shipping_name": "Courier", "shipping_amount": "0.001"},
     "USD amounts have at most 2 decimals."),
    ({"shipping_name": "Courier"}, "Give the shipping method a name and an amount."),
    ({"claim_type": "refund", "shipping_name": "Courier", "shipping_amount": "5"},
     "A refund claim sends nothing out"),
])  # fmt: skip
def test_a_refused_claim_says_why_keeps_what_was_typed_and_saves_nothing(
    staff_client, shipped, typed, message
):
    order, _ = shipped
    shirt = order.items[0]
    fields = {"claim_type": "replace", "quantity": "1", "reason": "production_failure",
              "note": "Seam split", **typed}  # fmt: skip
    data = claim_form(staff_client, order, **{
        name if name.startswith(("claim_", "shipping_")) else f"{name}-{shirt.id}": value
        for name, value in fields.items() if value is not None})  # fmt: skip
    response = staff_client.post(f"/orders/{order.id}/claims", data=data)
    assert response.status_code == 422
    assert refusal(response).startswith(message)
    assert f'value="{fields["note"]}"' in response.get_data(as_text=True)
    assert claims_of(order.id) == []
    assert db.session.scalar(select(func.count()).select_from(ClaimItem)) == 0
    order = reload(order.id)
    assert (order.version, len(order.items), order.items[0].written_off_quantity) == (1, 2, 0)


def test_a_claim_form_from_an_older_version_is_refused_as_stale(staff_client, shipped):
    order, _ = shipped
    shirt, socks = order.items
    data = claim_form(staff_client, order, claim_type="refund", **{
        f"quantity-{shirt.id}": "1", f"reason-{shirt.id}": "wrong_item"})  # fmt: skip
    claim(order, "refund", ClaimLine(socks.id, 1, "missing_item"))
    response = staff_client.post(f"/orders/{order.id}/claims", data=data)
    assert response.status_code == 409
    assert refusal(response)
    assert len(claims_of(order.id)) == 1
    assert reload(order.id).items[0].written_off_quantity == 0


def test_a_claim_with_every_unit_back_offers_no_more_claims(staff_client, shipped):
    order, warehouse = shipped
    claim(order, "refund", *(ClaimLine(item.id, item.quantity, "other") for item in order.items),
          return_units=True, location_id=warehouse.id)
    [made] = claims_of(order.id)
    assert made.return_.status == ReturnStatus.REQUESTED
    page = text(staff_client.get(f"/orders/{order.id}"))
    assert f"Claim #{made.id}" in page and "Create a claim" not in page
    assert re.search(r"Other \$0\.00 \$0\.00", page)  # credited once the units arrive
    shown = text(staff_client.get(f"/orders/{order.id}/claims/new"))
    assert "No units of this order have shipped and are left to claim." in shown
    assert "Create the claim" not in shown


def test_an_order_without_shipped_units_offers_no_claim(staff_client):
    unshipped = make_order()
    page = text(staff_client.get(f"/orders/{unshipped.id}"))
    assert "No claims." in page and "Create a claim" not in page


@pytest.mark.parametrize("path", ["/claims/1", "/orders/1/claims/new"])
def test_the_claim_pages_are_for_staff_only(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert "/login" in response.location
