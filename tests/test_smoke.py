from datetime import timedelta

from app.db_types import utcnow
from app.events.outbox import OutboxEvent
from app.extensions import db
from app.orders.models import Counter


def test_healthz_answers_after_a_database_round_trip(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {
        "status": "ok", "database": "ok",
        "outbox": {"status": "ok", "due": 0, "oldest_due_seconds": 0.0},
    }  # fmt: skip
    assert client.get("/healthz/outbox").status_code == 200


def outbox_event(waited: timedelta, delivered: bool = False) -> None:
    now = utcnow()
    db.session.add(OutboxEvent(event_type="order.placed", subscriber="customer-email",
                               payload={}, created_at=now - waited,
                               next_attempt_at=now - waited,
                               delivered_at=now if delivered else None))  # fmt: skip
    db.session.commit()


def test_an_outbox_left_waiting_is_reported_without_failing_the_load_balancers_check(client):
    outbox_event(timedelta(hours=2), delivered=True)
    outbox_event(timedelta(seconds=30))
    assert client.get("/healthz").get_json()["outbox"]["status"] == "ok"

    outbox_event(timedelta(minutes=10))
    response = client.get("/healthz")
    assert response.status_code == 200
    outbox = response.get_json()["outbox"]
    assert (outbox["status"], outbox["due"]) == ("lagging", 2)
    assert 600 <= outbox["oldest_due_seconds"] < 660
    lagging = client.get("/healthz/outbox")
    assert lagging.status_code == 503 and lagging.get_json() == outbox


def test_migrations_seed_the_display_id_counter(app):
    assert db.session.get(Counter, "order_display_id").value == 1000
