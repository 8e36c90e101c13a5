"""Benchmark of the draft-order builder through the real HTTP stack (issue 3).

    .venv/bin/python bench/builder.py [--database URL] [--variants 10000] [--requests 200]

Fills a database of its own (``--database``, else ``DATABASE_URL``, else the SQLite file
``instance/bench-builder.db``) with a catalogue of ``--variants`` variants (several per product,
prices in USD, EUR and JPY, SKUs, barcodes, food and books taxed at reduced rates in some
regions, stock at each location), the demo regions, shipping options and promotions. Then it
serves the app with Werkzeug on a free loopback port, logs in through the login form (CSRF on)
and builds drafts as htmx does (``HX-Request: true``): item search, add item, change quantity,
apply and remove a promotion code. It prints, per request, the median and p95 time spent in the
app (server) and seen by the client, and the SQL statements each request ran; the issue's target
is a server median under 25 ms for adding an item and applying a code on a store of 10,000
variants.
"""

from __future__ import annotations

import argparse
import logging
import os
import random
import re
import statistics
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote

from flask_migrate import upgrade

# bench/pages.py: a script's own folder comes first on sys.path.
from pages import (
    BENCH_EMAIL,
    BENCH_PASSWORD,
    Client,
    Meter,
    PageParser,
    Result,
    ensure_bench_user,
    print_table,
    settle,
)
from sqlalchemy import exists, func, insert, literal, select, text, true
from sqlalchemy.engine import make_url
from werkzeug.serving import make_server

from app import create_app
from app.catalog.models import (
    Product,
    ProductVariant,
    Promotion,
    PromotionTarget,
    PromotionType,
    ShippingOption,
    VariantPrice,
)
from app.db_types import utcnow
from app.demo import ensure_catalogue, ensure_store
from app.demo.catalogue import PICKUP, ean13
from app.extensions import db
from app.fulfillment.models import StockLocation
from app.inventory.models import InventoryLevel
from app.store.models import Region

SEED = 3003
#: The file used when neither ``--database`` nor ``DATABASE_URL`` names a database: the
#: catalogue would otherwise fill the builder search of the app's own database.
DEFAULT_FILE = Path(__file__).resolve().parent.parent / "instance" / "bench-builder.db"
#: The issue's target for the server median of adding an item and applying a code.
TARGET_MS = 25.0
#: Lines a new draft starts with before its changes are measured, and lines it stops at.
FIRST_LINES, LAST_LINES = 5, 10

# --- The catalogue ---------------------------------------------------------------------------

ADJECTIVES = ("Classic", "Everyday", "Studio", "Nordic", "Heritage", "Field", "Harbour",
              "Mountain", "Garden", "Atelier", "Market", "Coastal", "Forest", "Meadow", "Urban",
              "Pocket", "Island", "Village")  # fmt: skip
MATERIALS = ("Linen", "Cotton", "Wool", "Merino", "Ceramic", "Stoneware", "Porcelain",
             "Walnut", "Oak", "Bamboo", "Brass", "Copper", "Cast Iron", "Glass", "Leather",
             "Canvas", "Hemp", "Cork", "Marble", "Enamel")  # fmt: skip
GOODS = ("Apron", "Mug", "Bowl", "Plate", "Tea Towel", "Cutting Board", "Candle Holder", "Vase",
         "Tray", "Notebook Cover", "Pen Case", "Tote Bag", "Beanie", "Scarf", "Socks", "Shirt",
         "Blanket", "Cushion Cover", "Coaster Set", "Teapot", "Carafe", "Spoon Set", "Lamp",
         "Planter", "Basket", "Jug")  # fmt: skip
#: Goods that come in sizes as well as colours.
SIZED = {"Shirt", "Socks", "Apron", "Blanket", "Beanie", "Scarf"}
COLOURS = ("Natural", "Indigo", "Charcoal", "Ochre", "Moss", "Rust", "Sand", "White")
SIZES = ("S", "M", "L", "XL")
ORIGINS = ("Kyoto", "Darjeeling", "Sicilian", "Alpine", "Breton", "Hokkaido", "Andalusian",
           "Colombian", "Ethiopian", "Tuscan", "Provence", "Assam", "Uji", "Kenyan")  # fmt: skip
FOODS = ("Sencha", "Black Tea", "Coffee Beans", "Honey", "Olive Oil", "Dark Chocolate",
         "Granola", "Apricot Jam", "Sea Salt", "Spaghetti", "Rice Crackers", "Miso",
         "Spice Blend", "Hojicha")  # fmt: skip
