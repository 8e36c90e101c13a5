"""Benchmark of the staff pages through the real HTTP stack (issue 2, point 10).

    .venv/bin/python bench/pages.py [--orders 100000] [--requests 200] [--deep 50]

Uses the configured database (``DATABASE_URL``, else the default SQLite file) and fills it with
bulk inserts until it holds ``--orders`` orders. Then it serves the app with Werkzeug on a free
loopback port, logs in through the login form (CSRF on), and requests ``/healthz``, the order
list (first page, filtered, deep in the cursor chain) and order detail pages one after another.
It prints, per page, the median and p95 time spent in the app (server) and seen by the client,
and the SQL statements each request ran.
"""

from __future__ import annotations

import argparse
import http.client
import logging
import math
import random
import statistics
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from datetime import timedelta
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from urllib.parse import urlencode

from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import event, func, insert, select, text, update
from sqlalchemy.engine import make_url
from werkzeug.serving import make_server

from app import create_app
from app.auth.models import User
from app.customers.models import Address, Customer
from app.db_types import utcnow
from app.demo import ensure_store
from app.demo.catalogue import CHANNEL_WEIGHTS
from app.demo.plans import OrderPlan, order_times, plan_customers, plan_order, scenario_deck
from app.events.models import OrderEvent
from app.extensions import db
from app.orders.actions import DISPLAY_ID_COUNTER, take_display_ids
from app.orders.models import (
    Counter,
    CreditLine,
    LineItem,
    LineItemAdjustment,
    LineItemTaxLine,
    Order,
    ShippingMethod,
    ShippingMethodAdjustment,
    ShippingMethodTaxLine,
)
from app.payments.models import Capture, Payment, Refund

SEED = 2002
CUSTOMERS = 5000
DAYS = 365
BENCH_EMAIL = "bench@orderdesk.test"
BENCH_PASSWORD = "bench-pages-password"
#: Tables in the order their rows are inserted; parents first, since children name their ids.
INSERT_ORDER = (
    Address, Order, LineItem, LineItemTaxLine, LineItemAdjustment, ShippingMethod,
    ShippingMethodTaxLine, ShippingMethodAdjustment, CreditLine, Payment, Capture, Refund,
    OrderEvent,
)  # fmt: skip
#: Tables whose ids the fill hands out itself, so that children can refer to them.
PARENTS = (Address, Order, LineItem, ShippingMethod, Payment)


# --- Filling the database --------------------------------------------------------------------


class Batch:
    """Rows for one bulk insert per table; ids of parent rows are handed out ahead."""

    def __init__(self, next_ids: dict[str, int]):
        self.next_ids = next_ids
        self.rows: dict[str, list[dict]] = {model.__table__.name: [] for model in INSERT_ORDER}

    def add(self, model: type, **values: object) -> int | None:
        table = model.__table__.name
        if table in self.next_ids:
            values["id"] = self.next_ids[table]
            self.next_ids[table] += 1
        self.rows[table].append(values)
        return values.get("id")

    def insert(self) -> None:
        """One executemany ``INSERT`` per table."""
        for model in INSERT_ORDER:
            if rows := self.rows[model.__table__.name]:
                db.session.execute(insert(model.__table__), rows)


@dataclass(frozen=True)
class Refs:
    """Ids of the rows orders refer to."""

    customers: dict[str, int]
    regions: dict[str, int]
    channels: dict[str, int]


def _add_charges(batch: Batch, plan: OrderPlan, order_id: int) -> None:
    for item in plan.items:
        item_id = batch.add(
            LineItem, order_id=order_id, title=item.title, subtitle=item.subtitle, sku=item.sku,
            variant_id=None, thumbnail=item.thumbnail, unit_price=item.unit_price,
            quantity=item.quantity, is_tax_inclusive=item.is_tax_inclusive,
            fulfilled_quantity=item.fulfilled, shipped_quantity=item.shipped,
            delivered_quantity=item.delivered, return_requested_quantity=0, returned_quantity=0,
            written_off_quantity=0,
        )  # fmt: skip
        for t in item.tax_lines:
            batch.add(LineItemTaxLine, item_id=item_id, code=t.code, name=t.name, rate=t.rate)
        for a in item.adjustments:
            batch.add(LineItemAdjustment, item_id=item_id, code=a.code, amount=a.amount,
                      description=a.description, promotion_id=None)  # fmt: skip
    for method in plan.shipping_methods:
        method_id = batch.add(
            ShippingMethod, order_id=order_id, name=method.title, amount=method.unit_price,
            shipping_option_id=None, is_tax_inclusive=method.is_tax_inclusive,
        )  # fmt: skip
        for t in method.tax_lines:
            batch.add(ShippingMethodTaxLine, shipping_method_id=method_id, code=t.code,
                      name=t.name, rate=t.rate)  # fmt: skip
        for a in method.adjustments:
            batch.add(ShippingMethodAdjustment, shipping_method_id=method_id, code=a.code,
                      amount=a.amount, description=a.description, promotion_id=None)  # fmt: skip


