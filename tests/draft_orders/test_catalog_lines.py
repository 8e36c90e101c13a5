"""The draft builder's catalogue lines, region changes and shipping options, through the
endpoints as the builder page uses them (htmx requests answering with out-of-band parts)."""

from __future__ import annotations

import html as markup
import re
from decimal import Decimal

import pytest

from app.extensions import db
from app.orders.models import Order
from tests.draft_orders.test_draft_builder import cents, new_draft, post, version_of


def reload(draft_id: int) -> Order:
    db.session.expire_all()
    return db.session.get(Order, draft_id)


def text(response) -> str:
    return response.get_data(as_text=True)


def message_of(response) -> str:
    """The builder's message line, as staff read it."""
    found = re.search(r'<div id="builder-message"[^>]*>\s*<p[^>]*>([^<]*)</p>', text(response))
    return markup.unescape(found.group(1)) if found else ""


def add(client, draft, variant):
    return post(client, draft, "/items/variant", {"variant_id": variant.id})


def search(client, draft, q: str) -> str:
    response = client.get(f"/draft-orders/{draft.id}/variants", query_string={"q": q})
    assert response.status_code == 200
    return text(response)


def result_titles(html: str) -> list[str]:
    return re.findall(r'<span class="result-title">([^<]*)</span>', html)


def total_row(html: str, label: str) -> str:
    """The amount a row of the totals panel shows."""
    return re.search(rf'<th scope="row">{label}</th><td>([^<]*)</td>', html).group(1)


# --- Searching the catalogue ---------------------------------------------------------------


def test_variants_are_found_by_a_word_of_the_title(staff_client, shop):
    draft = new_draft(staff_client)
    assert result_titles(search(staff_client, draft, "tea")) == ["Green Tea / 100 g"]
    assert result_titles(search(staff_client, draft, "MUG")) == [
        "Espresso Mug", "Stoneware Mug / Moss green",
    ]  # fmt: skip
    # a word is matched from its start, not from its middle
    assert result_titles(search(staff_client, draft, "reen")) == []
    assert "No product matches." in search(staff_client, draft, "reen")


def test_variants_are_found_by_sku_prefix_and_barcode(staff_client, shop):
    draft = new_draft(staff_client)
    assert result_titles(search(staff_client, draft, "tea-1")) == ["Green Tea / 100 g"]
    assert result_titles(search(staff_client, draft, "5012345678900")) == ["Green Tea / 100 g"]
    # the start of a barcode, as typed by hand, finds every code beginning with it
    assert sorted(result_titles(search(staff_client, draft, "50123456789"))) == [
        "Green Tea / 100 g", "Linen Tote",
    ]  # fmt: skip


def test_search_results_show_the_price_in_the_drafts_currency_or_that_there_is_none(
    staff_client, shop
):
    draft = new_draft(staff_client)
    html = search(staff_client, draft, "stoneware")
    assert "$22.00" in html and "SKU MUG-1" in html
    assert f'value="{shop.mug.id}"' in html and "checked" in html
    assert 'src="/static/img/mug-moss.png"' in html
    assert "No price in USD" in search(staff_client, draft, "berlin")
    post(staff_client, draft, "/region", {"region": shop.de.id})
    assert "€19.50" in search(staff_client, draft, "stoneware")


def test_the_search_runs_the_same_queries_for_one_result_or_many(
    staff_client, shop, new_variant, count_queries
):
    for n in range(7):
        new_variant(f"Candle {n}", sku=f"CANDLE-{n}", prices={"USD": "9.00", "EUR": "8.00"})
    draft = new_draft(staff_client)
    count_queries.clear()
    assert len(result_titles(search(staff_client, draft, "candle-0"))) == 1
    one = len(count_queries)
    count_queries.clear()
    assert len(result_titles(search(staff_client, draft, "candle"))) == 7
    assert len(count_queries) == one


# --- Adding catalogue lines ----------------------------------------------------------------


