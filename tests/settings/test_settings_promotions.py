"""Promotions in the settings: create, edit, list and every refusal."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from app.catalog.models import Promotion, PromotionTarget, PromotionType
from app.extensions import db
from tests.catalog.factories_catalog import make_promotion


def _data(**changes) -> dict:
    data = {
        "code": "summer5", "description": "Summer sale", "type": "fixed", "value": "5.00",
        "currency_code": "usd", "target": "items", "min_subtotal": "20.00",
        "starts_at": "2026-06-01T00:00", "ends_at": "2026-09-01T00:00", "usage_limit": "100",
        "is_active": "y",
    }  # fmt: skip
    data.update(changes)
    return data


def test_creating_a_promotion_stores_the_code_in_capitals(staff_client):
    response = staff_client.post("/settings/promotions/new", data=_data())

    assert response.status_code == 302
    promotion = db.session.scalars(select(Promotion)).one()
    assert promotion.code == "SUMMER5"
    assert promotion.type == PromotionType.FIXED
    assert promotion.target == PromotionTarget.ITEMS
    assert (promotion.value, promotion.currency_code, promotion.min_subtotal) == (
        Decimal(5),
        "USD",
        Decimal(20),
    )
    assert promotion.starts_at == datetime(2026, 6, 1, tzinfo=UTC)
    assert promotion.ends_at == datetime(2026, 9, 1, tzinfo=UTC)
    assert (promotion.usage_limit, promotion.usage_count, promotion.is_active) == (100, 0, True)
    listing = staff_client.get("/settings/promotions").get_data(as_text=True)
    assert "SUMMER5" in listing and "$5.00 off items" in listing


def test_a_percentage_without_currency_works_in_every_currency(staff_client):
    response = staff_client.post(
        "/settings/promotions/new",
        data=_data(type="percentage", value="15", currency_code="", min_subtotal="",
                   target="shipping", ends_at="", usage_limit=""),
    )  # fmt: skip

    assert response.status_code == 302
    promotion = db.session.scalars(select(Promotion)).one()
    assert (promotion.currency_code, promotion.ends_at, promotion.usage_limit) == (None, None, None)
    assert promotion.target == PromotionTarget.SHIPPING


def test_editing_a_promotion_keeps_its_usage_count(staff_client):
    promotion = make_promotion("SAVE10", usage_count=7)

    page = staff_client.get(f"/settings/promotions/{promotion.id}").get_data(as_text=True)
    response = staff_client.post(
        f"/settings/promotions/{promotion.id}",
        data=_data(code="SAVE10", type="percentage", value="12.5", currency_code="",
                   min_subtotal="", is_active=""),
    )  # fmt: skip

    assert 'value="SAVE10"' in page and "Used 7 times" in page
    assert response.status_code == 302
    db.session.expire_all()
    saved = db.session.get(Promotion, promotion.id)
    assert (saved.value, saved.usage_count, saved.is_active) == (Decimal("12.5"), 7, False)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"code": ""}, "Give the promotion a code."),
        ({"code": "SAVE 10"}, "Use letters, digits, - and _ only, without spaces."),
        ({"code": "taken"}, "Code TAKEN exists already."),
        ({"type": "percentage", "value": "101", "currency_code": ""},
         "A percentage cannot be over 100."),
        ({"value": "-5"}, "Must be more than zero."),
        ({"value": ""}, "Enter the percentage or the amount off."),
        ({"currency_code": ""}, "A fixed amount needs the currency it is in."),
        ({"type": "percentage", "value": "10", "currency_code": ""},
         "A minimum subtotal needs the currency it is in."),
        ({"currency_code": "ABC"}, "“ABC” is not a known currency code, such as USD."),
        ({"value": "5.001"}, "USD amounts have at most 2 decimals."),
        ({"min_subtotal": "-1"}, "Must be zero or more."),
        ({"ends_at": "2026-05-01T00:00"}, "The end must be after the start."),
        ({"starts_at": ""}, "Say when the code starts working."),
        ({"usage_limit": "0"}, "Must be 1 or more; leave it blank for no limit."),
    ],
)  # fmt: skip
def test_a_refused_promotion_says_why_next_to_the_field_and_saves_nothing(
    staff_client, changes, message
):
    make_promotion("TAKEN")

    response = staff_client.post("/settings/promotions/new", data=_data(**changes))

    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert f'<p class="field-error" role="alert">{message}</p>' in page
    assert db.session.scalar(select(func.count()).select_from(Promotion)) == 1


def test_an_unknown_promotion_is_not_found(staff_client):
    assert staff_client.get("/settings/promotions/42").status_code == 404


def test_a_new_promotion_starts_now_unless_told_otherwise(staff_client):
    page = staff_client.get("/settings/promotions/new").get_data(as_text=True)

    today = datetime.now(UTC).strftime("%Y-%m-%d")
    assert re.search(f'<input id="starts_at" [^>]*value="{today}T\\d\\d:\\d\\d"', page)
