"""The order API's figures against reference orders worked out by hand from the formulas of
DESIGN.md section 3: tax on the discounted net price, rounded half up per tax line; on a
tax-inclusive line the net price is the gross price / (1 + r)."""

from decimal import Decimal as D

from sqlalchemy import event

from app.extensions import db
from tests.api.helpers import order_payload, rounded
from tests.factories import make_region

CENT, YEN, FILS = "0.01", "1", "0.001"


def _import_and_read(import_orders, api_get, order: dict) -> dict:
    response = import_orders(order)
    assert response.status_code == 201, response.get_json()
    response = api_get(f"/api/v1/orders/{response.get_json()['results'][0]['id']}")
    assert response.status_code == 200
    return response.get_json()


def _strings(figures: dict, places: str) -> dict:
    """Expected figures as the API writes them: strings with the currency's decimals."""
    return {name: str(rounded(value, places)) for name, value in figures.items()}


def _line_figures(line: dict) -> dict:
    return {name: line[name] for name in (
        "subtotal", "discount_subtotal", "discount_total", "tax_total", "original_tax_total",
        "total", "original_total",
    )}  # fmt: skip


def test_usd_tax_exclusive_order_with_discounts_two_tax_lines_credit_and_payments(
    import_orders, api_get
):
    order = order_payload(
        items=[
            {"title": "Desk lamp", "quantity": 3, "unit_price": "19.99",
             "tax_lines": [{"code": "STATE", "rate": "6.25"}, {"code": "CITY", "rate": "1.5"}],
             "adjustments": [{"code": "LAMP5", "amount": "5.00"}]},
            {"title": "Bulb", "quantity": 2, "unit_price": "4.50",
             "tax_lines": [{"code": "STATE", "rate": "6.25"}, {"code": "CITY", "rate": "1.5"}]},
        ],
        shipping_methods=[{"name": "Ground", "amount": "7.00",
                           "tax_lines": [{"code": "STATE", "rate": "6.25"}],
                           "adjustments": [{"code": "SHIP2", "amount": "2.00"}]}],
        credit_lines=[{"amount": "3.00", "reference": "goodwill"}],
        payments=[{"amount": "50.00", "status": "captured"},
                  {"amount": "20.00", "status": "authorized"}],
    )  # fmt: skip
    detail = _import_and_read(import_orders, api_get, order)

    # Desk lamp: 3 × 19.99, less 5.00, taxed at 6.25 % and 1.5 % separately.
    lamp_subtotal = D("19.99") * 3
    lamp_taxes = [rounded((lamp_subtotal - D("5.00")) * D("6.25") / 100, CENT),
                  rounded((lamp_subtotal - D("5.00")) * D("1.5") / 100, CENT)]  # fmt: skip
    lamp_original_taxes = [rounded(lamp_subtotal * D("6.25") / 100, CENT),
                           rounded(lamp_subtotal * D("1.5") / 100, CENT)]  # fmt: skip
    lamp = {
        "subtotal": lamp_subtotal,
        "discount_subtotal": D("5.00"),
        "tax_total": sum(lamp_taxes),
        "original_tax_total": sum(lamp_original_taxes),
        "total": lamp_subtotal - D("5.00") + sum(lamp_taxes),
        "original_total": lamp_subtotal + sum(lamp_original_taxes),
        "discount_total": D("5.00") + sum(lamp_original_taxes) - sum(lamp_taxes),
    }
    # Bulb: 2 × 4.50, no discount; 1.5 % of 9.00 is 0.135, which rounds up to 0.14.
    bulb_subtotal = D("4.50") * 2
    bulb_taxes = [rounded(bulb_subtotal * D("6.25") / 100, CENT),
                  rounded(bulb_subtotal * D("1.5") / 100, CENT)]  # fmt: skip
    bulb = {
        "subtotal": bulb_subtotal,
        "discount_subtotal": D(0),
        "tax_total": sum(bulb_taxes),
        "original_tax_total": sum(bulb_taxes),
        "total": bulb_subtotal + sum(bulb_taxes),
        "original_total": bulb_subtotal + sum(bulb_taxes),
        "discount_total": D(0),
    }
    # Shipping: 7.00 less 2.00, taxed at 6.25 %.
    ship_tax = rounded((D("7.00") - D("2.00")) * D("6.25") / 100, CENT)
    ship_original_tax = rounded(D("7.00") * D("6.25") / 100, CENT)
    ship = {
        "subtotal": D("7.00"),
        "discount_subtotal": D("2.00"),
        "tax_total": ship_tax,
        "original_tax_total": ship_original_tax,
        "total": D("7.00") - D("2.00") + ship_tax,
        "original_total": D("7.00") + ship_original_tax,
        "discount_total": D("2.00") + ship_original_tax - ship_tax,
    }

    lamp_line, bulb_line = detail["items"]
    assert _line_figures(lamp_line) == _strings(lamp, CENT)
    assert _line_figures(bulb_line) == _strings(bulb, CENT)
    assert _line_figures(detail["shipping_methods"][0]) == _strings(ship, CENT)
    assert [(t["code"], t["rate"], t["amount"]) for t in lamp_line["tax_lines"]] == [
        ("STATE", "6.25", str(lamp_taxes[0])), ("CITY", "1.5", str(lamp_taxes[1])),
    ]  # fmt: skip
    assert [t["amount"] for t in bulb_line["tax_lines"]] == [str(t) for t in bulb_taxes]
    assert lamp_line["adjustments"] == [{"code": "LAMP5", "amount": "5.00", "description": ""}]
    assert lamp_line["unit_price"] == "19.99"

    total = lamp["total"] + bulb["total"] + ship["total"] - D("3.00")
    expected = {
        "item_subtotal": lamp["subtotal"] + bulb["subtotal"],
        "item_discount_total": lamp["discount_total"],
        "item_tax_total": lamp["tax_total"] + bulb["tax_total"],
        "item_total": lamp["total"] + bulb["total"],
        "original_item_total": lamp["original_total"] + bulb["original_total"],
        "shipping_subtotal": ship["subtotal"],
        "shipping_discount_total": ship["discount_total"],
        "shipping_tax_total": ship["tax_total"],
        "shipping_total": ship["total"],
        "original_shipping_total": ship["original_total"],
        "subtotal": lamp["subtotal"] + bulb["subtotal"],
        "discount_subtotal": D("5.00") + D("2.00"),
        "discount_tax_total": (lamp["original_tax_total"] - lamp["tax_total"])
        + (ship["original_tax_total"] - ship["tax_total"]),
        "discount_total": lamp["discount_total"] + ship["discount_total"],
        "gift_card_total": D(0),
        "gift_card_tax_total": D(0),
        "credit_line_total": D("3.00"),
        "tax_total": lamp["tax_total"] + bulb["tax_total"] + ship["tax_total"],
        "original_tax_total": lamp["original_tax_total"] + bulb["original_tax_total"]
        + ship["original_tax_total"],
        "total": total,
        "original_total": lamp["original_total"] + bulb["original_total"]
        + ship["original_total"],
        "paid_total": D("50.00"),
        "refunded_total": D(0),
        "refundable_amount": D("50.00"),
        "outstanding_amount": total - D("50.00"),
        "authorized_total": D("50.00") + D("20.00"),
    }  # fmt: skip
    assert {name: detail[name] for name in expected} == _strings(expected, CENT)
    assert detail["payment_status"] == "partially_captured"
    assert [(p["amount"], p["captured_amount"], p["refunded_amount"], p["status"])
            for p in detail["payments"]] == [
        ("50.00", "50.00", "0.00", "captured"), ("20.00", "0.00", "0.00", "authorized"),
    ]  # fmt: skip
    assert [(c["amount"], c["reference"]) for c in detail["credit_lines"]] == [
        ("3.00", "goodwill")
    ]


