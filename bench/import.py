"""Benchmark of the order import API through the real HTTP stack (issue 12, points 5 and 6).

    DATABASE_URL=... .venv/bin/python bench/import.py [--orders 1000000] [--workers 2] [--clients 2]

Uses the configured database (``DATABASE_URL``, else the default SQLite file): upgrades its
schema, makes sure the demo store exists (regions, channels, locations), keeps plenty of stock
of every ``TRACKED_EVERY``-th catalogue product (so that their lines take reservations), adds
the member of staff of bench/pages.py and issues an API token (as ``flask --app app
create-api-token`` does). It plans ``--plans`` bodies of ``--batch`` orders of the demo
store's kind (``app.demo.plans``: 1-5 items with tax lines and promotions, shipping, payments;
60 % with an external id, 1 in 100 of those repeating one sent before), then serves the app on
a free loopback port, by gunicorn with the repository's settings and ``--workers`` workers (or
``--workers 0``: Werkzeug in this process), and has ``--clients`` clients post
``POST /api/v1/orders/import`` with those bodies in turn (each call's external ids its own)
until the database holds ``--orders`` orders.

It prints, per quarter of ``--orders`` held, the orders created per second (wall time), the
seconds per call (median and p95) and the SQL statements per call, then the whole run's rate.
"""

from __future__ import annotations

import argparse
import http.client
import json
import logging
import os
import random
import signal
import statistics
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import event, func, insert, select
from sqlalchemy.engine import make_url
from werkzeug.serving import make_server

sys.path.insert(0, str(Path(__file__).resolve().parent))

from pages import ensure_bench_user, p95  # noqa: E402
from serving import ROOT, free_port, wait_until_up  # noqa: E402

from app import create_app  # noqa: E402
from app.auth.models import ApiToken  # noqa: E402
from app.db_types import utcnow  # noqa: E402
from app.demo import ensure_store  # noqa: E402
from app.demo.catalogue import CATALOGUE, CHANNEL_WEIGHTS, variant_sku  # noqa: E402
from app.demo.plans import (  # noqa: E402
    ChargePlan,
    OrderPlan,
    order_times,
    plan_customers,
    plan_order,
    scenario_deck,
)
from app.extensions import db  # noqa: E402
from app.fulfillment.models import StockLocation  # noqa: E402
from app.inventory.models import InventoryLevel  # noqa: E402
from app.orders.models import Order  # noqa: E402

SEED = 1212
CUSTOMERS = 20_000
#: Every how many catalogue products has tracked stock (at every location, plenty).
TRACKED_EVERY = 4
TRACKED_STOCK = 1_000_000_000
#: Share of the orders sent with an external id; every ``REPEAT_EVERY``-th of those repeats one
#: sent in the batch before, and is answered "existing".
EXTERNAL_ID_SHARE = 0.6
REPEAT_EVERY = 100
IMPORT_URL = "/api/v1/orders/import"


# --- Orders to send --------------------------------------------------------------------------


def _charge_json(charge: ChargePlan, name_field: str) -> dict:
    line = {
        name_field: charge.title,
        "is_tax_inclusive": charge.is_tax_inclusive,
        "tax_lines": [{"code": t.code, "name": t.name, "rate": str(t.rate)}
                      for t in charge.tax_lines],
        "adjustments": [{"code": a.code, "amount": str(a.amount), "description": a.description}
                        for a in charge.adjustments],
    }  # fmt: skip
    if name_field == "title":
        line.update(sku=charge.sku, quantity=charge.quantity, unit_price=str(charge.unit_price))
    else:
        line["amount"] = str(charge.unit_price)
    return line