def _add_money_and_events(batch: Batch, plan: OrderPlan, order_id: int) -> None:
    for amount, reference in plan.credit_lines:
        batch.add(CreditLine, order_id=order_id, amount=amount, reference=reference,
                  created_at=plan.created_at)  # fmt: skip
    for payment in plan.payments:
        payment_id = batch.add(
            Payment, order_id=order_id, provider_id="manual", currency_code=plan.currency,
            amount=payment.amount, created_at=payment.created_at, canceled_at=payment.canceled_at,
        )  # fmt: skip
        for amount, at in payment.captures:
            batch.add(Capture, payment_id=payment_id, amount=amount, created_by="system",
                      created_at=at)  # fmt: skip
        for refund in payment.refunds:
            batch.add(Refund, payment_id=payment_id, amount=refund.amount, reason=refund.reason,
                      note=refund.note, created_by="system", created_at=refund.at)  # fmt: skip
    for e in plan.events:
        batch.add(OrderEvent, order_id=order_id, event_type=e.event_type, actor=e.actor,
                  message=e.message, data=e.data, created_at=e.at)  # fmt: skip


def add_order(batch: Batch, plan: OrderPlan, display_id: int, refs: Refs) -> None:
    """Rows of one planned order, with its stored total and statuses worked out from the plan
    by the same pure functions the app uses."""
    shipping_id = batch.add(Address, **asdict(plan.shipping_address))
    billing_id = shipping_id
    if plan.billing_address != plan.shipping_address:
        billing_id = batch.add(Address, **asdict(plan.billing_address))
    order_id = batch.add(
        Order, display_id=display_id, status=plan.status, payment_status=plan.payment_status,
        fulfillment_status=plan.fulfillment_status, version=1, email=plan.customer.email,
        customer_id=refs.customers[plan.customer.email], region_id=refs.regions[plan.region],
        currency_code=plan.currency, sales_channel_id=refs.channels[plan.channel],
        shipping_address_id=shipping_id, billing_address_id=billing_id, no_notification=False,
        total=plan.totals.total, canceled_at=plan.canceled_at, created_at=plan.created_at,
        updated_at=plan.updated_at,
    )  # fmt: skip
    _add_charges(batch, plan, order_id)
    _add_money_and_events(batch, plan, order_id)


def _customer_ids(plans: Iterable) -> dict[str, int]:
    """Ids of the bench customers, inserting those that are missing."""
    plans = list(plans)
    emails = [p.email for p in plans]

    def existing() -> dict[str, int]:
        found = {}
        for start in range(0, len(emails), 1000):
            chunk = emails[start : start + 1000]
            rows = db.session.execute(
                select(Customer.email, Customer.id).where(Customer.email.in_(chunk))
            )
            found.update((email, customer_id) for email, customer_id in rows)
        return found

    ids = existing()
    since = utcnow() - timedelta(days=DAYS + 30)
    missing = [
        {"email": p.email, "first_name": p.first_name, "last_name": p.last_name,
         "phone": p.phone, "created_at": since}
        for p in plans if p.email not in ids
    ]  # fmt: skip
    if missing:
        db.session.execute(insert(Customer.__table__), missing)
        ids = existing()
    return ids


def _align_display_id_counter() -> None:
    # Orders written without the counter (by hand, by another tool) must not be given again.
    highest = db.session.scalar(select(func.max(Order.display_id))) or 0
    db.session.execute(
        update(Counter)
        .where(Counter.name == DISPLAY_ID_COUNTER, Counter.value < highest)
        .values(value=highest)
    )