WEIGHTS = (("100 g", Decimal(1)), ("250 g", Decimal("2.2")), ("500 g", Decimal("4")),
           ("1 kg", Decimal("7.5")))  # fmt: skip
BOOK_WORDS = ("Kitchen", "Garden", "Moss", "Tea", "Bread", "Home", "Forest", "Clay", "Linen",
              "River", "Harvest", "Winter", "Table", "Paper", "Stone")  # fmt: skip
FORMATS = (("Hardcover", Decimal(1)), ("Paperback", Decimal("0.6")))
SERVICES = ("Gift Wrapping", "Engraving", "Monogram", "Repair Service", "Gift Card Printing")
#: (product type, share of products); ``food`` and ``book`` have reduced rates in Germany and
#: Japan (product-type overrides of the demo regions).
PRODUCT_TYPES = (("goods", 70), ("food", 18), ("book", 10), ("service", 2))
EUR_PER_USD, JPY_PER_USD = Decimal("0.92"), Decimal(150)

#: Codes the benchmark applies; they never end, so an old bench database still takes them.
#: (code, description, type, value, currency, target, minimum subtotal)
PROMOTIONS = (
    ("BENCH10", "Bench: 10 % off", "percentage", Decimal(10), None, "items", None),
    ("BENCH5USD", "Bench: $5.00 off", "fixed", Decimal(5), "USD", "items", Decimal(10)),
    ("BENCH5EUR", "Bench: 5,00 € off", "fixed", Decimal(5), "EUR", "items", Decimal(10)),
    ("BENCH500JPY", "Bench: ¥500 off", "fixed", Decimal(500), "JPY", "items", Decimal(1000)),
    ("BENCHSHIP", "Bench: free shipping", "percentage", Decimal(100), None, "shipping", None),
)  # fmt: skip
FIXED_CODE = {"USD": "BENCH5USD", "EUR": "BENCH5EUR", "JPY": "BENCH500JPY"}


def _code(words: str) -> str:
    return re.sub(r"[^A-Z0-9]", "", words.upper())[:3]


def _prices(usd: Decimal) -> dict[str, Decimal]:
    """Shelf prices: USD ending in 9 cents, EUR to the ten cents, JPY to ten yen."""
    usd = usd.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP) + Decimal("0.09")
    eur = (usd * EUR_PER_USD).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    jpy = (usd * JPY_PER_USD / 10).quantize(Decimal(1), rounding=ROUND_HALF_UP) * 10
    return {"USD": usd, "EUR": eur.quantize(Decimal("0.01")), "JPY": jpy}


def plan_product(rng: random.Random, titles: set[str]) -> tuple[str, str, str, list]:
    """A product: (title, product type, SKU stem, [(variant title, USD price)])."""
    kind = rng.choices([t for t, _ in PRODUCT_TYPES], weights=[w for _, w in PRODUCT_TYPES])[0]
    for _ in range(100):
        if kind == "goods":
            noun = rng.choice(GOODS)
            title = f"{rng.choice(ADJECTIVES)} {rng.choice(MATERIALS)} {noun}"
        elif kind == "food":
            noun = rng.choice(FOODS)
            title = f"{rng.choice(ORIGINS)} {noun}"
        elif kind == "book":
            noun = "Book"
            first, second = rng.sample(BOOK_WORDS, 2)
            title = f"The {first} and the {second}"
        else:
            noun = title = rng.choice(SERVICES)
        if title not in titles or kind == "service":
            break
    titles.add(title)
    base = Decimal(rng.randint(300, 15000)) / 100
    if kind == "goods":
        colours = rng.sample(COLOURS, rng.choice((1, 1, 2, 3, 4)))
        sizes = rng.sample(SIZES, rng.randint(2, 4)) if noun in SIZED else [""]
        variants = [(" / ".join(p for p in (c, s) if p), base) for c in colours for s in sizes]
    elif kind == "food":
        chosen = sorted(rng.sample(range(len(WEIGHTS)), rng.randint(1, 3)))
        variants = [(WEIGHTS[i][0], base / 3 * WEIGHTS[i][1]) for i in chosen]
    elif kind == "book":
        variants = list(FORMATS[: rng.randint(1, 2)])
        variants = [(name, base * factor + 10) for name, factor in variants]
    else:
        variants = [("", base / 4)]
    return title, kind, _code(noun), variants