def test_a_variant_is_added_at_its_price_with_thumbnail_sku_and_the_regions_tax(
    staff_client, shop
):
    draft = new_draft(staff_client)
    response = add(staff_client, draft, shop.mug)
    assert response.status_code == 200
    html = text(response)
    assert "Stoneware Mug" in html and "Moss green" in html and "SKU MUG-1" in html
    assert '<img src="/static/img/mug-moss.png"' in html
    assert "TAX 10 %: $2.20" in html
    assert total_row(html, "Total") == "$24.20"
    (item,) = reload(draft.id).items
    assert (item.unit_price, item.quantity, item.variant_id) == (Decimal("22.00"), 1, shop.mug.id)
    assert (item.sku, item.thumbnail, item.is_custom_price) == (
        "MUG-1", "/static/img/mug-moss.png", False,
    )  # fmt: skip
    assert [(t.code, t.rate) for t in item.tax_lines] == [("TAX", Decimal("10"))]


def test_a_product_type_with_a_tax_override_is_taxed_at_the_override_not_the_default(
    staff_client, shop
):
    draft = new_draft(staff_client)
    html = text(add(staff_client, draft, shop.tea))
    # food is taxed 5 % in the United States, not the region's default 10 %
    assert "FOOD 5 %: $0.43" in html and "TAX 10 %" not in html
    saved = reload(draft.id)
    (item,) = saved.items
    assert item.product_type == "food"
    assert [(t.code, t.rate) for t in item.tax_lines] == [("FOOD", Decimal("5"))]
    assert saved.total == Decimal("8.50") + cents(Decimal("8.50") * Decimal("0.05"))


def test_a_variant_takes_its_price_in_the_drafts_currency(staff_client, shop):
    draft = new_draft(staff_client)
    post(staff_client, draft, "/region", {"region": shop.de.id})
    html = text(add(staff_client, draft, shop.tea))
    (item,) = reload(draft.id).items
    assert item.unit_price == Decimal("7.95")
    assert [(t.code, t.rate) for t in item.tax_lines] == [("FOOD", Decimal("7"))]
    # prices include tax in Germany: the tax is taken out of the price, not added to it
    tax = cents(Decimal("7.95") - Decimal("7.95") / Decimal("1.07"))
    assert total_row(html, "Item tax") == f"€{tax}"
    assert total_row(html, "Items subtotal") == f"€{Decimal('7.95') - tax}"
    assert total_row(html, "Items total") == "€7.95"


def test_adding_a_variant_that_is_already_on_the_draft_adds_to_its_quantity(staff_client, shop):
    draft = new_draft(staff_client)
    add(staff_client, draft, shop.mug)
    add(staff_client, draft, shop.tea)
    response = add(staff_client, draft, shop.mug)
    assert response.status_code == 200
    saved = reload(draft.id)
    assert [(i.sku, i.quantity) for i in saved.items] == [("MUG-1", 2), ("TEA-100", 1)]
    mug = saved.items[0]
    assert f'id="qty-{mug.id}" name="quantity" form="line-form-{mug.id}" value="2"' in text(
        response
    )
    assert saved.total == Decimal("48.40") + Decimal("8.93")


def test_a_hand_priced_line_is_not_merged_with_a_new_catalogue_line(staff_client, shop):
    draft = new_draft(staff_client)
    add(staff_client, draft, shop.mug)
    (item,) = reload(draft.id).items
    post(staff_client, draft, f"/items/{item.id}", {"quantity": "1", "unit_price": "15.00"})
    add(staff_client, draft, shop.mug)
    assert [(i.unit_price, i.quantity, i.is_custom_price) for i in reload(draft.id).items] == [
        (Decimal("15.00"), 1, True), (Decimal("22.00"), 1, False),
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("q", "expected"),
    [("mug-1", "MUG-1"), ("TEA-100", "TEA-100"), ("5012345678917", "TOTE-1"), ("linen", "TOTE-1")],
)
def test_enter_with_only_text_typed_adds_the_best_match(staff_client, shop, q, expected):
    draft = new_draft(staff_client)
    response = post(staff_client, draft, "/items/variant", {"q": q})
    assert response.status_code == 200
    assert [i.sku for i in reload(draft.id).items] == [expected]


def test_enter_prefers_the_exact_sku_over_others_starting_with_it(staff_client, shop):
    # "Espresso Mug" (MUG-10) sorts before "Stoneware Mug" (MUG-1) by title, and neither has a
    # barcode; typing MUG-1 and pressing Enter must still add MUG-1 itself.
    draft = new_draft(staff_client)
    assert result_titles(search(staff_client, draft, "MUG-1"))[0] == "Stoneware Mug / Moss green"
    post(staff_client, draft, "/items/variant", {"q": "MUG-1"})
    assert [i.sku for i in reload(draft.id).items] == ["MUG-1"]