def _reset_sequences() -> None:
    # Parent ids were handed out here, not by PostgreSQL's sequences; move them past those ids.
    if db.engine.dialect.name != "postgresql":
        return
    for model in PARENTS:
        table = model.__table__.name
        db.session.execute(text(
            f"SELECT setval(pg_get_serial_sequence('\"{table}\"', 'id'), "
            f"(SELECT COALESCE(MAX(id), 0) + 1 FROM \"{table}\"), false)"
        ))  # fmt: skip


def fill(target: int, chunk: int, say: Callable[[str], None]) -> None:
    """Add orders until there are ``target``, in bulk inserts of ``chunk`` orders."""
    existing = db.session.scalar(select(func.count()).select_from(Order))
    if existing >= target:
        say(f"The database holds {existing:,} orders; nothing to add.")
        return
    missing = target - existing
    say(f"The database holds {existing:,} orders; adding {missing:,}.")
    started = time.perf_counter()
    rng = random.Random(SEED)
    now = utcnow()
    store = ensure_store()
    customers = plan_customers(rng, CUSTOMERS)
    refs = Refs(
        customers=_customer_ids(customers),
        regions={name: region.id for name, region in store.regions.items()},
        channels={name: channel.id for name, channel in store.channels.items()},
    )
    _align_display_id_counter()
    db.session.commit()
    next_ids = {
        model.__table__.name: (db.session.scalar(select(func.max(model.id))) or 0) + 1
        for model in PARENTS
    }
    times = order_times(rng, missing, now, days=DAYS)
    deck = scenario_deck(rng, missing)
    channels, weights = list(CHANNEL_WEIGHTS), list(CHANNEL_WEIGHTS.values())
    for start in range(0, missing, chunk):
        indexes = range(start, min(start + chunk, missing))
        batch = Batch(next_ids)
        for display_id, index in zip(take_display_ids(len(indexes)), indexes, strict=True):
            channel = rng.choices(channels, weights=weights)[0]
            plan = plan_order(rng, rng.choice(customers), channel, deck[index], times[index],
                              now, max_items=4)  # fmt: skip
            add_order(batch, plan, display_id, refs)
        batch.insert()
        db.session.commit()
        elapsed = time.perf_counter() - started
        say(f"  {indexes.stop:,} of {missing:,} orders inserted ({elapsed:.0f} s)")
    _reset_sequences()
    db.session.commit()
    settle(say)
    say(f"Filled in {time.perf_counter() - started:.0f} s.")


def settle(say: Callable[[str], None]) -> None:
    """Leave the filled tables as a database that has been running a while would be: the
    planner's statistics updated and, on PostgreSQL, vacuumed, so that index-only scans find
    the pages marked all-visible rather than reading the table (autovacuum would, later)."""
    db.session.commit()
    if db.engine.dialect.name == "postgresql":
        say("Vacuuming and updating the planner's statistics (VACUUM ANALYZE).")
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE"))
    else:
        say("Updating the planner's statistics (ANALYZE).")
        db.session.execute(text("ANALYZE"))
        db.session.commit()


def ensure_bench_user() -> None:
    """The member of staff the benchmark logs in as."""
    user = db.session.scalar(select(User).where(User.email == BENCH_EMAIL))
    if user is None:
        user = User(email=BENCH_EMAIL, name="Benchmark")
        user.set_password(BENCH_PASSWORD)
        db.session.add(user)
        db.session.commit()


# --- Measuring -------------------------------------------------------------------------------


class Meter:
    """Wraps the WSGI app: the time each request spent in it, and the SQL statements it ran and
    the time they took (the server runs in this process, so engine listeners see them)."""

    def __init__(self, app: Flask):
        self.queries = 0
        self.sql_ms = 0.0
        self._sent = 0.0
        self.last: tuple[float, int, float] = (0.0, 0, 0.0)
        with app.app_context():
            event.listen(db.engine, "before_cursor_execute", self._before)
            event.listen(db.engine, "after_cursor_execute", self._after)
        self.wsgi_app = app.wsgi_app
        app.wsgi_app = self

    def _before(self, *args: object) -> None:
        self.queries += 1
        self._sent = time.perf_counter()

    def _after(self, *args: object) -> None:
        self.sql_ms += (time.perf_counter() - self._sent) * 1000

    def __call__(self, environ, start_response):
        self.queries, self.sql_ms = 0, 0.0
        started = time.perf_counter()
        response = self.wsgi_app(environ, start_response)
        try:
            body = b"".join(response)
        finally:
            if hasattr(response, "close"):
                response.close()
        self.last = ((time.perf_counter() - started) * 1000, self.queries, self.sql_ms)
        return [body]


