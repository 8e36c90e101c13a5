"""Stock at the counter: the item search shows what the draft's sales channel has available
(stocked less what placed orders hold, over the locations the channel draws from), and the
builder refuses a line beyond it before any payment is taken, unless the variant allows
backorders."""

from __future__ import annotations

import html as markup
import re
from types import SimpleNamespace

import pytest
from sqlalchemy import insert, select, update

from app.extensions import db
from app.fulfillment.models import StockLocation, sales_channel_location
from app.inventory.models import InventoryLevel
from app.orders.models import Order
from app.store.models import SalesChannel
from tests.draft_orders.test_catalog_lines import message_of, reload, search, text
from tests.draft_orders.test_draft_builder import new_draft, post

#: (stocked, held by placed orders) per SKU and location.
LEVELS = {
    ("MUG-1", "Leeds"): (5, 3),
    ("MUG-1", "Berlin"): (2, 0),
    ("CANDLE-1", "Leeds"): (1, 0),
    ("LAMP-1", "Leeds"): (4, 4),
    ("VASE-1", "Berlin"): (6, 1),
}


def available(sku: str, locations=("Leeds", "Berlin")) -> int:
    return sum(max(stocked - held, 0) for (s, where), (stocked, held) in LEVELS.items()
               if s == sku and where in locations)  # fmt: skip


@pytest.fixture
def stocked(shop, new_variant):
    """The builder's shop (its mug at $22.00) with two locations, stock for the mug and three
    new products; the shop's others have no stock level anywhere."""
    leeds, berlin = StockLocation(name="Leeds"), StockLocation(name="Berlin")
    db.session.add_all([leeds, berlin])
    db.session.flush()
    where = {"Leeds": leeds, "Berlin": berlin}
    db.session.add_all(
        InventoryLevel(sku=sku, location=where[name], stocked=stocked, reserved=held)
        for (sku, name), (stocked, held) in LEVELS.items()
    )
    db.session.commit()
    candle = new_variant("Beeswax Candle", sku="CANDLE-1", prices={"USD": "9.00"})
    candle.allow_backorder = True
    lamp = new_variant("Desk Lamp", sku="LAMP-1", prices={"USD": "49.00"})
    vase = new_variant("Glass Vase", sku="VASE-1", prices={"USD": "35.00"})
    db.session.commit()
    return SimpleNamespace(leeds=leeds, berlin=berlin, candle=candle, lamp=lamp, vase=vase,
                           mug=shop.mug, tote=shop.tote)  # fmt: skip


def stock_shown(html: str) -> dict[str, str]:
    """Result title → what it says about stock."""
    title, stock = r'<span class="result-title">([^<]*)</span>', r'"result-stock small">([^<]*)<'
    results = re.findall(f"{title}.*?{stock}", html, re.S)
    return {markup.unescape(t): markup.unescape(s.strip()) for t, s in results}


def only_leeds() -> None:
    channel = db.session.scalar(select(SalesChannel).where(SalesChannel.is_default))
    location = db.session.scalar(select(StockLocation.id).where(StockLocation.name == "Leeds"))
    db.session.execute(insert(sales_channel_location).values(
        sales_channel_id=channel.id, location_id=location))  # fmt: skip
    db.session.commit()


def hold(sku: str, location: StockLocation, units: int) -> None:
    """Another order holds ``units`` more of ``sku`` at ``location``."""
    db.session.execute(
        update(InventoryLevel)
        .where(InventoryLevel.sku == sku, InventoryLevel.location_id == location.id)
        .values(reserved=InventoryLevel.reserved + units)
    )  # fmt: skip
    db.session.commit()


# --- What the search shows -----------------------------------------------------------------


def test_the_search_shows_what_the_channels_locations_have_available(staff_client, stocked):
    draft = new_draft(staff_client)

    shown = {**stock_shown(search(staff_client, draft, "stoneware")),
             **stock_shown(search(staff_client, draft, "candle")),
             **stock_shown(search(staff_client, draft, "desk")),
             **stock_shown(search(staff_client, draft, "poster"))}  # fmt: skip

    assert shown == {
        # stocked less held, over both locations (the channel names none: it draws from all)
        "Stoneware Mug / Moss green": f"{available('MUG-1')} available",
        "Beeswax Candle": f"{available('CANDLE-1')} available · backorders allowed",
        "Desk Lamp": "Out of stock",
        "Berlin Poster": "Stock not tracked",
    }


def test_only_the_locations_the_channel_draws_from_count(staff_client, stocked):
    only_leeds()
    draft = new_draft(staff_client)

    shown = {**stock_shown(search(staff_client, draft, "stoneware")),
             **stock_shown(search(staff_client, draft, "vase"))}  # fmt: skip

    assert shown == {
        "Stoneware Mug / Moss green": f"{available('MUG-1', ['Leeds'])} available",
        "Glass Vase": "Not stocked where this channel ships from",
    }


def test_results_that_cannot_be_sold_are_dimmed(staff_client, stocked):
    only_leeds()
    draft = new_draft(staff_client)
    html = search(staff_client, draft, "desk") + search(staff_client, draft, "vase")
    assert html.count('class="search-result unavailable"') == 2
    assert 'class="search-result"' in search(staff_client, draft, "candle")  # backorders