def test_enter_prefers_the_exact_barcode_over_longer_codes_starting_with_it(
    staff_client, shop, new_variant
):
    new_variant("Amber Notebook", sku="NB-A", barcode="01234567890512", prices={"USD": "4.00"})
    new_variant("Zebra Notebook", sku="NB-Z", barcode="0123456789051", prices={"USD": "5.00"})
    draft = new_draft(staff_client)
    post(staff_client, draft, "/items/variant", {"q": "0123456789051"})
    assert [i.sku for i in reload(draft.id).items] == ["NB-Z"]


def test_enter_with_text_that_matches_nothing_is_refused(staff_client, shop):
    draft = new_draft(staff_client)
    before = version_of(draft.id)
    response = post(staff_client, draft, "/items/variant", {"q": "kettle"})
    assert response.status_code == 422
    assert message_of(response) == "No product matches “kettle”."
    assert reload(draft.id).items == [] and version_of(draft.id) == before


def test_enter_in_an_empty_search_box_is_refused_with_the_reason(staff_client, shop):
    draft = new_draft(staff_client)
    before = version_of(draft.id)
    response = post(staff_client, draft, "/items/variant", {"q": "  "})
    assert response.status_code == 422
    assert reload(draft.id).items == [] and version_of(draft.id) == before
    assert "Type or scan a product first." in text(response), (
        f"the builder only says: {message_of(response)!r}"
    )


@pytest.mark.parametrize("how", ["variant_id", "q"])
def test_a_variant_without_a_price_in_the_drafts_currency_is_refused(staff_client, shop, how):
    draft = new_draft(staff_client)
    add(staff_client, draft, shop.mug)
    before, total = version_of(draft.id), reload(draft.id).total
    data = {"variant_id": shop.poster.id} if how == "variant_id" else {"q": "POSTER-1"}
    response = post(staff_client, draft, "/items/variant", data)
    assert response.status_code == 422
    assert message_of(response) == "Berlin Poster has no price in USD."
    saved = reload(draft.id)
    assert [i.sku for i in saved.items] == ["MUG-1"]
    assert (saved.total, saved.lock_version) == (total, before)


# --- Changing catalogue lines --------------------------------------------------------------


def test_changing_the_unit_price_marks_the_line_price_set_by_hand(staff_client, shop):
    draft = new_draft(staff_client)
    add(staff_client, draft, shop.mug)
    (item,) = reload(draft.id).items
    # a new quantity at the catalogue price leaves the price following the catalogue
    response = post(staff_client, draft, f"/items/{item.id}", {"quantity": "2",
                                                               "unit_price": "22.00"})  # fmt: skip
    assert response.status_code == 200
    assert "Price set by hand" not in text(response)
    assert reload(draft.id).items[0].is_custom_price is False
    response = post(staff_client, draft, f"/items/{item.id}", {"quantity": "2",
                                                               "unit_price": "19.90"})  # fmt: skip
    assert response.status_code == 200
    assert "Price set by hand" in text(response)
    saved = reload(draft.id)
    (item,) = saved.items
    assert (item.unit_price, item.quantity, item.is_custom_price) == (Decimal("19.90"), 2, True)
    assert saved.total == Decimal("39.80") + cents(Decimal("3.980"))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"quantity": "0", "unit_price": "22.00"}, "At least 1; remove the line instead."),
        ({"quantity": "1", "unit_price": "-1.00"}, "Price “-1.00”: Must be zero or more."),
    ],
)
def test_a_line_change_to_quantity_zero_or_a_negative_price_is_refused_with_the_reason(
    staff_client, shop, data, message
):
    draft = new_draft(staff_client)
    add(staff_client, draft, shop.mug)
    (item,) = reload(draft.id).items
    before = version_of(draft.id)
    response = post(staff_client, draft, f"/items/{item.id}", data)
    assert response.status_code == 422
    saved = reload(draft.id)
    (item,) = saved.items
    assert (item.quantity, item.unit_price, item.is_custom_price) == (1, Decimal("22.00"), False)
    assert (saved.lock_version, saved.total) == (before, Decimal("24.20"))
    # the reason is shown, in the message line or next to the line's fields
    assert message in text(response), f"the builder only says: {message_of(response)!r}"