def fill_catalogue(target: int, say) -> None:
    """Regions, shipping options, the demo products and promotions, the bench promotions, and
    generated products until the catalogue holds ``target`` variants."""
    started = time.perf_counter()
    store = ensure_store()
    ensure_catalogue(store)
    _ensure_promotions()
    existing = db.session.scalar(select(func.count()).select_from(ProductVariant))
    if existing >= target:
        say(f"The catalogue holds {existing:,} variants; nothing to add.")
        return
    say(f"The catalogue holds {existing:,} variants; adding {target - existing:,}.")
    rng = random.Random(SEED + existing)
    titles = set(db.session.scalars(select(Product.title)))
    number = (db.session.scalar(select(func.max(Product.id))) or 0) + 1
    missing = target - existing
    while missing > 0:
        # Products by the hundred: one INSERT ... RETURNING each for products and variants, one
        # executemany for the prices.
        plans = []
        while missing > 0 and len(plans) < 100:
            title, kind, code, variants = plan_product(rng, titles)
            variants = variants[:missing]
            missing -= len(variants)
            plans.append((number, title, kind, code, variants))
            number += 1
        product_ids = db.session.scalars(
            insert(Product).returning(Product.id, sort_by_parameter_order=True),
            [{"title": title, "product_type": kind, "description": "", "thumbnail": "",
              "created_at": utcnow()} for _, title, kind, _, _ in plans],
        ).all()  # fmt: skip
        variant_rows, prices = [], []
        for product_id, (n, _, kind, code, variants) in zip(product_ids, plans, strict=True):
            for index, (name, usd) in enumerate(variants, start=1):
                stem = "-".join([code, f"{n:05d}", *(_code(p) for p in name.split(" / ") if p)])
                variant_rows.append({
                    "product_id": product_id, "title": name, "sku": stem,
                    # Services have no barcode to scan.
                    "barcode": None if kind == "service" else ean13(f"401{n:05d}{index:04d}"),
                    "allow_backorder": False,
                })  # fmt: skip
                prices.append(_prices(usd))
        variant_ids = db.session.scalars(
            insert(ProductVariant).returning(ProductVariant.id, sort_by_parameter_order=True),
            variant_rows,
        ).all()
        db.session.execute(insert(VariantPrice), [
            {"variant_id": variant_id, "currency_code": currency, "amount": amount}
            for variant_id, amounts in zip(variant_ids, prices, strict=True)
            for currency, amount in amounts.items()
        ])  # fmt: skip
        db.session.commit()
    settle(say)
    say(f"Filled in {time.perf_counter() - started:.0f} s.")


def fill_stock(say) -> None:
    """Stock at every location for each variant that has none yet, plenty so that no change
    is refused: the item search shows each result's stock and adding an item checks it."""
    unstocked = (
        select(ProductVariant.sku, StockLocation.id, literal(1000), literal(0))
        .join(StockLocation, true())
        .where(ProductVariant.sku.is_not(None),
               ~exists().where(InventoryLevel.sku == ProductVariant.sku))
    )  # fmt: skip
    added = db.session.execute(insert(InventoryLevel).from_select(
        ["sku", "location_id", "stocked", "reserved"], unstocked)).rowcount  # fmt: skip
    if added:
        db.session.execute(text("ANALYZE"))
        say(f"Stocked {added:,} SKU levels.")
    db.session.commit()


def _ensure_promotions() -> None:
    codes = set(db.session.scalars(select(Promotion.code)))
    for code, description, kind, value, currency, target, minimum in PROMOTIONS:
        if code not in codes:
            db.session.add(Promotion(
                code=code, description=description, type=PromotionType(kind), value=value,
                currency_code=currency, target=PromotionTarget(target), min_subtotal=minimum,
                starts_at=utcnow(), ends_at=None, usage_limit=None, usage_count=0,
                is_active=True,
            ))  # fmt: skip
    db.session.commit()


@dataclass(frozen=True)
class Searchable:
    """What staff type or scan to find a variant."""

    words: tuple[str, ...]
    sku: str
    barcode: str | None


def searchables(limit: int = 2000) -> list[Searchable]:
    rng = random.Random(SEED)
    rows = db.session.execute(
        select(Product.title, ProductVariant.sku, ProductVariant.barcode).join(
            ProductVariant.product
        )
    ).all()
    return [
        Searchable(
            tuple(w for w in title.lower().split() if w.isalpha() and len(w) > 1),
            sku or "",
            barcode,
        )
        for title, sku, barcode in rng.sample(rows, min(limit, len(rows)))
    ]


