from app.orders.models import Counter


def test_healthz_answers_after_a_database_round_trip(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_migrations_seed_the_display_id_counter(app):
    from app.extensions import db

    assert db.session.get(Counter, "order_display_id").value == 1000