class PageParser(HTMLParser):
    """What the benchmark needs from a page: the CSRF token, the next page, the order links."""

    def __init__(self, html: str):
        super().__init__()
        self.csrf_token: str | None = None
        self.next_url: str | None = None
        self.order_links: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        href = a.get("href") or ""
        if tag == "input" and a.get("name") == "csrf_token" and self.csrf_token is None:
            self.csrf_token = a.get("value")
        elif tag == "a" and a.get("rel") == "next":
            self.next_url = href
        elif tag == "a" and href.startswith("/orders/") and href.removeprefix("/orders/").isdigit():
            self.order_links.append(href)


class Client:
    """Plain HTTP/1.0 requests to the local server, keeping its cookies."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}

    #: Where the last answer redirected to.
    location = ""

    def request(self, method: str, url: str, form: dict | None = None,
                headers: dict[str, str] | None = None,
                body: str | None = None) -> tuple[int, str, float]:  # fmt: skip
        """Status, body and the milliseconds from sending the request to the last byte; the
        request's body is ``form`` encoded, or ``body`` as given."""
        headers = dict(headers or {})
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        started = time.perf_counter()
        connection.request(method, url, body=body, headers=headers)
        response = connection.getresponse()
        data = response.read()
        elapsed = (time.perf_counter() - started) * 1000
        self.location = response.headers.get("Location", "")
        connection.close()
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        return response.status, data.decode(), elapsed

    def get(self, url: str) -> tuple[str, float]:
        status, html, elapsed = self.request("GET", url)
        if status != 200:
            raise SystemExit(f"GET {url} answered {status}; expected 200.")
        return html, elapsed

    def log_in(self, email: str, password: str) -> None:
        """Log in through the form, with the CSRF token it carries."""
        html, _ = self.get("/login")
        token = PageParser(html).csrf_token
        if not token:
            raise SystemExit("The login page has no csrf_token field.")
        form = {"email": email, "password": password, "csrf_token": token}
        status, _, _ = self.request("POST", "/login", form)
        if status != 302:
            raise SystemExit(f"Logging in answered {status}; expected a redirect.")


@dataclass(frozen=True)
class Result:
    name: str
    server_ms: list[float]
    client_ms: list[float]
    queries: list[int]
    sql_ms: list[float]
    rows: int | None


def p95(values: list[float]) -> float:
    """The 95th percentile, nearest rank."""
    ordered = sorted(values)
    return ordered[math.ceil(0.95 * len(ordered)) - 1]


def measure(client: Client, meter: Meter, name: str, urls: list[str], warmup: int = 3) -> Result:
    """Request each URL in turn (after a few unrecorded warm-up requests)."""
    for url in urls[:warmup]:
        client.get(url)
    server, observed, queries, sql, rows = [], [], [], [], set()
    for url in urls:
        html, elapsed = client.get(url)
        server_ms, count, sql_ms = meter.last
        server.append(server_ms)
        observed.append(elapsed)
        queries.append(count)
        sql.append(sql_ms)
        if url.startswith("/orders?") or url == "/orders":
            rows.add(len(PageParser(html).order_links))
    return Result(name, server, observed, queries, sql, max(rows) if rows else None)


def deep_url(client: Client, pages: int, url: str = "/orders") -> str:
    """The URL of the list page reached by following "next" ``pages`` times from ``url``."""
    for _ in range(pages):
        html, _ = client.get(url)
        next_url = PageParser(html).next_url
        if next_url is None:
            raise SystemExit(f"The list ends before page {pages + 1}.")
        url = next_url
    return url