def typed(rng: random.Random, s: Searchable) -> str:
    """A search as typed: the start of a title word (most often), of a SKU, or a scan."""
    roll = rng.random()
    if s.barcode and roll < 0.15:
        return s.barcode
    if s.barcode and roll < 0.2:
        return s.barcode[: rng.randint(6, 9)]
    if s.sku and roll < 0.35:
        return s.sku[: rng.randint(3, 9)]
    word = rng.choice(s.words) if s.words else s.sku
    return word[: rng.randint(2, min(6, len(word)))]


# --- Driving the builder ---------------------------------------------------------------------


class HtmxClient(Client):
    """``pages.Client`` with the headers htmx sends from the builder: ``HX-Request`` and the
    session's CSRF token (``X-CSRFToken``, as base.html sets ``hx-headers``)."""

    csrf_token = ""

    def request(self, method: str, url: str, form: dict | None = None,
                htmx: bool = False) -> tuple[int, str, float]:  # fmt: skip
        headers = {"HX-Request": "true"} if htmx else {}
        if self.csrf_token:
            headers["X-CSRFToken"] = self.csrf_token
        return super().request(method, url, form, headers)


class BuilderParser(HTMLParser):
    """What the benchmark reads from the builder's out-of-band parts: the version to send
    next, the lines with their quantity and price, the search results, the parts present and
    the message."""

    def __init__(self, html: str):
        super().__init__()
        self.version: str | None = None
        self.lines: list[int] = []
        self.prices: dict[int, str] = {}
        self.quantities: dict[int, int] = {}
        self.results: list[int] = []
        self.ids: set[str] = set()
        self.message = ""
        self._in_message = False
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        element_id = a.get("id") or ""
        self.ids.add(element_id)
        value = a.get("value") or ""
        if element_id == "draft-version":
            self.version = value
        elif element_id == "builder-message":
            self._in_message = True
        elif tag == "tr" and element_id.startswith("line-"):
            self.lines.append(int(element_id.removeprefix("line-")))
        elif element_id.startswith("price-"):
            self.prices[int(element_id.removeprefix("price-"))] = value
        elif element_id.startswith("qty-"):
            self.quantities[int(element_id.removeprefix("qty-"))] = int(value)
        elif tag == "input" and a.get("name") == "variant_id" and a.get("type") == "radio":
            self.results.append(int(value))

    def handle_endtag(self, tag: str) -> None:
        if tag == "div":
            self._in_message = False

    def handle_data(self, data: str) -> None:
        if self._in_message:
            self.message += data.strip()


#: The measured requests, in the order of the table.
OPERATIONS = {
    "search": "item search (GET variants)",
    "add": "add item (POST items/variant)",
    "quantity": "change quantity (POST items/<id>)",
    "apply": "apply code (POST promotions)",
    "remove": "remove code (POST .../remove)",
}
#: The parts a change to the draft's contents must answer with (the totals among them).
CONTENT_PARTS = {"draft-version", "builder-message", "draft-items", "draft-summary"}


@dataclass
class Samples:
    server: list[float] = field(default_factory=list)
    client: list[float] = field(default_factory=list)
    queries: list[int] = field(default_factory=list)
    sql: list[float] = field(default_factory=list)
    rows: set[int] = field(default_factory=set)


@dataclass
class Draft:
    id: int
    currency: str
    version: str = ""
    #: A code applied for the whole draft (not measured).
    carries: str = ""
    lines: list[int] = field(default_factory=list)
    prices: dict[int, str] = field(default_factory=dict)
    quantities: dict[int, int] = field(default_factory=dict)