def test_eur_tax_inclusive_order_with_a_discount(import_orders, api_get):
    germany = make_region("Germany", "EUR", inclusive=True, rate="19")
    db.session.commit()
    order = order_payload(
        currency_code="eur",
        items=[{"title": "Kaffeemühle", "quantity": 2, "unit_price": "24.95",
                "is_tax_inclusive": True, "tax_lines": [{"code": "VAT", "rate": 19}],
                "adjustments": [{"code": "WELCOME5", "amount": 5}]}],
        shipping_methods=[{"name": "DHL", "amount": "4.90", "is_tax_inclusive": True,
                           "tax_lines": [{"code": "VAT", "rate": 19}]}],
        payments=[{"amount": "48.85", "status": "captured"}],
    )  # fmt: skip
    detail = _import_and_read(import_orders, api_get, order)

    # 2 × 24.95 includes 19 % VAT: net 49.90 / 1.19. The rounded tax comes out of the gross
    # price; the discount (without tax) comes off the exact net price before taxing.
    gross = D("24.95") * 2
    net = gross * 100 / 119
    original_tax = rounded(net * 19 / 100, CENT)
    tax = rounded((net - 5) * 19 / 100, CENT)
    grinder = {
        "subtotal": gross - original_tax,
        "discount_subtotal": D(5),
        "tax_total": tax,
        "original_tax_total": original_tax,
        "total": gross - original_tax - 5 + tax,
        "original_total": gross,
        "discount_total": 5 + original_tax - tax,
    }
    ship_tax = rounded(D("4.90") * 100 / 119 * 19 / 100, CENT)
    ship = {
        "subtotal": D("4.90") - ship_tax,
        "discount_subtotal": D(0),
        "tax_total": ship_tax,
        "original_tax_total": ship_tax,
        "total": D("4.90"),
        "original_total": D("4.90"),
        "discount_total": D(0),
    }
    assert _line_figures(detail["items"][0]) == _strings(grinder, CENT)
    assert _line_figures(detail["shipping_methods"][0]) == _strings(ship, CENT)
    total = grinder["total"] + ship["total"]
    expected = {
        "subtotal": grinder["subtotal"],
        "item_total": grinder["total"],
        "shipping_total": ship["total"],
        "tax_total": tax + ship_tax,
        "discount_total": grinder["discount_total"],
        "total": total,
        "original_total": gross + D("4.90"),
        "paid_total": D("48.85"),
        "outstanding_amount": total - D("48.85"),
    }
    assert {name: detail[name] for name in expected} == _strings(expected, CENT)
    assert detail["outstanding_amount"] == "0.00"  # the 48.85 paid is exactly the total
    assert detail["payment_status"] == "captured"
    assert detail["region"] == {"id": germany.id, "name": "Germany"}
    assert detail["currency_code"] == "EUR"


