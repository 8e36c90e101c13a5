"""Checks every request passes before a view reads it."""

import pytest

from app.events.models import OrderEvent
from app.extensions import db
from tests.factories import make_order


def test_a_note_with_a_nul_character_is_refused_and_nothing_is_saved(staff_client):
    order = make_order()
    events_before = db.session.query(OrderEvent).count()
    response = staff_client.post(f"/orders/{order.id}/notes", data={"text": "gift\x00wrap"})
    assert response.status_code == 400
    assert "holds a NUL character" in response.get_data(as_text=True)
    assert db.session.query(OrderEvent).count() == events_before


@pytest.mark.parametrize("path", ["/orders?q=a%00b", "/draft-orders?q=%00", "/orders?%00=1"])
def test_a_query_argument_with_a_nul_character_is_refused(staff_client, path):
    assert staff_client.get(path).status_code == 400


def test_the_api_answers_a_nul_character_in_json(client, api_headers):
    response = client.get("/api/v1/orders?q=%00", headers=api_headers)
    assert response.status_code == 400
    body = response.get_json()
    assert "NUL character" in body["message"]
    assert [error["field"] for error in body["errors"]] == ["q"]