@pytest.mark.parametrize(
    ("typed", "reason"),
    [("0", "At least 1; remove the line instead."), ("-1", "At least 1; remove the line instead."),
     ("2.5", "Must be a whole number written with the digits 0-9.")],
)  # fmt: skip
def test_a_refused_quantity_shows_the_line_as_it_stays_with_the_reason_beside_it(
    staff_client, shop, typed, reason
):
    draft = new_draft(staff_client)
    add(staff_client, draft, shop.mug)
    (item,) = reload(draft.id).items

    response = post(staff_client, draft, f"/items/{item.id}",
                    {"quantity": typed, "unit_price": "22.00"})  # fmt: skip

    assert response.status_code == 422
    html = text(response)
    # the message names the line and what it still charges, and quotes what was typed
    assert message_of(response) == f"Stoneware Mug stays at 1 × $22.00. Qty “{typed}”: {reason}"
    # the line's inputs show its true figures, described by the reason beside them
    problem = f'<p class="field-error" id="line-problem-{item.id}">Qty “{typed}”: {reason}</p>'
    assert markup.unescape(html).count(problem) == 1
    assert re.search(rf'<input id="qty-{item.id}" [^>]*value="1"[^>]*'
                     rf'aria-describedby="line-problem-{item.id}"', html)  # fmt: skip
    assert reload(draft.id).items[0].quantity == 1


def test_removing_a_catalogue_line(staff_client, shop):
    draft = new_draft(staff_client)
    add(staff_client, draft, shop.mug)
    add(staff_client, draft, shop.tea)
    mug = reload(draft.id).items[0]
    response = post(staff_client, draft, f"/items/{mug.id}/remove", {})
    assert response.status_code == 200
    assert "Stoneware Mug" not in text(response) and "Green Tea" in text(response)
    assert [i.sku for i in reload(draft.id).items] == ["TEA-100"]


# --- Region changes ------------------------------------------------------------------------


def test_a_region_change_reprices_catalogue_lines_in_the_new_currency_and_retaxes_them(
    staff_client, shop
):
    draft = new_draft(staff_client)
    add(staff_client, draft, shop.mug)
    add(staff_client, draft, shop.tea)
    post(staff_client, draft, "/items", {"title": "Gift wrap", "unit_price": "3.00",
                                         "quantity": "1"})  # fmt: skip
    response = post(staff_client, draft, "/region", {"region": shop.de.id})
    assert response.status_code == 200
    html = text(response)
    saved = reload(draft.id)
    assert (saved.currency_code, saved.region_id) == ("EUR", shop.de.id)
    mug, tea, wrap = saved.items
    assert (mug.unit_price, tea.unit_price) == (Decimal("19.50"), Decimal("7.95"))
    assert [(t.code, t.rate) for t in mug.tax_lines] == [("TAX", Decimal("19"))]
    assert [(t.code, t.rate) for t in tea.tax_lines] == [("FOOD", Decimal("7"))]
    # the custom line keeps its amount; every line takes the region's price style (tax
    # included), so each costs its price: the tax is taken out of it
    assert (wrap.unit_price, wrap.is_tax_inclusive) == (Decimal("3.00"), True)
    assert [(t.code, t.rate) for t in wrap.tax_lines] == [("TAX", Decimal("19"))]
    assert mug.is_tax_inclusive and tea.is_tax_inclusive
    expected = Decimal("19.50") + Decimal("7.95") + Decimal("3.00")
    assert saved.total == saved.totals.total == expected
    assert f'id="price-{mug.id}" name="unit_price" form="line-form-{mug.id}" value="19.50"' in html
    mug_tax = cents(Decimal("19.50") - Decimal("19.50") / Decimal("1.19"))
    tea_tax = cents(Decimal("7.95") - Decimal("7.95") / Decimal("1.07"))
    assert f"TAX 19 %: €{mug_tax}" in html and f"FOOD 7 %: €{tea_tax}" in html
    assert total_row(html, "Total") == f"€{expected}"
    # The heading names the draft's currency too, and it is among the parts swapped in.
    heading = re.search(r'id="draft-heading".*?<div class="statuses">(.*?)</div>', html, re.S)
    assert heading and "<span>EUR</span>" in heading.group(1)