class Till:
    """A member of staff at the till: drafts built one after another, each change sent with
    the version the last answer showed, some of them measured."""

    def __init__(self, client: HtmxClient, meter: Meter, regions: list[tuple[int, str, int]],
                 items: list[Searchable], rng: random.Random):  # fmt: skip
        self.client, self.meter, self.rng = client, meter, rng
        self.regions, self.items = regions, items
        self.samples: dict[str, Samples] = defaultdict(Samples)
        self.lines_at_add: list[int] = []
        self.drafts: list[int] = []

    def _send(self, op: str | None, method: str, url: str, form: dict | None = None,
              parts: set[str] = CONTENT_PARTS, expect: str = "") -> BuilderParser:  # fmt: skip
        status, html, elapsed = self.client.request(method, url, form, htmx=True)
        page = BuilderParser(html)
        if status != 200:
            raise SystemExit(f"{method} {url} answered {status}: {page.message or html[:300]}")
        if missing := parts - page.ids:
            raise SystemExit(f"{method} {url} answered without {', '.join(sorted(missing))}.")
        if expect and expect not in page.message:
            raise SystemExit(f"{method} {url} said {page.message!r}; expected {expect!r}.")
        if op is not None:
            server_ms, count, sql_ms = self.meter.last
            s = self.samples[op]
            s.server.append(server_ms)
            s.client.append(elapsed)
            s.queries.append(count)
            s.sql.append(sql_ms)
        return page

    def _change(self, op: str | None, draft: Draft, path: str, form: dict,
                expect: str = "") -> BuilderParser:  # fmt: skip
        """A change to the draft against the version it is at; the answer's version is next."""
        page = self._send(op, "POST", f"/draft-orders/{draft.id}{path}",
                          {"csrf_token": self.client.csrf_token, "lock_version": draft.version,
                           **form}, expect=expect)  # fmt: skip
        draft.version = page.version
        draft.lines, draft.prices, draft.quantities = page.lines, page.prices, page.quantities
        return page

    def new_draft(self) -> Draft:
        """A draft as the till starts one: the "New draft" form (a plain POST and redirect),
        then the region (and so currency) and a shipping option."""
        status, _, _ = self.client.request(
            "POST", "/draft-orders", {"csrf_token": self.client.csrf_token}, htmx=False
        )
        match = re.search(r"/draft-orders/(\d+)$", self.client.location)
        if status != 302 or not match:
            raise SystemExit(f"Starting a draft answered {status}; expected a redirect.")
        region_id, currency, option_id = self.regions[len(self.drafts) % len(self.regions)]
        draft = Draft(int(match.group(1)), currency)
        self.drafts.append(draft.id)
        status, html, _ = self.client.request("GET", f"/draft-orders/{draft.id}", htmx=False)
        draft.version = BuilderParser(html).version or ""
        if status != 200 or not draft.version:
            raise SystemExit(f"The new draft's builder answered {status} without a version.")
        parts = {"draft-version", "draft-region", "draft-summary"}
        page = self._send(None, "POST", f"/draft-orders/{draft.id}/region", {
            "csrf_token": self.client.csrf_token, "lock_version": draft.version,
            "region": region_id,
        }, parts=parts)  # fmt: skip
        draft.version = page.version
        self._change(None, draft, "/shipping", {"option_id": option_id})
        return draft

    def search(self, op: str | None, draft: Draft) -> list[int]:
        q = typed(self.rng, self.rng.choice(self.items))
        page = self._send(op, "GET", f"/draft-orders/{draft.id}/variants?q={quote(q)}",
                          parts=set())  # fmt: skip
        if op is not None:
            self.samples[op].rows.add(len(page.results))
        return page.results

    def add(self, op: str | None, draft: Draft) -> None:
        """Search, then add one of the results (what was typed may match nothing: type more)."""
        results = []
        while not results:
            results = self.search("search" if op else None, draft)
        if op is not None:
            self.lines_at_add.append(len(draft.lines))
        self._change(op, draft, "/items/variant", {"variant_id": self.rng.choice(results)})

    def change_quantity(self, op: str | None, draft: Draft) -> None:
        line = self.rng.choice(draft.lines)
        quantity = self.rng.choice([q for q in range(1, 6) if q != draft.quantities[line]])
        self._change(op, draft, f"/items/{line}",
                     {"quantity": quantity, "unit_price": draft.prices[line]})  # fmt: skip

    def apply_and_remove(self, op: bool, draft: Draft) -> None:
        codes = [FIXED_CODE[draft.currency], "BENCH10", "BENCHSHIP"]
        code = self.rng.choice([c for c in codes if c != draft.carries])
        self._change("apply" if op else None, draft, "/promotions", {"code": code},
                     expect=f"Code {code} applied.")  # fmt: skip
        self._change("remove" if op else None, draft, "/promotions/remove", {"code": code},
                     expect="Code removed.")  # fmt: skip

    def build(self, measured: bool) -> None:
        """One draft: the first lines unmeasured, then up to ``LAST_LINES`` lines one at a
        time, each followed by a quantity change and a code applied and removed."""
        draft = self.new_draft()
        if self.rng.random() < 0.5:
            # Half the drafts carry a code throughout, so that codes are shared out together.
            draft.carries = "BENCH10"
            self._change(None, draft, "/promotions", {"code": draft.carries})
        while len(draft.lines) < FIRST_LINES:
            self.add(None, draft)
        while len(draft.lines) < LAST_LINES:
            self.add("add" if measured else None, draft)
            self.change_quantity("quantity" if measured else None, draft)
            self.apply_and_remove(measured, draft)

    def count(self) -> int:
        """Measured requests of the rarest operation so far."""
        return min((len(self.samples[op].server) for op in OPERATIONS), default=0)


