"""How a request's transaction ends when its view did not end it: a request that only read
commits (so PostgreSQL keeps its prepared statements), one that wrote is rolled back, whatever
it returned, so nothing half-written is ever kept."""

from __future__ import annotations

import pytest
from flask import Blueprint
from sqlalchemy import event, func, select, update

from app import create_app
from app.customers.models import Customer
from app.extensions import db

probe = Blueprint("probe", __name__, url_prefix="/probe")


@probe.get("/read")
def read():
    return str(db.session.scalar(select(func.count()).select_from(Customer)))


@probe.post("/flush")
def flush_and_return():
    db.session.add(Customer(email="half@example.com", first_name="Half", last_name="Written"))
    db.session.flush()
    return "flushed, not committed"


@probe.post("/update")
def update_and_return():
    db.session.execute(update(Customer).values(first_name="Changed"))
    return "updated, not committed"


@probe.post("/fail")
def write_and_fail():
    db.session.add(Customer(email="failed@example.com", first_name="Never", last_name="Kept"))
    db.session.flush()
    raise RuntimeError("the view broke after writing")


@pytest.fixture
def probe_app(app):
    """An app of its own (routes cannot be added to one that has served requests) on the
    test database, with views that leave their transaction open; and how each one ended."""
    probed = create_app({
        "TESTING": True, "SECRET_KEY": "tests", "WTF_CSRF_ENABLED": False,
        "PROPAGATE_EXCEPTIONS": False,
        "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
    })  # fmt: skip
    probed.register_blueprint(probe)
    endings: list[str] = []
    with probed.app_context():
        engine = db.engine
    event.listen(engine, "commit", lambda conn: endings.append("commit"))
    event.listen(engine, "rollback", lambda conn: endings.append("rollback"))
    probed.endings = endings
    yield probed
    engine.dispose()


def customers() -> list[tuple[str, str]]:
    db.session.expire_all()
    return [(c.email, c.first_name) for c in db.session.scalars(select(Customer))]


def test_a_request_that_only_read_ends_with_a_commit(probe_app):
    db.session.add(Customer(email="ada@example.com", first_name="Ada", last_name="Lovelace"))
    db.session.commit()
    response = probe_app.test_client().get("/probe/read")
    assert response.get_data(as_text=True) == "1"
    assert probe_app.endings == ["commit"]


@pytest.mark.parametrize("path", ["/probe/flush", "/probe/update", "/probe/fail"])
def test_a_request_that_wrote_without_committing_keeps_nothing(probe_app, path):
    db.session.add(Customer(email="ada@example.com", first_name="Ada", last_name="Lovelace"))
    db.session.commit()
    response = probe_app.test_client().post(path)
    assert response.status_code == (500 if path == "/probe/fail" else 200)
    assert "commit" not in probe_app.endings
    assert customers() == [("ada@example.com", "Ada")]