def order_json(plan: OrderPlan, external_id: str | None) -> dict:
    """The planned order as another system sends it to the import API: what the API takes
    (no fulfillments, refunds or gift cards; a payment captured or authorized)."""
    order = {
        "email": plan.customer.email,
        "currency_code": plan.currency,
        "region": plan.region,
        "sales_channel": plan.channel,
        "status": plan.status,
        "customer": {"first_name": plan.customer.first_name,
                     "last_name": plan.customer.last_name, "phone": plan.customer.phone},
        "shipping_address": asdict(plan.shipping_address),
        "billing_address": asdict(plan.billing_address),
        "items": [_charge_json(item, "title") for item in plan.items],
        "shipping_methods": [_charge_json(method, "name") for method in plan.shipping_methods],
        "credit_lines": [{"amount": str(amount), "reference": reference}
                         for amount, reference in plan.credit_lines],
        "payments": [{"amount": str(p.amount),
                      "status": "captured" if p.captures else "authorized"}
                     for p in plan.payments if p.canceled_at is None],
        "created_at": plan.created_at.isoformat(),
    }  # fmt: skip
    if plan.canceled_at is not None:
        order["canceled_at"] = plan.canceled_at.isoformat()
    if external_id is not None:
        order["external_id"] = external_id
    return order


#: Where a body names its call, and an earlier one, in its external ids.
THIS_CALL, EARLIER_CALL = "{call}", "{earlier call}"


def plan_bodies(count: int, batch: int, run: str, days: int) -> list[str]:
    """``count`` request bodies of ``batch`` orders each, of the demo store's kind, placed
    over the last ``days`` days; ``body(template, call)`` makes each call's own of them. About
    ``EXTERNAL_ID_SHARE`` of the orders have an external id, and every ``REPEAT_EVERY``-th
    of those is one an earlier call sent."""
    rng = random.Random(SEED)
    now = utcnow()
    customers = plan_customers(rng, CUSTOMERS)
    channels, weights = list(CHANNEL_WEIGHTS), list(CHANNEL_WEIGHTS.values())
    bodies = []
    for _ in range(count):
        times = order_times(rng, batch, now, days)
        deck = scenario_deck(rng, batch)
        orders = []
        for index in range(batch):
            plan = plan_order(rng, rng.choice(customers), rng.choices(channels, weights)[0],
                              deck[index], times[index], now, max_items=5)  # fmt: skip
            external_id = None
            if rng.random() < EXTERNAL_ID_SHARE:
                repeat = rng.randrange(REPEAT_EVERY) == 0
                external_id = f"{run}-{EARLIER_CALL if repeat else THIS_CALL}-{index}"
            orders.append(order_json(plan, external_id))
        bodies.append(json.dumps({"orders": orders}))
    return bodies


def body(template: str, call: int, back: int) -> bytes:
    """A planned body as call number ``call`` sends it: its external ids are its own, but for
    those that repeat one of the call ``back`` calls before (one that has ended, as a rule:
    a repeat of one under way waits for it, then is answered "existing" all the same)."""
    return template.replace(THIS_CALL, str(call)).replace(EARLIER_CALL, str(call - back)).encode()


# --- The store -------------------------------------------------------------------------------


def tracked_skus() -> list[str]:
    """The SKUs the benchmark keeps stock of: every ``TRACKED_EVERY``-th product's."""
    return [variant_sku(product.sku, variant)
            for product in CATALOGUE[::TRACKED_EVERY]
            for variant in (product.variants or ("",))]  # fmt: skip


def stock_tracked_skus() -> None:
    """Plenty of stock of the tracked SKUs at every location, where there is none yet."""
    have = set(db.session.execute(select(InventoryLevel.sku, InventoryLevel.location_id)))
    rows = [
        {"sku": sku, "location_id": location_id, "stocked": TRACKED_STOCK, "reserved": 0}
        for sku in tracked_skus()
        for location_id in db.session.scalars(select(StockLocation.id))
        if (sku, location_id) not in have
    ]
    if rows:
        db.session.execute(insert(InventoryLevel.__table__), rows)


