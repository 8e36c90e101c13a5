"""Benchmark of order edits through the real HTTP stack (issue 10).

    .venv/bin/python bench/edits.py [--orders 100000] [--requests 100]

Uses the configured database (``DATABASE_URL``, else the default SQLite file), topped up to
``--orders`` orders as bench/pages.py does. For ``--requests`` different pending orders, one
after another, it stages an edit through the JSON API (one quantity up: the answer carries the
preview), reads the edit back, opens the staff edit page, and confirms the edit. It prints the
median and p95 time in the app and the SQL statements per request of each step.
"""

from __future__ import annotations

import argparse
import json
import random
import threading

# bench/pages.py: a script's own folder comes first on sys.path.
from pages import (
    BENCH_EMAIL,
    BENCH_PASSWORD,
    SEED,
    Client,
    Meter,
    Result,
    prepared_app,
    print_table,
)
from sqlalchemy import func, select
from werkzeug.serving import make_server

from app.auth.models import ApiToken
from app.changes.models import ChangeStatus, OrderChange
from app.extensions import db
from app.orders.models import Order, OrderStatus


class ApiClient(Client):
    """The benchmark's client, also speaking JSON with a bearer token."""

    token = ""

    def send(self, method: str, url: str, body: dict | None = None) -> tuple[int, dict, float]:
        """Status, the JSON answer and the milliseconds the client waited."""
        headers = {"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"}
        status, text, elapsed = self.request(
            method, url, headers=headers, body=None if body is None else json.dumps(body))
        return status, json.loads(text) if text else {}, elapsed


def candidates(count: int) -> list[tuple[int, int, int]]:
    """(order id, its first line's id, that line's quantity) of pending orders with no open
    change, drawn at random."""
    rows = db.session.execute(
        select(Order.id).where(Order.status == OrderStatus.PENDING,
                               ~Order.id.in_(select(OrderChange.order_id).where(
                                   OrderChange.status.in_([ChangeStatus.PENDING,
                                                           ChangeStatus.REQUESTED]))))
    ).scalars().all()  # fmt: skip
    chosen = random.Random(SEED).sample(list(rows), min(count, len(rows)))
    picked = []
    for order_id in chosen:
        order = db.session.get(Order, order_id)
        picked.append((order.id, order.items[0].id, order.items[0].quantity))
    return picked


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=100_000, help="orders to have (fills up)")
    parser.add_argument("--requests", type=int, default=100, help="orders edited, one each")
    parser.add_argument("--chunk", type=int, default=2000, help="orders per bulk insert")
    args = parser.parse_args()
    app = prepared_app(args.orders, args.chunk)
    with app.app_context():
        row, token = ApiToken.issue("bench-edits")
        db.session.add(row)
        db.session.commit()
        total = db.session.scalar(select(func.count()).select_from(Order))
        picked = candidates(args.requests)
        db.session.remove()
    meter = Meter(app)
    server = make_server("127.0.0.1", 0, app, threaded=False)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    steps = {name: ([], [], [], []) for name in ("stage (API, with preview)", "read the edit (API)",
                                                 "edit page (staff)", "confirm (API)")}
    try:
        client = ApiClient(server.server_port)
        client.token = token
        client.log_in(BENCH_EMAIL, BENCH_PASSWORD)
        print(f"Serving on 127.0.0.1:{server.server_port}; {total:,} orders; "
              f"{len(picked)} orders edited.")
        for order_id, item_id, quantity in picked:
            status, change, elapsed = client.send("POST", f"/api/v1/orders/{order_id}/edits", {
                "actions": [{"action": "ITEM_UPDATE", "item_id": item_id,
                             "quantity": quantity + 1}]})  # fmt: skip
            if status != 201:
                raise SystemExit(f"Staging an edit of order {order_id} answered {status}: {change}")
            _record(steps["stage (API, with preview)"], meter, elapsed)
            status, _, elapsed = client.send("GET", f"/api/v1/order-edits/{change['id']}")
            _record(steps["read the edit (API)"], meter, elapsed)
            _, elapsed = client.get(f"/orders/{order_id}/edit")
            _record(steps["edit page (staff)"], meter, elapsed)
            status, body, elapsed = client.send(
                "POST", f"/api/v1/order-edits/{change['id']}/confirm")
            if status != 200:
                raise SystemExit(f"Confirming edit {change['id']} answered {status}: {body}")
            _record(steps["confirm (API)"], meter, elapsed)
    finally:
        server.shutdown()
    print_table([Result(name, *figures, None) for name, figures in steps.items()])


def _record(figures, meter: Meter, elapsed: float) -> None:
    server_ms, count, sql_ms = meter.last
    for values, value in zip(figures, (server_ms, elapsed, count, sql_ms), strict=True):
        values.append(value)


if __name__ == "__main__":
    main()