def test_a_region_change_is_refused_when_a_line_has_no_price_there(staff_client, shop):
    draft = new_draft(staff_client)
    post(staff_client, draft, "/region", {"region": shop.de.id})
    add(staff_client, draft, shop.mug)
    add(staff_client, draft, shop.poster)
    before = reload(draft.id)
    version, total = before.lock_version, before.total
    response = post(staff_client, draft, "/region", {"region": shop.us.id})
    assert response.status_code == 422
    assert message_of(response) == "Berlin Poster has no price in USD; remove it first."
    saved = reload(draft.id)
    assert (saved.currency_code, saved.region_id) == ("EUR", shop.de.id)
    assert [(i.sku, i.unit_price) for i in saved.items] == [
        ("MUG-1", Decimal("19.50")), ("POSTER-1", Decimal("15.00")),
    ]  # fmt: skip
    assert (saved.lock_version, saved.total) == (version, total)


def test_a_region_change_removes_the_shipping_method(staff_client, shop):
    draft = new_draft(staff_client)
    add(staff_client, draft, shop.mug)
    post(staff_client, draft, "/shipping", {"option_id": shop.standard.id})
    assert len(reload(draft.id).shipping_methods) == 1
    response = post(staff_client, draft, "/region", {"region": shop.de.id})
    assert response.status_code == 200
    html = text(response)
    saved = reload(draft.id)
    assert saved.shipping_methods == []
    assert saved.totals.shipping_total == 0
    assert "Standard:" not in html
    # the German options are offered now
    assert f'<option value="{shop.dhl.id}">DHL · €4.90</option>' in html


# --- Shipping options ----------------------------------------------------------------------


def test_choosing_a_shipping_option_adds_it_taxed_at_the_regions_default_rate(staff_client, shop):
    draft = new_draft(staff_client)
    add(staff_client, draft, shop.tea)  # food: 5 %, which must not tax the shipping
    response = post(staff_client, draft, "/shipping", {"option_id": shop.standard.id})
    assert response.status_code == 200
    html = text(response)
    saved = reload(draft.id)
    (method,) = saved.shipping_methods
    assert (method.name, method.amount, method.shipping_option_id) == (
        "Standard", Decimal("5.99"), shop.standard.id,
    )  # fmt: skip
    assert [(t.code, t.rate) for t in method.tax_lines] == [("TAX", Decimal("10"))]
    assert saved.totals.shipping_total == Decimal("5.99") + Decimal("0.60")
    assert "Standard: $5.99" in html and "TAX 10 %: $0.60" in html
    assert total_row(html, "Shipping total") == "$6.59"
    assert f'<option value="{shop.standard.id}" selected>' in html


def test_choosing_another_option_replaces_the_first_and_none_removes_it(staff_client, shop):
    draft = new_draft(staff_client)
    add(staff_client, draft, shop.mug)
    post(staff_client, draft, "/shipping", {"option_id": shop.standard.id})
    post(staff_client, draft, "/shipping", {"option_id": shop.express.id})
    assert [m.name for m in reload(draft.id).shipping_methods] == ["Express"]
    response = post(staff_client, draft, "/shipping", {"option_id": ""})
    assert response.status_code == 200
    saved = reload(draft.id)
    assert saved.shipping_methods == [] and saved.total == Decimal("24.20")


@pytest.mark.parametrize("which", ["dhl", "retired"])
def test_an_option_of_another_region_or_an_inactive_one_is_refused(staff_client, shop, which):
    draft = new_draft(staff_client)
    add(staff_client, draft, shop.mug)
    post(staff_client, draft, "/shipping", {"option_id": shop.standard.id})
    before = reload(draft.id)
    version, total = before.lock_version, before.total
    response = post(staff_client, draft, "/shipping", {"option_id": getattr(shop, which).id})
    assert response.status_code == 422
    assert message_of(response) == "That shipping option is not offered in this region."
    saved = reload(draft.id)
    assert [m.name for m in saved.shipping_methods] == ["Standard"]
    assert (saved.lock_version, saved.total) == (version, total)


def test_inactive_options_are_not_offered(staff_client, shop):
    draft = new_draft(staff_client)
    page = text(staff_client.get(f"/draft-orders/{draft.id}"))
    assert "Standard · $5.99" in page and "Express · $14.50" in page
    assert "Horse post" not in page and "DHL" not in page