def test_jpy_order_has_no_decimals(import_orders, api_get):
    japan = make_region("Japan", "JPY", rate="10")
    db.session.commit()
    order = order_payload(
        currency_code="JPY",
        items=[{"title": "Matcha", "quantity": 3, "unit_price": 1980,
                "tax_lines": [{"code": "CT", "rate": 8}],
                "adjustments": [{"code": "SPRING", "amount": 500}]}],
        shipping_methods=[{"name": "Yamato", "amount": 770,
                           "tax_lines": [{"code": "CT", "rate": 10}]}],
        payments=[{"amount": 6000, "status": "authorized"}],
    )  # fmt: skip
    detail = _import_and_read(import_orders, api_get, order)

    subtotal = D(1980) * 3
    tax = rounded((subtotal - 500) * 8 / 100, YEN)  # 435.2 → 435
    original_tax = rounded(subtotal * 8 / 100, YEN)  # 475.2 → 475
    ship_tax = rounded(D(770) * 10 / 100, YEN)
    total = subtotal - 500 + tax + 770 + ship_tax
    assert detail["items"][0]["tax_lines"][0]["amount"] == str(tax)
    expected = {
        "item_subtotal": subtotal,
        "item_tax_total": tax,
        "item_discount_total": 500 + original_tax - tax,
        "shipping_total": 770 + ship_tax,
        "tax_total": tax + ship_tax,
        "total": total,
        "authorized_total": D(6000),
        "paid_total": D(0),
        "outstanding_amount": total,
    }
    assert {name: detail[name] for name in expected} == _strings(expected, YEN)
    assert "." not in detail["total"]
    assert detail["payment_status"] == "authorized"
    assert detail["region"]["id"] == japan.id  # the only region in yen