def test_the_stock_of_all_results_is_read_in_one_query(
    staff_client, stocked, new_variant, count_queries
):
    for n in range(6):
        new_variant(f"Tealight {n}", sku=f"TEA-LIGHT-{n}", prices={"USD": "2.00"})
        db.session.add(InventoryLevel(sku=f"TEA-LIGHT-{n}", location=stocked.leeds,
                                      stocked=10 + n))  # fmt: skip
    db.session.commit()
    draft = new_draft(staff_client)

    count_queries.clear()
    one = stock_shown(search(staff_client, draft, "tea-light-0"))
    one_statements = list(count_queries)
    count_queries.clear()
    many = stock_shown(search(staff_client, draft, "tealight"))

    assert one == {"Tealight 0": "10 available"}
    assert many == {f"Tealight {n}": f"{10 + n} available" for n in range(6)}
    assert len(count_queries) == len(one_statements)
    assert sum("inventory_level" in s for s in count_queries) == 1


# --- Refusing before payment ---------------------------------------------------------------


def test_a_quantity_beyond_what_is_available_is_refused_and_the_line_kept(staff_client, stocked):
    draft = new_draft(staff_client)
    post(staff_client, draft, "/items/variant", {"variant_id": stocked.mug.id})
    (item,) = reload(draft.id).items
    most = available("MUG-1")
    assert post(staff_client, draft, f"/items/{item.id}",
                {"quantity": most, "unit_price": "22.00"}).status_code == 200  # fmt: skip

    response = post(staff_client, draft, f"/items/{item.id}",
                    {"quantity": most + 1, "unit_price": "22.00"})  # fmt: skip

    assert response.status_code == 422
    assert message_of(response) == (
        f"Stoneware Mug stays at {most} × $22.00. "
        f"Stoneware Mug (MUG-1): {most} available, {most + 1} ordered."
    )
    assert reload(draft.id).items[0].quantity == most


def test_scanning_one_more_than_is_available_is_refused(staff_client, stocked):
    draft = new_draft(staff_client)
    for _ in range(available("MUG-1")):
        post(staff_client, draft, "/items/variant", {"variant_id": stocked.mug.id})

    response = post(staff_client, draft, "/items/variant", {"variant_id": stocked.mug.id})

    assert response.status_code == 422
    most = available("MUG-1")
    assert f"Stoneware Mug (MUG-1): {most} available, {most + 1} ordered." in text(response)
    assert [i.quantity for i in reload(draft.id).items] == [most]


def test_a_product_out_of_stock_or_not_kept_by_the_channel_is_not_added(staff_client, stocked):
    only_leeds()
    draft = new_draft(staff_client)

    lamp = post(staff_client, draft, "/items/variant", {"variant_id": stocked.lamp.id})
    vase = post(staff_client, draft, "/items/variant", {"variant_id": stocked.vase.id})

    assert lamp.status_code == vase.status_code == 422
    assert message_of(lamp) == "Desk Lamp (LAMP-1): 0 available, 1 ordered."
    assert message_of(vase) == (
        "Glass Vase (VASE-1) is not stocked where this sales channel ships from."
    )
    assert reload(draft.id).items == []


def test_backorders_and_untracked_products_are_not_limited(staff_client, stocked):
    draft = new_draft(staff_client)
    post(staff_client, draft, "/customer", {"email": "ada@example.com"})
    for variant in (stocked.candle, stocked.tote):  # the tote has no stock level anywhere
        post(staff_client, draft, "/items/variant", {"variant_id": variant.id})
    candle, tote = reload(draft.id).items
    beyond = available("CANDLE-1") + 4
    for item in (candle, tote):
        response = post(staff_client, draft, f"/items/{item.id}",
                        {"quantity": beyond, "unit_price": str(item.unit_price)})  # fmt: skip
        assert response.status_code == 200

    assert post(staff_client, draft, "/payment", {"mode": "now"}).status_code == 200
    assert "HX-Redirect" in post(staff_client, draft, "/convert", {}).headers


def test_stock_sold_by_another_order_after_the_line_was_added_refuses_the_payment(
    staff_client, stocked
):
    draft = new_draft(staff_client)
    post(staff_client, draft, "/items/variant", {"variant_id": stocked.mug.id})
    (item,) = reload(draft.id).items
    ordered = available("MUG-1")
    post(staff_client, draft, f"/items/{item.id}",
         {"quantity": str(ordered), "unit_price": "22.00"})  # fmt: skip
    hold("MUG-1", stocked.berlin, 2)  # Berlin's two go to another order meanwhile
    left = ordered - 2

    refused = post(staff_client, draft, "/payment", {"mode": "now"})

    assert refused.status_code == 422
    assert message_of(refused) == (
        f"Cannot take the payment: Stoneware Mug (MUG-1): {left} available, {ordered} ordered."
    )
    assert reload(draft.id).payments == []
    # fewer units may always be asked for, and then the payment goes through
    lowered = post(staff_client, draft, f"/items/{item.id}",
                   {"quantity": str(left), "unit_price": "22.00"})  # fmt: skip
    assert lowered.status_code == 200
    assert post(staff_client, draft, "/payment", {"mode": "now"}).status_code == 200
    assert len(db.session.get(Order, draft.id).payments) == 1
