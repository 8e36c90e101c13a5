import pytest
from sqlalchemy import select

from app.auth.models import ApiToken
from app.db_types import utcnow
from app.events.models import OrderEvent
from app.extensions import db
from app.payments.models import Capture
from tests.api.helpers import IMPORT_URL, order_count, order_payload


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer "},
        {"Authorization": "Bearer odk_not-a-token-we-issued"},
        {"Authorization": "Basic dXNlcjpwYXNz"},
    ],
    ids=["no header", "empty token", "unknown token", "basic auth"],
)
def test_requests_without_a_live_token_are_refused(client, headers):
    for response in (
        client.get("/api/v1/orders", headers=headers),
        client.get("/api/v1/orders/1", headers=headers),
        client.post(IMPORT_URL, json={"orders": [order_payload()]}, headers=headers),
    ):
        assert response.status_code == 401
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
        assert response.get_json()["message"]
    assert order_count() == 0


def test_a_revoked_token_is_refused(client, api_headers):
    token = db.session.scalar(select(ApiToken))
    token.revoked_at = utcnow()
    db.session.commit()
    response = client.post(IMPORT_URL, json={"orders": [order_payload()]}, headers=api_headers)
    assert response.status_code == 401
    assert "revoked" in response.get_json()["message"]
    assert order_count() == 0


def test_the_scheme_is_not_case_sensitive(client, api_headers):
    token = api_headers["Authorization"].split(" ", 1)[1]
    response = client.get("/api/v1/orders", headers={"Authorization": f"bearer {token}"})
    assert response.status_code == 200


def test_the_timeline_and_captures_name_the_token_that_imported_the_order(import_orders):
    assert import_orders(order_payload()).status_code == 201
    event = db.session.scalar(select(OrderEvent))
    assert (event.event_type, event.actor) == ("order.placed", "api:test-system")
    assert db.session.scalar(select(Capture)).created_by == "api:test-system"