def run(till: Till, requests: int) -> list[Result]:
    till.build(measured=False)  # warm-up
    while till.count() < requests:
        till.build(measured=True)
    results = []
    for op, name in OPERATIONS.items():
        s = till.samples[op]
        n = requests
        rows = max(s.rows) if s.rows else None
        results.append(Result(name, s.server[:n], s.client[:n], s.queries[:n], s.sql[:n], rows))
    return results


def delete_drafts(client: HtmxClient, draft_ids: list[int]) -> None:
    """Leave the database as it was: the drafts go (through the builder's delete button)."""
    for draft_id in draft_ids:
        status, html, _ = client.request("GET", f"/draft-orders/{draft_id}", htmx=False)
        version = BuilderParser(html).version
        status, _, _ = client.request(
            "POST", f"/draft-orders/{draft_id}/delete",
            {"csrf_token": client.csrf_token, "lock_version": version}, htmx=False,
        )  # fmt: skip
        if status != 302:
            raise SystemExit(f"Deleting draft {draft_id} answered {status}.")


def store_regions() -> list[tuple[int, str, int]]:
    """(region id, currency, shipping option id) of each region with a carrier's option."""
    regions = []
    for region in db.session.scalars(select(Region).order_by(Region.id)):
        option = db.session.scalar(
            select(ShippingOption.id)
            .where(ShippingOption.region_id == region.id, ShippingOption.is_active,
                   ShippingOption.name != PICKUP)
            .order_by(ShippingOption.amount)
            .limit(1)
        )  # fmt: skip
        if option is not None and region.currency_code in FIXED_CODE:
            regions.append((region.id, region.currency_code, option))
    return regions


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", help="database URL (else DATABASE_URL, else "
                        f"sqlite:///{DEFAULT_FILE})")  # fmt: skip
    parser.add_argument("--variants", type=int, default=10_000, help="variants to have")
    parser.add_argument("--requests", type=int, default=200, help="measured requests each")
    args = parser.parse_args()
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    if args.database:
        os.environ["DATABASE_URL"] = args.database  # the app reads (and normalises) it
    elif not os.environ.get("DATABASE_URL"):
        DEFAULT_FILE.parent.mkdir(parents=True, exist_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{DEFAULT_FILE}"

    app = create_app()
    with app.app_context():
        url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
        print(f"Database: {url.render_as_string(hide_password=True)}")
        upgrade()
        fill_catalogue(args.variants, print)
        fill_stock(print)
        ensure_bench_user()
        variants = db.session.scalar(select(func.count()).select_from(ProductVariant))
        products = db.session.scalar(select(func.count()).select_from(Product))
        regions = store_regions()
        items = searchables()
        db.session.remove()
    meter = Meter(app)
    server = make_server("127.0.0.1", 0, app, threaded=False)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        client = HtmxClient(server.server_port)
        client.log_in(BENCH_EMAIL, BENCH_PASSWORD)
        html, _ = client.get("/draft-orders")
        client.csrf_token = PageParser(html).csrf_token or ""
        print(f"Serving on 127.0.0.1:{server.server_port}; {variants:,} variants of "
              f"{products:,} products; {args.requests} requests each.")  # fmt: skip
        till = Till(client, meter, regions, items, random.Random(SEED))
        results = run(till, args.requests)
        delete_drafts(client, till.drafts)
    finally:
        server.shutdown()
    print_table(results)
    low, high = min(till.lines_at_add), max(till.lines_at_add)
    print(
        f"\n{len(till.drafts)} drafts in {', '.join(c for _, c, _ in regions)} "
        f"(deleted afterwards); an item was added to drafts of {low}-{high} lines "
        f"(median {statistics.median(till.lines_at_add):g}); rows: search results shown."
    )
    for result in (results[1], results[3]):  # add item, apply code
        median = statistics.median(result.server_ms)
        verdict = "under" if median < TARGET_MS else "OVER"
        print(f"{result.name}: server median {median:.2f} ms, {verdict} {TARGET_MS:g} ms.")


if __name__ == "__main__":
    main()