def prepared_app() -> tuple[Flask, str]:
    """The app on the configured database, its schema upgraded and the demo store in place,
    with a member of staff and a new API token."""
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    os.environ.setdefault("SECRET_KEY", "bench-import")  # one process: any key will do
    app = create_app()
    # Delivering the outbox is the worker's work, not the import's.
    app.config["OUTBOX_DELIVERY"] = "worker"
    with app.app_context():
        url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
        print(f"Database: {url.render_as_string(hide_password=True)}")
        upgrade()
        ensure_store()
        stock_tracked_skus()
        ensure_bench_user()  # the app serves nothing until someone can log in
        api_token, token = ApiToken.issue("bench-import")
        db.session.add(api_token)
        db.session.commit()
    return app, token


def order_count() -> int:
    count = db.session.scalar(select(func.count()).select_from(Order))
    db.session.remove()
    return count


# --- Measuring -------------------------------------------------------------------------------


class Statements:
    """Wraps the WSGI app: each answer says in ``X-Statements`` how many SQL statements its
    request ran (counted per server thread: the server runs in this process, so an engine
    listener sees them)."""

    def __init__(self, app: Flask):
        self.counted = threading.local()
        with app.app_context():
            event.listen(db.engine, "before_cursor_execute", self._count)
        self.wsgi_app = app.wsgi_app
        app.wsgi_app = self

    def _count(self, *args: object) -> None:
        self.counted.statements = getattr(self.counted, "statements", 0) + 1

    def __call__(self, environ, start_response):
        self.counted.statements = 0

        def start(status, headers, exc_info=None):
            headers.append(("X-Statements", str(self.counted.statements)))
            return start_response(status, headers, exc_info)

        return self.wsgi_app(environ, start)


def counted_app() -> Flask:
    """The app as gunicorn's workers serve it here (``import:counted_app()``), each answer
    saying its statements."""
    app = create_app()
    Statements(app)
    return app