def test_kwd_order_keeps_three_decimals(import_orders, api_get):
    order = order_payload(
        currency_code="KWD",
        items=[{"title": "Dates", "quantity": 2, "unit_price": "12.345",
                "tax_lines": [{"code": "VAT", "rate": 5}]}],
        shipping_methods=[{"name": "Courier", "amount": "1.5"}],
        credit_lines=[{"amount": "0.500", "reference": "loyalty"}],
        payments=[{"amount": "10", "status": "captured"}],
    )  # fmt: skip
    detail = _import_and_read(import_orders, api_get, order)

    subtotal = D("12.345") * 2
    tax = rounded(subtotal * 5 / 100, FILS)  # 1.2345 rounds half up to 1.235
    total = subtotal + tax + D("1.5") - D("0.5")
    expected = {
        "item_subtotal": subtotal,
        "item_tax_total": tax,
        "shipping_total": D("1.5"),
        "credit_line_total": D("0.5"),
        "total": total,
        "paid_total": D(10),
        "refundable_amount": D(10),
        "outstanding_amount": total - 10,
    }
    assert {name: detail[name] for name in expected} == _strings(expected, FILS)
    assert detail["items"][0]["unit_price"] == "12.345"
    assert detail["shipping_methods"][0]["amount"] == "1.500"
    assert detail["payments"][0]["amount"] == "10.000"


def test_the_detail_shows_the_orders_own_fields(import_orders, api_get):
    detail = _import_and_read(import_orders, api_get, order_payload(metadata={"channel": "pos"}))
    assert detail["display_id"] == 1001
    assert (detail["status"], detail["fulfillment_status"], detail["version"]) == (
        "pending", "not_fulfilled", 1
    )
    assert detail["email"] == "ada@example.com"
    assert detail["external_id"] == "shop-1001"
    assert detail["sales_channel"]["name"] == "Default Sales Channel"
    assert detail["customer"]["first_name"] == "Ada"
    assert detail["shipping_address"]["city"] == "Springfield"
    assert detail["shipping_address"]["country_code"] == "us"
    assert detail["billing_address"] is None
    assert detail["metadata"] == {"channel": "pos"}
    assert detail["canceled_at"] is None
    assert detail["created_at"].endswith("+00:00")


def test_reading_an_order_takes_the_same_queries_however_large_it_is(import_orders, api_get):
    small = order_payload(external_id="small")
    large = order_payload(
        external_id="large",
        items=[{"title": f"Item {n}", "quantity": 1, "unit_price": "1.00",
                "tax_lines": [{"code": "A", "rate": 5}, {"code": "B", "rate": 2}],
                "adjustments": [{"amount": "0.10"}]} for n in range(8)],
        shipping_methods=[{"name": "Ground", "amount": 5}, {"name": "Air", "amount": 9}],
        credit_lines=[{"amount": "1.00"}, {"amount": "2.00"}],
        payments=[{"amount": 1, "status": "captured"}, {"amount": 2, "status": "authorized"}],
    )  # fmt: skip
    ids = [r["id"] for r in import_orders(small, large).get_json()["results"]]

    def queries_to_read(order_id: int) -> int:
        statements = []

        def count(*_):
            statements.append(1)

        event.listen(db.engine, "before_cursor_execute", count)
        try:
            assert api_get(f"/api/v1/orders/{order_id}").status_code == 200
        finally:
            event.remove(db.engine, "before_cursor_execute", count)
        return len(statements)

    assert queries_to_read(ids[0]) == queries_to_read(ids[1])