def print_table(results: list[Result]) -> None:
    header = (f"{'page':<34}{'n':>5}{'server median':>15}{'server p95':>12}"
              f"{'client median':>15}{'client p95':>12}{'SQL/request':>13}{'SQL median':>13}"
              f"{'rows':>6}")  # fmt: skip
    print()
    print(header)
    print("-" * len(header))
    for r in results:
        low, high = min(r.queries), max(r.queries)
        sql = str(low) if low == high else f"{low}-{high}"
        rows = "" if r.rows is None else str(r.rows)
        print(f"{r.name:<34}{len(r.server_ms):>5}{statistics.median(r.server_ms):>12.2f} ms"
              f"{p95(r.server_ms):>9.2f} ms{statistics.median(r.client_ms):>12.2f} ms"
              f"{p95(r.client_ms):>9.2f} ms{sql:>13}{statistics.median(r.sql_ms):>10.2f} ms"
              f"{rows:>6}")  # fmt: skip


def prepared_app(orders: int, chunk: int) -> Flask:
    """The app on the configured database, its schema upgraded, filled up to ``orders`` orders,
    with the benchmark's member of staff."""
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    app = create_app()
    with app.app_context():
        url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
        print(f"Database: {url.render_as_string(hide_password=True)}")
        upgrade()
        fill(orders, chunk, print)
        ensure_bench_user()
    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=100_000, help="orders to have (fills up)")
    parser.add_argument("--requests", type=int, default=200, help="measured requests per page")
    parser.add_argument("--deep", type=int, default=50, help="list pages to follow for 'deep'")
    parser.add_argument("--chunk", type=int, default=2000, help="orders per bulk insert")
    args = parser.parse_args()
    app = prepared_app(args.orders, args.chunk)
    with app.app_context():
        total = db.session.scalar(select(func.count()).select_from(Order))
        order_ids = list(db.session.scalars(select(Order.id)))
        japan = db.session.scalar(select(Order.region_id).where(Order.currency_code == "JPY"))
        name = db.session.execute(select(Customer.first_name, Customer.last_name).limit(1)).one()
        email, number = db.session.execute(
            select(Order.email, Order.display_id).order_by(Order.id).limit(1)).one()
        db.session.remove()
    meter = Meter(app)
    server = make_server("127.0.0.1", 0, app, threaded=False)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        client = Client(server.server_port)
        client.log_in(BENCH_EMAIL, BENCH_PASSWORD)
        n = args.requests
        deep = deep_url(client, args.deep)
        by_total = "/orders?currency=JPY&sort=-total"
        deep_by_total = deep_url(client, args.deep, by_total)
        details = [f"/orders/{i}" for i in random.Random(SEED).sample(order_ids, n)]
        pages = [
            ("/healthz", ["/healthz"] * n),
            ("list, first page", ["/orders"] * n),
            ("list, completed + captured",
             ["/orders?status=completed&payment_status=captured"] * n),
            ("list, region Japan + JPY", [f"/orders?region={japan}&currency=JPY"] * n),
            ("list, partially fulfilled", ["/orders?fulfillment_status=partially_fulfilled"] * n),
            ("list, requires action", ["/orders?status=requires_action"] * n),
            (f"list, page {args.deep + 1} (cursor)", [deep] * n),
            ("list, JPY by total", [by_total] * n),
            (f"list, JPY by total, page {args.deep + 1}", [deep_by_total] * n),
            ("list, search a full name", [f"/orders?q={name[1]}+{name[0]}"] * n),
            ("list, search parts of a name", [f"/orders?q={name[0][:3]}+{name[1][:3]}"] * n),
            ("list, search an email's beginning", [f"/orders?q={email[:6]}"] * n),
            ("list, search an order number", [f"/orders?q=%23{number}"] * n),
            ("list, search matching nothing", ["/orders?q=nobody+here"] * n),
            ("detail, random orders", details),
        ]  # fmt: skip
        print(f"Serving on 127.0.0.1:{server.server_port}; {total:,} orders; {n} requests each.")
        results = [measure(client, meter, name, urls) for name, urls in pages]
    finally:
        server.shutdown()
    print_table(results)
    ratio = statistics.median(results[1].server_ms) / statistics.median(results[0].server_ms)
    print(f"\nList first page / healthz, server medians: {ratio:.1f}x")


if __name__ == "__main__":
    main()