@contextmanager
def serving(app: Flask, workers: int):
    """The port of the app served on loopback: by gunicorn with the repository's settings and
    ``workers`` workers, or with ``workers`` 0 by Werkzeug (threaded) in this process."""
    if not workers:
        Statements(app)
        server = make_server("127.0.0.1", 0, app, threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            yield server.server_port
        finally:
            server.shutdown()
        return
    port = free_port()
    env = {**os.environ, "PORT": str(port), "WEB_CONCURRENCY": str(workers),
           "OUTBOX_DELIVERY": "worker", "PYTHONPATH": os.pathsep.join(sys.path)}  # fmt: skip
    server = subprocess.Popen(
        [Path(sys.executable).parent / "gunicorn", "-c", "python:app.serving", "--chdir",
         str(ROOT / "bench"), "--access-logfile", "/dev/null", "import:counted_app()"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        wait_until_up(port, server)
        yield port
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)


@dataclass(frozen=True)
class Call:
    held_before: int
    created: int
    started: float
    ended: float
    statements: int

    @property
    def seconds(self) -> float:
        return self.ended - self.started


def post(port: int, token: str, body: bytes) -> tuple[list[dict], float, float, int]:
    """The results of one import call, when it started and ended, and its SQL statements."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    started = time.perf_counter()
    connection.request("POST", IMPORT_URL, body=body, headers={
        "Authorization": f"Bearer {token}", "Content-Type": "application/json"})  # fmt: skip
    response = connection.getresponse()
    data = response.read()
    ended = time.perf_counter()
    connection.close()
    if response.status != 201:
        raise SystemExit(f"The import answered {response.status}: {data[:1000]!r}")
    return json.loads(data)["results"], started, ended, int(response.headers["X-Statements"])


class Importer:
    """Clients posting the planned bodies, each its own call, until ``target`` orders are
    held (calls already under way then finish)."""

    def __init__(self, port: int, token: str, templates: list[str], held: int, target: int,
                 clients: int):  # fmt: skip
        self.port, self.token, self.templates, self.clients = port, token, templates, clients
        self.held, self.target = held, target
        self.calls: list[Call] = []
        self.sent = 0
        self.lock = threading.Lock()
        self.failure: BaseException | None = None

    def run(self) -> None:
        while True:
            with self.lock:
                if self.held >= self.target or self.failure:
                    return
                call = self.sent
                self.sent += 1
            try:
                results, started, ended, statements = post(
                    self.port, self.token,
                    body(self.templates[call % len(self.templates)], call, 2 * self.clients))
            except BaseException as error:  # noqa: BLE001  (the main thread reports it)
                self.failure = error
                return
            created = sum(1 for r in results if r["status"] == "created")
            with self.lock:
                self.calls.append(Call(self.held, created, started, ended, statements))
                self.held += created
                if len(self.calls) % 50 == 0:
                    print(f"  {self.held:,} orders held")


def slice_edges(start: int, target: int) -> list[int]:
    """Where slices of the run begin: every quarter of ``target`` orders held."""
    quarter = max(target // 4, 1)
    edges = [start] + [edge for edge in range(quarter, target, quarter) if edge > start]
    return edges + [target]


def print_table(calls: list[Call], edges: list[int]) -> None:
    print(f"\n{'orders held':>23}  {'calls':>5}  {'orders/s':>8}  {'p50 s':>6}  {'p95 s':>6}  "
          f"{'SQL/call':>8}")  # fmt: skip
    for low, high in zip(edges, edges[1:], strict=False):
        part = [c for c in calls if low <= c.held_before < high]
        if part:
            print(_row(f"{low:,} - {high:,}", part))
    print(_row("all", calls))


def _row(name: str, calls: list[Call]) -> str:
    """Orders created per second of wall time over the calls, and the seconds per call."""
    seconds = [c.seconds for c in calls]
    statements = sorted({c.statements for c in calls})
    counted = (str(statements[0]) if len(statements) == 1
               else f"{statements[0]}-{statements[-1]}")  # fmt: skip
    rate = sum(c.created for c in calls) / (max(c.ended for c in calls)
                                            - min(c.started for c in calls))  # fmt: skip
    return (f"{name:>23}  {len(calls):>5}  {rate:>8,.0f}  {statistics.median(seconds):>6.3f}  "
            f"{p95(seconds):>6.3f}  {counted:>8}")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=100_000, help="orders to have (fills up)")
    parser.add_argument("--batch", type=int, default=1000, help="orders per call")
    parser.add_argument("--clients", type=int, default=2, help="calls under way at once")
    parser.add_argument("--workers", type=int, default=2,
                        help="gunicorn workers; 0 serves with Werkzeug in this process")
    parser.add_argument("--plans", type=int, default=20, help="bodies planned, sent in turn")
    parser.add_argument("--days", type=int, default=365,
                        help="the orders were placed over the last DAYS days")
    args = parser.parse_args()
    app, token = prepared_app()
    with app.app_context():
        held = order_count()
    if held >= args.orders:
        raise SystemExit(f"The database holds {held:,} orders already; nothing to import.")
    print(f"Planning {args.plans} bodies of {args.batch:,} orders to send in turn.")
    templates = plan_bodies(args.plans, args.batch, f"bench-{int(time.time())}", args.days)
    print(f"{held:,} orders held; importing up to {args.orders:,} in calls of "
          f"{args.batch:,} orders, {args.clients} at once, served by "
          f"{f'gunicorn with {args.workers} workers' if args.workers else 'Werkzeug'}.")
    with serving(app, args.workers) as port:
        importer = Importer(port, token, templates, held, args.orders, args.clients)
        clients = [threading.Thread(target=importer.run) for _ in range(args.clients)]
        started = time.perf_counter()
        for client in clients:
            client.start()
        for client in clients:
            client.join()
        wall = time.perf_counter() - started
    if importer.failure:
        raise importer.failure
    print_table(sorted(importer.calls, key=lambda c: c.started), slice_edges(held, args.orders))
    created = sum(c.created for c in importer.calls)
    print(f"\n{created:,} orders created in {len(importer.calls):,} calls and {wall:.0f} s: "
          f"{created / wall:,.0f} orders/s.")


if __name__ == "__main__":
    main()
